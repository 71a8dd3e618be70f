"""v2 control flow reading resource variables, built by TensorFlow, frozen, run in TF and in C++.

Each scenario is a TF1-style graph (`tf.Graph().as_default()`, resource variables, control flow
v2 as TF2 builds it) whose variables reach `If`/`While`/`Case`/`StatefulPartitionedCall` nodes as
`DT_RESOURCE` arguments. The graphs are built in one subprocess (this file run as a script)
because the legacy Keras cells and layers need `TF_USE_LEGACY_KERAS=1` before TensorFlow is
imported. Each is saved with `tf.compat.v1.train.Saver`, frozen with both engines, and must give
the outputs the original graph gave, in Python and in C++, with no variable handle left anywhere.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto import graph_pb2, types_pb2

import freezer
from fixture_models import assert_outputs_equal, build_in_child, run_frozen

ENGINES = ("native", "session")
HANDLE_OPS = {"VarHandleOp", "ReadVariableOp", "ResourceGather", "ResourceGatherNd", "VariableShape",
              "AssignVariableOp", "VarIsInitializedOp"}


# --- building the graphs (runs in the subprocess) ---------------------------------------------

def build_cond(tf, rng):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    p = tf.compat.v1.placeholder(tf.bool, [], name="p")
    v, w = _variable(tf, "v", [3]), _variable(tf, "w", [3])
    tf.identity(tf.cond(p, lambda: x * v, lambda: x + w), name="y_then")
    tf.identity(tf.cond(tf.logical_not(p), lambda: x * v, lambda: x + w), name="y_else")
    return {"x:0": rng.rand(2, 3).astype(np.float32), "p:0": np.array(True)}, ["If"]


def build_while(tf, rng):
    n = tf.compat.v1.placeholder(tf.int32, [], name="n")
    v = _variable(tf, "v", [4])
    _, acc = tf.while_loop(lambda i, acc: i < n, lambda i, acc: (i + 1, acc * 0.5 + v), [0, tf.zeros([4])])
    tf.identity(acc, name="y")
    return {"n:0": np.array(5, np.int32)}, ["While"]


def build_case(tf, rng):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    index = tf.compat.v1.placeholder(tf.int32, [], name="index")
    a, b, c = (_variable(tf, name, [3]) for name in "abc")
    branches = [lambda: x * a, lambda: x + b, lambda: x - c]
    tf.identity(tf.switch_case(index, branches), name="y")
    tf.identity(tf.switch_case(index + 1, branches), name="y_next")
    return {"x:0": rng.rand(2, 3).astype(np.float32), "index:0": np.array(1, np.int32)}, ["Case"]


def build_function(tf, rng):
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    w, b = _variable(tf, "w", [3, 2]), _variable(tf, "b", [2])

    @tf.function
    def dense(inputs):
        return tf.nn.relu(tf.matmul(inputs, w) + b)

    tf.identity(dense(x), name="y")
    return {"x:0": rng.rand(2, 3).astype(np.float32)}, ["StatefulPartitionedCall"]


def build_nested(tf, rng):
    """A cond inside a while body: the variables go into the loop, then into the branches."""
    v, w = _variable(tf, "v", [2]), _variable(tf, "w", [2])

    def body(i, acc):
        return i + 1, tf.cond(tf.equal(i % 2, 0), lambda: acc + v, lambda: acc * w)

    _, acc = tf.while_loop(lambda i, acc: i < 5, body, [0, tf.ones([2])])
    tf.identity(acc, name="y")
    return {}, ["While"]


def build_gather_loop(tf, rng):
    """Embedding lookups in a loop body: ResourceGather, twice on one variable."""
    ids = tf.compat.v1.placeholder(tf.int32, [None], name="ids")
    emb, scale = _variable(tf, "emb", [10, 4]), _variable(tf, "scale", [4])

    def body(i, acc):
        first = tf.nn.embedding_lookup(emb, ids[i])
        second = tf.nn.embedding_lookup(emb, (ids[i] + 1) % 10)
        return i + 1, acc + first * second * scale

    _, acc = tf.while_loop(lambda i, acc: i < tf.size(ids), body, [0, tf.zeros([4])])
    tf.identity(acc, name="y")
    return {"ids:0": np.array([3, 9, 0, 3], np.int32)}, ["While"]


def build_dynamic_rnn(tf, rng):
    """The TF1 LSTMCell reads its weights before the loop: they enter a StatelessWhile as values."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="x")
    cell = tf.compat.v1.nn.rnn_cell.LSTMCell(4, initializer=tf.compat.v1.random_normal_initializer(seed=3))
    outputs, state = tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    tf.identity(outputs, name="y")
    tf.identity(state.h, name="h")
    return {"x:0": rng.rand(2, 5, 3).astype(np.float32)}, ["StatelessWhile"]


