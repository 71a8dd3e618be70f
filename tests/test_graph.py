"""Tensor-name grammar and the GraphIndex."""

import collections.abc

import pytest

from freezer.graph import GraphIndex, InputRef, input_node_name, nearest, parse_input, reachable
from graphs import graph, node, ref_variable_graph


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


@pytest.mark.parametrize("text", ["y", "y:0", "y:3", "^init", "^a:1", "scope/name:12", "odd:name", "a:", "a:\u00b2", ""])
def test_input_node_name_is_the_parsed_node(text):
    assert input_node_name(text) == parse_input(text).node


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
    index = GraphIndex(graph(node("a", "NoOp"), node("a", "Const")))
    assert index["a"].op == "NoOp"


def parsed_with_fields(graph_def):
    """The graph written as text and read back, with the node fields the parser gives."""
    from google.protobuf import text_format
    from tensorboard.compat.proto import graph_pb2
    from freezer.io.pbtxt import parse_text
    parsed = graph_pb2.GraphDef()
    fields = parse_text(text_format.MessageToString(graph_def).encode(), parsed)
    assert fields is not None
    return parsed, fields


def test_an_index_from_the_parsers_fields_equals_one_read_from_protobuf():
    parsed, fields = parsed_with_fields(graph(node("x", "Placeholder"), node("c", "Const"),
                                              node("y", "AddN", "x", "c:0", "^x"), node("z", "NoOp", "^y")))
    given, read = GraphIndex(parsed, fields), GraphIndex(parsed)
    assert given.nodes == read.nodes and list(given.nodes) == list(read.nodes)
    assert given.ops == read.ops and given.entries == read.entries and list(given.entries) == list(read.entries)
    assert given.edges == read.edges and reachable(given, ["z"]) == reachable(read, ["z"])


def test_an_index_of_a_graph_with_a_name_twice_reads_the_first_node_whatever_the_fields():
    parsed, fields = parsed_with_fields(graph(node("a", "NoOp"), node("a", "Const", "b"), node("b", "NoOp")))
    index = GraphIndex(parsed, fields)
    assert index["a"].op == "NoOp" and index.ops["a"] == "NoOp" and index.entries["a"] == []


def test_edges_list_data_inputs_then_controls_and_a_consumer_per_entry():
    edges = GraphIndex(graph(node("a", "Const"), node("b", "Split", "a"),
                             node("c", "AddN", "^a", "b", "b:1", "missing:0", "^gone"))).edges
    assert edges.inputs == {"a": [], "b": ["a"], "c": ["b", "b", "a"]}  # names not in the graph left out
    assert edges.data_inputs == {"a": [], "b": ["a"], "c": ["b", "b"]}
    assert edges.consumers == {"a": ["b", "c"], "b": ["c", "c"], "c": []}


def test_edges_and_ops_are_of_the_first_node_of_a_name():
    index = GraphIndex(graph(node("a", "NoOp"), node("b", "Identity", "a"), node("a", "Const"), node("b", "Relu")))
    assert index.ops == {"a": "NoOp", "b": "Identity"}
    assert index.edges.consumers == {"a": ["b"], "b": []}
    assert [n.op for n in index.nodes_by_op({"Const", "NoOp", "Relu"})] == ["NoOp"]


def test_reachable_follows_data_and_control_inputs_through_cycles():
    index = GraphIndex(graph(node("x", "Placeholder"), node("loop", "Merge", "x", "next"),
                             node("next", "NextIteration", "loop:0"), node("init", "NoOp"),
                             node("y", "Identity", "loop", "^init"), node("unused", "Const")))
    assert reachable(index, ["y", "not_there"]) == {"y", "loop", "x", "next", "init"}


def test_reachable_is_remembered_per_index_and_outputs():
    graph_def = graph(node("x", "Placeholder"), node("y", "Identity", "x"), node("z", "Identity", "y"))
    index = GraphIndex(graph_def)
    assert reachable(index, ["y"]) == {"x", "y"}
    assert reachable(index, ["z"]) == {"x", "y", "z"}
    assert reachable(index, ["y"]) is reachable(index, ["y"])  # one walk, shared: callers cannot change it
    assert isinstance(reachable(index, ["y"]), collections.abc.Set)  # read-only: no add, discard, ...
    assert not hasattr(reachable(index, ["y"]), "add") and not hasattr(reachable(index, ["y"]), "discard")
    del graph_def.node[0]  # a pass changed the graph: a new index walks it again
    assert reachable(GraphIndex(graph_def), ["z"]) == {"y", "z"}


