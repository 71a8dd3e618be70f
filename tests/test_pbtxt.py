"""freezer.io.pbtxt.parse_text: the same message as text_format.Parse, fast, or text_format's errors.

Every parity case checks the deterministic bytes of both messages, and whether the fast path handled
the text itself (`fast=True`) or handed it to text_format (`fast=False`), so a fallback cannot hide a
fast-path bug, nor a fast path accept what it should have left to text_format.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from unittest import mock

import pytest
import numpy as np
from google.protobuf import text_format
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, meta_graph_pb2, node_def_pb2, tensor_shape_pb2, types_pb2

from freezer.graph import AttrScan
from freezer.io import pbtxt
from freezer.tensors import make_shape, make_tensor_proto

from freezer.io.pbtxt import (NestingTooDeep, NodeFields, _canonical_nodes, _Parser, _Unsupported, _event_pattern, _table,
                              parse_text)
from graphs import const, func, function, graph, nested_lists, node, node_text, types

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def parse_both(data: bytes, message_type=graph_pb2.GraphDef):
    """(parse_text's message, text_format's message, whether parse_text fell back)."""
    expected = message_type()
    text_format.Parse(data.decode("utf-8"), expected)
    actual = message_type()
    with mock.patch.object(text_format, "Parse", wraps=text_format.Parse) as fallback:
        parse_text(data, actual)
    return actual, expected, fallback.called


def assert_parity(data: bytes, message_type=graph_pb2.GraphDef, *, fast: bool = True):
    actual, expected, fell_back = parse_both(data, message_type)
    assert actual.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)
    assert fell_back == (not fast), "fell back to text_format" if fell_back else "took the fast path"
    return actual


def nested_funcs(depth: int) -> str:
    """An attr value nesting 3 * depth messages: func { attr { value { func { ... } } } }."""
    text = "b: true"
    for level in range(depth):
        text = f'func {{ name: "f{level}" attr {{ key: "k" value {{ {text} }} }} }}'
    return text


# --------------------------------------------------------------------------- real graphs


def fixture_texts():
    """Every text graph among the fixtures, and every binary MetaGraphDef turned into text."""
    cases = [pytest.param(path.read_bytes(), id=str(path.relative_to(FIXTURES)))
             for path in sorted(FIXTURES.glob("*/*.pbtxt"))]
    for path in sorted(FIXTURES.glob("*/*.meta")):
        meta = meta_graph_pb2.MetaGraphDef.FromString(path.read_bytes())
        text = text_format.MessageToString(meta).encode()
        cases.append(pytest.param(text, id=str(path.relative_to(FIXTURES))))
    return cases


def message_type_of(data: bytes):
    try:
        text_format.Parse(data.decode("utf-8"), graph_pb2.GraphDef())
        return graph_pb2.GraphDef
    except text_format.ParseError:
        return meta_graph_pb2.MetaGraphDef


@pytest.mark.parametrize("data", fixture_texts())
def test_fixture_graphs(data):
    message = assert_parity(data, message_type_of(data))
    assert message.ByteSize() > 0


@pytest.fixture(scope="module")
def tf_function_graph(tmp_path_factory) -> bytes:
    """A TF2 function written as text by tf.io.write_graph: dense layers, constants (tensor_content,
    non-UTF-8 string_val), a nested tf.function and a v2 while loop, so `library` holds FunctionDefs
    with maps and nested attrs."""
    tf = pytest.importorskip("tensorflow")
    import numpy as np

    ramp = np.linspace(-1, 1, 16, dtype=np.float32).reshape(4, 4)
    weights = [tf.constant(ramp * (i + 1)) for i in range(3)]

    @tf.function
    def scale(x):
        lengths = tf.strings.length(tf.constant([b"\xff\x00 bytes", "é".encode()]))
        return x * 0.1 + tf.cast(tf.reduce_sum(lengths), tf.float32)

    @tf.function
    def model(x):
        for w in weights:
            x = tf.nn.relu(tf.matmul(x, w))
        _, total = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc + tf.reduce_sum(x)),
                                 [tf.constant(0), tf.constant(0.0)])
        return scale(x) + total

    graph_def = model.get_concrete_function(tf.TensorSpec([None, 4], tf.float32)).graph.as_graph_def()
    folder = tmp_path_factory.mktemp("tf_graph")
    tf.io.write_graph(graph_def, str(folder), "model.pbtxt", as_text=True)
    return (folder / "model.pbtxt").read_bytes()


def test_tf_written_graph_with_function_library(tf_function_graph):
    graph = assert_parity(tf_function_graph)
    ops = {node.op for node in graph.node}
    assert ops & {"While", "StatelessWhile"} and ops & {"PartitionedCall", "StatefulPartitionedCall"}
    functions = graph.library.function
    assert len(functions) == 3  # the loop's cond and body, the nested function
    assert all(function.attr and function.ret and function.arg_attr for function in functions)


def test_truncated_tf_graph_raises_with_line_number(tf_function_graph):
    cut = tf_function_graph[: len(tf_function_graph) // 2]
    with pytest.raises(text_format.ParseError) as error:
        parse_text(cut, graph_pb2.GraphDef())
    assert cut.count(b"\n") <= error.value.GetLine() <= cut.count(b"\n") + 1  # where the text ends


def attr_of_every_kind(rng: random.Random) -> dict:
    """One attr of each AttrValue kind, and a list of each, with values drawn from `rng`."""
    word = "".join(rng.choice("abc/_:^é✓") for _ in range(rng.randint(0, 12)))
    number = rng.choice([0, -1, 7, 2**40, -(2**63), 2**63 - 1])
    real = rng.choice([0.0, -0.0, 0.1, -2.5, 1e-38, 3.4028235e38, float("inf"), float("-inf"), float("nan")])
    shape = make_shape(rng.choice([[], [-1], [2, rng.randint(0, 9)]]))
    unknown_rank = tensor_shape_pb2.TensorShapeProto(unknown_rank=True)
    with np.errstate(over="ignore", invalid="ignore"):  # inf * 0 and the like: values like any other
        tensor = make_tensor_proto(np.arange(rng.randint(1, 6), dtype=np.float32) * real, types_pb2.DT_FLOAT)
    strings = make_tensor_proto(np.array([word.encode(), b"\xff\x00\n\"'"], dtype=object), types_pb2.DT_STRING)
    value = attr_value_pb2.AttrValue
    return {
        "s": value(s=word.encode() + bytes([rng.randrange(256)])),  # any byte: escapes, non-UTF-8
        "i": value(i=number), "f": value(f=real), "b": value(b=rng.random() < 0.5),
        "type": value(type=rng.choice([types_pb2.DT_FLOAT, types_pb2.DT_INT64, types_pb2.DT_STRING])),
        "shape": value(shape=shape), "unknown_rank": value(shape=unknown_rank),
        "tensor": value(tensor=tensor), "strings": value(tensor=strings),
        "func": func(f"f{number % 3}", T=value(type=types_pb2.DT_FLOAT), n=value(list=value.ListValue(i=[1]))),
        "placeholder": value(placeholder="T"),
        "list": value(list=value.ListValue(
            s=[word.encode(), b"\\"], i=[number, 0], f=[real, 1.5], b=[True, False], type=[1, 9],
            shape=[shape, unknown_rank], tensor=[tensor], func=[func("g").func])),
        "empty_list": value(list=value.ListValue()),
    }


def generated_graph(node_count: int, seed: int = 7) -> graph_pb2.GraphDef:
    """A graph of `node_count` nodes whose attrs are of every kind (repeating, as a real graph's
    do), a Const, and a library of functions with nested attrs, arg attrs and returns."""
    rng = random.Random(seed)
    kinds = [attr_of_every_kind(rng) for _ in range(5)]
    nodes = [const("c", [[1.5, -2.0], [0.0, 3.25]])]
    for index in range(node_count):
        attrs = {key: value for key, value in rng.choice(kinds).items() if rng.random() < 0.7}
        nodes.append(node(f"n{index}/é", rng.choice(["Identity", "Add", "MyOp"]), f"n{index - 1}/é:0",
                          "^c", **attrs))
    graph_def = graph(*nodes)
    body = function("f0", [("x", types_pb2.DT_FLOAT)], [("y", types_pb2.DT_FLOAT)],
                    nodes=[node("id", "Identity", "x", T=types_pb2.DT_FLOAT, **kinds[0])], ret={"y": "id:output:0"})
    body.attr["_noinline"].b = True
    body.arg_attr[0].attr["_output_shapes"].list.shape.add().dim.add(size=-1)
    body.resource_arg_unique_id[0] = 3
    body.control_ret["c"] = "id"
    graph_def.library.function.extend([body, function("g", [], [])])
    graph_def.library.gradient.add(function_name="f0", gradient_func="g")
    graph_def.node.add(name="call", op="PartitionedCall", input=["c"]).attr["Tin"].CopyFrom(
        types(types_pb2.DT_FLOAT))
    graph_def.versions.producer = 1882
    return graph_def


@pytest.mark.parametrize("as_one_line", [False, True], ids=["tf_layout", "one_line"])
def test_generated_graph_of_every_attr_kind(as_one_line):
    """A graph long enough to be cut into many pieces (and, on one line, read one event at a time),
    the cuts falling inside attr blocks too: the same message as text_format, on the fast path."""
    graph_def = generated_graph(600)
    data = text_format.MessageToString(graph_def, as_one_line=as_one_line).encode()
    assert len(data) > 4 * (1 << 16)
    parsed = assert_parity(data)
    assert parsed.SerializeToString(deterministic=True) == graph_def.SerializeToString(deterministic=True)


# --------------------------------------------------------------------------- odd but valid text


@pytest.mark.parametrize("data", [
    node_text(r's: "tab\there \"q\" \'s\' back\\slash \n \101\102 \x41\x4 \0 \377"'),
    node_text(r"s: 'single \"quoted\" \'s\''"),
    node_text('s: "héllo ✓ 日本"'),
    node_text(r's: "\303\251 \u00e9"'),                         # escaped UTF-8, \u escape
    'node { name: "héllo ✓" op: "\\303\\251" }'.encode(),     # string fields: raw and escaped UTF-8
    node_text(r'tensor { dtype: DT_STRING string_val: "\377\376\000" string_val: "\xfa" }'),
    node_text('s: ""'),
    b'node { name: "" }',
])
def test_strings(data):
    assert_parity(data)


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")
def test_unknown_escape_is_kept_like_text_format_keeps_it():
    assert_parity(node_text(r's: "\q \\q"'))


@pytest.mark.parametrize("data", [
    node_text('list { s: "a" s: "b" }'),
    node_text("list { shape { dim { size: -1 } dim { size: 3 name: 'n' } } shape { unknown_rank: true } }"),
    node_text("list { type: DT_FLOAT type: DT_INT32 type: 3 }"),
    node_text("list { i: 1 i: -2 i: 0x10 i: 010 f: 0.5 f: -inf b: true b: f }"),
    node_text('list { func { name: "f" attr { key: "T" value { list { shape { dim { size: 1 } } } } } } }'),
    node_text("list { }"),
    node_text('func { name: "g" attr { key: "a" value { func { name: "h" } } } }'),
    node_text("placeholder: 'T'"),
    node_text(nested_funcs(20)),
])
def test_attr_values(data):
    assert_parity(data)


@pytest.mark.parametrize("values", [
    "inf -inf nan -nan infinity -Infinity INF NaN nanf inff",
    "0.1 -0.0 1e-50 1.5f 2F 3.4028235e38 -3.4028235e38 1.17549435e-38 1e-45 .5 -.5 +1 1_0 7",
])
def test_float_and_double_values(values):
    tokens = values.split()
    tensor = " ".join(f"float_val: {value}" for value in tokens) + " " + " ".join(
        f"double_val: {value}" for value in tokens)
    assert_parity(node_text(f"tensor {{ dtype: DT_FLOAT {tensor} }}"))


@pytest.mark.parametrize("data", [
    node_text("tensor { int_val: -5 int_val: +5 int_val: 0x7fffffff int_val: -0x80000000 int_val: 017 }"),
    node_text("tensor { int64_val: 9223372036854775807 int64_val: -9223372036854775808 }"),
    node_text("tensor { uint64_val: 18446744073709551615 uint32_val: 4294967295 half_val: 0 }"),
    node_text("tensor { bool_val: true bool_val: false bool_val: True bool_val: False "
              "bool_val: t bool_val: f bool_val: 1 bool_val: 0 }"),
    node_text("tensor { dtype: 1 version_number: 0 }"),       # an enum by number
    node_text("tensor { dtype: 1000 }"),                      # open enum: unknown numbers are kept
    b"versions { producer: 27 min_consumer: 12 bad_consumers: [1, 2, 3] }",
    b"versions { bad_consumers: [] bad_consumers: [ 4 ,5 ] }",
])
def test_numbers_enums_bools_and_lists(data):
    assert_parity(data)


@pytest.mark.parametrize("data", [
    b"",
    b"  \n\t\r\n",
    b"# only a comment",
    b'# header\nnode { # why\n  name: "a"  # trailing\n# own line\n  op: "B"\n}\n# no newline at the end',
    b'node {\r\n  name: "crlf"\r\n  op: "X"\r\n}\r\n',
    b'node { attr { value { type: DT_FLOAT } key: "T" } op: "Add" name: "shuffled" input: "b" input: "a" }',
    b'node < name: "angles" attr < key: "T" value < type: DT_FLOAT > > >',
    b'node: { name: "colon" attr: { key: "T" value: < type: DT_INT32 > } }',
    b'node { name: "a"; op: "b", input: "c" attr { key: "k" value { i: 1; } }, }; node { name: "d" },',
    b'node { name: "x" input: ["a", "b:1", \'^c\'] }',
    b'node{name:"tight"op:"T"attr{key:"k"value{i:-1}}}',
    b'node { attr { key: "T" value { type: DT_FLOAT } } attr { key: "T" value { type: DT_INT32 } } }',
    b'node { attr { key: "only_key" } attr { value { i: 2 } } }',
    # Deeper than one regex block: the fast path opens the outer messages one by one.
    b'library { function { signature { name: "f" input_arg { name: "x" type: DT_FLOAT } } '
    b'node_def { name: "n" attr { key: "l" value { list { shape { dim { size: 1 } } } } } } '
    b'ret { key: "y" value: "n:0" } control_ret { key: "c" value: "n" } '
    b'attr { key: "_noinline" value { b: true } } '
    b'arg_attr { key: 0 value { attr { key: "_output_shapes" value { list { shape { } } } } } } '
    b'resource_arg_unique_id { key: 0 value: 7 } } }',
])
def test_syntax_variants(data):
    assert_parity(data)


def test_two_map_fields_given_the_same_block_text_are_told_apart():
    """An empty entry `{}` of `ret` (string → string) and of `resource_arg_unique_id` (int → int):
    the second was once taken from the memo as the first's, and written as a `ret` entry."""
    data = (b'library {\n  function {\n    signature {\n      name: "f"\n    }\n    ret {}\n'
            b'    resource_arg_unique_id {}\n  }\n}\n')
    assert len(assert_parity(data).library.function[0].resource_arg_unique_id) == 1


