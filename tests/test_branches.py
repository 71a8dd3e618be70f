"""Pinning placeholders (--set) and folding control flow on constant predicates."""

import numpy as np
import pytest
from tensorboard.compat.proto import types_pb2

from freezer.errors import OptionError
from freezer.passes import PREPARE, PassContext, run_pipeline
from freezer.passes.pin import parse_value
from freezer.tensors import tensor_proto_to_numpy
from graphs import const, graph, node

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
    ctx = PassContext(outputs=["out"], pins=pins)
    return {n.name: n for n in run_pipeline(g, ctx, PREPARE).node}, ctx


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
    g = cond_graph()
    nodes, _ = prepare(g)
    assert [n.op for n in nodes.values()] == [n.op for n in cond_graph().node]


def test_if_with_a_constant_condition_becomes_a_call():
    g = graph(const("c", True, BOOL), node("x", "Placeholder", dtype=FLOAT),
              node("out", "If", "c", "x", Tcond=BOOL))
    g.node[2].attr["then_branch"].func.name = "then_fn"
    g.node[2].attr["else_branch"].func.name = "else_fn"
    g.node[2].attr["Tin"].list.type.append(FLOAT)
    g.node[2].attr["Tout"].list.type.append(FLOAT)
    nodes, _ = prepare(g)
    call = nodes["out"]
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
    with pytest.raises(OptionError, match="--set is_trainin: no node 'is_trainin' in the graph. Did you mean: is_training"):
        prepare(cond_graph(), is_trainin="false")
