"""Each constant-folding kernel (freezer/passes/optimize/kernels.py) against TensorFlow's own.

Every case builds one node fed by Consts, runs it in TensorFlow and evaluates it with the kernel:
integers, booleans and strings must be equal, floats within rtol 1e-6 (float16 bit for bit: the
kernels fold half only where numpy and Eigen round the same way), dtypes identical. Inputs TensorFlow
refuses at run time must not fold either.
"""

from __future__ import annotations

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, types_pb2

from fixture_models import run_tf
from freezer.passes.optimize.kernels import KERNELS, NotFoldable, evaluate
from graphs import const, graph, node

F16, F32, F64 = types_pb2.DT_HALF, types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE
I32, I64, U8 = types_pb2.DT_INT32, types_pb2.DT_INT64, types_pb2.DT_UINT8
BOOL, STRING = types_pb2.DT_BOOL, types_pb2.DT_STRING
DTYPES = {np.dtype(np.float16): F16, np.dtype(np.float32): F32, np.dtype(np.float64): F64, np.dtype(np.int32): I32,
          np.dtype(np.int64): I64, np.dtype(np.uint8): U8, np.dtype(bool): BOOL, np.dtype(object): STRING}
NAMES = {F16: "f16", F32: "f32", F64: "f64", I32: "i32", I64: "i64"}
REAL = [F32, F64, I32, I64]
WITH_HALF = [F16, *REAL]
RNG = np.random.default_rng(9)


def i(value: int) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(i=value)


def b(value: bool) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(b=value)


def ints(*values: int) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=list(values)))


def text(value: str) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(s=value.encode())


def numbers(dtype: int, shape, low=-9, high=9) -> np.ndarray:
    """Values of `dtype` in [low, high) (integers as well as floats), nothing else random."""
    value = RNG.uniform(low, high, size=shape)
    return (np.floor(value) if dtype in (I32, I64) else value).astype(_numpy(dtype))


def _numpy(dtype: int) -> np.dtype:
    return next(key for key, value in DTYPES.items() if value == dtype)


def the_node(op: str, inputs: list[np.ndarray], attrs: dict):
    """`y = op(in0, in1, ...)` with `attrs`; T is the first input's dtype unless given."""
    if "T" not in attrs and op not in ("Range", "Cast", "Fill"):
        attrs = {"T": DTYPES[inputs[0].dtype], **attrs}
    return node("y", op, *(f"in{n}" for n in range(len(inputs))), **attrs)


def in_tensorflow(op: str, inputs: list[np.ndarray], attrs: dict) -> np.ndarray:
    consts = [const(f"in{n}", value, DTYPES[value.dtype]) for n, value in enumerate(inputs)]
    return np.asarray(run_tf(graph(*consts, the_node(op, inputs, attrs)), ["y:0"])[0])


def folded(op: str, inputs: list[np.ndarray], attrs: dict) -> np.ndarray:
    return evaluate(the_node(op, inputs, attrs), inputs, max_bytes=1 << 30)


def assert_same_as_tensorflow(op: str, *inputs, **attrs) -> None:
    inputs = [np.asarray(value) for value in inputs]
    want = in_tensorflow(op, inputs, attrs)
    got = folded(op, inputs, attrs)
    assert got.shape == want.shape
    if want.dtype.kind == "O":
        assert got.tolist() == want.tolist()
        return
    assert got.dtype == want.dtype
    if want.dtype.kind == "f" and want.dtype != np.float16:
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=0)
    else:
        np.testing.assert_array_equal(got, want)


def assert_not_folded_where_tensorflow_fails(tf, op: str, *inputs, **attrs) -> None:
    inputs = [np.asarray(value) for value in inputs]
    with pytest.raises((tf.errors.OpError, ValueError)):  # ValueError: refused when the graph is imported
        in_tensorflow(op, inputs, attrs)
    with pytest.raises(NotFoldable):
        folded(op, inputs, attrs)


