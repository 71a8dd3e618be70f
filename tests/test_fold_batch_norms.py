"""Batch norms folded into the layer before them (`--optimize`): graphs built with TensorFlow, frozen
with and without `--optimize`, run in TensorFlow (and C++); the folded graph must compute what the
unfolded one does (rtol 1e-5), with each batch norm replaced by a BiasAdd of its name.

Identity and Const counts are left out of the structure checks: other optimize passes change them.
"""

from __future__ import annotations

import shutil
from collections import Counter

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, types_pb2

import freezer
from cli_runs import freeze_successfully
from fixture_models import run_frozen
from graphs import const, graph, node
from hostile import run_cli
from optimize_models import positive, save_model, variable
from test_fold_constants import claiming_const

FLOAT = types_pb2.DT_FLOAT
FOLDED = {}  # case → (how many batch norms fold, the ops left but Const and Identity)
LEFT_ALONE = {}  # case → why its batch norm must stay


def folds(count: int, *ops: str):
    def register(builder):
        FOLDED[builder.__name__] = builder, count, Counter(ops)
        return builder
    return register


def stays(builder):
    LEFT_ALONE[builder.__name__] = builder
    return builder


# --- builders: each makes its graph in the default tf.Graph and returns (feeds, outputs) -------------

def _image(rng, shape=(2, 6, 6, 3)):
    return {"x:0": rng.standard_normal(shape).astype(np.float32)}


def _fused(tf, rng, x, channels, name="bn", op="FusedBatchNormV3", **attrs):
    scale, offset, mean, var = (variable(tf, f"{name}/{part}", positive(rng, channels))
                                for part in ("gamma", "beta", "moving_mean", "moving_variance"))
    return getattr(tf.raw_ops, op)(x=x, scale=scale, offset=offset, mean=mean, variance=var, is_training=False,
                                   name=name, **attrs)[0]


@folds(1, "Placeholder", "Conv2D", "BiasAdd", "Relu")
def conv_bias_fused(tf, rng):
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME")
    y = tf.nn.bias_add(y, variable(tf, "conv/bias", rng.standard_normal(4)))
    tf.nn.relu(_fused(tf, rng, y, 4, epsilon=1e-3), name="y")
    return _image(rng), ["y"]


@folds(1, "Placeholder", "DepthwiseConv2dNative", "BiasAdd", "Relu")
def depthwise_fused(tf, rng):
    """Channel multiplier 2: output channel c·2 + m comes from filter[:, :, c, m]."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.depthwise_conv2d(x, variable(tf, "dw/kernel", rng.standard_normal((3, 3, 3, 2))), [1, 1, 1, 1], "SAME")
    tf.nn.relu(_fused(tf, rng, y, 6, op="FusedBatchNorm"), name="y")
    return _image(rng), ["y"]


@folds(1, "Placeholder", "Conv2D", "BiasAdd", "Relu")
def conv_nchw_fused(tf, rng):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3, 6, 6], name="x")
    y = tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME", data_format="NCHW")
    tf.nn.relu(_fused(tf, rng, y, 4, op="FusedBatchNormV2", data_format="NCHW"), name="y")
    return _image(rng, (2, 3, 6, 6)), ["y"]


@folds(2, "Placeholder", "Conv2D", "BiasAdd", "Relu")
def conv_two_batch_norms(tf, rng):
    """The second batch norm follows the BiasAdd the first became."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME")
    tf.nn.relu(_fused(tf, rng, _fused(tf, rng, y, 4, name="bn1"), 4, name="bn2"), name="y")
    return _image(rng), ["y"]


