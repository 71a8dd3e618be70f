"""Identity removal (`--optimize`, freezer/passes/optimize/remove_identities.py), and what a Keras
Dropout leaves once `keras_learning_phase` is pinned.

The Keras models are built by this file run as a script, in a child (`build_in_child`): tf-keras in
TF1 graph mode, with v1 (Switch/Merge) and v2 (If) control flow.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, types_pb2

import freezer
from fixture_models import build_in_child, run_frozen, run_tf
from freezer.errors import GraphError
from freezer.options import FreezeOptions
from freezer.passes import OPTIMIZE, PassContext
from freezer.passes.optimize.remove_identities import REMOVED, remove_identities
from graphs import const, graph, node, run_passes, types, variable

FLOAT, BOOL = types_pb2.DT_FLOAT, types_pb2.DT_BOOL


def remove(g: graph_pb2.GraphDef, outputs=("y",), optimize=True):
    """(the graph remove_identities leaves from a copy of `g`, its nodes by name, the context)."""
    ctx = PassContext(outputs=list(outputs), options=FreezeOptions(optimize=optimize))
    copy = graph_pb2.GraphDef()
    copy.CopyFrom(g)
    result = run_passes(copy, ctx, [remove_identities])
    return result, {n.name: n for n in result.node}, ctx


def placeholder(name="x", dtype=FLOAT):
    return node(name, "Placeholder", dtype=dtype)


def test_chains_of_every_identity_op_go_and_readers_read_the_source(tf):
    checked = node("checked", "CheckNumerics", "stop", T=FLOAT, message=attr_value_pb2.AttrValue(s=b"bad"))
    g = graph(placeholder(), const("w", [2.0, 3.0]), node("w/read", "Identity", "w", T=FLOAT),
              node("stop", "StopGradient", "w/read", T=FLOAT), checked,
              node("snap", "Snapshot", "x", T=FLOAT), node("prevent", "PreventGradient", "snap", T=FLOAT),
              node("y", "Mul", "prevent", "checked", T=FLOAT))
    result, nodes, ctx = remove(g)
    assert list(nodes) == ["x", "w", "y"] and list(nodes["y"].input) == ["x", "w"]
    assert ctx.optimized == {REMOVED: 5}
    feeds = {"x:0": np.float32([1.0, -1.0])}
    np.testing.assert_array_equal(run_tf(result, ["y:0"], feeds)[0], run_tf(g, ["y:0"], feeds)[0])


def test_control_inputs_move_to_the_readers():
    g = graph(placeholder(), placeholder("gate"), node("ready", "NoOp", "^gate"), const("c", 1.0),
              node("waits", "Identity", "x", "^ready", T=FLOAT), node("a", "AddV2", "waits", "c", T=FLOAT),
              node("after_c", "Identity", "c", T=FLOAT), node("after_gate", "Identity", "gate", T=FLOAT),
              node("y", "Mul", "a", "x", "^after_c", "^after_gate", "^waits", T=FLOAT))
    _, nodes, _ = remove(g)
    assert list(nodes["a"].input) == ["x", "c", "^ready"]
    # ^after_c: c is a Const without inputs, nothing to wait for; ^waits: what waits read and waited for
    assert list(nodes["y"].input) == ["a", "x", "^gate", "^ready"]


def test_a_wait_on_a_removed_node_that_a_removed_node_carried_stands_for_what_that_node_waited_for():
    """`b` waits for `a`, and both go: the readers of `b` wait for what `a` read and waited for,
    through any number of removed nodes, never for a removed one."""
    g = graph(placeholder(), placeholder("gate"), node("ready", "NoOp", "^gate"),
              node("a0", "Identity", "gate", "^ready", T=FLOAT), node("a", "Identity", "x", "^a0", T=FLOAT),
              node("b", "Identity", "x", "^a", T=FLOAT), node("y", "AddV2", "b", "b", T=FLOAT),
              node("z", "Neg", "x", "^b", T=FLOAT))
    _, nodes, ctx = remove(g, outputs=("y", "z"))
    assert list(nodes) == ["x", "gate", "ready", "y", "z"] and ctx.optimized == {REMOVED: 3}
    assert list(nodes["y"].input) == ["x", "x", "^ready", "^gate"]
    assert list(nodes["z"].input) == ["x", "^ready", "^gate"]


def test_removed_nodes_waiting_for_each_other_in_a_circle_are_an_error():
    g = graph(placeholder(), node("a", "Identity", "x", "^b", T=FLOAT), node("b", "Identity", "x", "^a", T=FLOAT),
              node("y", "Neg", "x", "^a", T=FLOAT))
    with pytest.raises(GraphError, match="cycle that is not a while loop: a -> b -> a"):
        remove(g)


def test_outputs_keep_their_identity():
    g = graph(placeholder(), node("y", "Identity", "x", T=FLOAT), node("z", "StopGradient", "y", T=FLOAT))
    _, nodes, ctx = remove(g, outputs=("y", "z"))
    assert list(nodes) == ["x", "y", "z"] and ctx.optimized == {REMOVED: 0}


def test_nothing_changes_without_optimize():
    g = graph(placeholder(), node("i", "Identity", "x", T=FLOAT), node("y", "Neg", "i", T=FLOAT))
    result, _, ctx = remove(g, optimize=False)
    assert result == g and ctx.optimized == {}


def test_identities_in_v1_control_flow_stay():
    g = graph(placeholder(), placeholder("flag", BOOL), node("switch", "Switch", "x", "flag", T=FLOAT),
              node("switch_t", "Identity", "switch:1", T=FLOAT), const("c", 2.0),
              node("c/in_branch", "Identity", "c", "^switch_t", T=FLOAT),
              node("value", "Mul", "switch_t", "c/in_branch", T=FLOAT),
              node("merge", "Merge", "switch", "value", T=FLOAT, N=attr_value_pb2.AttrValue(i=2)),
              node("after", "Identity", "merge", T=FLOAT),
              node("y", "Neg", "after", T=FLOAT))
    _, nodes, _ = remove(g)
    assert {"switch_t", "c/in_branch"} <= set(nodes) and "after" not in nodes


def test_the_read_of_a_variable_kept_as_a_variable_stays():
    g = graph(placeholder(), variable("v"), node("v/read", "Identity", "v", T=FLOAT),
              node("y", "Mul", "x", "v/read", T=FLOAT))
    _, nodes, _ = remove(g)
    assert "v/read" in nodes


def test_colocation_with_a_removed_identity_is_dropped():
    """By the optimize stage's last pass, which cleans up after all of them."""
    g = graph(placeholder(), node("i", "Identity", "x", T=FLOAT),
              node("y", "Neg", "i", T=FLOAT, _class=[b"loc:@i", b"loc:@x"]))
    result = run_passes(g, PassContext(outputs=["y"], options=FreezeOptions(optimize=True)), OPTIMIZE)
    assert [n.name for n in result.node] == ["x", "y"]
    assert list(result.node[1].attr["_class"].list.s) == [b"loc:@x"]


