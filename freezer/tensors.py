"""numpy arrays ⇄ TensorProto, without TensorFlow.

Values are always written the same way (numbers as little-endian `tensor_content`, strings as
`string_val`), so the same checkpoint gives the same bytes whichever engine read it.
"""

from __future__ import annotations

import functools
import math
from typing import TYPE_CHECKING

from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2

from freezer.errors import GraphError

if TYPE_CHECKING:
    import numpy as np

# Each dtype's numpy type code: a kind letter, then bytes per element. bfloat16 has no numpy dtype,
# its values travel as their raw 16-bit patterns; quantized types are stored as their integers.
_NUMPY_CODES: dict[int, str] = {
    types_pb2.DT_FLOAT: "<f4",
    types_pb2.DT_DOUBLE: "<f8",
    types_pb2.DT_HALF: "<f2",
    types_pb2.DT_BFLOAT16: "<u2",
    types_pb2.DT_INT8: "i1",
    types_pb2.DT_INT16: "<i2",
    types_pb2.DT_INT32: "<i4",
    types_pb2.DT_INT64: "<i8",
    types_pb2.DT_UINT8: "u1",
    types_pb2.DT_UINT16: "<u2",
    types_pb2.DT_UINT32: "<u4",
    types_pb2.DT_UINT64: "<u8",
    types_pb2.DT_BOOL: "b1",
    types_pb2.DT_COMPLEX64: "<c8",
    types_pb2.DT_COMPLEX128: "<c16",
    types_pb2.DT_QINT8: "i1",
    types_pb2.DT_QUINT8: "u1",
    types_pb2.DT_QINT16: "<i2",
    types_pb2.DT_QUINT16: "<u2",
    types_pb2.DT_QINT32: "<i4",
}

# Bytes per element of each fixed-size dtype, known without loading numpy (`freezer inspect` sums
# variable sizes and never needs numpy otherwise). Strings have no fixed size.
ITEM_SIZES: dict[int, int] = {dtype: int(code.lstrip("<")[1:]) for dtype, code in _NUMPY_CODES.items()}


@functools.cache
def _numpy_dtypes() -> dict[int, np.dtype]:
    import numpy as np

    return {**{dtype: np.dtype(code) for dtype, code in _NUMPY_CODES.items()}, types_pb2.DT_STRING: np.dtype(object)}


def __getattr__(name: str):
    # NUMPY_DTYPES (dtype -> numpy dtype, DT_STRING -> object) is built on first use, so that
    # importing this module does not load numpy.
    if name == "NUMPY_DTYPES":
        return _numpy_dtypes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
MAX_RANK = 254  # TensorFlow's TensorShape::MaxDimensions()
_MAX_ELEMENTS = 2**63 - 1  # TensorFlow counts elements in an int64
# A TensorProto may hold one value for a tensor of any size ("all 7"); what freezer expands it to
# is bounded, so a few bytes claiming 1e12 floats cannot take the memory with them.
EXPANSION_LIMIT = 2**26


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
    import numpy as np

    proto = tensor_pb2.TensorProto(dtype=dtype, tensor_shape=make_shape(array.shape))
    if dtype == types_pb2.DT_STRING:
        proto.string_val.extend(_as_bytes(item) for item in array.reshape(-1))
        return proto
    expected = _numpy_dtypes()[dtype]
    if array.dtype.itemsize != expected.itemsize:
        raise ValueError(f"array of {array.dtype} cannot hold {dtype_name(dtype)} values")
    if array.dtype.byteorder == ">":  # tensor_content is little-endian whatever the machine
        array = array.astype(array.dtype.newbyteorder("<"))
    proto.tensor_content = np.ascontiguousarray(array).tobytes()
    return proto


