"""numpy kernels for the ops constant folding evaluates, each computing what TensorFlow's CPU kernel
computes: exactly for integers and booleans, within float rounding (rtol 1e-6) for floats.

A kernel computes in the node's own dtype, never through float64 (`Sum` of float32 accumulates in
float32, as TensorFlow's does; integers wrap around as TensorFlow's do). Each kernel lists the dtypes
it is known to agree on (`tests/test_kernels.py` runs every one against TensorFlow); anything else —
another dtype, an attr it does not know, an input TensorFlow would refuse at run time (a Reshape to
an impossible shape, an integer division by zero) — raises `NotFoldable` and the node stays as it is,
for TensorFlow to compute (or to refuse) when the graph runs.

`evaluate(node, inputs, max_bytes)` is the one entry point: `inputs` are the values of the node's
data inputs in order, and a result bigger than `max_bytes` is refused before it is built.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
from tensorboard.compat.proto import node_def_pb2, types_pb2

from freezer.tensors import NUMPY_DTYPES

_FLOATS = frozenset({types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE})
_INTEGERS = frozenset({types_pb2.DT_INT32, types_pb2.DT_INT64})
_INDEX_TYPES = _INTEGERS  # begin/end/shape/axis inputs
_REAL = _FLOATS | _INTEGERS
# float16 where numpy and Eigen both compute in float32 and round once: +, -, *, max, min, neg.
_EXACT_HALF = _REAL | {types_pb2.DT_HALF}
# Ops that only move or repeat elements: right for every dtype freezer can hold (strings, bfloat16
# bit patterns, quantized and complex numbers included).
_ANY = None


class NotFoldable(Exception):
    """The node cannot be evaluated here exactly as TensorFlow would; it is left in the graph."""


@dataclasses.dataclass
class Call:
    """One evaluation: the node (its attrs), its input values, and the largest result allowed."""

    node: node_def_pb2.NodeDef
    inputs: list[np.ndarray]
    max_bytes: int

    def attr(self, name: str):
        """The node's attr `name`, or None (read without adding it: a proto map inserts on `[]`)."""
        return self.node.attr.get(name)

    def numpy_type(self, attr: str) -> np.dtype:
        value = self.attr(attr)
        if value is None or value.type not in NUMPY_DTYPES:
            raise NotFoldable(f"no dtype in attr {attr}")
        return NUMPY_DTYPES[value.type]

    def attr_int(self, name: str) -> int:
        value = self.attr(name)
        return 0 if value is None else value.i

    def attr_bool(self, name: str) -> bool:
        value = self.attr(name)
        return value is not None and value.b

    def index_input(self, position: int) -> list[int]:
        """An int32/int64 input of indices, shape or axes, as Python ints (a scalar as one item)."""
        value = self.inputs[position]
        if value.dtype.kind != "i":
            raise NotFoldable(f"input {position} is not an integer tensor")
        return [int(item) for item in value.reshape(-1)]

    def scalar_index_input(self, position: int) -> int:
        if self.inputs[position].ndim != 0:
            raise NotFoldable(f"input {position} is not a scalar")
        return self.index_input(position)[0]

    def allow(self, shape: tuple[int, ...], dtype: np.dtype) -> None:
        """Refuse a result of `shape` bigger than `max_bytes`, before it is built."""
        if any(dim < 0 for dim in shape):
            raise NotFoldable(f"negative dimension in {shape}")
        if math.prod(shape) * np.dtype(dtype).itemsize > self.max_bytes:
            raise NotFoldable(f"a result of shape {shape} is too big to store")


Compute = Callable[[Call], np.ndarray]


@dataclasses.dataclass(frozen=True)
class Kernel:
    compute: Compute
    types: frozenset[int] | None  # values of the node's `type_attr` it agrees on; None: any
    type_attr: str = "T"
    output_attr: str | None = "T"  # the attr holding the output dtype; None: int32 (Rank)