def test_every_map_field_remembers_its_blocks_apart():
    ids: dict[str, set] = {}

    def collect(table, visited):
        for field in table.messages.values():
            ids.setdefault(field.memo_id, set()).add(id(field.table))
            if id(field.table) not in visited:
                visited.add(id(field.table))
                collect(field.table, visited)

    for message_type in (graph_pb2.GraphDef, meta_graph_pb2.MetaGraphDef):
        collect(_table(message_type.DESCRIPTOR), set())
    assert len(ids) > 20 and all(len(tables) == 1 for tables in ids.values())


def test_meta_graph_with_saver_and_collections():
    data = rb"""
meta_info_def {
  tags: "serve"
  tensorflow_version: "2.21.0"
  stripped_op_list { op { name: "Const" output_arg { name: "output" type_attr: "dtype" }
                          attr { name: "value" type: "tensor" } } }
  any_info { type_url: "type.googleapis.com/x.Y" value: "\001\002" }
}
graph_def { node { name: "w" op: "VariableV2" attr { key: "shape" value { shape { dim { size: 2 } } } } }
            versions { producer: 1 } }
saver_def {
  filename_tensor_name: "save/Const:0"
  save_tensor_name: "save/control_dependency:0"
  restore_op_name: "save/restore_all"
  max_to_keep: 5
  sharded: true
  keep_checkpoint_every_n_hours: 10000.0
  version: V2
}
collection_def { key: "trainable_variables" value { bytes_list { value: "\n\003w:0\022\010w/Assign" } } }
collection_def { key: "train_op" value { node_list { value: "train" value: "step" } } }
collection_def { key: "ints" value { int64_list { value: [1, -2] } } }
collection_def { key: "floats" value { float_list { value: 0.1 value: nan } } }
signature_def {
  key: "serving_default"
  value {
    inputs { key: "x" value { name: "x:0" dtype: DT_FLOAT tensor_shape { dim { size: -1 } } } }
    outputs { key: "y" value { coo_sparse { values_tensor_name: "v:0" } } }
    method_name: "tensorflow/serving/predict"
  }
}
"""
    meta = assert_parity(data, meta_graph_pb2.MetaGraphDef)
    assert meta.saver_def.restore_op_name == "save/restore_all"
    assert list(meta.collection_def["train_op"].node_list.value) == ["train", "step"]


