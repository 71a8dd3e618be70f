"""Pinning placeholders (--set) and folding control flow on constant predicates."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from tensorboard.compat.proto import types_pb2

from freezer.errors import OptionError
from freezer.options import FreezeOptions
from freezer.passes import PREPARE, PassContext
from freezer.passes.pin import parse_value
from freezer.tensors import tensor_proto_to_numpy
from graphs import const, graph, node, run_passes

BOOL, FLOAT = types_pb2.DT_BOOL, types_pb2.DT_FLOAT


def cond_graph():
    """out = Merge(f(x) on the false branch, g(x) on the true branch); `is_training` picks."""
    return graph(
        node("x", "Placeholder", dtype=FLOAT),
        const("default", True, BOOL),
        node("is_training", "PlaceholderWithDefault", "default", dtype=BOOL),
        node("sw", "Switch", "x", "is_training", T=FLOAT),
        node("train", "Square", "sw:1", T=FLOAT),
        node("update", "NoOp", "^train"),
        node("after_update", "Identity", "sw:1", "^update", T=FLOAT),
        node("infer", "Neg", "sw", T=FLOAT),
        node("out", "Merge", "infer", "after_update", T=FLOAT),
        node("which", "Identity", "out:1", T=types_pb2.DT_INT32),
    )


def prepare(g, **pins):
    ctx = PassContext(outputs=["out"], options=FreezeOptions(pin=pins))
    return {n.name: n for n in run_passes(g, ctx, PREPARE).node}, ctx


def test_pinning_false_removes_the_training_branch():
    nodes, ctx = prepare(cond_graph(), is_training="false")
    assert "train" not in nodes and "update" not in nodes and "after_update" not in nodes
    assert (nodes["sw"].op, list(nodes["sw"].input)) == ("Identity", ["x"])
    assert (nodes["out"].op, list(nodes["out"].input)) == ("Identity", ["infer"])
    assert ctx.notes == ["Pinned is_training=false."]
    assert nodes["is_training"].op == "Const" and list(nodes["is_training"].input) == []


def test_pinning_true_keeps_the_training_branch_and_rewires_it():
    nodes, _ = prepare(cond_graph(), is_training="True")
    assert "infer" not in nodes
    assert list(nodes["train"].input) == ["sw"] and list(nodes["after_update"].input) == ["sw", "^update"]
    assert list(nodes["out"].input) == ["after_update"]


def test_the_merge_index_becomes_a_constant():
    nodes, _ = prepare(cond_graph(), is_training="true")
    assert list(nodes["which"].input) == ["out/value_index"]
    assert tensor_proto_to_numpy(nodes["out/value_index"].attr["value"].tensor) == 1


def test_unpinned_graph_is_unchanged():
    ctx = PassContext(outputs=["out"])
    assert run_passes(cond_graph(), ctx, PREPARE) == cond_graph()


def test_if_with_a_constant_condition_becomes_a_call():
    """With --keep-calls, the call of the branch taken stays (else it is inlined like any call)."""
    g = graph(const("c", True, BOOL), node("x", "Placeholder", dtype=FLOAT),
              node("out", "If", "c", "x", Tcond=BOOL))
    g.node[2].attr["then_branch"].func.name = "then_fn"
    g.node[2].attr["else_branch"].func.name = "else_fn"
    g.node[2].attr["Tin"].list.type.append(FLOAT)
    g.node[2].attr["Tout"].list.type.append(FLOAT)
    ctx = PassContext(outputs=["out"], options=FreezeOptions(keep_calls=True))
    call = {n.name: n for n in run_passes(g, ctx, PREPARE).node}["out"]
    assert (call.op, list(call.input), call.attr["f"].func.name) == ("StatefulPartitionedCall", ["x"], "then_fn")
    assert set(call.attr) == {"Tin", "Tout", "f"}


@pytest.mark.parametrize("text, dtype, expected", [
    ("false", BOOL, False), ("1", BOOL, True), ("0.5", FLOAT, np.float32(0.5)),
    ("[1, 2]", types_pb2.DT_INT64, [1, 2]), ("hi", types_pb2.DT_STRING, "hi"),
])
def test_parse_value(text, dtype, expected):
    np.testing.assert_array_equal(parse_value(text, dtype, "p"), expected)


@pytest.mark.parametrize("text, dtype", [("maybe", BOOL), ("1.5", types_pb2.DT_INT32), ("x", FLOAT)])
def test_bad_values(text, dtype):
    with pytest.raises(OptionError, match=f"--set p={text}: '{text}' is not a"):
        parse_value(text, dtype, "p")


def test_pinning_something_else_than_a_placeholder():
    with pytest.raises(OptionError, match="--set infer: infer is a Neg, not a placeholder"):
        prepare(cond_graph(), infer="1")


def test_pinning_an_unknown_name_suggests_near_names():
    with pytest.raises(OptionError, match="--set is_trainin: no node 'is_trainin' in the graph; name a Placeholder or "
                                          "PlaceholderWithDefault. Did you mean: is_training"):
        prepare(cond_graph(), is_trainin="false")


def test_a_merge_keeps_its_live_inputs_and_loses_dead_ones():
    g = graph(node("x", "Placeholder", dtype=FLOAT), const("p", False, BOOL),
              node("sw", "Switch", "x", "p", T=FLOAT), node("other", "Placeholder", dtype=FLOAT),
              node("pivot_t", "Identity", "sw:1", T=FLOAT), node("gone", "NoOp", "^pivot_t"),
              node("out", "Merge", "sw:1", "sw", "other", "^gone", T=FLOAT))
    g.node[6].attr["N"].i = 3
    nodes = {n.name: n for n in run_passes(g, PassContext(outputs=["out"]), PREPARE).node}
    assert "gone" not in nodes and "pivot_t" not in nodes
    assert (nodes["out"].op, list(nodes["out"].input), nodes["out"].attr["N"].i) == ("Merge", ["sw", "other"], 2)


def test_a_folded_switch_keeps_its_control_inputs():
    g = graph(node("x", "Placeholder", dtype=FLOAT), const("p", True, BOOL), node("check", "NoOp"),
              node("sw", "Switch", "x", "p", "^check", T=FLOAT), node("y", "Identity", "sw:1", T=FLOAT))
    nodes = {n.name: n for n in run_passes(g, PassContext(outputs=["y"]), PREPARE).node}
    assert list(nodes["sw"].input) == ["x", "^check"] and list(nodes["y"].input) == ["sw"]


# A v1 while loop inside the branch that pinning rules out must vanish whole (TF's executor kills a
# loop whose Enter is dead); TensorFlow must then import and run the frozen graph.
LOOP_IN_BRANCH = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    import numpy as np
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.disable_control_flow_v2()
    x = tf.compat.v1.placeholder(tf.float32, [], name="x")
    training = tf.compat.v1.placeholder_with_default(True, [], name="training")
    def looped():
        return tf.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * 2.0), [0, x])[1]
    with tf.control_dependencies([tf.no_op(name="before")]):
        y = tf.cond(training, looped, lambda: x + 1.0)
    tf.identity(y, name="y")
    tf.io.write_graph(tf.compat.v1.get_default_graph().as_graph_def(), sys.argv[1], "model.pb", as_text=False)
""")


