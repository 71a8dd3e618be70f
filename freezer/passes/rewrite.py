"""Helpers for the passes that rewrite nodes: finding the Const behind an input, and making nodes.

A variable reaches its readers through pass-through ops: `v/read` (`Identity`), and v1 control flow
(`Switch` into a cond branch, `Enter` into a while loop, ...). Once the variable is a `Const`,
every op down such a chain is fed a value where it expected a handle or a reference; `ConstFlow`
finds the Const behind such an input, so each pass can rewrite what it is responsible for.

`replace_op`, `become_identity` and `become_const` rewrite one node in place, keeping its name,
device, colocation (`_class`) and recorded output shapes (`_output_shapes`, updated where the
rewrite changes them); `const_node` makes a new Const; `unique_name` names new nodes and functions.
Nothing here changes a graph otherwise.
"""

from __future__ import annotations

from collections.abc import Container, Iterable

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2, tensor_pb2, tensor_shape_pb2

from freezer.graph import GraphIndex, InputRef, parse_input
from freezer.tensors import make_tensor_proto

# Ops whose output is (one of) their data inputs, unchanged; the Ref* twins forward references.
PASS_THROUGH_OPS = frozenset({
    "Identity", "Enter", "Exit", "NextIteration", "Switch", "Merge",
    "RefIdentity", "RefEnter", "RefExit", "RefNextIteration", "RefSwitch", "RefMerge",
})
MERGE_OPS = frozenset({"Merge", "RefMerge"})  # forward whichever of their inputs arrives
SWITCH_OPS = frozenset({"Switch", "RefSwitch"})  # forward their input 0 on both outputs
_KEPT_ATTRS = ("_class", "_output_shapes")


class ConstFlow:
    """Which Const's value reaches an input, following pass-through ops back from it.

    Built once per pass, on the graph as it is before the pass rewrites anything. On the first
    question it follows every Const forward through pass-through ops once, so answering about
    each node of a chain thousands long costs one walk, and cycles (v1 while loops) end it.
    """

    def __init__(self, graph_def: graph_pb2.GraphDef):
        self._index = GraphIndex(graph_def)
        self._carried: dict[str, node_def_pb2.NodeDef] | None = None  # pass-through node → its Const

    def source(self, input_name: str) -> node_def_pb2.NodeDef | None:
        """The Const whose value the input entry (`node`, `node:1`) carries, if any."""
        ref = parse_input(input_name)
        node = self._index.nodes.get(ref.node)
        if ref.control or node is None:
            return None
        if node.op == "Const":
            return node
        if node.op in PASS_THROUGH_OPS and ref.port in _forwarding_ports(node.op):
            return self._carried_values().get(node.name)
        return None

    def feeds(self, node: node_def_pb2.NodeDef) -> node_def_pb2.NodeDef | None:
        """The Const feeding the input `node` forwards or reads (input 0; any of a merge's), if any."""
        for name in _forwarded_inputs(node):
            const = self.source(name)
            if const is not None:
                return const
        return None

    def _carried_values(self) -> dict[str, node_def_pb2.NodeDef]:
        """Pass-through node name → the Const it forwards; each node is reached once."""
        if self._carried is None:
            self._carried = {}
            consumers = self._index.consumers(of_ops=PASS_THROUGH_OPS)
            pending = [(node, node) for node in self._index.nodes.values() if node.op == "Const"]
            while pending:
                node, const = pending.pop()
                for consumer, ref in consumers.get(node.name, []):
                    if consumer.name not in self._carried and _forwards(node, ref, consumer):
                        self._carried[consumer.name] = const
                        pending.append((consumer, const))
        return self._carried


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


def _forwarding_ports(op: str) -> tuple[int, ...]:
    return (0, 1) if op in SWITCH_OPS else (0,)  # a merge's output 1 is the index of the input taken


def _forwards(producer: node_def_pb2.NodeDef, ref: InputRef, consumer: node_def_pb2.NodeDef) -> bool:
    """Whether `consumer` forwards what it reads at `ref` (an output of `producer`)."""
    if ref.control or (producer.op != "Const" and ref.port not in _forwarding_ports(producer.op)):
        return False
    # A merge forwards each data input; other ops their input 0 (data inputs come before controls).
    return consumer.op in MERGE_OPS or parse_input(consumer.input[0]) == ref


def _forwarded_inputs(node: node_def_pb2.NodeDef) -> list[str]:
    data = [name for name in node.input if not name.startswith("^")]
    return data if node.op in MERGE_OPS else data[:1]