@folds(1, "Placeholder", "MatMul", "BiasAdd", "Relu")
def dense_unfused(tf, rng):
    """Keras' Dense + BatchNormalization once constants are folded: batchnorm/mul_1, batchnorm/add_1."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 8], name="x")
    y = tf.nn.bias_add(tf.matmul(x, variable(tf, "dense/kernel", rng.standard_normal((8, 5)))),
                       variable(tf, "dense/bias", rng.standard_normal(5)))
    y = tf.multiply(y, variable(tf, "bn/multiplier", positive(rng, 5)), name="batchnorm/mul_1")
    y = tf.add(y, variable(tf, "bn/shift", rng.standard_normal(5)), name="batchnorm/add_1")
    tf.nn.relu(y, name="y")
    return {"x:0": rng.standard_normal((3, 8)).astype(np.float32)}, ["y"]


@folds(1, "Placeholder", "MatMul", "BiasAdd")
def dense_transposed_sub(tf, rng):
    """MatMul with transpose_b (a [out, in] filter), Mul(s, x) with s shaped [1, out], then Sub: the
    Sub is the output, and keeps its name."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 8], name="x")
    y = tf.matmul(x, variable(tf, "dense/kernel", rng.standard_normal((5, 8))), transpose_b=True)
    y = tf.multiply(variable(tf, "bn/multiplier", -positive(rng, 1, 5)), y)
    tf.subtract(y, variable(tf, "bn/shift", rng.standard_normal(5)), name="y")
    return {"x:0": rng.standard_normal((3, 8)).astype(np.float32)}, ["y"]


@folds(1, "Placeholder", "Conv2D", "BiasAdd", "Relu")
def conv_unfused_broadcast(tf, rng):
    """A scalar multiplier and a [1, 1, 1, C] shift: both broadcast along the channels only."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME")
    y = tf.math.add(variable(tf, "bn/shift", rng.standard_normal((1, 1, 1, 4))), y * variable(tf, "bn/multiplier", 1.7))
    tf.nn.relu(y, name="y")
    return _image(rng), ["y"]


@stays
def conv_output_read_twice(tf, rng):
    """The convolution's output is an output too: scaling its filter would change it."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME", name="conv")
    tf.nn.relu(_fused(tf, rng, y, 4), name="y")
    return _image(rng), ["y", "conv"]


@stays
def filter_shared(tf, rng):
    """One filter, two convolutions each with its batch norm: folding either would change the other."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    kernel = variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4)))
    left = _fused(tf, rng, tf.nn.conv2d(x, kernel, 1, "SAME"), 4, name="bn_left")
    right = _fused(tf, rng, tf.nn.conv2d(x, kernel, 2, "SAME"), 4, name="bn_right")
    tf.add(tf.reduce_sum(left), tf.reduce_sum(right), name="y")
    return _image(rng), ["y"]


@stays
def batch_norm_is_the_output(tf, rng):
    """Its other outputs (the statistics) could be fetched; a BiasAdd has only one."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    _fused(tf, rng, tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME"), 4,
           name="y")
    return _image(rng), ["y"]


@stays
def after_relu(tf, rng):
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.relu(tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME"))
    tf.identity(_fused(tf, rng, y, 4), name="y")
    return _image(rng), ["y"]


@stays
def training_mode(tf, rng):
    """is_training: the batch's own statistics, not constants."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME")
    scale, offset = variable(tf, "bn/gamma", positive(rng, 4)), variable(tf, "bn/beta", positive(rng, 4))
    y = tf.raw_ops.FusedBatchNormV3(x=y, scale=scale, offset=offset, mean=tf.constant([], tf.float32),
                                    variance=tf.constant([], tf.float32), is_training=True, name="bn")[0]
    tf.identity(y, name="y")
    return _image(rng), ["y"]


@stays
def unfused_per_position(tf, rng):
    """Mul by a [6, 6, C] constant varies along height and width, not only the channels."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 6, 6, 3], name="x")
    y = tf.nn.conv2d(x, variable(tf, "conv/kernel", rng.standard_normal((3, 3, 3, 4))), 1, "SAME")
    y = y * variable(tf, "bn/multiplier", positive(rng, 6, 6, 4)) + variable(tf, "bn/shift", rng.standard_normal(4))
    tf.identity(y, name="y")
    return _image(rng), ["y"]


# --- freezing them -------------------------------------------------------------------------------

class Case:
    def __init__(self, tf, folder, builder):
        rng = np.random.default_rng(sum(map(ord, builder.__name__)))
        feeds = {}

        def build():
            feeds.update(zip(("feeds", "outputs"), builder(tf, rng)))

        self.graph, self.checkpoint = save_model(tf, folder, build)
        self.feeds, self.outputs = feeds["feeds"], feeds["outputs"]
        self.fetches = [f"{name}:0" for name in self.outputs]
        self.plain = self.freeze(folder / "plain.pb")
        self.optimized = self.freeze(folder / "optimized.pb", optimize=True)

    def freeze(self, output, **options) -> freezer.FreezeResult:
        return freezer.freeze_files(self.graph, self.checkpoint, outputs=self.outputs, output=output, **options)

    def run(self, result: freezer.FreezeResult) -> dict[str, np.ndarray]:
        return run_frozen(result.output_path, self.feeds, self.fetches)


@pytest.fixture(scope="module")
def cases(tf, tmp_path_factory) -> dict[str, Case]:
    root = tmp_path_factory.mktemp("batch_norms")
    builders = {**{name: builder for name, (builder, _, _) in FOLDED.items()}, **LEFT_ALONE}
    return {name: Case(tf, root / name, builder) for name, builder in builders.items()}


def assert_close(actual: dict[str, np.ndarray], expected: dict[str, np.ndarray], rtol: float) -> None:
    """Within rtol of each value, and of the output's largest magnitude where a sum cancels."""
    assert set(actual) == set(expected)
    for name, want in expected.items():
        got = actual[name]
        assert got.dtype == want.dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * float(np.max(np.abs(want))), err_msg=name)