KERNELS: dict[str, Kernel] = {}


def _kernel(*ops: str, types: frozenset[int] | None, type_attr: str = "T", output_attr: str | None = "T"):
    def register(compute: Compute) -> Compute:
        for op in ops:
            KERNELS[op] = Kernel(compute, types, type_attr, output_attr)
        return compute
    return register


def output_dtype(node: node_def_pb2.NodeDef) -> int | None:
    """The DataType of a foldable node's (single) output; None when the node does not say."""
    attr = KERNELS[node.op].output_attr
    if attr is None:
        return types_pb2.DT_INT32
    return node.attr[attr].type if attr in node.attr else None


def evaluate(node: node_def_pb2.NodeDef, inputs: list[np.ndarray], max_bytes: int) -> np.ndarray:
    """The value of `node` (an op in `KERNELS`) given its data inputs' values, as TensorFlow computes
    it, of the node's output dtype; raises `NotFoldable` when that cannot be promised."""
    kernel = KERNELS[node.op]
    dtype = node.attr[kernel.type_attr].type if kernel.type_attr in node.attr else None
    if dtype not in NUMPY_DTYPES or (kernel.types is not None and dtype not in kernel.types):
        raise NotFoldable(f"dtype {dtype} not supported")
    expected = NUMPY_DTYPES.get(output_dtype(node))
    if expected is None:
        raise NotFoldable("no output dtype")
    try:
        with np.errstate(all="ignore"):  # inf, nan and wrap-around are values here, as in TensorFlow
            result = np.asarray(kernel.compute(Call(node, inputs, max_bytes)))
    except (ValueError, IndexError, TypeError, OverflowError) as error:  # numpy refuses what TF would
        raise NotFoldable(str(error)) from None
    if result.dtype != expected:  # a kernel slip must never change a dtype
        raise NotFoldable(f"computed {result.dtype}, the node gives {expected}")
    if result.nbytes > max_bytes:
        raise NotFoldable("result too big to store")
    return result


# ------------------------------------------------------------------------------------ arithmetic


def _binary(call: Call) -> tuple[np.ndarray, np.ndarray]:
    """Both operands, once their broadcast result is known to be small enough."""
    x, y = call.inputs
    call.allow(np.broadcast_shapes(x.shape, y.shape), x.dtype)
    return x, y


def _elementwise(ops: dict[str, Callable], types: frozenset[int]) -> None:
    for op, function in ops.items():
        _kernel(op, types=types)(lambda call, function=function: function(*_binary(call)))


_elementwise({"Add": np.add, "AddV2": np.add, "Sub": np.subtract, "Mul": np.multiply,
              "Maximum": np.maximum, "Minimum": np.minimum}, _EXACT_HALF)
_elementwise({"SquaredDifference": lambda x, y: np.square(x - y)}, _EXACT_HALF)  # rounded as TF rounds
_elementwise({"RealDiv": np.true_divide}, _FLOATS | {types_pb2.DT_HALF})


def _nonzero_divisor(x: np.ndarray, y: np.ndarray) -> None:
    """TensorFlow fails an integer division by zero, and the most negative number divided by -1
    overflows: neither is folded."""
    if not np.all(y):
        raise NotFoldable("integer division by zero")
    if np.any((x == np.iinfo(x.dtype).min) & (y == -1)):
        raise NotFoldable("integer division overflows")


@_kernel("Div", types=_REAL)
def _div(call: Call) -> np.ndarray:
    x, y = _binary(call)
    if x.dtype.kind == "f":
        return np.true_divide(x, y)
    _nonzero_divisor(x, y)
    quotient = np.floor_divide(x, y)  # towards zero, as C++ divides: one up where floor went below
    return quotient + ((np.remainder(x, y) != 0) & ((x < 0) != (y < 0))).astype(x.dtype)


