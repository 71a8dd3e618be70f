"""Check: the frozen graph will load in its consumers (`freezer.check`), or it is not written."""

from __future__ import annotations

from freezer import check
from freezer.graph import GraphIndex, parse_input
from freezer.io.frozen import FrozenGraph
from freezer.ops import TRAINING_OPS
from freezer.passes.base import PassContext, PassResult


def check_loadable(index: GraphIndex, ctx: PassContext) -> PassResult:
    check.check_frozen(FrozenGraph(index.graph_def, ctx.deferred), kept=_kept_nodes(index, ctx.kept), index=index)
    return PassResult(index.graph_def, changed=False)


def _kept_nodes(index: GraphIndex, kept: set[str]) -> set[str]:
    """Kept variables and the ops that read or initialize them: the check lets these be."""
    if not kept:
        return set()
    return kept | {node.name for node in index.graph_def.node
                   if node.input and parse_input(node.input[0]).node in kept
                   and (node.op in TRAINING_OPS or node.op == "ReadVariableOp")}
