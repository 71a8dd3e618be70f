"""numpy arrays ⇄ TensorProto, without TensorFlow.

Values are always written the same way (numbers as little-endian `tensor_content`, strings as
`string_val`), so the same checkpoint gives the same bytes whichever engine read it.
"""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2

# bfloat16 has no numpy dtype; its values travel as their raw 16-bit patterns.
NUMPY_DTYPES: dict[int, np.dtype] = {
    types_pb2.DT_FLOAT: np.dtype("<f4"),
    types_pb2.DT_DOUBLE: np.dtype("<f8"),
    types_pb2.DT_HALF: np.dtype("<f2"),
    types_pb2.DT_BFLOAT16: np.dtype("<u2"),
    types_pb2.DT_INT8: np.dtype("i1"),
    types_pb2.DT_INT16: np.dtype("<i2"),
    types_pb2.DT_INT32: np.dtype("<i4"),
    types_pb2.DT_INT64: np.dtype("<i8"),
    types_pb2.DT_UINT8: np.dtype("u1"),
    types_pb2.DT_UINT16: np.dtype("<u2"),
    types_pb2.DT_UINT32: np.dtype("<u4"),
    types_pb2.DT_UINT64: np.dtype("<u8"),
    types_pb2.DT_BOOL: np.dtype("?"),
    types_pb2.DT_COMPLEX64: np.dtype("<c8"),
    types_pb2.DT_COMPLEX128: np.dtype("<c16"),
    types_pb2.DT_STRING: np.dtype(object),
    # Quantized types are stored as their underlying integers.
    types_pb2.DT_QINT8: np.dtype("i1"),
    types_pb2.DT_QUINT8: np.dtype("u1"),
    types_pb2.DT_QINT16: np.dtype("<i2"),
    types_pb2.DT_QUINT16: np.dtype("<u2"),
    types_pb2.DT_QINT32: np.dtype("<i4"),
}

# Where a TensorProto keeps values given one by one (rather than as tensor_content).
_VALUE_FIELDS: dict[int, str] = {
    types_pb2.DT_FLOAT: "float_val",
    types_pb2.DT_DOUBLE: "double_val",
    types_pb2.DT_HALF: "half_val",
    types_pb2.DT_BFLOAT16: "half_val",
    types_pb2.DT_INT8: "int_val",
    types_pb2.DT_INT16: "int_val",
    types_pb2.DT_INT32: "int_val",
    types_pb2.DT_UINT8: "int_val",
    types_pb2.DT_UINT16: "int_val",
    types_pb2.DT_INT64: "int64_val",
    types_pb2.DT_UINT32: "uint32_val",
    types_pb2.DT_UINT64: "uint64_val",
    types_pb2.DT_BOOL: "bool_val",
    types_pb2.DT_COMPLEX64: "scomplex_val",
    types_pb2.DT_COMPLEX128: "dcomplex_val",
    types_pb2.DT_STRING: "string_val",
    types_pb2.DT_QINT8: "int_val",
    types_pb2.DT_QUINT8: "int_val",
    types_pb2.DT_QINT16: "int_val",
    types_pb2.DT_QUINT16: "int_val",
    types_pb2.DT_QINT32: "int_val",
}

REF_OFFSET = 100  # DT_FLOAT_REF == DT_FLOAT + 100, and so on for every type


def dtype_name(dtype: int) -> str:
    """`float32`-style name for messages (`DT_FLOAT` → `float`)."""
    if dtype not in types_pb2.DataType.values():
        return f"dtype {dtype}"
    return types_pb2.DataType.Name(dtype).removeprefix("DT_").lower()


def base_dtype(dtype: int) -> int:
    """The value type of a (possibly ref) dtype."""
    return dtype - REF_OFFSET if dtype > REF_OFFSET else dtype


def make_shape(dims: tuple[int, ...] | list[int]) -> tensor_shape_pb2.TensorShapeProto:
    return tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=d) for d in dims])


def make_tensor_proto(array: np.ndarray, dtype: int) -> tensor_pb2.TensorProto:
    """A TensorProto of type `dtype` holding `array` (whose bytes must already be of that type)."""
    proto = tensor_pb2.TensorProto(dtype=dtype, tensor_shape=make_shape(array.shape))
    if dtype == types_pb2.DT_STRING:
        proto.string_val.extend(_as_bytes(item) for item in array.reshape(-1))
        return proto
    expected = NUMPY_DTYPES[dtype]
    if array.dtype.itemsize != expected.itemsize:
        raise ValueError(f"array of {array.dtype} cannot hold {dtype_name(dtype)} values")
    if array.dtype.byteorder == ">":  # tensor_content is little-endian whatever the machine
        array = array.astype(array.dtype.newbyteorder("<"))
    proto.tensor_content = np.ascontiguousarray(array).tobytes()
    return proto


def tensor_proto_to_numpy(proto: tensor_pb2.TensorProto) -> np.ndarray:
    """The value a TensorProto holds, as numpy (bfloat16 as uint16 bit patterns)."""
    shape = tuple(dim.size for dim in proto.tensor_shape.dim)
    dtype = NUMPY_DTYPES.get(proto.dtype)
    if dtype is None:
        raise ValueError(f"unsupported tensor dtype {dtype_name(proto.dtype)}")
    count = int(np.prod(shape, dtype=np.int64))
    if proto.tensor_content:
        return np.frombuffer(proto.tensor_content, dtype=dtype).reshape(shape).copy()
    values = list(getattr(proto, _VALUE_FIELDS[proto.dtype]))
    if proto.dtype in (types_pb2.DT_COMPLEX64, types_pb2.DT_COMPLEX128):
        values = [complex(re, im) for re, im in zip(values[::2], values[1::2])]
    if proto.dtype in (types_pb2.DT_HALF,):
        values = np.array(values, dtype="<u2").view(dtype).tolist()
    array = np.empty(count, dtype=dtype)
    if values:
        # TensorFlow stores a tensor of identical values as its first value(s); the last repeats.
        array[: len(values)] = values[:count]
        array[len(values):] = values[-1]
    elif count:
        array[:] = b"" if proto.dtype == types_pb2.DT_STRING else 0
    return array.reshape(shape)


def _as_bytes(item: object) -> bytes:
    return item.encode("utf-8") if isinstance(item, str) else bytes(item)