def test_long_strings_and_many_escapes():
    # Blocks hold only short strings; longer ones are parsed field by field.
    content = "".join(f"\\{i % 256:03o}" for i in range(5000))
    assert_parity(node_text(f'tensor {{ dtype: DT_FLOAT tensor_content: "{content}" }}'))
    assert_parity(node_text(f'list {{ s: "{"x" * 5000}" s: "{content[:400]}" s: "{content[:396]}" }}'))


@pytest.mark.parametrize("data", [b'node { name: "new" }', b'node: [{ name: "new" }]'])  # fast, fallback
def test_replaces_what_the_message_held(data):
    message = graph_pb2.GraphDef()
    message.node.add(name="old")
    parse_text(data, message)
    assert [node.name for node in message.node] == ["new"]


# --------------------------------------------------------------------------- left to text_format


@pytest.mark.parametrize("data, message_type", [
    (b'meta_info_def { any_info { [type.googleapis.com/tensorboard.GraphDef] { node { name: "a" } } } }',
     meta_graph_pb2.MetaGraphDef),
    (b'node { name: "" name: "b" }', graph_pb2.GraphDef),      # text_format allows a default first
    (node_text('s: "a" "b"\n  \'c\''), graph_pb2.GraphDef),     # adjacent literals concatenate
    (b'versions { bad_consumers: [1] } node { input: ["a" "b"] }', graph_pb2.GraphDef),
    (b'node { name: # a comment inside a field\n "a" }', graph_pb2.GraphDef),
    (node_text("tensor { float_val: 1e40 float_val: -3.5e38 }"), graph_pb2.GraphDef),  # beyond float32
    (b'node: [{ name: "a" }, { name: "b" }]', graph_pb2.GraphDef),  # a list of messages
    ('node {\u00a0name: "nbsp" }'.encode(), graph_pb2.GraphDef),  # non-ASCII whitespace
])
def test_unsupported_constructs_fall_back_to_text_format(data, message_type):
    assert_parity(data, message_type, fast=False)


