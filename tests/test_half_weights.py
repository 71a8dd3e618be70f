"""`--weights float16`: float32 constants stored as half, each cast back to float32 under its own name.

A small MLP built with TensorFlow, frozen with and without the option: the half graph's constants
are exactly the float32 ones rounded to float16, its outputs are the float32 graph's within
float16's precision (in TensorFlow and C++), and its file is about half the size. Constants too
small to pay for a Cast, and those beyond float16's range, stay float32.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from tensorboard.compat.proto import types_pb2

import freezer
from cli_runs import assert_error, freeze, freeze_successfully
from fixture_models import run_frozen, run_tf
from freezer.half_precision import MIN_HALF_BYTES
from graphs import const, graph, node
from optimize_models import save_model, variable

OUTPUTS = ["y", "table"]
FETCHES = ["y:0", "table:0"]
HALVED = ["hidden/kernel", "out/kernel", "table"]  # ≥ 1 KiB of float32
OUT_OF_RANGE_NOTE = "Kept 1 constant(s) float32, whose values are beyond float16's range (±65504): wide."


def build_mlp(tf):
    """y = relu(x · hidden/kernel + hidden/bias) · out/kernel · scale + sum(wide) + sum(table):
    kernels of 32 KiB and 5 KiB, `table` a 1.2 KiB Const of the graph itself (its value in the
    proto, not read from the checkpoint) and an output too; a 512-byte bias and a scalar that stay
    float32, and `wide` (1 KiB) holding 1e5, which float16 cannot."""
    rng = np.random.default_rng(3)
    x = tf.compat.v1.placeholder(tf.float32, [None, 64], name="x")
    hidden = tf.nn.relu(tf.matmul(x, variable(tf, "hidden/kernel", rng.standard_normal((64, 128)) / 8))
                        + variable(tf, "hidden/bias", rng.standard_normal(128)))
    y = tf.matmul(hidden, variable(tf, "out/kernel", rng.standard_normal((128, 10)))) * variable(tf, "scale", 0.5)
    wide = variable(tf, "wide", np.linspace(-1e5, 1e5, 256))
    table = tf.constant(rng.standard_normal(300).astype(np.float32), name="table")
    tf.identity(y + tf.reduce_sum(wide) / 1e5 + tf.reduce_sum(table), name="y")


FEEDS = {"x:0": np.random.default_rng(4).standard_normal((3, 64)).astype(np.float32)}


@pytest.fixture(scope="module")
def mlp_model(tf, tmp_path_factory):
    return save_model(tf, tmp_path_factory.mktemp("mlp"), lambda: build_mlp(tf))


@pytest.fixture(scope="module")
def frozen(mlp_model, tmp_path_factory) -> dict[str, freezer.FreezeResult]:
    graph, checkpoint = mlp_model
    folder = tmp_path_factory.mktemp("frozen")
    return {weights: freezer.freeze_files(graph, checkpoint, outputs=OUTPUTS, output=folder / f"{weights}.pb",
                                          weights=weights)
            for weights in ("float32", "float16")}


def nodes_of(result: freezer.FreezeResult) -> dict:
    return {node.name: node for node in result.graph_def.node}


def const_value(node) -> np.ndarray:
    from freezer.tensors import tensor_proto_to_numpy
    return tensor_proto_to_numpy(node.attr["value"].tensor)


def test_each_big_constant_becomes_a_cast_of_its_value_rounded_to_half(frozen):
    single, half = nodes_of(frozen["float32"]), nodes_of(frozen["float16"])
    for name in HALVED:
        cast = half[name]
        assert (cast.op, cast.attr["SrcT"].type, cast.attr["DstT"].type) == ("Cast", types_pb2.DT_HALF,
                                                                             types_pb2.DT_FLOAT)
        (source,) = cast.input
        assert half[source].op == "Const" and half[source].attr["dtype"].type == types_pb2.DT_HALF
        np.testing.assert_array_equal(const_value(half[source]), const_value(single[name]).astype(np.float16))
    for name in ("hidden/bias", "scale", "wide"):  # too small to pay, or beyond float16's range
        assert half[name].op == "Const"
        np.testing.assert_array_equal(const_value(half[name]), const_value(single[name]))


def test_half_graph_computes_what_the_float32_one_does_within_float16_precision(frozen):
    half = assert_within_half_precision(frozen["float16"], frozen["float32"])
    assert not np.array_equal(half["y:0"], run_frozen(frozen["float32"].output_path, FEEDS, FETCHES)["y:0"])


def assert_within_half_precision(half: freezer.FreezeResult, single: freezer.FreezeResult) -> dict[str, np.ndarray]:
    """The half graph's outputs: float32, shaped as the float32 graph's and within float16's
    precision of them (relative to each output's largest magnitude, where sums cancel)."""
    expected = run_frozen(single.output_path, FEEDS, FETCHES)
    actual = run_frozen(half.output_path, FEEDS, FETCHES)
    for tensor, want in expected.items():
        assert actual[tensor].dtype == np.float32 and actual[tensor].shape == want.shape
        scale = float(np.max(np.abs(want)))
        np.testing.assert_allclose(actual[tensor], want, rtol=2e-3, atol=2e-3 * scale, err_msg=tensor)
    return actual


def test_file_roughly_halves(frozen):
    assert frozen["float16"].output_bytes < 0.55 * frozen["float32"].output_bytes


def test_what_was_halved_and_kept_is_reported(frozen):
    assert frozen["float16"].optimized == {"float16 weights": 3}
    assert OUT_OF_RANGE_NOTE in frozen["float16"].notes
    assert frozen["float32"].optimized == {}


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_half_graph_runs_in_cpp(frozen):
    from cpp_loader import run_graph_in_cpp
    in_cpp = run_graph_in_cpp(frozen["float16"].output_path, FEEDS, FETCHES)
    in_python = run_frozen(frozen["float16"].output_path, FEEDS, FETCHES)
    for tensor in FETCHES:
        np.testing.assert_allclose(in_cpp[tensor], in_python[tensor], rtol=1e-6, err_msg=tensor)


def test_with_optimize_and_the_session_engine_too(mlp_model, frozen, tmp_path):
    """Optimizing first folds `wide` away (into a sum) and `scale` into out/kernel; the rest is halved."""
    graph, checkpoint = mlp_model
    result = freezer.freeze_files(graph, checkpoint, outputs=OUTPUTS, output=tmp_path / "both.pb", weights="float16",
                                  optimize=True, engine="session")
    assert result.optimized["float16 weights"] == 3
    assert {name for name, node in nodes_of(result).items() if node.op == "Cast"} == set(HALVED)
    assert_within_half_precision(result, frozen["float32"])


def test_cli_summary(mlp_model, tmp_path):
    graph, checkpoint = mlp_model
    printed = freeze_successfully(graph, checkpoint, "--outputs", ",".join(OUTPUTS), "--weights", "float16",
                                  "--output", tmp_path / "half.pb")
    assert "Optimized: float16 weights 3\n" in printed
    assert OUT_OF_RANGE_NOTE in printed


def test_unknown_weight_type_is_refused(mlp_model, tmp_path):
    graph, checkpoint = mlp_model
    done = freeze(graph, checkpoint, "--outputs", "y", "--weights", "float64", "--output", tmp_path / "out.pb")
    assert_error(done, "--weights float64: choose one of: float32, float16.")
    assert not (tmp_path / "out.pb").exists()


def test_over_the_size_limit_half_weights_fit(mlp_model, frozen, tmp_path, monkeypatch):
    """With protobuf's limit lowered between the float16 and the float32 sizes: the float32 freeze
    fails before writing, naming the largest constants and suggesting --weights float16, which works."""
    from freezer import check
    graph, checkpoint = mlp_model
    monkeypatch.setattr(check, "PROTO_LIMIT", (frozen["float16"].output_bytes + frozen["float32"].output_bytes) // 2)
    refused = freeze(graph, checkpoint, "--outputs", ",".join(OUTPUTS), "--output", tmp_path / "single.pb")
    assert_error(refused, "The frozen graph would be 0.0 MiB, over protobuf's 2 GiB limit; largest constants: "
                          "hidden/kernel (float [64, 128], 0.0 MiB), out/kernel (float [128, 10], 0.0 MiB), "
                          "table (float [300], 0.0 MiB), wide (float [256], 0.0 MiB), hidden/bias (float [128], "
                          "0.0 MiB); with --weights float16 (float32 constants stored as half) it would be about "
                          "0.0 MiB and fit.")
    assert not (tmp_path / "single.pb").exists()
    freeze_successfully(graph, checkpoint, "--outputs", ",".join(OUTPUTS), "--weights", "float16",
                        "--output", tmp_path / "half.pb")
    assert (tmp_path / "half.pb").stat().st_size < check.PROTO_LIMIT


def test_a_value_repeated_to_fill_its_shape_stays_and_controls_move_to_the_half_const():
    """A Const stored as one value (float_val [0.5], shape [512, 512]) takes 4 bytes of the file:
    halving would not shrink it. A Const waiting on a control input gives it to its half Const."""
    from tensorboard.compat.proto import attr_value_pb2, tensor_pb2
    from freezer.tensors import make_shape
    from graphs import const, graph, node
    splat = node("splat", "Const", dtype=types_pb2.DT_FLOAT, value=attr_value_pb2.AttrValue(tensor=tensor_pb2.TensorProto(
        dtype=types_pb2.DT_FLOAT, tensor_shape=make_shape([512, 512]), float_val=[0.5])))
    ramp_value = np.arange(512 * 512, dtype=np.float32).reshape(512, 512) / 1024
    ramp = const("ramp", ramp_value)
    ramp.input.append("^start")
    g = graph(node("start", "NoOp"), splat, ramp, node("y", "AddV2", "splat", "ramp", T=types_pb2.DT_FLOAT))
    result = freezer.freeze(g, None, outputs=["y"], weights="float16")
    nodes = nodes_of(result)
    assert nodes["splat"] == splat
    assert (nodes["ramp"].op, list(nodes["ramp"].input)) == ("Cast", ["ramp/float16"])
    assert list(nodes["ramp/float16"].input) == ["^start"]
    assert result.optimized == {"float16 weights": 1}
    (value,) = run_tf(result.graph_def, ["y:0"])
    np.testing.assert_array_equal(value, 0.5 + ramp_value.astype(np.float16).astype(np.float32))


def test_a_dangling_colocation_never_comes_to_name_a_new_half_constant():
    """`y` is colocated with `w/float16`, a Const that folding removes; halving `w` then names its half
    Const `w/float16`: the entry must be gone before, not name the new node."""
    g = graph(node("x", "Placeholder", dtype=types_pb2.DT_FLOAT), const("w", np.ones(MIN_HALF_BYTES // 4 + 1)),
              const("w/float16", [1.0]), node("s", "Add", "w/float16", "w/float16", T=types_pb2.DT_FLOAT),
              node("y", "Mul", "x", "w", T=types_pb2.DT_FLOAT, _class=[b"loc:@w/float16"]))
    nodes = {n.name: n for n in freezer.freeze(g, None, outputs=["y", "s"], optimize=True,
                                                weights="float16").graph_def.node}
    assert nodes["w/float16"].op == "Const" and nodes["w"].op == "Cast"  # the new half Const took the name
    assert "_class" not in nodes["y"].attr
