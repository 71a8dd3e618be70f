"""Batch norms folded into the convolution or matmul before them (`--optimize`).

    layer ─> [BiasAdd(b)] ─> FusedBatchNorm(scale, offset, mean, variance)    inference mode
    layer ─> [BiasAdd(b)] ─> Mul(·, s) ─> Add/AddV2(·, t) or Sub(·, t)         unfused, as Keras and
                                                                               tf.layers leave it once
                                                                               constants are folded
become

    layer(filter · s) ─> BiasAdd((b - mean) · s + offset)    or    BiasAdd(b · s ± t)

where `layer` is a `Conv2D`, `DepthwiseConv2dNative` or `MatMul` whose filter is a Const, and a
fused batch norm's `s` is `scale / sqrt(variance + epsilon)`. Each channel of the layer's output is
a sum of products with that channel's filter slice, so scaling the slice scales the channel:
`Conv2D` filters are HWIO (channel = O), depthwise ones H·W·C·M (channel = c·M + m), `MatMul`
ones [in, out] ([out, in] with `transpose_b`); NHWC and NCHW outputs differ only in the channel axis.

The BiasAdd takes the batch norm's (or the Add's) name, so its consumers and the outputs still
find it; the nodes it replaces fall away. Nothing is folded unless each node between the Const
filter and the batch norm gives its value to the next only (a filter shared with another layer
would need a copy of its weights; `^control` inputs, which only wait for a node, do not count),
none of them is an output, and every parameter is a float32 Const whose shape broadcasts along the
channel axis only. Neither a parameter nor the filter is read when it is damaged or would take more
room than it takes in the file and than a small folding result (`fold_constants.bounded_value`):
a Const claiming a huge shape of one repeated value stays as it is. A FusedBatchNorm that is itself an output is left alone: its other outputs (the
batch statistics) may be fetched. Values are computed in float64.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, node_def_pb2, types_pb2

from freezer.graph import GraphIndex, InputRef, input_node_name, parse_input
from freezer.ops import BATCH_NORM_SHIFT_OPS, FILTERED_LAYER_OPS, FUSED_BATCH_NORM_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.optimize.fold_constants import SMALL_RESULT_BYTES, bounded_value, stored_bytes
from freezer.passes.prune import prune_to_outputs
from freezer.passes.rewrite import become_const, const_node, replace_op, type_attr, unique_name, value_tensor

_NORM_OPS = FUSED_BATCH_NORM_OPS | BATCH_NORM_SHIFT_OPS
_DEFAULT_EPSILON = 1e-4  # FusedBatchNorm's attr default
FOLDED = "folded batch norms"


def fold_batch_norms(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Fold every batch norm that can be; another sweep catches one that followed another."""
    if not ctx.options.optimize or not index.op_set & _NORM_OPS:
        return PassResult(index.graph_def, changed=False)
    graph_def = index.graph_def
    total = folded = _fold_sweep(index, ctx)
    while folded:  # the graph changed: a new index
        folded = _fold_sweep(GraphIndex(graph_def), ctx)
        total += folded
    if not total:
        return PassResult(graph_def, changed=False)
    ctx.optimized[FOLDED] = ctx.optimized.get(FOLDED, 0) + total
    prune_to_outputs(GraphIndex(graph_def), ctx)  # the parameters and the bypassed BiasAdds and Muls
    return PassResult(graph_def, changed=True)


def _fold_sweep(index: GraphIndex, ctx: PassContext) -> int:
    """Fold each batch norm of the graph as it is, in graph order; the new bias Consts go just before
    their BiasAdd."""
    folder = _Folder(index, ctx)
    biases: dict[str, node_def_pb2.NodeDef] = {}  # norm (now the BiasAdd) → its bias Const
    for name, op in list(index.ops.items()):  # only the ops a match can start at
        if op in _NORM_OPS:
            match = folder.match(index[name])
            if match is not None:
                biases[name] = folder.fold(match)
    if biases:
        nodes = []
        for node in index.graph_def.node:
            if node.name in biases:
                nodes.append(biases[node.name])
            nodes.append(node)
        del index.graph_def.node[:]
        index.graph_def.node.extend(nodes)
    return len(biases)