@pytest.mark.parametrize("data, line", [
    (b'node {\n  name: "unterminated\n}\n', 2),
    (b'node {\n  name: "a"\n  colour: "red"\n}\n', 3),            # unknown field
    (b'node {\n  name: "a"\n  attr {\n    key: "T"\n', 4),        # missing `}`
    (b'node {\n  name: "a"\n}\n}\n', 4),                          # one `}` too many
    (b'node <\n  name: "a"\n}\n', 3),                             # mismatched delimiters
    (b'node {\n  name: "a"\n  name: "b"\n}\n', 3),                # singular field twice
    (node_text('s: "x" i: 1'), 1),                                  # two members of a oneof
    (b'node {\n  name: "\\377"\n}\n', 3),                         # invalid UTF-8 in a string field
    (node_text("tensor { dtype: DT_NOPE }"), 1),
    (node_text("tensor { int_val: 2147483648 }"), 1),               # beyond int32
    (node_text("tensor { bool_val: yes }"), 1),
    (node_text("tensor { float_val: 01.5 }"), 1),                   # text_format refuses octal floats
    (node_text('tensor { float_val: "1" }'), 1),
    (b'node { name: a }', 1),                                       # a string needs quotes
    (b'node { name "a" }', 1),                                      # a scalar needs its colon
    (b'node { name: "a" ,, }', 1),
    (b'node { , name: "a" }', 1),
    (b'versions { producer: [1, 2] }', 1),                          # a list for a singular field
    (b'versions { bad_consumers: [1, 2,] }', 1),
    (b'node { [ext.field]: 1 }', 1),
    (b'}\nnode {\n  name: "a"\n  op: "NoOp"\n}\n', 1),           # before a node read whole: one byte
    (b'node {\n  name: "a"\n}\n:\nnode {\n  name: "b"\n  op: "NoOp"\n}\n', 4),  # between two
    (b'node {\n  name: "a"\n  op: "NoOp"\n}\n}\n', 5),          # after one
])
def test_invalid_text_raises_parse_error_with_line(data, line):
    with pytest.raises(text_format.ParseError) as error:
        parse_text(data, graph_pb2.GraphDef())
    assert error.value.GetLine() == line


