"""TF1 graphs with v1 control flow, ref and resource variables: frozen, run in Python and in C++.

v1 control flow and the legacy layers are process-wide TensorFlow switches, so the graphs are built
by this file run as a script, in one subprocess: each case writes its graph, a checkpoint and the
outputs of the original graph restored from that checkpoint. The tests freeze every case with both
engines and compare. Builders take the `tensorflow` module and return (feed sets, fetched tensors).
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
from freezer.ops import TRAINING_OPS, VARIABLE_ACCESS_OPS
from freezer.graph import input_node_name
from freezer.tensors import REF_OFFSET
from fixture_models import assert_outputs_equal, build_in_child, run_frozen

CASES = {}  # name → builder


def case(builder):
    CASES[builder.__name__] = builder
    return builder


# --- builders (run in the subprocess) -------------------------------------------------------------

@case
def cond_with_variables(tf):
    """A cond reading a ref and a resource variable, with variables created inside each branch."""
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [2], name="x")
    take_true = v1.placeholder_with_default(True, [], name="take_true")
    ref = v1.get_variable("ref", [2], use_resource=False)
    res = v1.get_variable("res", [2], use_resource=True)

    def true_fn():
        return x * ref + v1.get_variable("in_true", [2], use_resource=False)

    def false_fn():
        return x + res + v1.get_variable("in_false", [2], use_resource=True)

    tf.identity(tf.cond(take_true, true_fn, false_fn), name="y")
    x_value = np.array([1.0, 2.0], np.float32)
    return [{"x:0": x_value}, {"x:0": x_value, "take_true:0": False}], ["y:0"]


@case
def case_with_variables(tf):
    """tf.case (nested v1 conds) whose branches read ref and resource variables."""
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [2], name="x")
    index = v1.placeholder_with_default(0, [], name="index")
    ref = v1.get_variable("ref", [2], use_resource=False)
    res = v1.get_variable("res", [2], use_resource=True)
    y = v1.case([(tf.equal(index, 0), lambda: x * ref), (tf.equal(index, 1), lambda: x * res)],
                default=lambda: x + ref + res)
    tf.identity(y, name="y")
    return [{"x:0": np.array([1.0, 2.0], np.float32), "index:0": np.int32(i)} for i in range(3)], ["y:0"]


@case
def while_reading_variables(tf):
    """A while loop whose body reads a resource variable (Enter T=resource) and a ref variable."""
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [2], name="x")
    res = v1.get_variable("res", [2], use_resource=True)
    ref = v1.get_variable("ref", [2], use_resource=False)
    _, y = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc * res + ref), [0, x])
    tf.identity(y, name="y")
    return [{"x:0": np.array([1.0, 2.0], np.float32)}], ["y:0"]


@case
def lstm(tf):
    """dynamic_rnn over an LSTMCell: a while loop reading the cell's variables."""
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [2, 5, 3], name="x")
    outputs, _ = v1.nn.dynamic_rnn(v1.nn.rnn_cell.LSTMCell(4), x, dtype=tf.float32)
    tf.identity(outputs, name="y")
    return [{"x:0": np.random.default_rng(1).standard_normal((2, 5, 3)).astype(np.float32)}], ["y:0"]


def _batch_norm(tf, use_resource: bool):
    """The classic batch norm: moving-average updates in the training branch, run as control deps."""
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    training = v1.placeholder_with_default(False, [], name="is_training")
    random = tf.random_uniform_initializer(0.5, 1.5)
    with v1.variable_scope("model", use_resource=use_resource):
        y = v1.layers.batch_normalization(x, training=training, moving_mean_initializer=random,
                                          moving_variance_initializer=random, gamma_initializer=random,
                                          beta_initializer=random)
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        tf.identity(y, name="y")
    x_value = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)
    return [{"x:0": x_value}, {"x:0": x_value, "is_training:0": True}], ["y:0"]


