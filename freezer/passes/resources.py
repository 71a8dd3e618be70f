"""Resource reads of folded variables, rewritten as the same reads of the value.

`ResourceGather` → `GatherV2` with a new axis Const (= its `batch_dims`, the axis it gathers along),
`ResourceGatherNd` → `GatherNd`, `VariableShape` → `Shape` (those rewrites are `functions.handle_reads`',
shared with function bodies), and `VarIsInitializedOp` (or its ref twin `IsVariableInitialized`)
→ a Const `true`: a folded variable is always initialised. `ReadVariableOp` is `fold`'s; assigns
are `repair`'s. Only ops a Const feeds (maybe through Identity or control flow) are rewritten;
reads of variables that were not folded are never touched.

A Const made here takes a control input from the node that fed the variable. Without inputs a
Const runs in the root frame; inside a v1 while body it must be in the loop's frame, which is why
TensorFlow gives the constants of a while body a control input from the loop's pivot.
"""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import node_def_pb2, types_pb2

from freezer.graph import ConstFlow, GraphIndex, parse_input
from freezer.ops import INITIALIZED_CHECK_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.functions.handle_reads import HANDLE_READ_REWRITES, Body, Rewrite, Value
from freezer.passes.rewrite import become_const, const_node, unique_name
from freezer.tensors import make_tensor_proto


def rewrite_resource_reads(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if not index.op_set & _REWRITES.keys():
        return PassResult(graph_def, changed=False)
    flow = ConstFlow(index)
    consts = _NewConsts({node.name for node in graph_def.node})
    nodes, changed = [], False
    for node in graph_def.node:
        rewrite = _REWRITES.get(node.op)
        const = flow.feeds(node) if rewrite else None
        if const is not None:
            rewrite(node, Value.of_const(const), consts)
            nodes.extend(consts.take())  # new nodes go just before their consumer
            changed = True
        nodes.append(node)
    if changed:
        del graph_def.node[:]
        graph_def.node.extend(nodes)
    return PassResult(graph_def, changed)


class _NewConsts:
    """The graph as a rewrite's `Body`: the Consts it adds wait to be placed before their consumer."""

    def __init__(self, taken: set[str]):
        self._taken = taken
        self._added: list[node_def_pb2.NodeDef] = []

    def add_int32_const(self, base_name: str, value: int, frame_of: str) -> str:
        name = unique_name(base_name, self._taken)
        self._taken.add(name)
        self._added.append(const_node(name, np.int32(value), types_pb2.DT_INT32, inputs=[_control(frame_of)]))
        return name

    def rename_output(self, node_name: str, old: str, new: str) -> None:
        """Graph inputs name outputs by position only; nothing to rename."""

    def take(self) -> list[node_def_pb2.NodeDef]:
        added, self._added = self._added, []
        return added


def _initialized(node: node_def_pb2.NodeDef, value: Value, body: Body) -> None:
    """The check becomes `true`; the variable it checked stays a control input, for its frame."""
    inputs = [_control(node.input[0]), *node.input[1:]]  # its one data input, then ^controls
    become_const(node, make_tensor_proto(np.array(True), types_pb2.DT_BOOL))
    del node.input[:]
    node.input.extend(inputs)


_REWRITES: dict[str, Rewrite] = {**HANDLE_READ_REWRITES, **dict.fromkeys(INITIALIZED_CHECK_OPS, _initialized)}


def _control(input_name: str) -> str:
    return f"^{parse_input(input_name).node}"
