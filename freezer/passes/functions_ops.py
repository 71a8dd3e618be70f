"""Ops that took a variable handle, rewritten to take the variable's value.

Each rewrite keeps the node's name, data inputs, control inputs, device and colocation, and the
name of its output argument (`output`) — except `ReadVariableOp`, whose output `value` becomes
the `Identity`'s `output`, which the caller renames in function bodies. The value's dtype and
shape come from the folded `Const` (its TensorProto's dtype and shape, never its content).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, node_def_pb2, tensor_shape_pb2, types_pb2

from freezer.tensors import make_shape, make_tensor_proto

_KEPT_ATTRS = ("_class", "_output_shapes")


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

    def add_int32_const(self, base_name: str, value: int) -> str:
        """Add a scalar int32 Const named like `base_name`; return the input entry naming it."""

    def rename_output(self, node_name: str, old: str, new: str) -> None:
        """The node's output argument `old` is now called `new`."""


def retype_identity(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """An `Identity` that forwarded the handle now forwards the value."""
    node.attr["T"].type = value.dtype
    set_output_shape(node, 0, value)
    node.ClearField("experimental_type")  # it typed the handle


def read_as_identity(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`ReadVariableOp(handle)` → `Identity(value)`."""
    _replace_op(node, "Identity", {"T": _type(node.attr["dtype"].type)})
    body.rename_output(node.name, "value", "output")


def gather_as_gather_v2(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`ResourceGather(handle, indices)` → `GatherV2(value, indices, axis)`, axis = batch_dims."""
    batch_dims = node.attr["batch_dims"].i
    axis = body.add_int32_const(f"{node.name}/axis", batch_dims)
    data, controls = _split_inputs(node)
    _replace_op(node, "GatherV2", {
        "Tparams": _type(node.attr["dtype"].type), "Tindices": _type(node.attr["Tindices"].type),
        "Taxis": _type(types_pb2.DT_INT32), "batch_dims": attr_value_pb2.AttrValue(i=batch_dims)})
    del node.input[:]
    node.input.extend(data[:2] + [axis] + controls)


def gather_nd_as_gather_nd(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`ResourceGatherNd(handle, indices)` → `GatherNd(value, indices)`."""
    _replace_op(node, "GatherNd", {"Tparams": _type(node.attr["dtype"].type),
                                   "Tindices": _type(node.attr["Tindices"].type)})


def variable_shape_as_shape(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """`VariableShape(handle)` → `Shape(value)`."""
    _replace_op(node, "Shape", {"T": _type(value.dtype), "out_type": _type(node.attr["out_type"].type)})


# Op → its rewrite, for the ops that take a handle as input 0 and nothing else as a handle.
READERS: dict[str, Callable[[node_def_pb2.NodeDef, Value, Body], None]] = {
    "Identity": retype_identity,
    "ReadVariableOp": read_as_identity,
    "ResourceGather": gather_as_gather_v2,
    "ResourceGatherNd": gather_nd_as_gather_nd,
    "VariableShape": variable_shape_as_shape,
}


def int32_const(name: str, value: int) -> node_def_pb2.NodeDef:
    node = node_def_pb2.NodeDef(name=name, op="Const")
    node.attr["dtype"].type = types_pb2.DT_INT32
    node.attr["value"].tensor.CopyFrom(make_tensor_proto(np.array(value, np.int32), types_pb2.DT_INT32))
    return node


def set_output_shape(node: node_def_pb2.NodeDef, index: int, value: Value) -> None:
    """Update the `_output_shapes` entry of output `index`, when the node carries that attr."""
    shapes = node.attr["_output_shapes"].list.shape if "_output_shapes" in node.attr else []
    if index < len(shapes):
        shapes[index].CopyFrom(value.shape_proto())


def _replace_op(node: node_def_pb2.NodeDef, op: str, attrs: dict[str, attr_value_pb2.AttrValue]) -> None:
    """Turn `node` into `op` with `attrs`, keeping its name, inputs, device, colocation and shapes."""
    kept = {key: _copy(node.attr[key]) for key in _KEPT_ATTRS if key in node.attr}
    node.op = op
    node.ClearField("attr")
    node.ClearField("experimental_type")  # typed for the old op
    for key, value in {**attrs, **kept}.items():
        node.attr[key].CopyFrom(value)


def _split_inputs(node: node_def_pb2.NodeDef) -> tuple[list[str], list[str]]:
    data = [name for name in node.input if not name.startswith("^")]
    return data, [name for name in node.input if name.startswith("^")]


def _copy(value: attr_value_pb2.AttrValue) -> attr_value_pb2.AttrValue:
    copy = attr_value_pb2.AttrValue()
    copy.CopyFrom(value)
    return copy


def _type(dtype: int) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(type=dtype)