def dtype_params(dtypes):
    return pytest.mark.parametrize("dtype", dtypes, ids=[NAMES[d] for d in dtypes])


# ------------------------------------------------------------------------------------ arithmetic


@pytest.mark.parametrize("op", ["Add", "AddV2", "Sub", "Mul", "Maximum", "Minimum", "SquaredDifference"])
@dtype_params(WITH_HALF)
def test_binary_op_broadcasts_like_tensorflow(tf, op, dtype):
    assert_same_as_tensorflow(op, numbers(dtype, (2, 3)), numbers(dtype, (3,)))
    assert_same_as_tensorflow(op, numbers(dtype, ()), numbers(dtype, (4, 1, 2)))


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul"])
@pytest.mark.parametrize("dtype", [I32, I64], ids=["i32", "i64"])
def test_integer_arithmetic_wraps_around_like_tensorflow(tf, op, dtype):
    big = np.iinfo(_numpy(dtype)).max
    assert_same_as_tensorflow(op, np.array([big, -big, 7], _numpy(dtype)), np.array([big, big, -3], _numpy(dtype)))


@dtype_params([F16, F32, F64])
def test_real_div(tf, dtype):
    assert_same_as_tensorflow("RealDiv", numbers(dtype, (2, 3)), numbers(dtype, (3,), 1, 5))
    assert_same_as_tensorflow("RealDiv", np.array([1, -1, 0], _numpy(dtype)), np.zeros(3, _numpy(dtype)))


@pytest.mark.parametrize("op", ["Div", "FloorDiv", "FloorMod"])
@dtype_params(REAL)
def test_division_rounds_like_tensorflow(tf, op, dtype):
    x = np.array([7, -7, 7, -7, 0, 1, 9], _numpy(dtype))
    y = np.array([2, 2, -2, -2, 3, 5, -4], _numpy(dtype))
    assert_same_as_tensorflow(op, x, y)
    if dtype in (F32, F64):
        assert_same_as_tensorflow(op, np.array([1.0, -1.0, 2.5, 0.7], _numpy(dtype)), np.array(0.1, _numpy(dtype)))


@pytest.mark.parametrize("op", ["Div", "FloorDiv", "FloorMod"])
def test_integer_division_by_zero_is_not_folded(tf, op):
    assert_not_folded_where_tensorflow_fails(tf, op, np.int32([4, 5]), np.int32([1, 0]))


@dtype_params(REAL)
def test_pow(tf, dtype):
    assert_same_as_tensorflow("Pow", numbers(dtype, (2, 3), -4, 4), np.array([0, 1, 3], _numpy(dtype)))
    if dtype in (F32, F64):
        assert_same_as_tensorflow("Pow", numbers(dtype, (3,), 0.1, 4), numbers(dtype, (3,), -2, 2))


def test_integer_to_a_negative_power_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "Pow", np.int32([2, 3]), np.int32([1, -1]))


@pytest.mark.parametrize("op", ["Neg", "Square"])
@dtype_params(WITH_HALF)
def test_neg_and_square(tf, op, dtype):
    assert_same_as_tensorflow(op, numbers(dtype, (2, 5)))


@pytest.mark.parametrize("op", ["Sqrt", "Rsqrt", "Reciprocal", "Exp", "Log"])
@dtype_params([F32, F64])
def test_float_functions(tf, op, dtype):
    assert_same_as_tensorflow(op, numbers(dtype, (3, 7), 0.001, 20))
    assert_same_as_tensorflow(op, np.array([0.0, np.inf, -1.0], _numpy(dtype)))


@dtype_params(WITH_HALF)
def test_bias_add(tf, dtype):
    assert_same_as_tensorflow("BiasAdd", numbers(dtype, (2, 3)), numbers(dtype, (3,)))
    assert_same_as_tensorflow("BiasAdd", numbers(dtype, (2, 2, 2, 3)), numbers(dtype, (3,)), data_format=text("NHWC"))
    assert_same_as_tensorflow("BiasAdd", numbers(dtype, (2, 3, 2, 2)), numbers(dtype, (3,)), data_format=text("NCHW"))


