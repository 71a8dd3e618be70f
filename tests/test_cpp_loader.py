"""Self-test of the C++ loader harness (independent of freezer's own code).

Graphs are built with TF1-style ops, run in Python with tf.compat.v1.Session
and in C++ via ``run_graph_in_cpp``; the outputs must agree.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import tensorflow as tf

from cpp_loader import build_loader, run_graph_in_cpp

pytestmark = pytest.mark.skipif(
    shutil.which("g++") is None,
    reason="g++ is not installed, so the TensorFlow C++ test loader cannot be built",
)

v1 = tf.compat.v1


def _write_graph(graph: tf.Graph, path) -> None:
    path.write_bytes(graph.as_graph_def().SerializeToString())


def _run_in_python(graph: tf.Graph, feeds, fetches, targets=()):
    with v1.Session(graph=graph) as sess:
        if targets:
            sess.run(list(targets))
        values = sess.run(list(fetches), feed_dict=feeds)
    return dict(zip(fetches, values))


def test_build_is_cached():
    assert build_loader() == build_loader()
    assert build_loader().is_file()


def test_compile_error_is_reported(tmp_path, monkeypatch):
    import cpp_loader

    broken = tmp_path / "broken.cc"
    broken.write_text("int main() { return undeclared_thing; }\n")
    monkeypatch.setattr(cpp_loader, "SOURCE", broken)
    cpp_loader.build_loader.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="(?s)compiling broken.cc failed.*undeclared_thing"):
            cpp_loader.build_loader()
    finally:
        cpp_loader.build_loader.cache_clear()
    assert not list(cpp_loader.BUILD_DIR.glob("*.tmp"))


def test_mixed_dtype_graph_matches_python(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, shape=[None, 2], name="x")
        w = tf.constant([[1.0, -2.0], [0.5, 3.0]], name="w")
        b = tf.constant([0.25, -1.0], name="b")
        y = tf.add(tf.matmul(x, w), b, name="y")
        idx = tf.argmax(y, axis=1, output_type=tf.int64, name="idx")
        tf.greater(y, 0.0, name="positive")
        labels = tf.constant([b"neg", b"pos"], name="labels")
        tf.strings.join(
            [tf.gather(labels, idx), tf.strings.as_string(idx)], separator="#", name="label"
        )
    graph_path = tmp_path / "graph.pb"
    _write_graph(graph, graph_path)

    feeds = {"x:0": np.array([[1.0, 2.0], [-3.0, 0.5], [0.0, 0.0]], np.float32)}
    fetches = ["y:0", "idx:0", "positive:0", "label:0"]
    expected = _run_in_python(graph, feeds, fetches)
    got = run_graph_in_cpp(graph_path, feeds, fetches)

    assert set(got) == set(fetches)
    assert got["y:0"].dtype == np.float32
    np.testing.assert_allclose(got["y:0"], expected["y:0"], rtol=1e-6)
    for name, dtype in [("idx:0", np.int64), ("positive:0", np.bool_), ("label:0", object)]:
        assert got[name].dtype == dtype, name
        np.testing.assert_array_equal(got[name], expected[name], err_msg=name)
    np.testing.assert_array_equal(got["label:0"], [b"pos#1", b"pos#1", b"neg#0"])


@pytest.mark.parametrize(
    "value",
    [
        np.array([[1.5, -2.25]], np.float32),
        np.array([0.5, 65504.0, -1.0], np.float16),
        np.array([[2**40, -7]], np.int64),
        np.array([-(2**31), 2**31 - 1], np.int32),
        np.array([0, 7, 255], np.uint8),
        np.array([[True, False], [False, True]]),
        np.array([b"", b"abc", "\u00e9\u4e2d".encode(), b"\x00\xff"], object),
        np.array(3.0, np.float32),  # scalar
        np.zeros((0, 3), np.float32),  # empty
    ],
    ids=lambda v: f"{v.dtype}{list(v.shape)}",
)
def test_dtype_roundtrip(tmp_path, value):
    graph = tf.Graph()
    with graph.as_default():
        p = v1.placeholder(tf.as_dtype(value.dtype), shape=value.shape, name="p")
        tf.identity(p, name="out")
    graph_path = tmp_path / "graph.pb"
    _write_graph(graph, graph_path)

    got = run_graph_in_cpp(graph_path, {"p": value}, ["out"])["out"]
    assert got.dtype == value.dtype
    assert got.shape == value.shape
    np.testing.assert_array_equal(got, value)


def test_targets_run_before_fetches(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        table = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant([b"a", b"b"]), tf.constant([1, 2], tf.int64)
            ),
            default_value=-1,
        )
        keys = v1.placeholder(tf.string, shape=[None], name="keys")
        tf.identity(table.lookup(keys), name="ids")
        init = v1.tables_initializer(name="init_tables")
    graph_path = tmp_path / "graph.pb"
    _write_graph(graph, graph_path)

    feeds = {"keys:0": np.array([b"b", b"zz", b"a"], object)}
    expected = _run_in_python(graph, feeds, ["ids:0"], targets=[init])
    got = run_graph_in_cpp(graph_path, feeds, ["ids:0"], targets=["init_tables"])
    np.testing.assert_array_equal(got["ids:0"], expected["ids:0"])
    np.testing.assert_array_equal(got["ids:0"], [2, -1, 1])

    # Without the initializer the C++ run must fail, not return garbage.
    with pytest.raises(RuntimeError, match="(?i)run failed.*not.*initialized"):
        run_graph_in_cpp(graph_path, feeds, ["ids:0"])


def test_uncreatable_graph_raises_with_cpp_error(tmp_path):
    graph_def = tf.Graph().as_graph_def()
    node = graph_def.node.add(name="y", op="Identity", input=["does_not_exist"])
    node.attr["T"].type = tf.float32.as_datatype_enum
    graph_path = tmp_path / "broken.pb"
    graph_path.write_bytes(graph_def.SerializeToString())

    with pytest.raises(RuntimeError) as excinfo:
        run_graph_in_cpp(graph_path, {}, ["y:0"])
    message = str(excinfo.value)
    assert "load_and_run: create failed" in message
    assert "does_not_exist" in message


def test_missing_graph_file_raises(tmp_path):
    with pytest.raises(RuntimeError, match="read graph .* failed: NOT_FOUND"):
        run_graph_in_cpp(tmp_path / "nope.pb", {}, ["y:0"])
