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

from freezer.graph import GraphIndex, InputRef, parse_input
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import MERGE_OPS, SWITCH_OPS, become_identity, const_node, replace_op
from freezer.tensors import base_dtype, tensor_proto_to_numpy

_BACK_EDGE_OPS = frozenset({"NextIteration", "RefNextIteration"})
_CALL_FOR = {"If": "StatefulPartitionedCall", "StatelessIf": "PartitionedCall",
             "Case": "StatefulPartitionedCall", "StatelessCase": "PartitionedCall"}


def fold_constant_branches(graph_def: graph_pb2.GraphDef, ctx: PassContext) -> PassResult:
    if not any(node.op in SWITCH_OPS or node.op in _CALL_FOR for node in graph_def.node):
        return PassResult(graph_def, changed=False)
    index = GraphIndex(graph_def)
    dead_ports = {}  # switch name → its dead output port
    changed = False
    for node in graph_def.node:
        if node.op not in SWITCH_OPS and node.op not in _CALL_FOR:
            continue
        condition = _constant_input(index, node, 1 if node.op in SWITCH_OPS else 0)
        if condition is None:
            continue
        if node.op in SWITCH_OPS:
            dead_ports[node.name] = 0 if bool(condition) else 1
        else:
            _become_branch_call(node, condition)
        changed = True
    if dead_ports:
        _remove_dead(graph_def, index, dead_ports)
    return PassResult(graph_def, changed)


def _constant_input(index: GraphIndex, node: node_def_pb2.NodeDef, position: int):
    """The scalar value of the node's input at `position` when it is a Const (maybe behind
    Identities: TF's cond reads its predicate through `cond/pred_id`), else None."""
    if len(node.input) <= position or node.input[position].startswith("^"):
        return None
    source = index.source(node.input[position])
    if source is None or source.op != "Const":
        return None
    value = tensor_proto_to_numpy(source.attr["value"].tensor)
    return value.item() if value.size == 1 else None


def _become_branch_call(node: node_def_pb2.NodeDef, condition) -> None:
    if node.op in ("If", "StatelessIf"):
        branch = node.attr["then_branch" if bool(condition) else "else_branch"].func
    else:
        branches = node.attr["branches"].list.func
        branch = branches[condition] if 0 <= condition < len(branches) else branches[-1]  # TF: out of range → last
    replace_op(node, _CALL_FOR[node.op], {"Tin": node.attr["Tin"], "Tout": node.attr["Tout"],
                                          "f": attr_value_pb2.AttrValue(func=branch)})
    del node.input[0]  # the condition or branch index


def _remove_dead(graph_def: graph_pb2.GraphDef, index: GraphIndex, dead_ports: dict[str, int]) -> None:
    consumers = index.consumers()
    dead, dead_merge_inputs = _spread_deadness(index, consumers, dead_ports)
    added = []
    for node in graph_def.node:
        if node.name in dead_ports:
            controls = [text for text in node.input if text.startswith("^")]
            become_identity(node, base_dtype(node.attr["T"].type), inputs=[node.input[0], *controls])
            _rewire(consumers.get(node.name, []), InputRef(node.name, 1 - dead_ports[node.name]), node.name)
        elif node.op in MERGE_OPS and node.name not in dead and node.name in dead_merge_inputs:
            added += _shrink_merge(node, dead_merge_inputs[node.name], consumers.get(node.name, []))
    kept = [node for node in graph_def.node if node.name not in dead] + added
    del graph_def.node[:]
    graph_def.node.extend(kept)


def _spread_deadness(index: GraphIndex, consumers, dead_ports: dict[str, int]):
    """(dead node names, merge name → positions of its dead inputs), following TF's rules."""
    dead: set[str] = set()
    dead_merge_inputs: dict[str, set[int]] = {}
    pending: list[tuple[str, int | None]] = list(dead_ports.items())  # (node, dead port or None = all)
    while pending:
        name, port = pending.pop()
        for consumer, ref in consumers.get(name, []):
            if consumer.name in dead or (port is not None and (ref.control or ref.port != port)):
                continue
            if consumer.op in MERGE_OPS:
                positions = dead_merge_inputs.setdefault(consumer.name, set())
                positions.update(i for i, text in enumerate(consumer.input) if parse_input(text) == ref)
                if ref.control or _live_entries(index, consumer, positions):
                    continue
            dead.add(consumer.name)
            pending.append((consumer.name, None))
    return dead, dead_merge_inputs


def _live_entries(index: GraphIndex, merge: node_def_pb2.NodeDef, dead_positions: set[int]) -> list[int]:
    """Positions of the merge's data inputs that are live and not a loop's back edge."""
    return [i for i, text in enumerate(merge.input) if i not in dead_positions and not text.startswith("^")
            and index[parse_input(text).node].op not in _BACK_EDGE_OPS]


def _shrink_merge(node, dead_positions: set[int], consumers) -> list[node_def_pb2.NodeDef]:
    """Drop a live merge's dead inputs. With one data input left it becomes an Identity of it, and
    `merge:1` (the index of the input taken) a Const; returns the nodes to add."""
    live = [(i, text) for i, text in enumerate(node.input) if i not in dead_positions]
    data = [(i, text) for i, text in live if not text.startswith("^")]
    controls = [text for _, text in live if text.startswith("^")]
    if len(data) > 1:
        del node.input[:]
        node.input.extend([text for _, text in data] + controls)
        node.attr["N"].i = len(data)
        return []
    (position, source), = data
    become_identity(node, base_dtype(node.attr["T"].type), inputs=[source, *controls])
    index_users = [(c, r) for c, r in consumers if not r.control and r.port == 1]
    if not index_users:
        return []
    name = f"{node.name}/value_index"
    _rewire(index_users, InputRef(node.name, 1), name)
    return [const_node(name, np.int32(position), types_pb2.DT_INT32)]


def _rewire(consumers, old: InputRef, new_node: str) -> None:
    """Point every consumer input that reads `old` at output 0 of `new_node`."""
    for consumer, ref in consumers:
        if ref == old:
            for i, text in enumerate(consumer.input):
                if parse_input(text) == old:
                    consumer.input[i] = new_node