@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("transpose_b", [False, True])
@dtype_params(REAL)
def test_mat_mul(tf, dtype, transpose_a, transpose_b):
    a = numbers(dtype, (4, 3) if transpose_a else (3, 4), 1, 9)  # no cancellation: rtol holds for any order
    c = numbers(dtype, (5, 4) if transpose_b else (4, 5), 1, 9)
    assert_same_as_tensorflow("MatMul", a, c, transpose_a=b(transpose_a), transpose_b=b(transpose_b))


# ------------------------------------------------------------------------------------- reductions


@pytest.mark.parametrize("op", ["Sum", "Prod", "Max", "Min", "Mean"])
@pytest.mark.parametrize("axes", [[0], -1, [0, 2], [-1, 1], []], ids=str)
@pytest.mark.parametrize("keep_dims", [False, True])
@dtype_params(REAL)
def test_reductions(tf, op, dtype, axes, keep_dims):
    value = numbers(dtype, (3, 4, 5), 1, 3)
    if op == "Mean" and dtype in (I32, I64):
        with pytest.raises(NotFoldable):  # TensorFlow's integer mean does not wrap its sum; left to it
            folded(op, [value, np.int32(axes)], {"keep_dims": b(keep_dims)})
        return
    assert_same_as_tensorflow(op, value, np.array(axes, np.int32), keep_dims=b(keep_dims))


def test_integer_sum_wraps_around_like_tensorflow(tf):
    assert_same_as_tensorflow("Sum", np.full(4, 2**30, np.int32), np.int32(0))


def test_repeated_reduction_axis_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "Sum", np.ones((2, 3), np.float32), np.int32([1, 1]))


# ------------------------------------------------------------------------------------------- Cast

CASTS = [
    (np.float32([1.9, -1.9, 0.0, 2e9]), I32), (np.float32([1.5, 65504.0, 1e-8, 70000.0]), F16),
    (np.int64([2**40 + 5, -(2**33) - 1, 7]), I32), (np.int32([2**24 + 1, -3, 5]), F32),
    (np.float64([0.1, 1e300, -2.5]), F32), (np.array([True, False]), F32), (np.float32([0.0, -0.0, 2.0, np.nan]), BOOL),
    (np.uint8([0, 255, 7]), I32), (np.int32([-1, 256, 300]), U8), (np.float16([1.5, -2.0, 0.1]), F32),
    (np.float32([255.9, 0.5]), U8), (np.int64([2**53 + 1, 3]), F64),
]


@pytest.mark.parametrize("value,target", CASTS, ids=[f"{v.dtype}-to-{t}" for v, t in CASTS])
def test_cast(tf, value, target):
    assert_same_as_tensorflow("Cast", value, SrcT=DTYPES[value.dtype], DstT=target)


@pytest.mark.parametrize("value,target", [(np.float32([np.nan]), I32), (np.float32([3e9]), I32),
                                          (np.float32([-1.5]), U8), (np.float64([1.0]), F16), (np.int32([3]), F16)])
def test_casts_left_to_tensorflow(value, target):
    """Undefined in C++ (NaN or out of range to an integer), or rounded twice by TensorFlow."""
    with pytest.raises(NotFoldable):
        folded("Cast", [value], {"SrcT": DTYPES[value.dtype], "DstT": target})


# ------------------------------------------------------------------------------ shapes and layout


@pytest.mark.parametrize("op", ["Shape", "Size"])
@pytest.mark.parametrize("out_type", [I32, I64], ids=["i32", "i64"])
def test_shape_and_size(tf, op, out_type):
    assert_same_as_tensorflow(op, np.zeros((2, 0, 3), np.float32), out_type=out_type)
    assert_same_as_tensorflow(op, np.zeros((), np.int64), out_type=out_type)