def test_non_utf8_text_raises_unicode_error():
    with pytest.raises(UnicodeDecodeError):
        parse_text(b'node { name: "a" } # \xff\n', graph_pb2.GraphDef())


# --------------------------------------------------------------------------- random edits


MUTATION_SEED_TEXT = rb"""# a graph
node {
  name: "c"
  op: "Const"
  attr { key: "dtype" value { type: DT_FLOAT } }
  attr {
    key: "value"
    value {
      tensor {
        dtype: DT_FLOAT
        tensor_shape { dim { size: 2 } dim { size: -1 } }
        float_val: [0.5, -inf]
        tensor_content: "\000\x41'\"\n"
      }
    }
  }
}
node < name: 'y' op: "Identity" input: "c:0"; attr { key: "T" value { list { i: 0x10 b: t } } }, >
versions { producer: 27 }
"""
MUTATIONS = [b"{", b"}", b"<", b">", b'"', b"'", b":", b",", b";", b"#", b"\n", b"[", b"]", b" ",
             b"\\", b"0", b"-", b"x", b".", b"e", b"f", b"inf", b"name", b"\xc2\xa0", b'"a" ']


def mutants(count: int, seed: int = 1234):
    rng = random.Random(seed)
    for _ in range(count):
        data = MUTATION_SEED_TEXT
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data) + 1)
            if rng.random() < 0.5:
                data = data[:at] + rng.choice(MUTATIONS) + data[at:]
            else:
                data = data[:at] + data[at + rng.randint(1, 4):]
        yield data


