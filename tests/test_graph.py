"""Tensor-name grammar and the GraphIndex."""

import pytest

from freezer.graph import GraphIndex, InputRef, nearest, parse_input
from graphs import node, ref_variable_graph


@pytest.mark.parametrize("text, expected", [
    ("y", InputRef("y", 0)),
    ("y:0", InputRef("y", 0)),
    ("y:3", InputRef("y", 3)),
    ("^init", InputRef("init", 0, control=True)),
    ("scope/name:12", InputRef("scope/name", 12)),
    ("odd:name", InputRef("odd:name", 0)),  # a colon not followed by a port is part of the name
])
def test_parse_input(text, expected):
    assert parse_input(text) == expected


@pytest.mark.parametrize("text", ["y", "y:3", "^init", "a/b:1"])
def test_parse_input_round_trips(text):
    assert str(parse_input(text)) == text


def test_str_drops_port_zero():
    assert str(parse_input("y:0")) == "y"


def test_consumers_include_control_inputs():
    index = GraphIndex(ref_variable_graph())
    consumers = {(n.name, ref.control) for n, ref in index.consumers()["v/Assign"]}
    assert consumers == {("init", True)}


def test_nearest_prefers_similar_names():
    names = ["dense/kernel", "dense/bias", "dense_1/kernel", "output/Softmax"]
    assert nearest("dense/kernal", names)[0] == "dense/kernel"
    assert "output/Softmax" in nearest("Softmax", names)


def test_index_keeps_first_of_duplicate_names():
    from graphs import graph
    index = GraphIndex(graph(node("a", "NoOp"), node("a", "Const")))
    assert index["a"].op == "NoOp"
