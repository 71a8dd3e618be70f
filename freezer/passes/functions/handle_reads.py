"""Ops that took a variable handle, rewritten to take the variable's value.

One rewrite per op, shared by the two places such ops live: function bodies (`functions`, through
`HANDLE_READ_REWRITES`) and the graph itself (`resources`). Where they differ — how a new Const is added and
how an input names it — is the `Body` the rewrite is given.

Each rewrite keeps the node's name, data inputs, control inputs, device and colocation, and the
name of its output argument (`output`) — except `ReadVariableOp`, whose output `value` becomes
the `Identity`'s `output`, which the caller renames in function bodies. The value's dtype and
shape come from the folded `Const` (its TensorProto's dtype and shape, never its content).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from tensorboard.compat.proto import attr_value_pb2, node_def_pb2, tensor_shape_pb2, types_pb2

from freezer.passes.rewrite import become_identity, replace_op, set_output_shape, type_attr
from freezer.tensors import make_shape


@dataclasses.dataclass(frozen=True)
class Value:
    """What a variable handle became: a tensor of this dtype and shape."""

    dtype: int
    shape: tuple[int, ...] | None  # None when the rank is unknown; -1 for an unknown dimension

    @classmethod
    def of_const(cls, node: node_def_pb2.NodeDef) -> Value:
        shape = node.attr["value"].tensor.tensor_shape
        return cls(node.attr["dtype"].type, None if shape.unknown_rank else tuple(d.size for d in shape.dim))

    def shape_proto(self) -> tensor_shape_pb2.TensorShapeProto:
        return tensor_shape_pb2.TensorShapeProto(unknown_rank=True) if self.shape is None else make_shape(self.shape)


class Body(Protocol):
    """What a rewrite needs from the graph or function body the node lives in."""

    def add_int32_const(self, base_name: str, value: int, frame_of: str) -> str:
        """Add a scalar int32 Const named like `base_name`; return the input entry naming it.

        `frame_of` is an input entry of the node that takes the Const: in a graph the Const runs
        in that input's v1 while-loop frame (see `resources`); a function body has no frames.
        """

    def rename_output(self, node_name: str, old: str, new: str) -> None:
        """The node's output argument `old` is now called `new`."""


def retype_identity(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """An `Identity` that forwarded the handle now forwards the value."""
    node.attr["T"].type = value.dtype
    set_output_shape(node, 0, value.shape_proto())
    node.ClearField("experimental_type")  # it typed the handle


def read_as_identity(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`ReadVariableOp(handle)` → `Identity(value)`."""
    become_identity(node, node.attr["dtype"].type)
    body.rename_output(node.name, "value", "output")


def gather_as_gather_v2(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`ResourceGather(handle, indices)` → `GatherV2(value, indices, axis)`, axis = batch_dims."""
    batch_dims = node.attr["batch_dims"].i if "batch_dims" in node.attr else 0
    axis = body.add_int32_const(f"{node.name}/axis", batch_dims, frame_of=node.input[0])
    replace_op(node, "GatherV2", {
        "Tparams": type_attr(node.attr["dtype"].type), "Tindices": type_attr(node.attr["Tindices"].type),
        "Taxis": type_attr(types_pb2.DT_INT32), "batch_dims": attr_value_pb2.AttrValue(i=batch_dims)})
    node.input.insert(2, axis)  # after params and indices, before any ^control inputs


def gather_nd_as_gather_nd(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`ResourceGatherNd(handle, indices)` → `GatherNd(value, indices)`."""
    replace_op(node, "GatherNd", {"Tparams": type_attr(node.attr["dtype"].type),
                                  "Tindices": type_attr(node.attr["Tindices"].type)})


def variable_shape_as_shape(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`VariableShape(handle)` → `Shape(value)`."""
    out_type = node.attr["out_type"].type if "out_type" in node.attr else types_pb2.DT_INT32
    replace_op(node, "Shape", {"T": type_attr(value.dtype), "out_type": type_attr(out_type)})


Rewrite = Callable[[node_def_pb2.NodeDef, Value, Body], None]

# The rewrite of each handle read `freezer.ops.HANDLE_READ_AS` lists (each takes the handle as
# input 0 and nothing else as a handle), alike in function bodies and in the graph (`resources`).
HANDLE_READ_REWRITES: dict[str, Rewrite] = {
    "ReadVariableOp": read_as_identity,
    "ResourceGather": gather_as_gather_v2,
    "ResourceGatherNd": gather_nd_as_gather_nd,
    "VariableShape": variable_shape_as_shape,
}