def outcome(parse, data: bytes):
    message = graph_pb2.GraphDef()
    try:
        parse(data, message)
    except text_format.ParseError as error:
        return "ParseError", error.GetLine()
    except UnicodeDecodeError:
        return "UnicodeDecodeError"
    return message.SerializeToString(deterministic=True)


def parse_with_text_format(data: bytes, message) -> None:
    text_format.Parse(data.decode("utf-8"), message)


# --------------------------------------------------------------------------- TensorFlow's layout


def canonical_graph() -> graph_pb2.GraphDef:
    """Nodes of every shape `_CANONICAL_NODE` reads in one step, and some it leaves to the events."""
    long_name = "scope/" * 30 + "w"  # a length of more than one varint byte
    nodes = [
        node("x", "Placeholder", dtype=types_pb2.DT_FLOAT),
        const("c", [[1.0, 2.0], [3.0, 4.0]]),
        node(long_name, "VariableV2", dtype=types_pb2.DT_FLOAT, _class=[b"loc:@c"]),
        node("y", "MatMul", "x", long_name, "^c", T=types_pb2.DT_FLOAT),
        node("z", "NoOp", "^y"),
        node("nested", "Const", value=attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(
            name="f", attr={"k": attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(s=[b"}"]))}))),
    ]
    nodes[0].device = "/job:a/device:CPU:0"
    nodes[1].experimental_debug_info.original_node_names.append("c0")  # not read in one step
    graph_def = graph(*nodes)
    graph_def.versions.producer = 27
    graph_def.library.function.add().signature.name = "f"
    return graph_def


def test_nodes_in_tensorflows_layout_are_read_whole():
    data = text_format.MessageToString(canonical_graph()).encode()
    assert len(list(_canonical_nodes(data))) == 5  # all but "c"
    assert_parity(data)
    assert_parity(data.replace(b"node {", b"node {", 1).replace(b"\nnode {\n", b"\n  # a comment\nnode {\n"))


CANONICAL_EDITS = [b"", b"  ", b"    ", b"}", b"  }", b"{", b"node {", b"  attr {", b"  name: \"q\"",
                   b"  input: \"a\"", b'  input: "a\\n"', b'  device: "d"', b'  op: "Op"', b"    key: \"k\"",
                   b"    value {", b"# c", b"  experimental_debug_info {", b'  name: "\xc3\xa9"', b"versions {",
                   b'  input: "a", ', b"  input: 'a'", b'  name: "a" "b"']


