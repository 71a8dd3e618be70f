"""Tensor-name grammar and the GraphIndex."""

import collections.abc
import random
from unittest import mock

import pytest

from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2, types_pb2

from freezer.graph import AttrScan, GraphIndex, InputRef, input_node_name, nearest, parse_input, reachable
from freezer.io import pbtxt
from freezer.io.pbtxt import parse_text
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


def parsed_with_fields(graph_def, note_attr=None):
    """The graph written as text and read back, with the node fields the parser gives."""
    from google.protobuf import text_format
    return parsed_text_with_fields(text_format.MessageToString(graph_def).encode(), note_attr)


def parsed_text_with_fields(text: bytes, note_attr=None):
    parsed = graph_pb2.GraphDef()
    fields = parse_text(text, parsed, note_attr)
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


def attr_node_text(name: str, *attrs: tuple[str, str]) -> bytes:
    """A node in TensorFlow's text layout with the attr entries given as (key, value's body)."""
    blocks = "".join(f'  attr {{\n    key: "{key}"\n    value {{\n      {body}\n    }}\n  }}\n'
                     for key, body in attrs)
    return f'node {{\n  name: "{name}"\n  op: "Identity"\n{blocks}}}\n'.encode()


def attr_scan_and_nodes_read(index: GraphIndex):
    """The index's attr scan, and the names of the nodes it read for it."""
    read, scan_of = [], AttrScan.of

    def recorded_scan(nodes):
        nodes = list(nodes)
        read.extend(name for name, _ in nodes)
        return scan_of(nodes)

    with mock.patch.object(AttrScan, "of", recorded_scan):
        return index.attr_scan, read


ATTR_CASES = [  # what the attr scan finds in each, or not
    ("resource", ("T", "type: DT_RESOURCE")),
    ("ref", ("dtype", "type: DT_FLOAT_REF")),
    ("by_number", ("T", "type: 20")),  # text_format takes an enum's number too
    ("ref_by_number", ("T", "type: 101")),
    ("in_a_list", ("Tout", "list {\n        type: DT_FLOAT\n        type: DT_RESOURCE\n      }")),
    ("colocated", ("_class", 'list {\n        s: "loc:@plain_0"\n      }')),
    ("resource_then_float", ("T", "type: DT_RESOURCE"), ("T", "type: DT_FLOAT")),  # a map: the last one holds
    ("float_then_resource", ("T", "type: DT_FLOAT"), ("T", "type: DT_RESOURCE")),
    ("float", ("T", "type: DT_FLOAT")),
    ("other_list", ("shapes", "list {\n        i: 20\n      }")),
]


def test_the_attr_scan_of_an_index_of_the_parsers_fields_reads_the_nodes_it_noted_and_finds_all():
    text = b"".join(attr_node_text(name, *attrs) for name, *attrs in ATTR_CASES)
    text += b"".join(attr_node_text(f"plain_{n}", ("T", "type: DT_FLOAT")) for n in range(20))
    parsed, fields = parsed_text_with_fields(text, AttrScan.finds_in)
    assert [fields.names[at] for at in fields.noted] == [name for name, *_ in ATTR_CASES[:8]]
    index, every_node = GraphIndex(parsed, fields), AttrScan.of(GraphIndex(parsed).nodes.items())
    scan, read = attr_scan_and_nodes_read(index)
    assert scan == every_node and read == [name for name, *_ in ATTR_CASES[:8]]
    assert set(every_node.handle_types) == {"resource", "ref", "by_number", "ref_by_number", "in_a_list",
                                            "float_then_resource"}
    assert every_node.colocation == {"colocated": [b"loc:@plain_0"]}


