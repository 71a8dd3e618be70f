"""Fold control flow on constant predicates, so the branch that can never run is pruned.

v1 control flow: a `Switch`/`RefSwitch` whose predicate is a Const sends its data to one output
only; the other output is *dead*. Deadness spreads as TensorFlow's executor spreads it: a node
with a dead input (data or control) is dead, except a `Merge`, which is dead only when all its
data inputs are — not counting a loop's back edge from `NextIteration`, so a while loop whose
`Enter` is dead dies whole — and which simply loses dead control inputs. The switch becomes an
`Identity` of its data, a merge left with one live input becomes an `Identity` of it, a merge
left with several keeps just those, and dead nodes are removed.

v2 control flow: an `If`/`StatelessIf` with a constant condition, or a `Case` with a constant
index, becomes a call of the chosen branch (`StatefulPartitionedCall`/`PartitionedCall`).
Function bodies are not touched.
"""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2, types_pb2

from freezer.errors import GraphError
from freezer.graph import GraphIndex, InputRef, parse_input
from freezer.ops import BACK_EDGE_OPS, BRANCH_CALL_FOR, IF_OPS, MERGE_OPS, SWITCH_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import become_identity, const_node, replace_op, unique_name
from freezer.tensors import base_dtype, dtype_name, element_count, tensor_proto_to_numpy, tensor_shape


