"""Prune: keep only the nodes the outputs need, in their original order.

A node is needed when an output reaches it through data inputs or `^control` inputs. Colocation
(`_class`) never keeps a node alive; `drop_dangling_colocation` cleans up after this pass.
Library functions no kept node calls are dropped too, and so are the deferred values of removed
constants.
"""

from __future__ import annotations

from freezer.graph import GraphIndex, reachable
from freezer.passes.base import PassContext, PassResult
from freezer.passes.functions.library import prune_library


def prune_to_outputs(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    keep = reachable(index, ctx.outputs)
    if len(keep) == len(graph_def.node):
        return PassResult(graph_def, changed=False)
    in_place = _keep_only(graph_def.node, keep)
    if graph_def.HasField("library"):
        prune_library(graph_def)
    for name in [name for name in ctx.deferred if name not in keep]:
        del ctx.deferred[name]
    # The nodes left in place are the objects the index holds; a rebuilt field holds copies.
    return PassResult(graph_def, changed=True, index=index.pruned(keep, ctx.outputs) if in_place else None)


# Deleting a run of nodes moves the nodes after it (protobuf keeps a repeated field as one array), and
# rebuilding the field copies every node kept: past this many runs, rebuilding is the cheaper.
_MOST_RUNS_DELETED = 64


def _keep_only(nodes, keep: frozenset[str]) -> bool:
    """Delete from the repeated field `nodes` the nodes whose names are not in `keep`; True if the
    nodes kept stayed in place, False if the field was rebuilt from copies of them."""
    names = [node.name for node in nodes]
    runs: list[tuple[int, int]] = []  # (start, end) of each run of nodes to delete, in order
    for position, name in enumerate(names):
        if name in keep:
            continue
        if runs and runs[-1][1] == position:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
        if len(runs) > _MOST_RUNS_DELETED:
            kept = [node for node, name in zip(nodes, names) if name in keep]
            del nodes[:]
            nodes.extend(kept)
            return False
    for start, end in reversed(runs):  # from the back: the runs before keep their positions
        del nodes[start:end]
    return True