def build_dynamic_rnn_keras_cell(tf, rng):
    """The Keras LSTMCell reads its weights in the loop body: they enter the While as handles."""
    import tf_keras
    x = tf.compat.v1.placeholder(tf.float32, [None, 5, 3], name="x")
    cell = tf_keras.layers.LSTMCell(4, kernel_initializer=tf.compat.v1.random_normal_initializer(seed=5),
                                    bias_initializer=tf.compat.v1.random_normal_initializer(seed=6))
    outputs, state = tf.compat.v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    tf.identity(outputs, name="y")
    tf.identity(state[0], name="h")
    return {"x:0": rng.rand(2, 5, 3).astype(np.float32)}, ["While"]


def build_batch_norm(tf, rng):
    """Legacy-Keras batch norm with a training placeholder: an If per statistic."""
    import tf_keras
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    training = tf.compat.v1.placeholder_with_default(False, [], name="is_training")
    random = tf.compat.v1.random_uniform_initializer(0.5, 2.0, seed=4)
    layer = tf_keras.layers.BatchNormalization(moving_mean_initializer=random, moving_variance_initializer=random,
                                               gamma_initializer=random, beta_initializer=random)
    tf.identity(layer(x, training=training), name="y")
    tf.identity(layer(x, training=tf.logical_not(training)), name="y_batch_stats")
    return {"x:0": rng.rand(3, 4).astype(np.float32)}, ["If"]


BUILDERS = {"cond": build_cond, "while": build_while, "case": build_case, "function": build_function,
            "nested": build_nested, "gather_loop": build_gather_loop, "dynamic_rnn": build_dynamic_rnn,
            "dynamic_rnn_keras_cell": build_dynamic_rnn_keras_cell, "batch_norm": build_batch_norm}
TOLERANCES = {"dynamic_rnn": 1e-5, "dynamic_rnn_keras_cell": 1e-5}  # absolute; the others as fixture_models
READ_BEFORE_CALLS = {"dynamic_rnn"}  # scenarios whose functions get values, not handles, to begin with


def _variable(tf, name, shape):
    return tf.compat.v1.get_variable(name, shape, use_resource=True,
                                     initializer=tf.compat.v1.random_normal_initializer(seed=len(name)))