def test_a_cycle_of_identities_is_an_error():
    g = graph(node("a", "Identity", "b", T=FLOAT), node("b", "Identity", "a", T=FLOAT), node("y", "Neg", "a", T=FLOAT))
    with pytest.raises(GraphError) as error:
        remove(g)
    assert str(error.value) == ("The graph has a cycle that is not a while loop: a -> b -> a; TensorFlow cannot run "
                                "it. Check the inputs of those nodes, or re-export the graph.")


# ------------------------------------------------------------------------------- IdentityN


def identity_n(name: str, *inputs: str, count: int = 2):
    """An IdentityN of `count` float tensors (then `inputs` may add ^controls)."""
    return node(name, "IdentityN", *inputs, T=types(*[FLOAT] * count))


def test_readers_of_identity_n_read_its_inputs_port_by_port(tf):
    """As Keras's swish leaves it (its custom gradient), and chained; controls move as for Identity."""
    g = graph(placeholder(), placeholder("gate"), node("ready", "NoOp", "^gate"), const("c", [2.0, -3.0]),
              identity_n("swish/IdentityN", "x", "c", "^ready"),
              identity_n("twice", "swish/IdentityN:1", "swish/IdentityN", count=2),
              node("sub", "Sub", "swish/IdentityN:1", "swish/IdentityN", T=FLOAT),
              node("y", "Mul", "sub", "twice:1", T=FLOAT), node("z", "Neg", "twice", T=FLOAT))
    result, nodes, ctx = remove(g, outputs=("y", "z"))
    assert list(nodes) == ["x", "gate", "ready", "c", "sub", "y", "z"] and ctx.optimized == {REMOVED: 2}
    assert list(nodes["sub"].input) == ["c", "x", "^ready"]
    assert list(nodes["y"].input) == ["sub", "x", "^ready"] and list(nodes["z"].input) == ["c", "^ready"]
    feeds = {"x:0": np.float32([1.0, -1.0]), "gate:0": np.float32(0.0)}
    for got, want in zip(run_tf(result, ["y:0", "z:0"], feeds), run_tf(g, ["y:0", "z:0"], feeds)):
        np.testing.assert_array_equal(got, want)


