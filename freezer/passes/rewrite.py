"""Helpers for the passes that rewrite nodes in place or make new ones.

`replace_op`, `become_identity` and `become_const` rewrite one node in place, keeping its name,
device, colocation (`_class`) and recorded output shapes (`_output_shapes`, updated where the
rewrite changes them); `const_node` makes a new Const; `unique_name` names new nodes and functions.
A big value need not be copied into its Const's proto: `value_tensor` leaves it in the freeze's
`deferred` values for the writer to splice in, and `const_value` reads a Const's value either way.
Nothing here changes a graph otherwise.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, node_def_pb2, tensor_pb2, tensor_shape_pb2

from freezer.io.frozen import defer_value
from freezer.tensors import make_shape, make_tensor_proto, tensor_proto_to_numpy

_KEPT_ATTRS = ("_class", "_output_shapes")


def value_dtype(const: node_def_pb2.NodeDef) -> int:
    return const.attr["dtype"].type


def replace_op(node: node_def_pb2.NodeDef, op: str, attrs: dict[str, attr_value_pb2.AttrValue]) -> None:
    """Turn `node` into `op` with `attrs`, keeping its name, inputs, device, colocation and shapes."""
    kept = {key: _copy(node.attr[key]) for key in _KEPT_ATTRS if key in node.attr}
    node.op = op
    node.ClearField("attr")
    node.ClearField("experimental_type")  # typed for the old op, not the new one
    for key, value in {**attrs, **kept}.items():
        node.attr[key].CopyFrom(value)


def become_identity(node: node_def_pb2.NodeDef, dtype: int, inputs: Iterable[str] | None = None) -> None:
    """Turn `node` into an `Identity` of `dtype` forwarding its input 0 (or `inputs`, when given:
    the one data input, then any `^controls`); of its output shapes only output 0's is left."""
    inputs = None if inputs is None else list(inputs)
    replace_op(node, "Identity", {"T": type_attr(dtype)})
    if "_output_shapes" in node.attr:
        del node.attr["_output_shapes"].list.shape[1:]
    if inputs is not None:
        del node.input[:]
        node.input.extend(inputs)


def become_const(node: node_def_pb2.NodeDef, tensor: tensor_pb2.TensorProto) -> None:
    """Turn `node` into a `Const` holding `tensor` (inputs left as they are: only `^controls` belong)."""
    replace_op(node, "Const", _const_attrs(tensor))
    set_output_shape(node, 0, tensor.tensor_shape)


def value_tensor(name: str, value: np.ndarray, dtype: int, deferred: dict[str, np.ndarray]) -> tensor_pb2.TensorProto:
    """The TensorProto for Const `name` to hold `value`: numbers wait in `deferred` for the writer
    (the proto keeps only their dtype and shape); strings and empty values go in at once."""
    if not defer_value(value, dtype):
        return make_tensor_proto(value, dtype)
    deferred[name] = value
    return tensor_pb2.TensorProto(dtype=dtype, tensor_shape=make_shape(value.shape))


def const_value(const: node_def_pb2.NodeDef, deferred: dict[str, np.ndarray]) -> np.ndarray:
    """The value a Const holds, whether it waits in `deferred` or is in its proto (checked as a
    hostile tensor: see `tensor_proto_to_numpy`)."""
    if const.name in deferred:
        return deferred[const.name]
    return tensor_proto_to_numpy(const.attr["value"].tensor, f"Const {const.name}")


def const_node(name: str, value: np.ndarray | np.generic, dtype: int,
               inputs: Iterable[str] = ()) -> node_def_pb2.NodeDef:
    """A new `Const` node holding `value` as `dtype`, with `inputs` (only `^controls` belong)."""
    return node_def_pb2.NodeDef(name=name, op="Const", input=list(inputs),
                                attr=_const_attrs(make_tensor_proto(value, dtype)))


def set_output_shape(node: node_def_pb2.NodeDef, index: int, shape: tensor_shape_pb2.TensorShapeProto) -> None:
    """Update the `_output_shapes` entry of output `index`, when the node carries that attr."""
    shapes = node.attr["_output_shapes"].list.shape if "_output_shapes" in node.attr else []
    if index < len(shapes):
        shapes[index].CopyFrom(shape)


def type_attr(dtype: int) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(type=dtype)


def unique_name(base: str, taken: Container[str]) -> str:
    """`base`, or `base_1`, `base_2`, ... : the first that is not taken."""
    name, number = base, 0
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    return name


def _const_attrs(tensor: tensor_pb2.TensorProto) -> dict[str, attr_value_pb2.AttrValue]:
    return {"dtype": type_attr(tensor.dtype), "value": attr_value_pb2.AttrValue(tensor=tensor)}


def _copy(value: attr_value_pb2.AttrValue) -> attr_value_pb2.AttrValue:
    copy = attr_value_pb2.AttrValue()
    copy.CopyFrom(value)
    return copy