def canonical_mutants(count: int, seed: int = 4321, graph_def: graph_pb2.GraphDef | None = None):
    """A canonical text with lines deleted, repeated, swapped, re-indented or inserted."""
    rng = random.Random(seed)
    lines = text_format.MessageToString(graph_def or canonical_graph()).encode().split(b"\n")
    for _ in range(count):
        edited = list(lines)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(edited))
            kind = rng.randrange(6)
            if kind == 0:
                del edited[at]
            elif kind == 1:
                edited.insert(at, edited[at])
            elif kind == 2 and at + 1 < len(edited):
                edited[at], edited[at + 1] = edited[at + 1], edited[at]
            elif kind == 3:
                edited[at] = edited[at][2:] if rng.random() < 0.5 else b"  " + edited[at]
            elif kind == 4:  # a few lines again somewhere else: a field set twice, a node split
                first = rng.randrange(len(edited))
                edited[at:at] = edited[first:first + rng.randint(2, 8)]
            else:
                edited.insert(at, rng.choice(CANONICAL_EDITS))
        yield b"\n".join(edited)


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")
@pytest.mark.parametrize("wire_piece", [pbtxt._WIRE_PIECE, 1], ids=["wire parsed whole", "each node's parsed apart"])
@pytest.mark.parametrize("edited", [mutants, canonical_mutants], ids=["characters", "lines of TF's layout"])
def test_edited_text_gives_what_text_format_gives(edited, wire_piece, monkeypatch):
    """Random edits of a valid text (of characters; of lines, which a node read whole could get
    wrong): the same message, or the same error on the same line; also when the wire bytes are
    merged into the message between any two nodes."""
    monkeypatch.setattr(pbtxt, "_WIRE_PIECE", wire_piece)
    for data in edited(600):
        assert outcome(parse_text, data) == outcome(parse_with_text_format, data), data


def fields_of(graph_def: graph_pb2.GraphDef) -> NodeFields:
    return NodeFields([n.name for n in graph_def.node], [n.op for n in graph_def.node],
                      [list(n.input) for n in graph_def.node])


def test_node_fields_are_given_when_every_node_is_read_whole():
    graph_def = canonical_graph()
    graph_def.node[1].ClearField("experimental_debug_info")
    graph_def.node[3].name = "é/" + "x" * 200  # not ASCII, and long
    graph_def.node[4].op = "Op" * 100
    graph_def.node[4].input.append("y" * 300)
    data = text_format.MessageToString(graph_def).encode()
    parsed = graph_pb2.GraphDef()
    fields = parse_text(data, parsed)
    assert fields == fields_of(graph_def) and parsed == graph_def
    assert len(set(map(id, fields.ops))) == len(set(fields.ops))  # each op name one object
    assert parse_text(b"# nothing\n", graph_pb2.GraphDef()) == NodeFields([], [], [])


def test_node_fields_inputs_naming_a_node_read_before_are_its_name_string():
    """Not a copy of it: a graph of 300k nodes would hold 18 MB of copies."""
    graph_def = graph(node("in", "Placeholder"), node("id", "Identity", "in"),
                      node("sum", "AddN", "id", "in", "id:1", "^in"), node("early", "Identity", "late"), node("late", "NoOp"))
    fields = parse_text(text_format.MessageToString(graph_def).encode(), graph_pb2.GraphDef())
    assert fields == fields_of(graph_def)
    placeholder, identity = fields.names[0], fields.names[1]  # strings of more than one letter: not cached
    assert fields.inputs[1][0] is placeholder and fields.inputs[2][:2] == [identity, placeholder]
    assert fields.inputs[2][0] is identity and fields.inputs[2][1] is placeholder


@pytest.mark.parametrize("data", [
    text_format.MessageToString(canonical_graph()).encode(),  # "c" has a field read event by event
    b'node { name: "a" op: "NoOp" }',
    b'node {\n  name: "a\\n"\n  op: "NoOp"\n}\n',  # an escape
])
def test_no_node_fields_unless_every_node_is_read_whole(data):
    assert parse_text(data, graph_pb2.GraphDef()) is None


def test_node_fields_note_the_nodes_with_an_entry_the_note_is_true_of_asking_once_an_entry():
    graph_def = graph(node("a", "Identity", T=types_pb2.DT_FLOAT), node("b", "VariableV2", _class=[b"loc:@c"]),
                      node("c", "Identity", T=types_pb2.DT_FLOAT), node("d", "Identity", T=types_pb2.DT_FLOAT,
                                                                         _class=[b"loc:@c"]))
    data = text_format.MessageToString(graph_def).encode()
    asked = []

    def note(entry: bytes) -> bool:
        asked.append(entry)
        return b"_class" in entry

    fields = parse_text(data, graph_pb2.GraphDef(), note)
    assert fields.noted == [1, 3]
    assert [list(node_def_pb2.NodeDef.FromString(entry).attr) for entry in asked] == [["T"], ["_class"]]
    assert parse_text(data, graph_pb2.GraphDef()).noted is None  # no note asked: nothing known


