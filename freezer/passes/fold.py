"""Fold variables: each variable node becomes a `Const` holding its value from the checkpoint.

`Variable`/`VariableV2`/`VarHandleOp` → `Const` (same name, so every consumer still resolves). What
carried the variable onward is then typed for the value: pass-through ops (`Identity`, and v1
control flow such as `Enter` with `T=resource` taking a handle into a while loop) get the value's
dtype instead of `resource` or a `*_ref` type, and `ReadVariableOp`s they reach become `Identity`
(a Const is a value, not a handle to read). Ref ops, assigns and other resource ops are left to
`repair` and `resources`; the node's device and colocation attrs are kept for later passes.
"""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import node_def_pb2

from freezer.graph import ConstFlow, GraphIndex
from freezer.ops import PASS_THROUGH_OPS, VARIABLE_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import become_const, become_identity, value_dtype, value_tensor


def fold_variables(index: GraphIndex, ctx: PassContext) -> PassResult:
    folded = [node for node in index.nodes_by_op(VARIABLE_OPS) if node.name in ctx.values]
    if not folded:
        return PassResult(index.graph_def, changed=False)
    for node in folded:
        _become_const(node, ctx.values[node.name], ctx.deferred)
    retyped = _type_readers_for_values(index)  # the nodes changed in place: the index still holds them
    # Ops and attrs changed, not names or inputs: what the index knows of edges stays true.
    return PassResult(index.graph_def, changed=True,
                      index=index.rewritten([node.name for node in folded] + retyped))


def _become_const(node: node_def_pb2.NodeDef, value: np.ndarray, deferred: dict[str, np.ndarray]) -> None:
    """Make `node` a Const of `value`; numeric values wait in `deferred` for the writer to splice in."""
    become_const(node, value_tensor(node.name, value, node.attr["dtype"].type, deferred))
    node.ClearField("experimental_debug_info")  # a Const of ours ends with its value (see io.frozen)


def _type_readers_for_values(index: GraphIndex) -> list[str]:
    """Retype the pass-through ops a Const now feeds, and make the ReadVariableOps they reach
    Identity; the names of the nodes changed."""
    # The attrs of every node are read once an index (and handed on with it, to the checks).
    typed = index.handle_types
    readers = [*index.nodes_by_op({"ReadVariableOp"}),
               *(index[name] for name, types in typed.items() if "T" in types and index.ops[name] in PASS_THROUGH_OPS)]
    flow = ConstFlow(index) if readers else None
    retyped = []
    for node in readers:
        const = flow.feeds(node)
        if const is None:
            continue
        if node.op == "ReadVariableOp":
            become_identity(node, node.attr["dtype"].type)
        else:
            node.attr["T"].type = value_dtype(const)
        retyped.append(node.name)
    return retyped

