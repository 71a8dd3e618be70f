"""numpy ⇄ TensorProto without TensorFlow, checked against TensorFlow's own conversions."""

import numpy as np
import pytest
from tensorboard.compat.proto import tensor_pb2, types_pb2

from freezer.tensors import ITEM_SIZES, NUMPY_DTYPES, dtype_name, make_tensor_proto, tensor_proto_to_numpy

tf = pytest.importorskip("tensorflow")

ARRAYS = [
    np.arange(6, dtype=np.float32).reshape(2, 3) / 7,
    np.array([-2**62, 0, 2**62], dtype=np.int64),
    np.array(True),
    np.array([[0.5, -1e-3], [65504, np.inf]], dtype=np.float16),
    np.array([0, 1, 255], dtype=np.uint8),
    np.array([1 + 2j, -3.5j], dtype=np.complex64),
    np.array([1e300, -0.0], dtype=np.float64),
    np.array([b"", b"\x00\xffbytes", "ünïcode".encode()], dtype=object),
    np.zeros((0, 3), dtype=np.int32),
]


def to_tf(proto):
    return tf.make_ndarray(tf.compat.v1.make_tensor_proto(0).FromString(proto.SerializeToString()))


def from_tf(array):
    return tensor_pb2.TensorProto.FromString(tf.compat.v1.make_tensor_proto(array).SerializeToString())


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype}{list(a.shape)}")
def test_our_protos_read_back_in_tensorflow(array):
    dtype = tf.dtypes.as_dtype(array.dtype if array.dtype != object else tf.string).as_datatype_enum
    back = to_tf(make_tensor_proto(array, dtype))
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)


@pytest.mark.parametrize("array", ARRAYS, ids=lambda a: f"{a.dtype}{list(a.shape)}")
def test_tensorflow_protos_read_back_here(array):
    ours = tensor_proto_to_numpy(from_tf(array))
    assert ours.shape == array.shape
    np.testing.assert_array_equal(ours, array)


def test_repeated_value_protos_are_broadcast():
    proto = from_tf(np.full((3, 2), 7, dtype=np.int32))
    if proto.tensor_content:  # TF chose raw bytes; build the short form by hand
        proto = tensor_pb2.TensorProto(dtype=types_pb2.DT_INT32, tensor_shape=proto.tensor_shape, int_val=[7])
    np.testing.assert_array_equal(tensor_proto_to_numpy(proto), np.full((3, 2), 7))


def test_bfloat16_travels_as_bit_patterns():
    bits = np.array([0x3F80, 0xC000], dtype=np.uint16)  # 1.0, -2.0
    back = to_tf(make_tensor_proto(bits, types_pb2.DT_BFLOAT16))
    np.testing.assert_array_equal(back.astype(np.float32), [1.0, -2.0])


def test_wrong_width_is_refused():
    with pytest.raises(ValueError, match="array of int32 cannot hold int64 values"):
        make_tensor_proto(np.zeros(2, np.int32), types_pb2.DT_INT64)


def test_dtype_names():
    assert dtype_name(types_pb2.DT_FLOAT) == "float" and dtype_name(types_pb2.DT_INT64) == "int64"


def test_item_sizes_are_tensorflows():
    # Every dtype numpy can hold but strings has a fixed size, known without numpy.
    assert set(ITEM_SIZES) == set(NUMPY_DTYPES) - {types_pb2.DT_STRING}
    for dtype, size in ITEM_SIZES.items():
        assert size == tf.as_dtype(dtype).size == NUMPY_DTYPES[dtype].itemsize, dtype_name(dtype)