def test_a_control_input_on_identity_n_waits_for_each_of_its_inputs():
    g = graph(placeholder(), placeholder("p"), placeholder("q"), identity_n("both", "p", "q"),
              node("y", "Neg", "x", "^both", T=FLOAT))
    _, nodes, _ = remove(g)
    assert "both" not in nodes and list(nodes["y"].input) == ["x", "^p", "^q"]


def test_identity_n_stays_where_an_identity_would_and_where_a_port_is_missing():
    named = graph(placeholder(), identity_n("y", "x", "x"))
    in_cond = graph(placeholder(), placeholder("flag", BOOL), node("switch", "Switch", "x", "flag", T=FLOAT),
                    identity_n("branch", "switch:1", "switch:1"), node("y", "Neg", "branch:1", T=FLOAT))
    reading_a_kept_variable = graph(placeholder(), variable("v"), identity_n("pair", "x", "v"),
                                    node("y", "Mul", "pair", "pair:1", T=FLOAT))
    missing_port = graph(placeholder(), identity_n("pair", "x", "x"), node("y", "Neg", "pair:2", T=FLOAT))
    for g in (named, in_cond, reading_a_kept_variable, missing_port):
        result, _, ctx = remove(g)
        assert result == g and ctx.optimized == {REMOVED: 0}


# ------------------------------------------------------------------------------- Keras dropout


@pytest.fixture(scope="module")
def dropout_models(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dropout")
    build_in_child(__file__, folder)
    return folder


def freeze_dropout(folder: Path, optimize: bool):
    return freezer.freeze_files(folder / "model.pb", folder / "ckpt", outputs="dense_1/BiasAdd",
                                pin={"keras_learning_phase": "0"}, optimize=optimize,
                                output=folder / f"frozen_{optimize}.pb")


def assert_inference_values(folder: Path, result) -> None:
    with np.load(folder / "io.npz") as arrays:
        got = run_frozen(result.output_path, {"dense_input:0": arrays["x"]}, ["dense_1/BiasAdd:0"])
        np.testing.assert_allclose(got["dense_1/BiasAdd:0"], arrays["y"], rtol=1e-6)


def test_dropout_with_v1_control_flow_leaves_nothing_once_pinned(dropout_models):
    """Branch folding turns dropout/cond into Identities (switch, branch, merge); they go here."""
    folder = dropout_models / "v1"
    plain, optimized = freeze_dropout(folder, False), freeze_dropout(folder, True)
    assert {n.name for n in plain.graph_def.node if n.name.startswith("dropout/")}
    assert [n.op for n in optimized.graph_def.node] == ["Placeholder", "Const", "Const", "MatMul", "BiasAdd", "Relu",
                                                       "Const", "Const", "MatMul", "BiasAdd"]
    assert_inference_values(folder, optimized)


def test_dropout_with_v2_control_flow_leaves_nothing_once_pinned(dropout_models):
    folder = dropout_models / "v2"
    optimized = freeze_dropout(folder, True)
    assert_inference_values(folder, optimized)
    assert not [n.name for n in optimized.graph_def.node if n.name.startswith("dropout/")]


def build(folder: Path, control_flow: str) -> None:
    """A Dense-Dropout-Dense tf-keras model in TF1 graph mode, its checkpoint and inference values."""
    import tensorflow as tf
    import tf_keras
    tf.compat.v1.disable_eager_execution()
    if control_flow == "v1":
        tf.compat.v1.disable_control_flow_v2()
    tf.compat.v1.set_random_seed(3)
    model = tf_keras.Sequential([tf_keras.layers.Dense(4, activation="relu", input_shape=(3,)),
                                 tf_keras.layers.Dropout(0.5), tf_keras.layers.Dense(2)])
    session = tf.compat.v1.keras.backend.get_session()
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    y = session.run(model.output, {model.input: x})  # keras_learning_phase defaults to 0: inference
    tf.compat.v1.train.Saver().save(session, str(folder / "ckpt" / "model"))
    tf.io.write_graph(session.graph.as_graph_def(), str(folder), "model.pb", as_text=False)
    np.savez(folder / "io.npz", x=x, y=y)


if __name__ == "__main__":
    root = Path(sys.argv[1])
    if len(sys.argv) == 2:  # one child per control flow version: the switch is process-wide
        import subprocess
        for version in ("v1", "v2"):
            (root / version / "ckpt").mkdir(parents=True)
            subprocess.run([sys.executable, __file__, str(root / version), version], check=True, env=os.environ)
    else:
        build(root, sys.argv[2])