@dataclasses.dataclass
class _Norm:
    """A batch norm's per-channel parameters as given (vectors for a fused one, any broadcastable
    Consts for Mul/Add), and the nodes between it and the layer or its BiasAdd."""

    node: node_def_pb2.NodeDef  # FusedBatchNorm, or the Add/Sub ending the unfused pattern
    data: str  # the input it normalizes
    multiplier: np.ndarray  # y = x · multiplier + shift
    shift: np.ndarray
    channel_axis: int | None  # a fused batch norm's data_format; None: any broadcast
    between: list[node_def_pb2.NodeDef]  # the unfused pattern's Mul


@dataclasses.dataclass
class _Match:
    norm: _Norm
    layer: node_def_pb2.NodeDef
    filter: node_def_pb2.NodeDef  # the layer's Const filter, read by nothing else
    filter_value: np.ndarray
    bias_add: node_def_pb2.NodeDef | None
    bias: np.ndarray  # the BiasAdd's (zeros without one)
    scale: np.ndarray  # per channel, float64
    shift: np.ndarray


class _Folder:
    def __init__(self, index: GraphIndex, ctx: PassContext):
        self.index = index
        self.ctx = ctx
        self.outputs = set(ctx.outputs)

    @functools.cached_property
    def consumers(self) -> dict:
        """Each node's readers (asked for only once a norm is found: most graphs have none)."""
        return self.index.consumers()

    @functools.cached_property
    def taken(self) -> set[str]:
        return set(self.index.nodes)

    def match(self, node: node_def_pb2.NodeDef) -> _Match | None:
        if node.op in FUSED_BATCH_NORM_OPS:
            norm = self._fused(node)
        elif node.op in BATCH_NORM_SHIFT_OPS:
            norm = self._unfused(node)
        else:
            return None
        if norm is None:
            return None
        data = self._sole_feeder(norm.data)
        bias_add = data if data is not None and data.op == "BiasAdd" else None
        layer = self._sole_feeder(bias_add.input[0]) if bias_add is not None else data
        if layer is None or layer.op not in FILTERED_LAYER_OPS or not _is_float32(layer, "T") or len(layer.input) < 2:
            return None
        return self._with_layer(norm, layer, bias_add)

    def fold(self, match: _Match) -> node_def_pb2.NodeDef:
        """Scale the filter, make the norm a BiasAdd of the folded bias; returns the bias Const."""
        filter_value = _scaled_filter(match.layer, match.filter_value, match.scale)
        become_const(match.filter, value_tensor(match.filter.name, filter_value, types_pb2.DT_FLOAT,
                                                self.ctx.deferred))
        norm = match.norm.node
        bias_name = unique_name(f"{norm.name}/bias", self.taken)
        self.taken.add(bias_name)
        bias = (match.bias * match.scale + match.shift).astype(np.float32)
        bypassed = [norm, *match.norm.between, *([match.bias_add] if match.bias_add is not None else [])]
        controls = [name for node in bypassed for name in node.input if name.startswith("^")]
        replace_op(norm, "BiasAdd", {"T": type_attr(types_pb2.DT_FLOAT),
                                     "data_format": attr_value_pb2.AttrValue(s=_data_format(match.layer))})
        if "_output_shapes" in norm.attr:  # a FusedBatchNorm recorded six
            del norm.attr["_output_shapes"].list.shape[1:]
        del norm.input[:]
        norm.input.extend([match.layer.name, bias_name, *dict.fromkeys(controls)])
        return const_node(bias_name, bias, types_pb2.DT_FLOAT)

    # --- the batch norm ----------------------------------------------------------------------------

    def _fused(self, node: node_def_pb2.NodeDef) -> _Norm | None:
        """An inference-mode FusedBatchNorm whose only output used is y and whose parameters are Consts."""
        training = node.attr["is_training"].b if "is_training" in node.attr else True  # the op's default
        if training or node.name in self.outputs or len(node.input) < 5:
            return None
        if not _is_float32(node, "T") or ("U" in node.attr and not _is_float32(node, "U")):
            return None
        if any(ref.port != 0 for _, ref in self.consumers.get(node.name, [])):
            return None
        scale, offset, mean, variance = (self._const(name) for name in node.input[1:5])
        vectors = (scale, offset, mean, variance)
        if any(value is None or value.shape != scale.shape or value.ndim != 1 for value in vectors):
            return None
        epsilon = node.attr["epsilon"].f if "epsilon" in node.attr else _DEFAULT_EPSILON
        if not np.all(variance + epsilon > 0):  # TensorFlow's result is NaN there: leave it to TensorFlow
            return None
        multiplier = scale / np.sqrt(variance + epsilon)
        channel_axis = 1 if _string_attr(node, "data_format") == b"NCHW" else -1
        return _Norm(node, node.input[0], multiplier, offset - mean * multiplier, channel_axis, [])

    def _unfused(self, node: node_def_pb2.NodeDef) -> _Norm | None:
        """Add/AddV2(Mul(x, s), t), either way round, or Sub(Mul(x, s), t); s and t Consts."""
        data_inputs = [name for name in node.input if not name.startswith("^")]
        if not _is_float32(node, "T") or len(data_inputs) != 2:
            return None
        orders = [data_inputs] if node.op == "Sub" else [data_inputs, data_inputs[::-1]]
        for product_input, shift_input in orders:
            producer = self.index.nodes.get(input_node_name(product_input))
            if producer is None or producer.op != "Mul":  # most Adds add a layer's bias: no readers asked
                continue
            shift = self._const(shift_input)
            product = self._sole_feeder(product_input)
            if shift is None or product is None or product.op != "Mul" or not _is_float32(product, "T"):
                continue
            scaled = self._scaled_input(product)
            if scaled is not None:
                data, multiplier = scaled
                return _Norm(node, data, multiplier, -shift if node.op == "Sub" else shift, None, [product])
        return None

    def _scaled_input(self, product: node_def_pb2.NodeDef) -> tuple[str, np.ndarray] | None:
        """(x, s) for Mul(x, s) or Mul(s, x) with s a Const."""
        data_inputs = [name for name in product.input if not name.startswith("^")]
        if len(data_inputs) != 2:
            return None
        for data, multiplier_input in (data_inputs, data_inputs[::-1]):
            multiplier = self._const(multiplier_input)
            if multiplier is not None:
                return data, multiplier
        return None

    # --- the layer ---------------------------------------------------------------------------------

    def _with_layer(self, norm: _Norm, layer: node_def_pb2.NodeDef,
                    bias_add: node_def_pb2.NodeDef | None) -> _Match | None:
        """The match, when the filter and the parameters fit the layer's output channels."""
        filter_const = self._sole_const(layer.input[1])
        filter_value = None if filter_const is None else _bounded_value(filter_const, self.ctx.deferred)
        channels = None if filter_value is None else _output_channels(layer, filter_value)
        if channels is None:
            return None
        rank, axis = (2, 1) if layer.op == "MatMul" else (4, 1 if _data_format(layer) == b"NCHW" else 3)
        if norm.channel_axis is None:  # Mul and Add broadcast their Consts against the layer's output
            scale = _per_channel(norm.multiplier, rank, axis, channels)
            shift = _per_channel(norm.shift, rank, axis, channels)
        elif norm.channel_axis % rank == axis and norm.multiplier.shape == (channels,):  # one per channel
            scale, shift = norm.multiplier, norm.shift
        else:
            return None
        bias = np.zeros(channels) if bias_add is None else self._bias(bias_add, rank, axis, channels)
        if scale is None or shift is None or bias is None:
            return None
        return _Match(norm, layer, filter_const, filter_value, bias_add, bias, scale, shift)

    def _bias(self, bias_add: node_def_pb2.NodeDef, rank: int, axis: int, channels: int) -> np.ndarray | None:
        """A BiasAdd's bias vector, when it adds along the layer's channel axis."""
        bias_axis = 1 if _string_attr(bias_add, "data_format") == b"NCHW" else rank - 1
        value = self._const(bias_add.input[1]) if len(bias_add.input) > 1 else None
        if bias_axis != axis or not _is_float32(bias_add, "T") or value is None or value.shape != (channels,):
            return None
        return value.astype(np.float64)

    # --- the graph around them ---------------------------------------------------------------------

    def _const(self, input_name: str) -> np.ndarray | None:
        """The float32 value of the Const an input reads (through Identities), as float64."""
        const = self.index.producer(input_name) if not input_name.startswith("^") else None
        if const is None or const.op != "Const" or not _is_float32(const, "dtype"):
            return None
        value = _bounded_value(const, self.ctx.deferred)
        return None if value is None else value.astype(np.float64)

    def _sole_feeder(self, input_name: str) -> node_def_pb2.NodeDef | None:
        """The node whose output 0 the input reads, when nothing else reads that node's value and it is
        no output."""
        ref = parse_input(input_name)
        node = self.index.nodes.get(ref.node)
        if node is None or ref != InputRef(ref.node) or not self._read_once(node):
            return None
        return node

    def _sole_const(self, input_name: str) -> node_def_pb2.NodeDef | None:
        """The float32 Const an input reads through Identities, whose values nothing else reads."""
        node, seen = self._sole_feeder(input_name), set()
        while node is not None and node.op == "Identity" and node.input and node.name not in seen:
            seen.add(node.name)  # a cycle of Identities ends the walk
            node = self._sole_feeder(node.input[0])
        if node is None or node.op != "Const" or not _is_float32(node, "dtype"):
            return None
        return node

    def _read_once(self, node: node_def_pb2.NodeDef) -> bool:
        """Whether one input reads the node's value (`^control` inputs, which TF2 adds on every
        variable read, only wait for it) and it is no output."""
        readers = [ref for _, ref in self.consumers.get(node.name, []) if not ref.control]
        return len(readers) == 1 and node.name not in self.outputs


