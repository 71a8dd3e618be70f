"""Repair for inference: ops that need a variable's reference or handle, now fed a folded Const.

A `RefSwitch`, `RefEnter`, ... fed a Const loads nowhere ("expected float_ref"): each becomes its
plain twin. A ref assign becomes the value it would have produced for this one run: `Assign` → an
`Identity` of the assigned value, `AssignAdd` → `Add`, `AssignSub` → `Sub` (the classic batch norm's
moving-average updates in the training branch of a `cond`). Resource assigns have no outputs, so
only `^control` inputs reach them: they are removed with those control inputs. The repairs are
summed up in one note. Ops fed by variables that were not folded are never touched.
"""

from __future__ import annotations

from collections import Counter

from tensorboard.compat.proto import graph_pb2, node_def_pb2

from freezer.errors import GraphError
from freezer.graph import ConstFlow, GraphIndex, parse_input
from freezer.ops import REF_ASSIGN_AS, REF_TWINS, RESOURCE_ASSIGN_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import become_identity, replace_op, type_attr
from freezer.tensors import base_dtype

_REPAIRED_OPS = frozenset(REF_TWINS) | frozenset(REF_ASSIGN_AS) | RESOURCE_ASSIGN_OPS


def repair_ref_ops(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    candidates = list(index.nodes_by_op(_REPAIRED_OPS)) if index.op_set & _REPAIRED_OPS else []
    flow = ConstFlow(index) if candidates else None
    repairs: Counter[str] = Counter()
    dropped: set[str] = set()
    for node in candidates:
        if flow.feeds(node) is None:
            continue
        if node.op in RESOURCE_ASSIGN_OPS:
            repairs[f"{node.op} removed"] += 1
            dropped.add(node.name)
            continue
        old_op = node.op
        _become_plain_op(node)
        repairs[f"{old_op} → {node.op}"] += 1
    _drop_nodes(graph_def, dropped)
    if repairs:
        ctx.repairs.update(repairs)
        ctx.notes.append("Repaired for inference: " + ", ".join(f"{n} {what}" for what, n in repairs.items()) + ".")
    return PassResult(graph_def, changed=bool(repairs))


def _become_plain_op(node: node_def_pb2.NodeDef) -> None:
    """A ref op → its plain twin; a ref assign → the op computing the value it assigns."""
    if node.op in REF_TWINS:
        node.op = REF_TWINS[node.op]  # same inputs and attrs; T is already the value type
        return
    if sum(not name.startswith("^") for name in node.input) < 2:
        raise GraphError(f"{node.op} node {node.name} has no value to assign (input 1); the graph is malformed, "
                         "re-export it with TensorFlow.")
    dtype = base_dtype(node.attr["T"].type)
    if node.op == "Assign":
        become_identity(node, dtype, inputs=node.input[1:])  # passes on the assigned value, input 1
    else:
        replace_op(node, REF_ASSIGN_AS[node.op], {"T": type_attr(dtype)})


def _drop_nodes(graph_def: graph_pb2.GraphDef, names: set[str]) -> None:
    """Remove the nodes named, which have no outputs, and every control input naming them."""
    if not names:
        return
    kept = [node for node in graph_def.node if node.name not in names]
    for node in kept:
        inputs = [name for name in node.input if parse_input(name).node not in names]
        if len(inputs) < len(node.input):
            del node.input[:]
            node.input.extend(inputs)
    del graph_def.node[:]
    graph_def.node.extend(kept)