@case
def batch_norm_ref(tf):
    return _batch_norm(tf, use_resource=False)


@case
def batch_norm_resource(tf):
    return _batch_norm(tf, use_resource=True)


@case
def resource_reads(tf):
    """ResourceGather (twice on one variable, with batch_dims, in a while body), ResourceGatherNd,
    VariableShape, VarIsInitializedOp and IsVariableInitialized."""
    v1 = tf.compat.v1
    ids = v1.placeholder(tf.int32, [None], name="ids")
    emb = v1.get_variable("emb", [5, 3], use_resource=True)
    ref = v1.get_variable("ref", [2], use_resource=False)
    tf.identity(tf.nn.embedding_lookup(emb, ids) + tf.nn.embedding_lookup(emb, ids[::-1]), name="twice")
    tf.identity(tf.raw_ops.ResourceGather(resource=emb.handle, indices=[[0, 2], [1, 1], [2, 0], [2, 2], [1, 0]],
                                          dtype=tf.float32, batch_dims=1), name="batched")
    _, looped = tf.while_loop(lambda i, acc: i < 3,
                              lambda i, acc: (i + 1, acc + tf.reduce_sum(tf.nn.embedding_lookup(emb, ids))),
                              [0, 0.0])
    tf.identity(looped, name="looped")
    tf.identity(tf.gather_nd(emb, [[1, 2], [3, 0]]), name="gathered_nd")
    tf.identity(tf.raw_ops.VariableShape(input=emb.handle, out_type=tf.int64), name="shape")
    tf.identity(tf.raw_ops.VarIsInitializedOp(resource=emb.handle), name="initialized")
    tf.identity(v1.is_variable_initialized(ref), name="ref_initialized")
    outputs = ["twice", "batched", "looped", "gathered_nd", "shape", "initialized", "ref_initialized"]
    return [{"ids:0": np.array([0, 3, 4], np.int32)}], [f"{name}:0" for name in outputs]


@case
def read_ops_as_outputs(tf):
    """The outputs are the variables' read ops themselves: `ref/read` and `res/Read/ReadVariableOp`."""
    v1 = tf.compat.v1
    v1.get_variable("ref", [2], use_resource=False)
    v1.get_variable("res", [2], use_resource=True)
    return [{}], ["ref/read:0", "res/Read/ReadVariableOp:0"]


def build_all(folder: Path) -> None:
    """Build every case under `folder`/<name>: graph.pb, model checkpoint, spec.json, io.npz."""
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.disable_control_flow_v2()
    for name, builder in CASES.items():
        _build(tf, builder, folder / name)


def _build(tf, builder, folder: Path) -> None:
    v1 = tf.compat.v1
    folder.mkdir(parents=True)
    with tf.Graph().as_default() as graph:
        v1.set_random_seed(0)
        runs, fetches = builder(tf)
        saver = v1.train.Saver()
        (folder / "graph.pb").write_bytes(graph.as_graph_def().SerializeToString())
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            prefix = saver.save(session, str(folder / "model"))
        with v1.Session() as session:  # the original graph, restored from the checkpoint
            saver.restore(session, prefix)
            expected = [session.run(fetches, feed_dict=feeds) for feeds in runs]
    arrays, spec_runs = {}, []
    for i, (feeds, values) in enumerate(zip(runs, expected)):
        spec_runs.append({"feeds": {}, "expected": {}})
        for kind, tensors in (("feeds", feeds), ("expected", dict(zip(fetches, values)))):
            for j, (tensor, value) in enumerate(tensors.items()):
                arrays[f"{kind}{i}_{j}"] = np.asarray(value)
                spec_runs[-1][kind][tensor] = f"{kind}{i}_{j}"
    np.savez(folder / "io.npz", **arrays)
    outputs = list(dict.fromkeys(tensor.rsplit(":", 1)[0] for tensor in fetches))
    (folder / "spec.json").write_text(json.dumps({"outputs": outputs, "runs": spec_runs}))