@_kernel("FloorDiv", types=_REAL)
def _floor_div(call: Call) -> np.ndarray:
    x, y = _binary(call)
    if x.dtype.kind == "f":
        return np.floor(np.true_divide(x, y))  # floor(x / y), not Python's divmod-based x // y
    _nonzero_divisor(x, y)
    return np.floor_divide(x, y)


@_kernel("FloorMod", types=_REAL)
def _floor_mod(call: Call) -> np.ndarray:
    x, y = _binary(call)
    if x.dtype.kind != "f":
        _nonzero_divisor(x, y)
        return np.remainder(x, y)
    remainder = np.fmod(x, y)  # TensorFlow: fmod, moved to the divisor's sign when they differ
    return np.where((remainder != 0) & ((y < 0) != (remainder < 0)), remainder + y, remainder)


@_kernel("Pow", types=_REAL)
def _pow(call: Call) -> np.ndarray:
    x, y = _binary(call)
    if x.dtype.kind == "i" and np.any(y < 0):
        raise NotFoldable("integer to a negative power")  # TensorFlow refuses it
    return np.power(x, y)


def _unary(ops: dict[str, Callable], types: frozenset[int]) -> None:
    for op, function in ops.items():
        _kernel(op, types=types)(lambda call, function=function: function(call.inputs[0]))


_unary({"Neg": np.negative, "Square": np.square}, _EXACT_HALF)
_unary({"Sqrt": np.sqrt, "Rsqrt": lambda x: np.reciprocal(np.sqrt(x)), "Reciprocal": np.reciprocal,
        "Exp": np.exp, "Log": np.log}, _FLOATS)


@_kernel("BiasAdd", types=_EXACT_HALF)
def _bias_add(call: Call) -> np.ndarray:
    value, bias = call.inputs
    data_format = call.attr("data_format")
    channels_first = data_format is not None and data_format.s == b"NCHW"
    if bias.ndim != 1 or value.ndim < (3 if channels_first else 2):
        raise NotFoldable("BiasAdd needs a vector bias and a value of rank 2 (NCHW: 3) or more")
    axis = 1 if channels_first else value.ndim - 1
    if value.shape[axis] != bias.shape[0]:
        raise NotFoldable("bias size differs from the channel dimension")
    return value + bias.reshape((-1,) + (1,) * (value.ndim - axis - 1))


@_kernel("MatMul", types=_REAL)
def _mat_mul(call: Call) -> np.ndarray:
    a, b = call.inputs
    if a.ndim != 2 or b.ndim != 2:
        raise NotFoldable("MatMul takes matrices")
    a = a.T if call.attr_bool("transpose_a") else a
    b = b.T if call.attr_bool("transpose_b") else b
    call.allow((a.shape[0], b.shape[1]), a.dtype)
    return np.matmul(a, b)  # ValueError on mismatched inner dimensions


# ------------------------------------------------------------------------------------- reductions


def _reduce(function: Callable, call: Call) -> np.ndarray:
    value = call.inputs[0]
    axes = tuple(axis + value.ndim if axis < 0 else axis for axis in call.index_input(1))
    if len(set(axes)) != len(axes) or not all(0 <= axis < value.ndim for axis in axes):
        raise NotFoldable("bad reduction axes")  # TensorFlow refuses repeated or out-of-range axes
    return function(value, axis=axes, keepdims=call.attr_bool("keep_dims"))


def _in_own_type(function: Callable) -> Callable:
    """`function` accumulating in the input's dtype (numpy would widen int32 sums to int64)."""
    return lambda value, **kwargs: function(value, dtype=value.dtype, **kwargs)


@_kernel("Sum", "Prod", types=_REAL)
def _sum_or_product(call: Call) -> np.ndarray:
    return _reduce(_in_own_type(np.sum if call.node.op == "Sum" else np.prod), call)


@_kernel("Max", "Min", types=_REAL)
def _extreme(call: Call) -> np.ndarray:
    if call.inputs[0].dtype.kind == "f" and np.isnan(call.inputs[0]).any():
        raise NotFoldable("NaN in a Max/Min reduction")  # whether NaN wins differs between kernels
    return _reduce(np.max if call.node.op == "Max" else np.min, call)


