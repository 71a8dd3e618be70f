"""Resource reads of folded variables, rewritten as the same reads of the value.

`ResourceGather` → `GatherV2` with a new axis Const (= its `batch_dims`, the axis it gathers along),
`ResourceGatherNd` → `GatherNd`, `VariableShape` → `Shape`, and `VarIsInitializedOp` (or its ref
twin `IsVariableInitialized`) → a Const `true`: a folded variable is always initialised.
`ReadVariableOp` is `fold`'s; assigns are `repair`'s. Only ops a Const feeds (maybe through
Identity or control flow) are rewritten; reads of variables that were not folded are never touched.

A Const made here takes a control input from the node that fed the variable. Without inputs a
Const runs in the root frame; inside a v1 while body it must be in the loop's frame, which is why
TensorFlow gives the constants of a while body a control input from the loop's pivot.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2, types_pb2

from freezer.graph import parse_input
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import ConstFlow, replace_op, type_attr, value_dtype
from freezer.tensors import make_tensor_proto

NodeDef = node_def_pb2.NodeDef
# Each rewrite turns the node (fed the given Const) in place and returns the nodes it needs added.
Rewrite = Callable[[NodeDef, NodeDef, set[str]], list[NodeDef]]


def rewrite_resource_reads(graph_def: graph_pb2.GraphDef, ctx: PassContext) -> PassResult:
    if not any(node.op in _REWRITES for node in graph_def.node):
        return PassResult(graph_def, changed=False)
    flow = ConstFlow(graph_def)
    taken = {node.name for node in graph_def.node}
    nodes, changed = [], False
    for node in graph_def.node:
        rewrite = _REWRITES.get(node.op)
        const = flow.feeds(node) if rewrite else None
        if const is not None:
            nodes.extend(rewrite(node, const, taken))  # new nodes go just before their consumer
            changed = True
        nodes.append(node)
    if changed:
        del graph_def.node[:]
        graph_def.node.extend(nodes)
    return PassResult(graph_def, changed)


def _gather(node: NodeDef, const: NodeDef, taken: set[str]) -> list[NodeDef]:
    batch_dims = node.attr["batch_dims"].i if "batch_dims" in node.attr else 0
    axis = _new_const(_unique_name(f"{node.name}/axis", taken), np.array(batch_dims, np.int32),
                      types_pb2.DT_INT32, anchor=node.input[0])
    replace_op(node, "GatherV2", {"Tparams": type_attr(node.attr["dtype"].type),
                                  "Tindices": type_attr(node.attr["Tindices"].type),
                                  "Taxis": type_attr(types_pb2.DT_INT32),
                                  "batch_dims": attr_value_pb2.AttrValue(i=batch_dims)})
    node.input.insert(2, axis.name)  # after params and indices, before any ^control inputs
    return [axis]


def _gather_nd(node: NodeDef, const: NodeDef, taken: set[str]) -> list[NodeDef]:
    replace_op(node, "GatherNd", {"Tparams": type_attr(node.attr["dtype"].type),
                                  "Tindices": type_attr(node.attr["Tindices"].type)})
    return []


def _shape(node: NodeDef, const: NodeDef, taken: set[str]) -> list[NodeDef]:
    out_type = node.attr["out_type"].type if "out_type" in node.attr else types_pb2.DT_INT32
    replace_op(node, "Shape", {"T": type_attr(value_dtype(const)), "out_type": type_attr(out_type)})
    return []


def _initialized(node: NodeDef, const: NodeDef, taken: set[str]) -> list[NodeDef]:
    """The check becomes `true`; the variable it checked stays a control input, for its frame."""
    inputs = [_control(node.input[0]), *node.input[1:]]  # its one data input, then ^controls
    replace_op(node, "Const", _const_attrs(np.array(True), types_pb2.DT_BOOL))
    del node.input[:]
    node.input.extend(inputs)
    return []


_REWRITES: dict[str, Rewrite] = {
    "ResourceGather": _gather,
    "ResourceGatherNd": _gather_nd,
    "VariableShape": _shape,
    "VarIsInitializedOp": _initialized,
    "IsVariableInitialized": _initialized,
}


def _new_const(name: str, value: np.ndarray, dtype: int, anchor: str) -> NodeDef:
    """A Const in the frame of the `anchor` input's node (see the module docstring)."""
    node = NodeDef(name=name, op="Const", input=[_control(anchor)])
    for key, attr in _const_attrs(value, dtype).items():
        node.attr[key].CopyFrom(attr)
    return node


def _const_attrs(value: np.ndarray, dtype: int) -> dict[str, attr_value_pb2.AttrValue]:
    return {"dtype": type_attr(dtype), "value": attr_value_pb2.AttrValue(tensor=make_tensor_proto(value, dtype))}


def _control(input_name: str) -> str:
    return f"^{parse_input(input_name).node}"


def _unique_name(base: str, taken: set[str]) -> str:
    """`base`, or `base_1`, `base_2`, ... the first not taken; the name is then taken."""
    name, number = base, 0
    while name in taken:
        number += 1
        name = f"{base}_{number}"
    taken.add(name)
    return name