def tensor_shape(proto: tensor_pb2.TensorProto, owner: str = "A tensor") -> tuple[int, ...]:
    """The tensor's shape, checked: known, no negative dimension, at most 2**63 - 1 elements.

    `owner` names the tensor in the `GraphError` a bad shape raises (`"Const c"`).
    """
    shape = proto.tensor_shape
    dims = tuple(dim.size for dim in shape.dim)
    if shape.unknown_rank or len(dims) > MAX_RANK or any(d < 0 for d in dims):
        raise GraphError(f"{owner} has the shape {_shape_text(proto)}, which no tensor has (unknown or "
                         f"negative dimensions, or more than {MAX_RANK}); re-export the graph with TensorFlow.")
    if math.prod(dims) > _MAX_ELEMENTS:  # exact: at most 254 dimensions of Python ints
        raise GraphError(f"{owner} has the shape {_shape_text(proto)}, more elements than TensorFlow can count; "
                         "re-export the graph with TensorFlow.")
    return dims


def element_count(proto: tensor_pb2.TensorProto, owner: str = "A tensor") -> int:
    """How many elements the tensor's (checked) shape holds."""
    return math.prod(tensor_shape(proto, owner))


def tensor_proto_to_numpy(proto: tensor_pb2.TensorProto, owner: str = "A tensor",
                          max_elements: int = EXPANSION_LIMIT) -> np.ndarray:
    """The value a TensorProto holds, as numpy (bfloat16 as uint16 bit patterns).

    Checked before any array is built: the shape (`tensor_shape`), at most `max_elements`
    elements, `tensor_content` of exactly the bytes the shape needs and no more values than
    elements. A bad tensor is a `GraphError` naming `owner` (`"Const c"`).
    """
    import numpy as np

    dtype = _numpy_dtypes().get(proto.dtype)
    if dtype is None:
        raise GraphError(f"{owner} holds a tensor of {dtype_name(proto.dtype)}, which freezer cannot read; "
                         "re-export the graph with TensorFlow.")
    shape = tensor_shape(proto, owner)
    count = math.prod(shape)
    if count > max_elements:
        raise GraphError(f"{owner} has the shape {_shape_text(proto)} ({count} elements); freezer reads at "
                         f"most {max_elements} elements of it here.")
    if proto.tensor_content:
        _check_content_size(proto, dtype, count, owner)
        return np.frombuffer(proto.tensor_content, dtype=dtype).reshape(shape).copy()
    values = list(getattr(proto, _VALUE_FIELDS[proto.dtype]))
    stored = len(values) // 2 if proto.dtype in (types_pb2.DT_COMPLEX64, types_pb2.DT_COMPLEX128) else len(values)
    if stored > count:
        raise GraphError(f"{owner} holds {stored} values but its shape {_shape_text(proto)} has room for "
                         f"{count}; re-export the graph with TensorFlow.")
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


def _check_content_size(proto: tensor_pb2.TensorProto, dtype: np.dtype, count: int, owner: str) -> None:
    """Raw bytes must be exactly what the shape needs (strings are never raw bytes)."""
    if proto.dtype == types_pb2.DT_STRING:
        raise GraphError(f"{owner} holds strings as tensor_content, which TensorFlow never writes; "
                         "re-export the graph with TensorFlow.")
    needed = count * dtype.itemsize
    if len(proto.tensor_content) != needed:
        raise GraphError(f"{owner} has {len(proto.tensor_content)} bytes of tensor_content, but its shape "
                         f"{_shape_text(proto)} of {dtype_name(proto.dtype)} needs {needed}; the graph is "
                         "damaged, re-export it with TensorFlow.")


def _shape_text(proto: tensor_pb2.TensorProto) -> str:
    if proto.tensor_shape.unknown_rank:
        return "<unknown rank>"
    dims = [dim.size for dim in proto.tensor_shape.dim]
    return "[" + ", ".join(map(str, dims[:8])) + (", ..." if len(dims) > 8 else "") + "]"


def _as_bytes(item: object) -> bytes:
    return item.encode("utf-8") if isinstance(item, str) else bytes(item)
