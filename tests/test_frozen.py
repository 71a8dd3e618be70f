"""Streaming a graph whose constants are deferred gives exactly the materialized graph's bytes."""

import io

import numpy as np
import pytest
from tensorboard.compat.proto import types_pb2

from freezer.io import frozen as frozen_module
from freezer.io.frozen import FrozenGraph
from freezer.io.wire import varint
from freezer.graph import GraphIndex
from freezer.passes import PassContext
from freezer.passes.fold import fold_variables
from graphs import graph, node, variable

CASES = {
    "float32": (np.arange(12, dtype=np.float32).reshape(3, 4), types_pb2.DT_FLOAT),
    "scalar": (np.array(2.5, dtype=np.float64), types_pb2.DT_DOUBLE),
    "bool": (np.array([True, False, True]), types_pb2.DT_BOOL),
    "float16": (np.array([[1.5, -2]], dtype=np.float16), types_pb2.DT_HALF),
    "complex": (np.array([1 + 2j], dtype=np.complex128), types_pb2.DT_COMPLEX128),
    "bfloat16 bits": (np.array([0x3F80], dtype=np.uint16), types_pb2.DT_BFLOAT16),
    "strided view": (np.arange(20, dtype=np.int32).reshape(4, 5)[:, 1:3], types_pb2.DT_INT32),
    "big-endian": (np.arange(3, dtype=">i8"), types_pb2.DT_INT64),
    "large": (np.ones((300, 300), dtype=np.float32), types_pb2.DT_FLOAT),  # multi-byte varint lengths
}


def folded(value, dtype) -> FrozenGraph:
    v = variable("v", value.shape, dtype)
    v.attr["_class"].list.s.append(b"loc:@v")
    g = graph(node("x", "Placeholder", dtype=dtype), v, node("y", "Identity", "v", T=dtype))
    g.versions.producer = 1882
    g.library.function.add().signature.name = "f"
    ctx = PassContext(outputs=["y"], values={"v": value})
    return FrozenGraph(fold_variables(GraphIndex(g), ctx).graph_def, ctx.deferred)


@pytest.fixture(params=["streamed", "copied"])
def write_mode(request, monkeypatch):
    """The writer streams deferred values past a size and copies smaller ones in: test both ways."""
    if request.param == "streamed":
        monkeypatch.setattr(frozen_module, "_COPIED_AT_MOST", -1)
    return request.param


@pytest.mark.parametrize("name", CASES)
def test_streamed_bytes_equal_the_materialized_graph(name, write_mode):
    frozen = folded(*CASES[name])
    assert frozen.deferred, "the value should have been deferred"
    out = io.BytesIO()
    frozen.write_binary(out)
    assert bool(frozen.deferred) == (write_mode == "streamed")
    size, bound = frozen.byte_size(), frozen.byte_size_at_most()
    expected = frozen.materialized().SerializeToString(deterministic=True)
    assert out.getvalue() == expected and size == len(expected) and size <= bound


def test_materialized_values_read_back():
    value, dtype = CASES["strided view"]
    from freezer.tensors import tensor_proto_to_numpy
    const = folded(value, dtype).materialized().node[1]
    np.testing.assert_array_equal(tensor_proto_to_numpy(const.attr["value"].tensor), value)


def test_strings_and_empty_values_are_not_deferred():
    assert not folded(np.array([b"a"], dtype=object), types_pb2.DT_STRING).deferred
    assert not folded(np.asarray(b"scalar"), types_pb2.DT_STRING).deferred  # bytes dtype, not object
    assert not folded(np.zeros((0, 2), np.float32), types_pb2.DT_FLOAT).deferred


def test_graph_without_library_or_versions_streams_the_same(write_mode):
    frozen = folded(*CASES["float32"])
    frozen.graph_def.ClearField("library")
    frozen.graph_def.ClearField("versions")
    out = io.BytesIO()
    frozen.write_binary(out)
    assert out.getvalue() == frozen.materialized().SerializeToString(deterministic=True)


def test_fields_a_newer_tensorflow_added_are_written_either_way(write_mode):
    """Fields GraphDef's definition here lacks (numbers it does not declare, of every wire type) stay
    in the written graph, after the nodes, as protobuf itself serializes them."""
    frozen = folded(*CASES["float32"])
    unknown = (varint(99 << 3) + varint(7) + varint(98 << 3 | 2) + varint(2) + b"hi"
               + varint(97 << 3 | 1) + (5).to_bytes(8, "little") + varint(96 << 3 | 5) + (6).to_bytes(4, "little")
               + varint(95 << 3 | 3) + varint(1 << 3) + varint(1) + varint(95 << 3 | 4))
    frozen.graph_def.MergeFromString(unknown)
    out = io.BytesIO()
    frozen.write_binary(out)
    expected = frozen.materialized().SerializeToString(deterministic=True)
    assert out.getvalue() == expected and expected.endswith(unknown)