def test_a_moved_index_takes_the_tables_and_the_old_one_fails_if_used():
    index = GraphIndex(graph(node("x", "Placeholder"), node("y", "Identity", "x")))
    reached, ops = reachable(index, ["y"]), index.ops
    moved = index.moved()
    assert reachable(moved, ["y"]) is reached and moved.ops is ops and moved["y"].input == ["x"]
    with pytest.raises(AttributeError):
        index.nodes


def test_entries_read_from_protobuf_are_the_index_s_own_name_strings():
    """The walk reads a binary graph's inputs from protobuf, which gives a new copy of each string:
    an entry naming a node is kept as that node's name string instead (memory on big graphs)."""
    index = GraphIndex(graph(node("input", "Placeholder"), node("first", "Identity", "input"),
                             node("second", "AddN", "first", "input", "first:1", "^input")))
    reachable(index, ["second"])
    name_of = {name: name for name in index.nodes}  # the index's own strings, by value
    assert index.entries["first"] == ["input"] and index.entries["first"][0] is name_of["input"]
    assert index.entries["second"][:2] == ["first", "input"]
    assert index.entries["second"][0] is name_of["first"] and index.entries["second"][1] is name_of["input"]


def test_what_a_walk_reached_is_a_set_in_graph_order_and_names_what_it_missed():
    index = GraphIndex(graph(node("x", "Placeholder"), node("unused", "Const"), node("y", "Identity", "x"),
                             node("other", "Identity", "unused"), node("z", "AddN", "y", "x")))
    reached = reachable(index, ["z"])
    assert list(reached) == ["x", "y", "z"] and len(reached) == 3
    assert "y" in reached and "unused" not in reached and "not_there" not in reached
    assert reached.missed() == ["unused", "other"]
    both = {"x", "unused"} & reached  # set operations answer plain sets
    assert both == {"x"} and type(both) is set and reached - {"x"} == {"y", "z"}


def test_a_walk_over_repeated_names_knows_the_first_node_of_each():
    """The check refuses a graph with a name used twice, but the walks before it must not fail: the
    index has the first node of each name, and so has the walk."""
    index = GraphIndex(graph(node("x", "Placeholder"), node("y", "Identity", "x"), node("x", "Const"),
                             node("lone", "Const"), node("z", "Identity", "y")))
    reached = reachable(index, ["z"])
    assert list(reached) == ["x", "y", "z"] and reached.missed() == ["lone"]


def test_a_walk_after_one_that_read_every_node_in_its_own_order():
    """A binary graph's entries are read as the walk reaches the nodes: once it reached them all,
    the index has them all, in the order it reached them, and the next walk must still find each
    node's own (not the entries of the node at that place in the walk's order)."""
    index = GraphIndex(graph(node("a", "Placeholder"), node("b", "Placeholder"), node("c", "Identity", "b"),
                             node("d", "AddN", "a", "c")))
    assert reachable(index, ["d"]) == {"a", "b", "c", "d"}
    assert list(index._entries) != list(index.nodes)  # read in the walk's order
    assert reachable(index, ["c"]) == {"b", "c"} and reachable(index, ["a"]) == {"a"}


def test_a_pruned_index_reached_every_node_it_kept():
    graph_def = graph(node("x", "Placeholder"), node("unused", "Const"), node("y", "Identity", "x"))
    index = GraphIndex(graph_def)
    dropped = set(reachable(index, ["y"]).missed())
    del graph_def.node[1]
    pruned = index.pruned(dropped, ["y"])
    reached = reachable(pruned, ["y"])
    assert list(reached) == ["x", "y"] and reached.missed() == [] and pruned["y"].input == ["x"]
    assert reachable(pruned, ["x"]) == {"x"}  # other outputs are walked again
