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
    delete_nodes(index, {name for name in index.nodes if name not in keep})
    if graph_def.HasField("library"):
        prune_library(graph_def)
    for name in [name for name in ctx.deferred if name not in keep]:
        del ctx.deferred[name]
    return PassResult(graph_def, changed=True, index=index.pruned(keep, ctx.outputs))


def delete_nodes(index: GraphIndex, dropped: set[str]) -> None:
    """Delete from the indexed graph every node whose name is in `dropped` (names of the graph); the
    others stay in their order and are the same objects (the index holds them).

    A stable sort moves the dropped nodes behind the others without copying any node, and one cut
    drops them: deleting them one run at a time would move the nodes behind each run again and again,
    and rebuilding the field would copy every node kept.
    """
    nodes = index.graph_def.node
    # Each name once in the graph (else the check refuses it): as many nodes go as names are dropped.
    unique = len(index.nodes) == len(nodes)
    left = len(nodes) - len(dropped) if unique else sum(1 for node in nodes if node.name not in dropped)
    nodes.sort(key=lambda node: node.name in dropped)
    del nodes[left:]