def ops_but_consts(result: freezer.FreezeResult) -> Counter:
    return Counter(node.op for node in result.graph_def.node if node.op not in ("Const", "Identity"))


@pytest.mark.parametrize("name", [*FOLDED, *LEFT_ALONE])
def test_optimized_graph_computes_what_the_plain_one_does(cases, name):
    case = cases[name]
    assert_close(case.run(case.optimized), case.run(case.plain), rtol=1e-5)


@pytest.mark.parametrize("name", FOLDED)
def test_each_batch_norm_becomes_a_bias_add_of_folded_constants(cases, name):
    _, count, ops = FOLDED[name]
    result = cases[name].optimized
    assert result.optimized["folded batch norms"] == count
    assert ops_but_consts(result) == ops
    assert result.nodes_after < cases[name].plain.nodes_after
    nodes = {node.name: node for node in result.graph_def.node}
    bias_adds = [node for node in nodes.values() if node.op == "BiasAdd"]
    for bias_add in bias_adds:
        bias = nodes[bias_add.input[1]]
        assert bias.op == "Const" and bias.attr["dtype"].type == 1  # DT_FLOAT


def test_the_bias_add_takes_the_batch_norms_name(cases):
    nodes = {node.name: node for node in cases["conv_bias_fused"].optimized.graph_def.node}
    assert nodes["bn"].op == "BiasAdd" and nodes["bn"].input[0] == "Conv2D"
    assert nodes["y"].input == ["bn"]
    assert "conv/BiasAdd" not in nodes  # the convolution's own bias went into the folded one
    nodes = {node.name: node for node in cases["dense_unfused"].optimized.graph_def.node}
    assert nodes["batchnorm/add_1"].op == "BiasAdd" and "batchnorm/mul_1" not in nodes
    nchw = {node.name: node for node in cases["conv_nchw_fused"].optimized.graph_def.node}
    assert nchw["bn"].attr["data_format"].s == b"NCHW"


@pytest.mark.parametrize("name", LEFT_ALONE)
def test_batch_norms_that_cannot_fold_stay(cases, name):
    case = cases[name]
    assert "folded batch norms" not in case.optimized.optimized
    assert ops_but_consts(case.optimized) == ops_but_consts(case.plain)


def test_without_optimize_nothing_is_folded(cases):
    case = cases["conv_bias_fused"]
    assert case.plain.optimized == {}
    assert "FusedBatchNormV3" in ops_but_consts(case.plain)


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
@pytest.mark.parametrize("name", FOLDED)
def test_folded_graph_runs_in_cpp(cases, name):
    from cpp_loader import run_graph_in_cpp
    case = cases[name]
    assert_close(run_graph_in_cpp(case.optimized.output_path, case.feeds, case.fetches), case.run(case.plain),
                 rtol=1e-5)


def test_summary_says_how_many_were_folded(cases, tmp_path):
    case = cases["conv_two_batch_norms"]
    printed = freeze_successfully(case.graph, case.checkpoint, "--outputs", "y", "--optimize",
                                  "--output", tmp_path / "frozen.pb")
    (line,) = [line for line in printed.splitlines() if line.startswith("Optimized: ")]
    assert "folded batch norms 2" in line.removeprefix("Optimized: ").split(", ")