def _bounded_value(const: node_def_pb2.NodeDef, deferred: dict[str, np.ndarray]) -> np.ndarray | None:
    """The Const's value, unless it cannot be read or would take more room than it takes in the file
    and than a small result may (fold_constants' bound: a hostile Const claiming gigabytes of one
    repeated value is left alone, and so is a damaged one)."""
    return bounded_value(const, deferred, max(stored_bytes(const, deferred), SMALL_RESULT_BYTES))


def _per_channel(value: np.ndarray, rank: int, axis: int, channels: int) -> np.ndarray | None:
    """`value` as one number per channel, when broadcasting it against the layer's output (of `rank`,
    channels along `axis`) varies it along that axis only and leaves the output's shape as it is."""
    if value.ndim > rank:
        return None
    shape = (1,) * (rank - value.ndim) + value.shape
    if any(size != 1 for position, size in enumerate(shape) if position != axis) or shape[axis] not in (1, channels):
        return None
    return np.broadcast_to(value.reshape(-1), (channels,)).astype(np.float64)


def _output_channels(layer: node_def_pb2.NodeDef, filter_value: np.ndarray) -> int | None:
    """How many channels the layer's output has, from its filter; None for a filter of the wrong rank."""
    if layer.op == "MatMul":
        if filter_value.ndim != 2:
            return None
        return filter_value.shape[0 if _transposed_b(layer) else 1]
    if filter_value.ndim != 4:
        return None
    height, width, inputs, outputs = filter_value.shape
    return inputs * outputs if layer.op == "DepthwiseConv2dNative" else outputs