def build_all(root: Path) -> None:
    """Build, run and save every scenario under `root/<name>/`."""
    import tensorflow as tf
    for name, builder in BUILDERS.items():
        folder = root / name
        (folder / "ckpt").mkdir(parents=True)
        with tf.Graph().as_default() as graph:
            feeds, ops = builder(tf, np.random.RandomState(0))
            outputs = [node.name for node in graph.as_graph_def().node
                       if node.name in ("y", "y_then", "y_else", "y_next", "y_batch_stats", "h")]
            fetches = [f"{output}:0" for output in outputs]
            saver = tf.compat.v1.train.Saver()
            with tf.compat.v1.Session() as session:
                session.run(tf.compat.v1.global_variables_initializer())
                expected = session.run(fetches, feed_dict=feeds)
                saver.save(session, str(folder / "ckpt" / "model"))
            (folder / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
        spec = {"outputs": outputs, "feeds": list(feeds), "fetches": fetches, "ops": ops}
        (folder / "spec.json").write_text(json.dumps(spec))
        np.savez(folder / "arrays.npz", *feeds.values(), *expected)


# --- the tests --------------------------------------------------------------------------------

@dataclasses.dataclass
class Scenario:
    name: str
    folder: Path
    outputs: list[str]
    feeds: dict[str, np.ndarray]
    expected: dict[str, np.ndarray]
    ops: list[str]  # the functional ops the original graph has (passing variables to them, mostly)

    def assert_matches(self, actual: dict[str, np.ndarray]) -> None:
        tolerance = TOLERANCES.get(self.name)
        if tolerance is None:
            assert_outputs_equal(actual, self.expected)
            return
        for name, want in self.expected.items():
            np.testing.assert_allclose(actual[name], want, rtol=0, atol=tolerance, err_msg=name)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    pytest.importorskip("tensorflow")
    pytest.importorskip("tf_keras")
    root = tmp_path_factory.mktemp("v2_graphs")
    build_in_child(__file__, root)
    return root


@pytest.fixture(scope="module", params=list(BUILDERS))
def scenario(request, built) -> Scenario:
    folder = built / request.param
    spec = json.loads((folder / "spec.json").read_text())
    with np.load(folder / "arrays.npz") as arrays:
        values = [arrays[f"arr_{i}"] for i in range(len(arrays.files))]
    feeds = dict(zip(spec["feeds"], values))
    expected = dict(zip(spec["fetches"], values[len(feeds):]))
    return Scenario(request.param, folder, spec["outputs"], feeds, expected, spec["ops"])


@pytest.fixture(scope="module")
def frozen(scenario) -> dict[str, Path]:
    """Engine → the scenario's graph frozen with it, calls kept: freezing the functions that take
    variables is what these tests are about (by default calls are inlined; see the last test)."""
    return {engine: freezer.freeze_files(scenario.folder / "graph.pb", scenario.folder / "ckpt",
                                         outputs=scenario.outputs, engine=engine, keep_calls=True,
                                         output=scenario.folder / f"frozen_{engine}.pb").output_path
            for engine in ENGINES}


def read(path: Path) -> graph_pb2.GraphDef:
    return graph_pb2.GraphDef.FromString(path.read_bytes())


def test_the_original_has_the_control_flow_meant(scenario):
    graph_def = read(scenario.folder / "graph.pb")
    nodes = [node for node in graph_def.node if node.op in scenario.ops]
    assert {node.op for node in nodes} == set(scenario.ops)
    takes_handles = any(_resource_attrs(node) for node in nodes)
    assert takes_handles == (scenario.name not in READ_BEFORE_CALLS)


@pytest.mark.parametrize("engine", ENGINES)
def test_frozen_outputs_equal_the_original(scenario, frozen, engine):
    scenario.assert_matches(run_frozen(frozen[engine], scenario.feeds, list(scenario.expected)))


def test_engines_write_identical_bytes(frozen):
    assert frozen["native"].read_bytes() == frozen["session"].read_bytes()


def test_no_variable_handle_left_anywhere(frozen):
    graph_def = read(frozen["native"])
    assert graph_def.library.function, "the functions were dropped instead of frozen"
    bodies = [("graph", graph_def.node)] + [(f.signature.name, f.node_def) for f in graph_def.library.function]
    for where, nodes in bodies:
        assert not [n.name for n in nodes if n.op in HANDLE_OPS or _resource_attrs(n)], where
    for function in graph_def.library.function:
        arguments = list(function.signature.input_arg) + list(function.signature.output_arg)
        assert types_pb2.DT_RESOURCE not in [arg.type for arg in arguments], function.signature.name
        assert not function.resource_arg_unique_id


def test_library_holds_only_called_functions(frozen):
    """Every library function is named by a function attr of some node (graph or function body)."""
    graph_def = read(frozen["native"])
    nodes = list(graph_def.node) + [n for f in graph_def.library.function for n in f.node_def]
    named = {func.name for n in nodes for value in n.attr.values()
             for func in ([value.func] if value.HasField("func") else []) + list(value.list.func)}
    assert {f.signature.name for f in graph_def.library.function} <= named


def test_freezing_the_frozen_graph_changes_nothing(scenario, frozen, tmp_path):
    again = freezer.freeze_files(frozen["native"], outputs=scenario.outputs, output=tmp_path / "again.pb",
                                 keep_calls=True)
    assert again.output_path.read_bytes() == frozen["native"].read_bytes()


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_frozen_graph_runs_in_cpp(scenario, frozen):
    from cpp_loader import run_graph_in_cpp
    scenario.assert_matches(run_graph_in_cpp(frozen["native"], scenario.feeds, list(scenario.expected)))


def _resource_attrs(node) -> list[str]:
    return [key for key, attr in node.attr.items()
            if attr.type == types_pb2.DT_RESOURCE or types_pb2.DT_RESOURCE in attr.list.type]


if __name__ == "__main__":
    build_all(Path(sys.argv[1]))


def test_calls_are_inlined_by_default_with_the_same_outputs(scenario, tmp_path):
    result = freezer.freeze_files(scenario.folder / "graph.pb", scenario.folder / "ckpt", outputs=scenario.outputs,
                                  output=tmp_path / "inlined.pb")
    graph_def = read(result.output_path)
    assert not [n.name for n in graph_def.node if n.op in ("PartitionedCall", "StatefulPartitionedCall")]
    scenario.assert_matches(run_frozen(result.output_path, scenario.feeds, list(scenario.expected)))
    again = freezer.freeze_files(result.output_path, outputs=scenario.outputs, output=tmp_path / "again.pb")
    assert again.output_path.read_bytes() == result.output_path.read_bytes()