@_kernel("Mean", types=_FLOATS)  # integer means: TensorFlow does not wrap the sum, numpy would
def _mean(call: Call) -> np.ndarray:
    return _reduce(_in_own_type(np.mean), call)


# ------------------------------------------------------------------------------------------- Cast

_CASTABLE = frozenset({types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE, types_pb2.DT_HALF, types_pb2.DT_INT8,
                       types_pb2.DT_INT16, types_pb2.DT_INT32, types_pb2.DT_INT64, types_pb2.DT_UINT8,
                       types_pb2.DT_BOOL})


@_kernel("Cast", types=_CASTABLE, type_attr="SrcT", output_attr="DstT")
def _cast(call: Call) -> np.ndarray:
    value, target = call.inputs[0], call.numpy_type("DstT")
    if call.attr("DstT").type not in _CASTABLE or call.attr_bool("Truncate"):
        raise NotFoldable("cast not supported")
    if target == np.float16 and value.dtype not in (np.float16, np.float32):
        raise NotFoldable("TensorFlow rounds to half through float32: twice")
    if value.dtype.kind == "f" and target.kind in "iu":
        # C++ leaves NaN, infinities and out-of-range values undefined: only exact truncations fold.
        info, wide = np.iinfo(target), value.astype(np.float64)
        if not (np.isfinite(wide).all() and np.all((wide > info.min - 1.0) & (wide < info.max + 1.0))):
            raise NotFoldable("float to integer cast out of range")
    call.allow(value.shape, target)
    return value.astype(target, copy=False)


# ------------------------------------------------------------------------------ shapes and layout


@_kernel("Shape", types=_ANY, output_attr="out_type")
def _shape(call: Call) -> np.ndarray:
    return _index_tensor(call.inputs[0].shape, call.numpy_type("out_type"))


@_kernel("Size", types=_ANY, output_attr="out_type")
def _size(call: Call) -> np.ndarray:
    return _index_tensor(math.prod(call.inputs[0].shape), call.numpy_type("out_type"))


@_kernel("Rank", types=_ANY, output_attr=None)
def _rank(call: Call) -> np.ndarray:
    return np.array(call.inputs[0].ndim, dtype=np.int32)


def _index_tensor(values, dtype: np.dtype) -> np.ndarray:
    """Shape numbers as int32 or int64; TensorFlow refuses a shape an int32 cannot hold."""
    if dtype.kind != "i" or any(item > np.iinfo(dtype).max for item in np.ravel(values)):
        raise NotFoldable("shape does not fit its type")
    return np.array(values, dtype=dtype)


@_kernel("Reshape", types=_ANY)
def _reshape(call: Call) -> np.ndarray:
    return call.inputs[0].reshape(call.index_input(1))  # -1 inferred; an impossible shape: ValueError


@_kernel("Transpose", types=_ANY)
def _transpose(call: Call) -> np.ndarray:
    return np.transpose(call.inputs[0], call.index_input(1))  # negative axes count from the end in both


@_kernel("ExpandDims", types=_ANY)
def _expand_dims(call: Call) -> np.ndarray:
    axes = call.index_input(1)
    if len(axes) != 1:
        raise NotFoldable("ExpandDims takes one axis")
    return np.expand_dims(call.inputs[0], axes[0])


@_kernel("Squeeze", types=_ANY)
def _squeeze(call: Call) -> np.ndarray:
    value = call.inputs[0]
    axes = tuple(call.node.attr["squeeze_dims"].list.i) if "squeeze_dims" in call.node.attr else ()
    return np.squeeze(value, axis=axes or None)  # a dimension not of size 1: ValueError


