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

# Each cut moves the nodes behind it (in C, a few microseconds for 100k nodes); the sort that does
# any number of runs at once reads every node, which costs as much as a thousand cuts or so.
_MOST_RUNS_CUT = 1000


def prune_to_outputs(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    keep = reachable(index, ctx.outputs)
    if len(keep) == len(graph_def.node):
        return PassResult(graph_def, changed=False)
    dropped = set(keep.missed())
    delete_nodes(index, dropped)
    if graph_def.HasField("library"):
        prune_library(graph_def)
    for name in [name for name in ctx.deferred if name not in keep]:
        del ctx.deferred[name]
    return PassResult(graph_def, changed=True, index=index.pruned(dropped, ctx.outputs))


def delete_nodes(index: GraphIndex, dropped: set[str]) -> None:
    """Delete from the indexed graph every node whose name is in `dropped` (names of the graph); the
    others stay in their order.

    The index knows where each node is, so the dropped ones usually go in a few runs, each one cut
    that moves the nodes behind it without touching them. When they are scattered over many runs,
    a stable sort moves them behind the others without copying any node, and one cut drops them:
    rebuilding the field would copy every node kept.
    """
    nodes = index.graph_def.node
    if index.nodes.unique_names:  # else the check refuses the graph: only the sort sees every node
        runs = _runs(sorted(index.nodes.positions[name] for name in dropped))
        if len(runs) <= _MOST_RUNS_CUT:
            for start, stop in reversed(runs):  # from the back: the positions of those before stay
                del nodes[start:stop]
            return
        left = len(nodes) - len(dropped)
    else:
        left = sum(1 for node in nodes if node.name not in dropped)
    nodes.sort(key=lambda node: node.name in dropped)
    del nodes[left:]


def _runs(positions: list[int]) -> list[tuple[int, int]]:
    """Sorted positions as (start, stop) ranges of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for position in positions:
        if runs and runs[-1][1] == position:
            runs[-1] = (runs[-1][0], position + 1)
        else:
            runs.append((position, position + 1))
    return runs