def test_a_pruned_index_of_the_parsers_fields_scans_the_noted_nodes_it_kept():
    text = b"".join(attr_node_text(f"n{n}", ("T", "type: DT_FLOAT")) for n in range(6))
    parsed, fields = parsed_text_with_fields(text + attr_node_text("v", ("dtype", "type: DT_FLOAT_REF"))
                                             + attr_node_text("r", ("T", "type: DT_RESOURCE")), AttrScan.finds_in)
    del parsed.node[6]  # "v"
    scan, read = attr_scan_and_nodes_read(GraphIndex(parsed, fields).pruned({"v"}, ["r"]))
    assert scan.handle_types == {"r": {"T": [types_pb2.DT_RESOURCE]}} and read == ["r"]


def test_the_attr_scan_of_an_index_of_the_parsers_fields_reads_the_nodes_changed_since():
    text = b"".join(attr_node_text(f"n{n}", ("T", "type: DT_FLOAT")) for n in range(6))
    parsed, fields = parsed_text_with_fields(text + attr_node_text("v", ("dtype", "type: DT_FLOAT_REF")),
                                             AttrScan.finds_in)
    index = GraphIndex(parsed, fields)
    parsed.node[2].attr["T"].type = types_pb2.DT_RESOURCE  # as a pass changes a node in place
    rewritten = index.rewritten(["n2"])
    assert rewritten.handle_types == {"n2": {"T": [types_pb2.DT_RESOURCE]}, "v": {"dtype": [types_pb2.DT_FLOAT_REF]}}
    parsed.node[3].attr["T"].type = types_pb2.DT_RESOURCE
    del parsed.node[6]  # "v", not reached from n3
    pruned = rewritten.rewritten(["n3"]).pruned({"v"}, ["n3"])
    assert pruned.handle_types == {"n2": {"T": [types_pb2.DT_RESOURCE]}, "n3": {"T": [types_pb2.DT_RESOURCE]}}


RANDOM_ATTR_KEYS = ["T", "_class", "dtype", "Tout", "", r"_cl\x61ss"]
RANDOM_ATTR_VALUES = ["type: DT_FLOAT", "type: DT_RESOURCE", "type: 20", "type: 101", "type: DT_HALF_REF",
                      "type: 0", "i: 20", 's: "loc:@n0"', "list { }", 'list { s: "loc:@n0" s: "x" }',
                      "list { type: [DT_FLOAT, 20] }", "list { type: DT_INT32 }", "list { i: 20 }",
                      'func { name: "f" attr { key: "T" value { type: DT_RESOURCE } } }', "shape { }"]


def random_attr_entry(rng: random.Random) -> str:
    key, value = f'key: "{rng.choice(RANDOM_ATTR_KEYS)}"', f"value {{ {rng.choice(RANDOM_ATTR_VALUES)} }}"
    fields = rng.choice([[key, value], [value, key], [value], [key]])
    return "  attr {\n" + "".join(f"    {field}\n" for field in fields) + "  }\n"


@pytest.mark.parametrize("memo_text", [pbtxt._MEMO_TEXT, 0], ids=["entries remembered", "met twice first"])
def test_random_attr_entries_an_index_of_the_parsers_fields_scans_as_one_reading_every_node(memo_text, monkeypatch):
    """Seeded: entries of every kind the scan looks for or not, written in several ways, repeated."""
    monkeypatch.setattr(pbtxt, "_MEMO_TEXT", memo_text)
    rng = random.Random(20261207)
    plain = "".join(f'node {{\n  name: "p{n}"\n  op: "NoOp"\n}}\n' for n in range(40))  # < half noted
    for _ in range(300):
        nodes = ("".join(random_attr_entry(rng) for _ in range(rng.randrange(4))) for _ in range(rng.randrange(1, 25)))
        text = ("".join(f'node {{\n  name: "n{n}"\n  op: "Identity"\n{attrs}}}\n' for n, attrs in enumerate(nodes))
                + plain).encode()
        parsed, fields = parsed_text_with_fields(text, AttrScan.finds_in)
        assert parsed == text_format.Parse(text.decode(), graph_pb2.GraphDef()), text
        index = GraphIndex(parsed, fields)
        assert index._attr_candidates is not None, text
        assert index.attr_scan == AttrScan.of(GraphIndex(parsed).nodes.items()), text