@pytest.mark.parametrize("pin, expected", [("false", 3.0), ("true", 16.0)])
def test_a_loop_in_a_pinned_away_branch_is_removed_whole(tmp_path, pin, expected):
    import freezer
    from fixture_models import run_frozen
    subprocess.run([sys.executable, "-c", LOOP_IN_BRANCH, str(tmp_path)], check=True, timeout=120)
    result = freezer.freeze_files(tmp_path / "model.pb", outputs="y", output=tmp_path / "f.pb",
                                  pin={"training": pin})
    ops = [n.op for n in result.graph_def.node]
    assert ("Enter" in ops) == (pin == "true")  # the loop lives only in the "true" branch
    assert run_frozen(result.output_path, {"x:0": np.float32(2.0)}, ["y:0"])["y:0"] == expected


def test_int64_values_are_exact():
    assert parse_value("9007199254740993", types_pb2.DT_INT64, "n") == 9007199254740993
    assert parse_value(str(2**63 - 1), types_pb2.DT_INT64, "n") == 2**63 - 1
    with pytest.raises(OptionError, match="is not a uint8 value"):
        parse_value("256", types_pb2.DT_UINT8, "n")


def test_a_pinned_value_must_fit_the_placeholders_shape():
    g = graph(node("x", "Placeholder", dtype=FLOAT))
    g.node[0].attr["shape"].shape.dim.add(size=-1)
    g.node[0].attr["shape"].shape.dim.add(size=4)
    with pytest.raises(OptionError, match=r"--set x=1: x takes shape \[\?, 4\], not shape \[\]; give a value"):
        run_passes(g, PassContext(outputs=["x"], options=FreezeOptions(pin={"x": "1"})), PREPARE)
    run_passes(g, PassContext(outputs=["x"], options=FreezeOptions(pin={"x": "[[1, 2, 3, 4]]"})), PREPARE)


def test_string_placeholders_take_strings_only():
    with pytest.raises(OptionError, match="is not a string value"):
        parse_value("[1, 2]", types_pb2.DT_STRING, "s")