@pytest.mark.filterwarnings("ignore:invalid escape sequence:DeprecationWarning")
def test_node_fields_of_edited_canonical_text_are_the_graphs():
    all_read_whole = canonical_graph()
    all_read_whole.node[1].ClearField("experimental_debug_info")
    all_read_whole.node[4].attr["T"].type = types_pb2.DT_RESOURCE  # for the attr notes, beside a `_class`
    given = 0
    for data in canonical_mutants(600, graph_def=all_read_whole):
        parsed = graph_pb2.GraphDef()
        try:
            fields = parse_text(data, parsed, AttrScan.finds_in)
        except text_format.ParseError:
            continue
        assert fields is None or dataclasses.replace(fields, noted=None) == fields_of(parsed), data
        if fields is not None:  # every node an attr scan finds something in is noted
            scan = AttrScan.of((str(at), n) for at, n in enumerate(parsed.node))
            assert {*scan.handle_types, *scan.colocation} <= set(map(str, fields.noted)), data
        given += fields is not None
    assert given > 20  # the edits leave some texts read whole


def test_singular_field_set_on_both_sides_of_a_canonical_node_is_refused():
    data = b'versions { producer: 1 }\nnode {\n  name: "a"\n  op: "NoOp"\n}\nversions { producer: 2 }\n'
    with pytest.raises(text_format.ParseError, match='multiple "versions"'):
        parse_text(data, graph_pb2.GraphDef())


def test_canonical_attr_as_deep_as_protobuf_takes():
    deep = node_text(nested_funcs(32).replace("b: true", "list { b: true }"))
    too_deep = node_text(nested_funcs(32).replace("b: true", "list { shape { } }"))
    prefix = b'node {\n  name: "first"\n  op: "NoOp"\n}'
    for data in (deep, too_deep):
        message = graph_pb2.GraphDef()
        text_format.Parse(data.decode(), message)
        canonical = prefix + b"\n" + text_format.MessageToString(message).encode()
        if data is deep:
            assert_parity(canonical)
        else:  # the fast path gives up on its own, before protobuf's decoder would
            with pytest.raises(_Unsupported, match="nested too deep"):
                _Parser(_event_pattern(graph_pb2.GraphDef.DESCRIPTOR)).graph_to_wire(
                    canonical, _table(graph_pb2.GraphDef.DESCRIPTOR), bytearray(), graph_pb2.GraphDef().MergeFromString)
            with pytest.raises(NestingTooDeep):
                parse_text(canonical, graph_pb2.GraphDef())


# --------------------------------------------------------------------------- nesting and size


def test_nesting_as_deep_as_protobuf_takes_parses():
    # node 1, attr 2, value 3, then 3 more per func: the innermost value at depth 99, its list at 100.
    assert_parity(node_text(nested_funcs(32).replace("b: true", "list { b: true }")))


@pytest.mark.parametrize("data", [
    node_text(nested_funcs(32).replace("b: true", "list { shape { } }")),  # 101: one level too deep
    node_text(nested_lists(120)),
    node_text(nested_lists(100_000)),
    b"node <\n" * 101 + b">" * 101,
], ids=["101", "480", "400000", "angles"])
def test_text_nested_deeper_than_protobuf_takes_is_refused(data):
    with pytest.raises(NestingTooDeep, match="nested more than 100 deep"):
        parse_text(data, graph_pb2.GraphDef())


@pytest.mark.parametrize("prefix", [b'node { name: "a" name: "b" }\n', b"node: [{ }]\n"])
def test_text_nested_too_deep_is_refused_on_the_fallback_path_too(prefix):
    # Both prefixes send the text to text_format, which would recurse once per level.
    data = prefix + b'node { # { in a comment\n name: "{{" ' + node_text(nested_lists(50_000))[4:] + b"}"
    with mock.patch.object(text_format, "Parse", wraps=text_format.Parse) as fallback:
        with pytest.raises(NestingTooDeep) as error:
            parse_text(data, graph_pb2.GraphDef())
    assert not fallback.called and error.value.GetLine() == 3


def test_braces_in_strings_and_comments_do_not_count_as_nesting():
    braces = "{" * 150
    data = f'node {{ name: "{braces}" # {braces}\n op: \'{braces}\' }}\nnode: [{{ name: "x" }}]'.encode()
    assert_parity(data, fast=False)