@_kernel("ConcatV2", types=_ANY)
def _concat(call: Call) -> np.ndarray:
    *values, _ = call.inputs
    axis = call.scalar_index_input(len(values))
    if not values or values[0].ndim == 0:
        raise NotFoldable("ConcatV2 of scalars")
    return np.concatenate(values, axis=axis)


@_kernel("Pack", types=_ANY)
def _pack(call: Call) -> np.ndarray:
    return np.stack(call.inputs, axis=call.attr_int("axis"))


@_kernel("Fill", types=_ANY)
def _fill(call: Call) -> np.ndarray:
    dims, value = call.index_input(0), call.inputs[1]
    if value.ndim != 0:
        raise NotFoldable("Fill takes a scalar value")
    call.allow(tuple(dims), value.dtype)
    return np.full(dims, value, dtype=value.dtype)


@_kernel("Tile", types=_ANY)
def _tile(call: Call) -> np.ndarray:
    value, multiples = call.inputs[0], call.index_input(1)
    if len(multiples) != value.ndim:
        raise NotFoldable("Tile needs one multiple per dimension")
    call.allow(tuple(dim * times for dim, times in zip(value.shape, multiples)), value.dtype)
    return np.tile(value, multiples)


@_kernel("Range", types=_REAL, type_attr="Tidx", output_attr="Tidx")
def _range(call: Call) -> np.ndarray:
    if any(value.ndim != 0 for value in call.inputs):
        raise NotFoldable("Range takes scalars")
    start, limit, delta = call.inputs  # in the node's dtype
    if delta == 0 or (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise NotFoldable("Range never reaches its limit")
    if start.dtype.kind == "i":
        size = (abs(int(limit) - int(start)) + abs(int(delta)) - 1) // abs(int(delta))
    else:
        size = int(np.ceil(np.abs((limit - start) / delta)))  # computed in the dtype, as TF does
    call.allow((size,), start.dtype)
    return start + np.arange(size).astype(start.dtype) * delta  # start + i * delta, never accumulated


@_kernel("Slice", types=_ANY)
def _slice(call: Call) -> np.ndarray:
    value, begin, size = call.inputs[0], call.index_input(1), call.index_input(2)
    if not len(begin) == len(size) == value.ndim:
        raise NotFoldable("Slice needs a begin and a size per dimension")
    index = []
    for dim, start, length in zip(value.shape, begin, size):
        stop = dim if length == -1 else start + length
        if not 0 <= start <= stop <= dim:
            raise NotFoldable("Slice out of bounds")  # TensorFlow refuses it rather than clamping
        index.append(slice(start, stop))
    return value[tuple(index)]


@_kernel("StridedSlice", types=_ANY)
def _strided_slice(call: Call) -> np.ndarray:
    value = call.inputs[0]
    begin, end, strides = call.index_input(1), call.index_input(2), call.index_input(3)
    if not len(begin) == len(end) == len(strides) or 0 in strides:
        raise NotFoldable("StridedSlice needs begin, end and strides of one length, no zero stride")
    masks = {name: call.attr_int(name) for name in
             ("begin_mask", "end_mask", "ellipsis_mask", "new_axis_mask", "shrink_axis_mask")}
    if bin(masks["ellipsis_mask"]).count("1") > 1:
        raise NotFoldable("more than one ellipsis")
    return value[tuple(_slice_spec(i, begin[i], end[i], strides[i], masks) for i in range(len(begin)))]


def _slice_spec(i: int, begin: int, end: int, stride: int, masks: dict[str, int]):
    """What entry `i` of a StridedSlice means as a numpy index (TensorFlow's masks are Python's
    slicing written as bits: an ellipsis, a new axis, one element, or a strided range)."""
    bit = 1 << i
    if masks["ellipsis_mask"] & bit:
        return Ellipsis
    if masks["new_axis_mask"] & bit:
        return np.newaxis
    if masks["shrink_axis_mask"] & bit:
        return begin
    return slice(None if masks["begin_mask"] & bit else begin, None if masks["end_mask"] & bit else end, stride)