def test_rank(tf):
    assert_same_as_tensorflow("Rank", np.zeros((2, 1, 3), np.float32))


@dtype_params(WITH_HALF)
def test_reshape(tf, dtype):
    assert_same_as_tensorflow("Reshape", numbers(dtype, (2, 6)), np.int32([3, -1, 2]), Tshape=I32)
    assert_same_as_tensorflow("Reshape", numbers(dtype, (1,)), np.int64([]), Tshape=I64)


def test_reshape_to_an_impossible_shape_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "Reshape", np.zeros((2, 3), np.float32), np.int32([4, -1]), Tshape=I32)


def test_layout_ops_on_strings(tf):
    words = np.array([[b"a", b"bc"], [b"", b"d"]], dtype=object)
    assert_same_as_tensorflow("Transpose", words, np.int32([1, 0]), Tperm=I32)
    assert_same_as_tensorflow("ConcatV2", words, words, np.int32(-1), N=i(2), Tidx=I32)
    assert_same_as_tensorflow("StridedSlice", words, np.int32([0, 1]), np.int32([2, 2]), np.int32([1, 1]), Index=I32)


@dtype_params(WITH_HALF)
def test_transpose(tf, dtype):
    assert_same_as_tensorflow("Transpose", numbers(dtype, (2, 3, 4)), np.int32([2, 0, 1]), Tperm=I32)
    assert_same_as_tensorflow("Transpose", numbers(dtype, (2, 3, 4)), np.int64([-1, 0, -2]), Tperm=I64)


def test_transpose_with_an_axis_out_of_range_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "Transpose", np.zeros((2, 3), np.float32), np.int32([-3, 0]),
                                             Tperm=I32)


@pytest.mark.parametrize("axis", [0, 2, -1, -3])
def test_expand_dims(tf, axis):
    assert_same_as_tensorflow("ExpandDims", numbers(F32, (2, 3)), np.int32(axis), Tdim=I32)


@pytest.mark.parametrize("dims", [(), (2,), (-1, 0)], ids=str)
def test_squeeze(tf, dims):
    assert_same_as_tensorflow("Squeeze", numbers(I64, (1, 2, 1)), squeeze_dims=ints(*dims))


def test_squeezing_a_dimension_that_is_not_one_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "Squeeze", np.zeros((1, 2), np.float32), squeeze_dims=ints(1))


@pytest.mark.parametrize("axis", [0, 1, -1, -2])
@dtype_params(WITH_HALF)
def test_concat(tf, dtype, axis):
    assert_same_as_tensorflow("ConcatV2", numbers(dtype, (2, 3)), numbers(dtype, (2, 3)), np.int64(axis),
                              N=i(2), Tidx=I64)


@pytest.mark.parametrize("axis", [0, 1, -1, -3])
@dtype_params(WITH_HALF)
def test_pack(tf, dtype, axis):
    assert_same_as_tensorflow("Pack", numbers(dtype, (2, 3)), numbers(dtype, (2, 3)), N=i(2), axis=i(axis))


@dtype_params(WITH_HALF)
def test_fill(tf, dtype):
    assert_same_as_tensorflow("Fill", np.int32([2, 0, 3]), numbers(dtype, ()), T=dtype, index_type=I32)
    assert_same_as_tensorflow("Fill", np.int64([3]), numbers(dtype, ()), T=dtype, index_type=I64)


@pytest.mark.parametrize("start,limit,delta", [(0, 10, 3), (10, -5, -4), (3, 3, 1), (0.1, 100.0, 0.37),
                                               (5.5, -2.0, -0.3)])
@dtype_params(REAL)
def test_range(tf, dtype, start, limit, delta):
    if dtype in (I32, I64) and isinstance(delta, float):
        return
    scalars = [np.array(value, _numpy(dtype)) for value in (start, limit, delta)]
    assert_same_as_tensorflow("Range", *scalars, Tidx=dtype)


