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
    kept_nodes = [node for node in graph_def.node if node.name in keep]
    del graph_def.node[:]
    graph_def.node.extend(kept_nodes)
    if graph_def.HasField("library"):
        prune_library(graph_def)
    for name in [name for name in ctx.deferred if name not in keep]:
        del ctx.deferred[name]
    return PassResult(graph_def, changed=True)