# --- tests ---------------------------------------------------------------------------------------

ENGINES = ("native", "session")


@dataclasses.dataclass
class Built:
    folder: Path
    outputs: list[str]
    runs: list[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]  # (feeds, expected outputs)

    @property
    def fetches(self) -> list[str]:
        return list(self.runs[0][1])


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, Built]:
    folder = tmp_path_factory.mktemp("v1_graphs")
    build_in_child(__file__, folder)
    return {name: _load(folder / name) for name in CASES}


def _load(folder: Path) -> Built:
    spec = json.loads((folder / "spec.json").read_text())
    with np.load(folder / "io.npz") as arrays:
        runs = [({t: arrays[k] for t, k in run["feeds"].items()}, {t: arrays[k] for t, k in run["expected"].items()})
                for run in spec["runs"]]
    return Built(folder, spec["outputs"], runs)


@pytest.fixture(scope="module")
def frozen(built) -> dict[tuple[str, str], freezer.FreezeResult]:
    """(case, engine) → the result of freezing the case's graph with that engine."""
    return {(name, engine): freezer.freeze_files(case_.folder / "graph.pb", case_.folder / "model",
                                                 outputs=case_.outputs, engine=engine,
                                                 output=case_.folder / f"frozen-{engine}.pb")
            for name, case_ in built.items() for engine in ENGINES}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("name", CASES)
def test_frozen_graph_gives_the_original_outputs(built, frozen, name, engine):
    path = frozen[name, engine].output_path
    for feeds, expected in built[name].runs:
        assert_outputs_equal(run_frozen(path, feeds, built[name].fetches), expected)


@pytest.mark.parametrize("name", CASES)
def test_both_engines_write_the_same_bytes(frozen, name):
    assert frozen[name, "native"].output_path.read_bytes() == frozen[name, "session"].output_path.read_bytes()


@pytest.mark.parametrize("name", CASES)
def test_no_variable_assign_or_ref_op_and_no_resource_edge_left(frozen, name):
    graph_def = graph_pb2.GraphDef.FromString(frozen[name, "native"].output_path.read_bytes())
    assert not [node.name for node in graph_def.node if node.op in TRAINING_OPS | VARIABLE_ACCESS_OPS]
    assert not [node.name for node in graph_def.node if any(t > REF_OFFSET for t in _types(node))]
    ops = {node.name: node.op for node in graph_def.node}
    resource_sources = {ops[input_node_name(node.input[0])] for node in graph_def.node
                        if types_pb2.DT_RESOURCE in _types(node)}
    assert resource_sources <= {"TensorArrayV3"}  # the LSTM's loop reads its input from a TensorArray


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
@pytest.mark.parametrize("name", CASES)
def test_frozen_graph_runs_in_cpp(built, frozen, name):
    from cpp_loader import run_graph_in_cpp
    for feeds, expected in built[name].runs:
        assert_outputs_equal(run_graph_in_cpp(frozen[name, "native"].output_path, feeds, built[name].fetches),
                             expected)


def test_batch_norm_repairs_are_noted(frozen):
    assert frozen["batch_norm_ref", "native"].notes == [
        "Repaired for inference: 2 AssignSub → Sub, 2 RefSwitch → Switch."]
    assert frozen["batch_norm_resource", "native"].notes == [
        "Repaired for inference: 2 AssignSubVariableOp removed."]


def test_conds_keep_their_switches_and_merges(frozen):
    graph_def = graph_pb2.GraphDef.FromString(frozen["cond_with_variables", "native"].output_path.read_bytes())
    assert {"Switch", "Merge"} <= {node.op for node in graph_def.node}


def _types(node) -> list[int]:
    return [t for attr in node.attr.values() for t in [attr.type, *attr.list.type]]


if __name__ == "__main__":
    build_all(Path(sys.argv[1]))