def test_range_that_never_ends_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "Range", np.int32(0), np.int32(5), np.int32(-1), Tidx=I32)


@pytest.mark.parametrize("begin,size", [([0, 1], [2, 2]), ([1, 0], [-1, -1]), ([0, 3], [1, 0])], ids=str)
def test_slice(tf, begin, size):
    assert_same_as_tensorflow("Slice", numbers(F32, (2, 3)), np.int32(begin), np.int32(size), Index=I32)


def test_slice_out_of_bounds_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "Slice", np.zeros((2, 3), np.float32), np.int32([1, 2]),
                                             np.int32([1, 2]), Index=I32)


@dtype_params(WITH_HALF)
def test_tile(tf, dtype):
    assert_same_as_tensorflow("Tile", numbers(dtype, (2, 3)), np.int32([2, 1]), Tmultiples=I32)
    assert_same_as_tensorflow("Tile", numbers(dtype, (2,)), np.int64([0]), Tmultiples=I64)


STRIDED_SLICES = {  # id: (begin, end, strides, masks) on a value of shape (4, 5, 6)
    "plain": ([1, 0, 2], [3, 5, 6], [1, 2, 3], {}),
    "negative_indices": ([-3, -1, 0], [-1, -5, 6], [1, -1, 2], {}),
    "begin_and_end_masks": ([3, 9, 9], [0, 1, 1], [-1, 2, 1], {"begin_mask": 0b011, "end_mask": 0b110}),
    "clamped": ([-9, 2, 1], [9, 99, -99], [1, 1, -1], {}),
    "shrink": ([1, -1, 0], [2, 0, 6], [1, 1, 1], {"shrink_axis_mask": 0b011}),
    "ellipsis": ([0, 1], [0, 3], [1, 1], {"ellipsis_mask": 0b01}),
    "ellipsis_then_new_axis": ([0, 0, 2], [0, 0, 4], [1, 1, 1], {"ellipsis_mask": 0b001, "new_axis_mask": 0b010}),
    "new_axis_first": ([0, 1], [0, 2], [1, 1], {"new_axis_mask": 0b01, "shrink_axis_mask": 0b10}),
    "fewer_than_rank": ([1], [3], [1], {}),
    "everything_reversed": ([0, 0, 0], [0, 0, 0], [-1, -2, -3], {"begin_mask": 0b111, "end_mask": 0b111}),
}


@pytest.mark.parametrize("spec", STRIDED_SLICES.values(), ids=STRIDED_SLICES)
@pytest.mark.parametrize("index_type", [I32, I64], ids=["i32", "i64"])
def test_strided_slice(tf, spec, index_type):
    begin, end, strides, masks = spec
    index = _numpy(index_type)
    assert_same_as_tensorflow("StridedSlice", numbers(F32, (4, 5, 6)), np.array(begin, index), np.array(end, index),
                              np.array(strides, index), Index=index_type,
                              **{name: i(value) for name, value in masks.items()})


def test_strided_slice_shrinking_past_the_end_is_not_folded(tf):
    assert_not_folded_where_tensorflow_fails(tf, "StridedSlice", np.zeros((2, 3), np.float32), np.int32([5]),
                                             np.int32([6]), np.int32([1]), Index=I32, shrink_axis_mask=i(1))


def test_every_kernel_is_tested_here():
    tested = {"Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "Maximum", "Minimum", "Neg",
              "Square", "Sqrt", "Rsqrt", "Reciprocal", "Exp", "Log", "Pow", "SquaredDifference", "BiasAdd", "MatMul",
              "Sum", "Prod", "Max", "Min", "Mean", "Cast", "Shape", "Size", "Rank", "Reshape", "Transpose",
              "ExpandDims", "Squeeze", "ConcatV2", "Pack", "Fill", "Range", "Slice", "StridedSlice", "Tile"}
    assert set(KERNELS) == tested
