"""Hostile GRAPH files: special files, nesting past protobuf's limit, huge texts, broken bytes.

Each ends in one `Error:` line naming the file (or, for the huge text, in the right frozen graph),
run in a child under a time and an address-space limit (tests/hostile.py).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2, meta_graph_pb2, types_pb2

from freezer.errors import GraphError
from freezer.io.graphdef import read_graph
from graphs import nested_lists, node_text, ref_variable_graph
from hostile import assert_one_error, run_cli


def deep_node(levels: int) -> bytes:
    """A line of GraphDef text: a node whose attr value nests 4 * levels messages."""
    return node_text(nested_lists(levels)) + b"\n"


def const_graph(count: int) -> graph_pb2.GraphDef:
    """One float Const `c` of `count` values, stored in tensor_content."""
    graph = graph_pb2.GraphDef()
    node = graph.node.add(name="c", op="Const")
    node.attr["dtype"].type = types_pb2.DT_FLOAT
    tensor = node.attr["value"].tensor
    tensor.dtype = types_pb2.DT_FLOAT
    tensor.tensor_shape.dim.add(size=count)
    tensor.tensor_content = (np.arange(count, dtype=np.float32) * 0.37).tobytes()
    return graph


# --------------------------------------------------------------------------- not regular files


def test_fifo_as_graph_is_an_error_not_a_hang(tmp_path):
    fifo = tmp_path / "model.pb"
    os.mkfifo(fifo)
    run = run_cli(fifo, "--outputs", "y", "-o", tmp_path / "out.pb")
    assert_one_error(run, contains=f"Graph file {fifo} is not a regular file", output=tmp_path / "out.pb")


def test_link_to_dev_zero_as_graph_names_the_device(tmp_path):
    link = tmp_path / "model.pbtxt"
    link.symlink_to("/dev/zero")
    run = run_cli(link, "--outputs", "y", "-o", tmp_path / "out.pb")
    assert_one_error(run, contains=f"Graph file {link} (a link to /dev/zero) is not a regular file",
                     output=tmp_path / "out.pb")


def test_unreadable_graph_file_is_a_graph_error(tmp_path, monkeypatch):
    path = tmp_path / "model.pb"
    path.write_bytes(ref_variable_graph().SerializeToString())

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(GraphError, match=f"Cannot read graph file {path}: Permission denied"):
        read_graph(path)


# --------------------------------------------------------------------------- nesting


@pytest.mark.parametrize("levels", [30, 120, 100_000])
def test_text_graph_nested_deeper_than_protobuf_takes_is_an_error(tmp_path, levels):
    path = tmp_path / "deep.pbtxt"
    path.write_bytes(b"# deep\n" + deep_node(levels))
    run = run_cli(path, "--outputs", "n", "-o", tmp_path / "out.pb")
    assert_one_error(run, contains=f"{path} nests messages more than 100 deep (line 2)",
                     output=tmp_path / "out.pb")


def test_text_graph_nested_too_deep_on_the_fallback_path_is_an_error(tmp_path):
    path = tmp_path / "deep.pbtxt"
    path.write_bytes(b'node: [{ name: "x" op: "NoOp" }]\n' + deep_node(100_000))  # `[{` -> text_format
    run = run_cli(path, "--outputs", "n", "-o", tmp_path / "out.pb")
    assert_one_error(run, contains=f"{path} nests messages more than 100 deep (line 2)")


def test_binary_graph_nested_deeper_than_protobuf_takes_is_an_error(tmp_path):
    # Serializing has no depth limit, parsing has: build the message by hand, write it as binary.
    graph = graph_pb2.GraphDef()
    text_format.Parse(deep_node(30).decode(), graph)
    path = tmp_path / "deep.pb"
    path.write_bytes(graph.SerializeToString())
    run = run_cli(path, "--outputs", "n", "-o", tmp_path / "out.pb")
    assert_one_error(run, contains=f"{path} is not a valid binary GraphDef", output=tmp_path / "out.pb")


# --------------------------------------------------------------------------- size


def test_huge_escaped_tensor_content_is_parsed_in_linear_memory(tmp_path):
    graph = const_graph(3_000_000)
    text, binary = tmp_path / "big.pbtxt", tmp_path / "big.pb"
    text.write_text(text_format.MessageToString(graph))  # ~30 MB: 12 MB of values as escapes
    binary.write_bytes(graph.SerializeToString())
    # The address space a freeze of the binary graph needs, plus ~4x the text; parsing the text
    # used to take over 1.5 GB more.
    limit = 500 * 2**20
    from_text = run_cli(text, "--outputs", "c", "-o", tmp_path / "text.frozen.pb", memory_limit=limit)
    from_binary = run_cli(binary, "--outputs", "c", "-o", tmp_path / "binary.frozen.pb", memory_limit=limit)
    assert from_text.returncode == 0 and from_binary.returncode == 0, (from_text.stderr, from_binary.stderr)
    assert (tmp_path / "text.frozen.pb").read_bytes() == (tmp_path / "binary.frozen.pb").read_bytes()


# --------------------------------------------------------------------------- broken bytes


def broken_meta_graph() -> bytes:
    meta = meta_graph_pb2.MetaGraphDef()
    meta.saver_def.restore_op_name = "save/restore_all"
    # field 2 (graph_def), length-delimited, holding bytes that are no GraphDef
    return meta.SerializeToString() + b"\x12\x06\xff\xff\xff\xff\xff\xff"


@pytest.mark.parametrize("name, data, message", [
    ("huge_prefix.pb", b"\x0a\xff\xff\xff\xff\x0f" + b"\x00" * 16, "is not a valid binary GraphDef"),
    ("truncated.pb", ref_variable_graph().SerializeToString()[:-7], "is not a valid binary GraphDef"),
    ("truncated.pbtxt", text_format.MessageToString(ref_variable_graph()).encode()[:-30],
     "is not a valid text GraphDef"),
    ("garbage.meta", broken_meta_graph(), "is not a valid binary MetaGraphDef"),
    ("latin1.pbtxt", b'node {\n  name: "x"\n  op: "NoOp"\n}\n' * 200 + b'node {\n  name: "caf\xe9"\n}\n',
     "is not a valid text GraphDef (line 802: bytes that are not UTF-8)"),
    ("escaped.pbtxt", b'node {\n  name: "\\377"\n  op: "NoOp"\n}\n', "is not a valid text GraphDef (line 3"),
    ("empty.pb", b"", "is empty"),
])
def test_broken_graph_file_is_one_error_naming_it(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    run = run_cli(path, "--outputs", "y", "-o", tmp_path / "out.pb")
    assert_one_error(run, contains=f"{path} {message}", output=tmp_path / "out.pb")
