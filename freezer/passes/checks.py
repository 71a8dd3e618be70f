"""Check: the frozen graph will load in its consumers (`freezer.check`), or it is not written.

Its size is checked after the passes (`freezer.api`): that serializes the graph, which is better
done once their index, as big as the graph on a graph of many nodes, is gone."""

from __future__ import annotations

from freezer import check
from freezer.graph import GraphIndex, parse_input
from freezer.ops import TRAINING_OPS
from freezer.passes.base import PassContext, PassResult


def check_loadable(index: GraphIndex, ctx: PassContext) -> PassResult:
    check.check_graph(index, kept=_kept_nodes(index, ctx.kept))
    return PassResult(index.graph_def, changed=False)


def _kept_nodes(index: GraphIndex, kept: set[str]) -> set[str]:
    """Kept variables and the ops that read or initialize them: the check lets these be."""
    if not kept:
        return set()
    return kept | {node.name for node in index.graph_def.node
                   if node.input and parse_input(node.input[0]).node in kept
                   and (node.op in TRAINING_OPS or node.op == "ReadVariableOp")}