def fold_constant_branches(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if not index.op_set & (SWITCH_OPS | BRANCH_CALL_FOR.keys()):
        return PassResult(graph_def, changed=False)
    dead_ports = {}  # switch name → its dead output port
    changed = False
    for node in graph_def.node:
        if node.op in SWITCH_OPS:
            predicate = _switch_predicate(index, node)
            if predicate is not None:
                dead_ports[node.name] = 0 if predicate else 1
        elif node.op in BRANCH_CALL_FOR:
            changed |= _fold_call(index, node)
    if dead_ports:
        _remove_dead(graph_def, index, dead_ports)
    return PassResult(graph_def, changed or bool(dead_ports))


def _constant_input(index: GraphIndex, node: node_def_pb2.NodeDef, position: int, role: str):
    """The Const behind the node's data input at `position` (maybe behind Identities: TF's cond
    reads its predicate through `cond/pred_id`), else None. `role` names the input in errors."""
    data = [text for text in node.input if not text.startswith("^")]
    if len(data) <= position:
        raise GraphError(f"{node.op} node {node.name} has no {role} (data input {position}); the graph is "
                         "malformed, re-export it with TensorFlow.")
    producer = index.producer(data[position])
    if producer is None or producer.op != "Const":
        return None
    if "value" not in producer.attr:
        raise GraphError(f"Const {producer.name} has no value; the graph is malformed, re-export it with TensorFlow.")
    return producer


def _scalar(const: node_def_pb2.NodeDef, node: node_def_pb2.NodeDef, role: str, dtypes: tuple[int, ...]):
    """The value of a Const that must be a scalar of one of `dtypes`, read without building more."""
    tensor, owner = const.attr["value"].tensor, f"Const {const.name}"
    shape = tensor_shape(tensor, owner)
    if tensor.dtype not in dtypes or shape != ():
        wanted = " or ".join(dtype_name(dtype) for dtype in dtypes)
        raise GraphError(f"{node.op} node {node.name} takes its {role} from {owner}, of type "
                         f"{dtype_name(tensor.dtype)} and shape {list(shape)}; a {role} must be a scalar of "
                         f"type {wanted}. Re-export the graph with TensorFlow.")
    return tensor_proto_to_numpy(tensor, owner, max_elements=1).item()


def _switch_predicate(index: GraphIndex, node: node_def_pb2.NodeDef) -> bool | None:
    const = _constant_input(index, node, 1, "predicate")
    return None if const is None else bool(_scalar(const, node, "predicate", (types_pb2.DT_BOOL,)))


def _fold_call(index: GraphIndex, node: node_def_pb2.NodeDef) -> bool:
    """An `If` on a constant condition, a `Case` on a constant index: a call of the one branch."""
    is_if = node.op in IF_OPS
    const = _constant_input(index, node, 0, "condition" if is_if else "branch index")
    if const is None:
        return False
    if is_if:
        branch = node.attr["then_branch" if _if_condition(const) else "else_branch"].func
    else:
        branches = node.attr["branches"].list.func
        number = _scalar(const, node, "branch index", (types_pb2.DT_INT32,))
        if not branches:
            raise GraphError(f"{node.op} node {node.name} has no branches; re-export the graph with TensorFlow.")
        branch = branches[number] if 0 <= number < len(branches) else branches[-1]  # TF: out of range → last
    if not branch.name:
        raise GraphError(f"{node.op} node {node.name} names no function for the branch its constant "
                         f"{const.name} chooses; re-export the graph with TensorFlow.")
    replace_op(node, BRANCH_CALL_FOR[node.op], {"Tin": node.attr["Tin"], "Tout": node.attr["Tout"],
                                                 "f": attr_value_pb2.AttrValue(func=branch)})
    del node.input[0]  # the condition or branch index
    return True


def _if_condition(const: node_def_pb2.NodeDef) -> bool:
    """TensorFlow's truth of an `If` condition: a scalar is true when non-zero (a string: non-empty);
    any other tensor is true when it has elements."""
    tensor = const.attr["value"].tensor
    owner = f"Const {const.name}"
    if tensor_shape(tensor, owner) != ():
        return element_count(tensor, owner) > 0
    value = tensor_proto_to_numpy(tensor, owner, max_elements=1).item()
    if tensor.dtype == types_pb2.DT_BFLOAT16:  # a bit pattern: -0.0 is 0x8000
        return bool(value & 0x7FFF)
    return bool(value)


def _remove_dead(graph_def: graph_pb2.GraphDef, index: GraphIndex, dead_ports: dict[str, int]) -> None:
    consumers = index.consumers()
    dead, dead_merge_inputs = _spread_deadness(index, consumers, dead_ports)
    # Inputs to point elsewhere, all in one walk at the end: a node may read thousands of them.
    renamed = {InputRef(name, 1 - port): name for name, port in dead_ports.items()}  # the live side
    added = []
    for node in graph_def.node:
        if node.name in dead_ports:
            data = [text for text in node.input if not text.startswith("^")]
            controls = [text for text in node.input if text.startswith("^")]
            become_identity(node, base_dtype(node.attr["T"].type), inputs=[data[0], *controls])
        elif node.op in MERGE_OPS and node.name not in dead and node.name in dead_merge_inputs:
            added += _shrink_merge(index, node, dead_merge_inputs[node.name], consumers.get(node.name, []), renamed)
    kept = [node for node in graph_def.node if node.name not in dead] + added
    _rename_inputs(kept, renamed)
    del graph_def.node[:]
    graph_def.node.extend(kept)


def _spread_deadness(index: GraphIndex, consumers, dead_ports: dict[str, int]):
    """(dead node names, merge name → positions of its dead inputs), following TF's rules.

    Every node dies at most once and every input entry is looked at a bounded number of times:
    a merge counts its live inputs down instead of rescanning them.
    """
    dead: set[str] = set()
    merges: dict[str, _MergeInputs] = {}
    pending: list[tuple[str, int | None]] = list(dead_ports.items())  # (node, dead port or None = all)
    while pending:
        name, port = pending.pop()
        for consumer, ref in consumers.get(name, []):
            if consumer.name in dead or (port is not None and (ref.control or ref.port != port)):
                continue
            if consumer.op in MERGE_OPS:
                if consumer.name not in merges:
                    merges[consumer.name] = _MergeInputs(index, consumer)
                if not merges[consumer.name].lose(ref):
                    continue
            dead.add(consumer.name)
            pending.append((consumer.name, None))
    return dead, {name: merge.dead for name, merge in merges.items()}


class _MergeInputs:
    """A merge's inputs as deadness reaches them: it dies when no live data input is left, not
    counting a loop's back edge (from `NextIteration`); dead control inputs are just dropped."""

    def __init__(self, index: GraphIndex, merge: node_def_pb2.NodeDef):
        self._positions: dict[InputRef, list[int]] = {}
        for position, text in enumerate(merge.input):
            self._positions.setdefault(parse_input(text), []).append(position)
        self.dead: set[int] = set()
        self._live = {position for position, text in enumerate(merge.input)
                      if not text.startswith("^") and not _is_back_edge(index, text)}

    def lose(self, ref: InputRef) -> bool:
        """Mark the entries reading `ref` dead; True when that kills the merge."""
        positions = self._positions.get(ref, [])
        self.dead.update(positions)
        self._live.difference_update(positions)
        return not ref.control and not self._live


def _is_back_edge(index: GraphIndex, text: str) -> bool:
    producer = index.nodes.get(parse_input(text).node)
    return producer is not None and producer.op in BACK_EDGE_OPS


def _shrink_merge(index: GraphIndex, node, dead_positions: set[int], consumers,
                  renamed: dict[InputRef, str]) -> list[node_def_pb2.NodeDef]:
    """Drop a live merge's dead inputs. With one data input left it becomes an Identity of it, and
    `merge:1` (the index of the input taken) a Const, which `renamed` then points its readers at;
    returns the nodes to add."""
    live = [(i, text) for i, text in enumerate(node.input) if i not in dead_positions]
    data = [(i, text) for i, text in live if not text.startswith("^")]
    controls = [text for _, text in live if text.startswith("^")]
    if not data:
        raise GraphError(f"{node.op} node {node.name} has no data inputs; the graph is malformed, re-export it "
                         "with TensorFlow.")
    if len(data) > 1:
        del node.input[:]
        node.input.extend([text for _, text in data] + controls)
        node.attr["N"].i = len(data)
        return []
    (position, live_input), = data
    become_identity(node, base_dtype(node.attr["T"].type), inputs=[live_input, *controls])
    if not any(not ref.control and ref.port == 1 for _, ref in consumers):
        return []
    name = unique_name(f"{node.name}/value_index", index)
    renamed[InputRef(node.name, 1)] = name
    return [const_node(name, np.int32(position), types_pb2.DT_INT32)]


def _rename_inputs(nodes, renamed: dict[InputRef, str]) -> None:
    """Point every data input reading a key of `renamed` at output 0 of the node it maps to."""
    for node in nodes:
        for i, text in enumerate(node.input):
            new = renamed.get(parse_input(text))
            if new is not None:
                node.input[i] = new
