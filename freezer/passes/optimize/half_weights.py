"""Weights stored as float16 (`--weights float16`): the file roughly halves, the graph still computes
in float32.

    w = Const(float32)    becomes    w/float16 = Const(float16) ─> w = Cast(float16 → float32)

The Cast takes the constant's name, so its consumers and the outputs read float32 from the same
tensor as before; the half Const gets a new name (and the constant's `^control` inputs, to stay in
its while-loop frame). Constants whose values take under `MIN_HALF_BYTES` in the file stay as
they are (`freezer.half_precision`). A constant holding a finite value beyond float16's range (±65504) stays
float32 too, with a note: rounding it would make it infinite. Values waiting in `ctx.deferred` are
converted there, without being copied into a proto.
"""

from __future__ import annotations

from tensorboard.compat.proto import attr_value_pb2, node_def_pb2, types_pb2

from freezer.graph import GraphIndex
from freezer.half_precision import as_half, worth_halving
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import become_const, const_value, replace_op, type_attr, unique_name, value_tensor

STORED_AS_HALF = "float16 weights"
_SHOWN_NAMES = 5


def store_half_weights(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if ctx.options.weights != "float16":
        return PassResult(graph_def, changed=False)
    taken = set(index.nodes)
    nodes, halved, out_of_range = [], 0, []
    for node in list(graph_def.node):
        if worth_halving(node, ctx.deferred):
            half_const = _halved(node, ctx, taken)
            if half_const is None:
                out_of_range.append(node.name)
            else:
                nodes.append(half_const)
                halved += 1
        nodes.append(node)
    if out_of_range:
        shown = ", ".join(out_of_range[:_SHOWN_NAMES]) + (", ..." if len(out_of_range) > _SHOWN_NAMES else "")
        ctx.notes.append(f"Kept {len(out_of_range)} constant(s) float32, whose values are beyond float16's "
                         f"range (±65504): {shown}.")
    if not halved:
        return PassResult(graph_def, changed=False)
    ctx.optimized[STORED_AS_HALF] = ctx.optimized.get(STORED_AS_HALF, 0) + halved
    del graph_def.node[:]
    graph_def.node.extend(nodes)
    return PassResult(graph_def, changed=True)


def _halved(node: node_def_pb2.NodeDef, ctx: PassContext, taken: set[str]) -> node_def_pb2.NodeDef | None:
    """Turn the Const into a Cast of a new float16 Const, which is returned; None (and the Const
    left as it is) when its values do not fit float16."""
    half = as_half(const_value(node, ctx.deferred))
    if half is None:
        return None
    name = unique_name(f"{node.name}/float16", taken)
    taken.add(name)
    controls = [input_name for input_name in node.input if input_name.startswith("^")]
    half_const = node_def_pb2.NodeDef(name=name, op="Const", input=controls)
    become_const(half_const, value_tensor(name, half, types_pb2.DT_HALF, ctx.deferred))
    ctx.deferred.pop(node.name, None)  # the node is no Const any more: the writer must not splice into it
    replace_op(node, "Cast", {"SrcT": type_attr(types_pb2.DT_HALF), "DstT": type_attr(types_pb2.DT_FLOAT),
                              "Truncate": attr_value_pb2.AttrValue(b=False)})
    del node.input[:]
    node.input.append(name)
    return half_const