# --- a Keras model -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def keras_model(tf, tmp_path_factory):
    """Conv2D + BatchNormalization, DepthwiseConv2D + BatchNormalization (fused in inference), Dense +
    BatchNormalization (unfused: its multiplier is Rsqrt(variance + epsilon) · gamma, a Const once
    `fold_constants` has run), with random moving statistics; as a SavedModel."""
    tf_keras = pytest.importorskip("tf_keras")
    layers, rng = tf_keras.layers, np.random.default_rng(7)
    model = tf_keras.Sequential([
        tf_keras.Input((8, 8, 3)),
        layers.Conv2D(4, 3, padding="same"), layers.BatchNormalization(), layers.ReLU(),
        layers.DepthwiseConv2D(3, depth_multiplier=2, padding="same", use_bias=False),
        layers.BatchNormalization(), layers.ReLU(),
        layers.Flatten(), layers.Dense(5), layers.BatchNormalization(),
    ])
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.set_weights([positive(rng, *weight.shape) for weight in layer.get_weights()])
    folder = tmp_path_factory.mktemp("keras") / "model"
    tf.saved_model.save(model, str(folder))
    return folder, {"x": rng.standard_normal((2, 8, 8, 3)).astype(np.float32)}


def test_keras_batch_norms_fold(keras_model, tmp_path):
    folder, inputs = keras_model
    plain = freezer.freeze_files(folder, output=tmp_path / "plain.pb")
    optimized = freezer.freeze_files(folder, output=tmp_path / "optimized.pb", optimize=True)
    (input_key,) = plain.inputs
    feeds = {f"{input_key}:0": inputs["x"]}
    fetches = [f"{key}:0" for key in plain.outputs]
    assert_close(run_frozen(optimized.output_path, feeds, fetches), run_frozen(plain.output_path, feeds, fetches),
                 rtol=1e-5)
    assert ops_but_consts(plain)["FusedBatchNormV3"] == 2
    assert optimized.optimized["folded batch norms"] == 3  # Dense's once constant folding made its parameters Consts
    left = ops_but_consts(optimized)
    assert not {"FusedBatchNormV3", "Mul", "AddV2", "Sub", "Rsqrt"} & set(left)
    assert left["BiasAdd"] == 3


# --- hostile parameters --------------------------------------------------------------------------

def conv_batch_norm_graph(claiming: str | None) -> graph_pb2.GraphDef:
    """x -> Conv2D(kernel) -> FusedBatchNormV3(gamma, beta, mean, variance) -> Relu y, every Const
    small but `claiming`, which claims billions of elements of one value."""
    def parameter(name: str, value: np.ndarray):
        return claiming_const(name, [*value.shape[:-1], 1 << 33]) if name == claiming else const(name, value)
    strides = attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=[1, 1, 1, 1]))
    parts = ("gamma", "beta", "mean", "variance")
    return graph(node("x", "Placeholder", dtype=FLOAT), parameter("kernel", np.ones((1, 1, 3, 4))),
                 node("conv", "Conv2D", "x", "kernel", T=FLOAT, strides=strides,
                      padding=attr_value_pb2.AttrValue(s=b"SAME")),
                 *(parameter(part, np.ones(4)) for part in parts),
                 node("bn", "FusedBatchNormV3", "conv", *parts, T=FLOAT, U=FLOAT,
                      is_training=attr_value_pb2.AttrValue(b=False)),
                 node("y", "Relu", "bn", T=FLOAT))


@pytest.mark.parametrize("claiming", [None, "kernel", "gamma", "variance"])
def test_a_parameter_claiming_a_huge_shape_leaves_its_batch_norm_alone(tmp_path, claiming):
    """Read within fold_constants' bound, checked on the shape: the freeze neither fails nor builds
    the array (run under hostile.run_cli's memory limit). Without a hostile Const it folds."""
    source, output = tmp_path / "model.pb", tmp_path / "model.frozen.pb"
    source.write_bytes(conv_batch_norm_graph(claiming).SerializeToString())
    run = run_cli(source, "--outputs", "y", "--optimize", "-o", output)
    assert run.returncode == 0, run.stderr
    ops = [n.op for n in graph_pb2.GraphDef.FromString(output.read_bytes()).node]
    if claiming is None:
        assert "Optimized: folded constant subgraphs 0, folded batch norms 1," in run.stdout
        assert "FusedBatchNormV3" not in ops
    else:
        assert "batch norms" not in run.stdout
        assert ops.count("FusedBatchNormV3") == 1
