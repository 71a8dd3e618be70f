"""Fold variables: each variable node becomes a `Const` holding its value from the checkpoint.

`Variable`/`VariableV2`/`VarHandleOp` → `Const` (same name, so every consumer still resolves), and
`ReadVariableOp` of a folded variable → `Identity` (a Const is a value, not a handle to read).
The node's device and colocation attrs are kept; later passes decide about them.
"""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2, tensor_pb2

from freezer.graph import input_node_name
from freezer.passes.base import PassContext, PassResult
from freezer.io.frozen import defer_value
from freezer.tensors import make_shape, make_tensor_proto
from freezer.variables import is_variable

_KEPT_ATTRS = ("_class",)


def fold_variables(graph_def: graph_pb2.GraphDef, ctx: PassContext) -> PassResult:
    changed = False
    folded: set[str] = set()
    for node in graph_def.node:
        if is_variable(node) and node.name in ctx.values:
            _become_const(node, ctx.values[node.name], ctx.deferred)
            folded.add(node.name)
            changed = True
    for node in graph_def.node:
        if node.op == "ReadVariableOp" and node.input and input_node_name(node.input[0]) in folded:
            _become_identity(node)
            changed = True
    return PassResult(graph_def, changed)


def _become_const(node: node_def_pb2.NodeDef, value: np.ndarray, deferred: dict[str, np.ndarray]) -> None:
    """Make `node` a Const of `value`; numeric values wait in `deferred` for the writer to splice in."""
    dtype = node.attr["dtype"].type
    if defer_value(value):
        tensor = tensor_pb2.TensorProto(dtype=dtype, tensor_shape=make_shape(value.shape))
        deferred[node.name] = value
    else:
        tensor = make_tensor_proto(value, dtype)
    _replace_op(node, "Const", {"dtype": attr_value_pb2.AttrValue(type=dtype),
                                "value": attr_value_pb2.AttrValue(tensor=tensor)})
    node.ClearField("experimental_debug_info")  # a Const of ours ends with its value (see io.frozen)


def _become_identity(node: node_def_pb2.NodeDef) -> None:
    _replace_op(node, "Identity", {"T": attr_value_pb2.AttrValue(type=node.attr["dtype"].type)})


def _replace_op(node: node_def_pb2.NodeDef, op: str, attrs: dict[str, attr_value_pb2.AttrValue]) -> None:
    """Turn `node` into `op` with `attrs`, keeping its name, inputs, device and colocation."""
    kept = {key: node.attr[key] for key in _KEPT_ATTRS if key in node.attr}
    node.op = op
    node.ClearField("attr")
    node.ClearField("experimental_type")  # typed for the variable, not the constant
    for key, value in {**attrs, **kept}.items():
        node.attr[key].CopyFrom(value)