def _scaled_filter(layer: node_def_pb2.NodeDef, filter_value: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """The filter with each output channel's slice multiplied by that channel's scale (float32)."""
    weights = filter_value.astype(np.float64)
    if layer.op == "MatMul" and _transposed_b(layer):
        scaled = weights * scale[:, np.newaxis]
    elif layer.op == "DepthwiseConv2dNative":  # channel c·M + m is filter[:, :, c, m]
        scaled = weights * scale.reshape(weights.shape[2:])
    else:
        scaled = weights * scale
    return scaled.astype(np.float32)


def _data_format(layer: node_def_pb2.NodeDef) -> bytes:
    """The BiasAdd's data_format for the layer's output: a MatMul's channels are last, as in NHWC."""
    return b"NCHW" if layer.op != "MatMul" and _string_attr(layer, "data_format") == b"NCHW" else b"NHWC"


# Reading `node.attr[key]` of a missing key would add it to the node: every read asks `in` first.

def _is_float32(node: node_def_pb2.NodeDef, attr: str) -> bool:
    return attr in node.attr and node.attr[attr].type == types_pb2.DT_FLOAT


def _string_attr(node: node_def_pb2.NodeDef, attr: str) -> bytes:
    return node.attr[attr].s if attr in node.attr else b""


def _transposed_b(matmul: node_def_pb2.NodeDef) -> bool:
    return "transpose_b" in matmul.attr and matmul.attr["transpose_b"].b
