"""freezer.ops.arguments: ports of op arguments, from the generated table, checked against TensorFlow.

The unit tests need no TensorFlow. The TensorFlow tests build each sample op in a `tf.function`
and read TensorFlow's own answer from the FunctionDef it writes: an `IdentityN` fed every output
of the op, in port order, names them `op:output_arg:index`, so its k-th input is port k.
"""

import subprocess
import sys
from pathlib import Path

import pytest
from tensorboard.compat.proto import attr_value_pb2, node_def_pb2, types_pb2

from freezer.ops import arguments as op_arguments
from freezer.errors import GraphError
from freezer.ops.arguments import input_ports, output_count, output_ports, port_of
from graphs import node, types
from hostile import run_limited

ROOT = Path(__file__).resolve().parents[1]
FLOAT, INT32, STRING = types_pb2.DT_FLOAT, types_pb2.DT_INT32, types_pb2.DT_STRING


def i(value):
    return attr_value_pb2.AttrValue(i=value)


def as_lists(ports):
    return {name: list(ports) for name, ports in ports.items()}


# --- the table, without TensorFlow -------------------------------------------------------------

def test_split_has_num_split_outputs():
    split = node("s", "Split", "dim", "x", T=FLOAT, num_split=i(3))
    assert output_ports(split) == {"output": range(0, 3)}
    assert port_of(split, "output", 2) == 2
    assert output_count(split) == 3


def test_identity_n_has_one_output_per_type():
    identity_n = node("n", "IdentityN", "a", "b", T=types(FLOAT, INT32))
    assert output_ports(identity_n) == {"output": range(0, 2)}
    assert input_ports(identity_n) == {"input": range(0, 2)}


def test_outputs_after_a_list_are_shifted_by_its_length():
    sparse_split = node("s", "SparseSplit", "d", "i", "v", "sh", T=FLOAT, num_split=i(2))
    assert as_lists(output_ports(sparse_split)) == {
        "output_indices": [0, 1], "output_values": [2, 3], "output_shape": [4, 5]}
    assert port_of(sparse_split, "output_shape", 1) == 5


def test_single_outputs_are_numbered_in_op_def_order():
    unique = node("u", "Unique", "x", T=FLOAT, out_idx=INT32)
    assert port_of(unique, "y", 0) == 0
    assert port_of(unique, "idx", 0) == 1
    assert output_count(node("c", "Const", dtype=FLOAT)) == 1
    assert output_count(node("n", "NoOp")) == 0


def test_a_stripped_default_attr_counts_its_default():
    # Graphs saved with default attrs stripped omit Ncontext_sparse (default 0) and the type lists.
    parse = node("p", "ParseSequenceExampleV2", Ncontext_sparse=i(2), context_sparse_types=types(FLOAT, STRING))
    ports = output_ports(parse)
    assert as_lists(ports)["context_sparse_indices"] == [0, 1]
    assert as_lists(ports)["context_sparse_values"] == [2, 3]
    assert as_lists(ports)["context_sparse_shapes"] == [4, 5]
    assert output_count(parse) == 6


def test_unknown_op_is_a_graph_error_naming_node_op_and_the_regeneration_command():
    custom = node("my/custom", "MyCustomOp")
    with pytest.raises(GraphError) as error:
        output_ports(custom)
    message = str(error.value)
    assert "'my/custom'" in message and "'MyCustomOp'" in message
    assert "python scripts/make_op_registry.py" in message
    assert op_arguments.table_version() in message
    assert output_count(custom) is None


def test_missing_count_attr_without_default_is_a_graph_error():
    with pytest.raises(GraphError, match=r"Node 's' \(op 'Split'\) lacks attr 'num_split'"):
        output_ports(node("s", "Split", "dim", "x", T=FLOAT))


def test_count_attr_of_the_wrong_kind_is_a_graph_error():
    with pytest.raises(GraphError, match=r"Attr 'num_split' of node 's' \(op 'Split'\) is not an int"):
        output_ports(node("s", "Split", num_split=types(FLOAT)))
    with pytest.raises(GraphError, match=r"Attr 'T' of node 'n' \(op 'IdentityN'\) is not a list of types"):
        output_ports(node("n", "IdentityN", T=i(2)))


def test_negative_count_is_a_graph_error():
    with pytest.raises(GraphError, match="is -1; a list of tensors holds 0 to"):
        output_ports(node("s", "Split", num_split=i(-1)))


def test_port_of_an_unknown_argument_or_index_is_a_graph_error():
    unique = node("u", "Unique", T=FLOAT, out_idx=INT32)
    with pytest.raises(GraphError, match="has no output 'z'; its outputs are: y, idx"):
        port_of(unique, "z", 0)
    with pytest.raises(GraphError, match="has 1 tensor\\(s\\), so it has no index 1"):
        port_of(unique, "idx", 1)
    with pytest.raises(GraphError, match="no index -1"):
        port_of(unique, "idx", -1)


# A regression that turned the ranges into lists would need gigabytes: run it where it cannot.
HOSTILE_COUNTS = """
from freezer.ops.arguments import MAX_PORTS, output_count, output_ports, port_of
from freezer.errors import GraphError
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from graphs import node

def i(value):
    return AttrValue(i=value)

# The largest count TensorFlow could number is answered without building anything that big.
split = node("s", "Split", num_split=i(MAX_PORTS))
assert output_ports(split) == {"output": range(MAX_PORTS)}
assert port_of(split, "output", MAX_PORTS - 1) == MAX_PORTS - 1
assert output_count(split) == MAX_PORTS
for hostile in (node("s", "Split", num_split=i(10**12)),
                node("s", "Split", num_split=i(2**63 - 1)),
                node("s", "SparseSplit", num_split=i(2**30)),  # three lists: 3 * 2**30 ports
                node("s", "Split", num_split=i(-(2**63)))):
    try:
        output_count(hostile)
    except GraphError as error:
        print(error)
    else:
        raise AssertionError(hostile)
"""


def test_hostile_counts_neither_allocate_nor_pass():
    done = run_limited([sys.executable, "-c", HOSTILE_COUNTS], what="counting hostile ports", cwd=ROOT,
                       env={"PYTHONPATH": f"{ROOT}:{ROOT / 'tests'}", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Attr 'num_split' of node 's' (op 'Split') is 1000000000000; a list of tensors holds 0 to 2147483647.",
        f"Attr 'num_split' of node 's' (op 'Split') is {2**63 - 1}; a list of tensors holds 0 to 2147483647.",
        "Node 's' (op 'SparseSplit') would have 2147483648 outputs; TensorFlow numbers them with an int32 "
        "(at most 2147483647).",
        f"Attr 'num_split' of node 's' (op 'Split') is {-(2**63)}; a list of tensors holds 0 to 2147483647.",
    ]


def test_importing_freezer_does_not_read_the_table():
    code = "import sys, freezer, freezer.ops.arguments; print('freezer.ops.registry' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.stdout == "False\n", done.stderr


# --- against TensorFlow ------------------------------------------------------------------------

def sample_ops(tf):
    """Op type → a function that builds one such op (inside a tf.function) and returns it."""
    raw = tf.raw_ops
    f32 = tf.float32

    def matrix(rows=2, cols=4):
        return tf.ones([rows, cols], f32)

    def scalar(stateful):
        # A stateful op makes a Case, If, While or StatefulPartitionedCall, not their stateless twins.
        return tf.cast(raw.Timestamp(), f32) if stateful else tf.constant(1.0)

    def inner(stateful):
        def body(x):
            y = x * scalar(stateful)
            return y, tf.cast(y, tf.int32), tf.strings.as_string(y)
        return tf.function(body, autograph=False)

    def while_loop(stateful):
        def body(k, x, s):
            return k + 1, x * scalar(stateful), s
        return tf.while_loop(lambda k, x, s: k < 3, body, [tf.constant(0), tf.constant(1.0), tf.constant("s")])

    def cond(stateful):
        return tf.cond(tf.constant(True), lambda: (scalar(stateful), tf.constant(1)),
                       lambda: (tf.constant(2.0), tf.constant(2)))

    def case(stateful):
        return tf.switch_case(tf.constant(1), [lambda: (scalar(stateful), tf.constant(0)),
                                               lambda: (tf.constant(2.0), tf.constant(1))])

    def op_under_identity(tensor):
        # tf.cond and tf.switch_case hand out an Identity of each output of the If or Case.
        return tensor.op.inputs[0].op if tensor.op.type == "Identity" else tensor.op

    def lstm_inputs(cell=3):
        x, state = tf.ones([2, 4]), tf.ones([2, cell])
        return dict(x=x, cs_prev=state, h_prev=state, w=tf.ones([4 + cell, 4 * cell]),
                    wci=tf.ones([cell]), wcf=tf.ones([cell]), wco=tf.ones([cell]), b=tf.ones([4 * cell]))

    def block_lstm_inputs(cell=3):
        step = lstm_inputs(cell)
        del step["x"]
        return dict(seq_len_max=tf.constant(2, tf.int64), x=tf.ones([2, 2, 4]), **step)

    sparse = dict(indices=tf.constant([[0, 0], [1, 2]], tf.int64), values=tf.constant([1.0, 2.0]),
                  shape=tf.constant([2, 4], tf.int64))
    features = {"a": tf.io.VarLenFeature(tf.float32), "b": tf.io.VarLenFeature(tf.string),
                "c": tf.io.FixedLenFeature([2], tf.int64), "d": tf.io.RaggedFeature(tf.float32)}

    return {
        "Const": lambda: tf.constant(1.0).op,
        "Switch": lambda: raw.Switch(data=matrix(), pred=tf.constant(True)).output_false.op,
        "Merge": lambda: raw.Merge(inputs=[matrix(), matrix(), matrix()]).output.op,
        "Split": lambda: raw.Split(axis=1, value=matrix(), num_split=4)[0].op,
        "SplitV": lambda: raw.SplitV(value=matrix(), size_splits=[1, 3], axis=1, num_split=2)[0].op,
        "Unpack": lambda: raw.Unpack(value=matrix(3, 2), num=3)[0].op,
        "IdentityN": lambda: raw.IdentityN(input=[matrix(), tf.constant(1), tf.constant("s")])[0].op,
        "RestoreV2": lambda: raw.RestoreV2(prefix="ckpt", tensor_names=["a", "b", "c"],
                                           shape_and_slices=["", "", ""], dtypes=[f32, tf.int64, tf.string])[0].op,
        "FusedBatchNormV3": lambda: raw.FusedBatchNormV3(x=tf.ones([1, 2, 2, 3]), scale=tf.ones([3]),
                                                         offset=tf.ones([3]), mean=tf.ones([3]),
                                                         variance=tf.ones([3]), is_training=False).y.op,
        "TopKV2": lambda: raw.TopKV2(input=matrix(), k=2).values.op,
        "Unique": lambda: raw.Unique(x=tf.constant([1, 1, 2])).y.op,
        "UniqueWithCounts": lambda: raw.UniqueWithCounts(x=tf.constant([1, 1, 2])).y.op,
        "StatefulPartitionedCall": lambda: inner(stateful=True)(tf.constant(1.0))[0].op,
        "PartitionedCall": lambda: inner(stateful=False)(tf.constant(1.0))[0].op,
        "While": lambda: while_loop(stateful=True)[0].op,
        "StatelessWhile": lambda: while_loop(stateful=False)[0].op,
        "If": lambda: op_under_identity(cond(stateful=True)[0]),
        "StatelessIf": lambda: op_under_identity(cond(stateful=False)[0]),
        "Case": lambda: op_under_identity(case(stateful=True)[0]),
        "StatelessCase": lambda: op_under_identity(case(stateful=False)[0]),
        "LSTMBlockCell": lambda: raw.LSTMBlockCell(**lstm_inputs()).i.op,
        "BlockLSTMV2": lambda: raw.BlockLSTMV2(**block_lstm_inputs()).i.op,
        "GRUBlockCell": lambda: raw.GRUBlockCell(x=tf.ones([2, 4]), h_prev=tf.ones([2, 3]), w_ru=tf.ones([7, 6]),
                                                 w_c=tf.ones([7, 3]), b_ru=tf.ones([6]), b_c=tf.ones([3])).r.op,
        "Qr": lambda: raw.Qr(input=matrix(3, 3)).q.op,
        "Svd": lambda: raw.Svd(input=matrix(3, 3)).s.op,
        "SparseSplit": lambda: raw.SparseSplit(split_dim=1, num_split=2, **sparse).output_indices[0].op,
        "DynamicPartition": lambda: raw.DynamicPartition(data=tf.constant([1, 2, 3]), partitions=[0, 2, 1],
                                                         num_partitions=3)[0].op,
        "CTCBeamSearchDecoder": lambda: raw.CTCBeamSearchDecoder(inputs=tf.ones([3, 1, 4]), sequence_length=[3],
                                                                 beam_width=3, top_paths=2).log_probability.op,
        "ParseExampleV2": lambda: next(iter(tf.io.parse_example(tf.constant([""]), features).values())).values.op,
        "ShapeN": lambda: raw.ShapeN(input=[matrix(), matrix(1, 1), matrix(3, 1)])[0].op,
        "DecodeCSV": lambda: raw.DecodeCSV(records=["1,a"],
                                           record_defaults=[tf.constant([0]), tf.constant([""])])[0].op,
        "BroadcastGradientArgs": lambda: raw.BroadcastGradientArgs(s0=[2, 1], s1=[1, 3]).r0.op,
        "MaxPoolWithArgmax": lambda: raw.MaxPoolWithArgmax(input=tf.ones([1, 2, 2, 1]), ksize=[1, 2, 2, 1],
                                                           strides=[1, 1, 1, 1], padding="VALID").output.op,
        "RaggedGather": lambda: raw.RaggedGather(params_nested_splits=[tf.constant([0, 1, 3], tf.int64)],
                                                 params_dense_values=tf.constant([1.0, 2.0, 3.0]), indices=[1, 0],
                                                 OUTPUT_RAGGED_RANK=1).output_dense_values.op,
        "SparseReshape": lambda: raw.SparseReshape(input_indices=sparse["indices"], input_shape=sparse["shape"],
                                                   new_shape=tf.constant([8], tf.int64)).output_indices.op,
    }


def tensorflow_ports(tf, build):
    """Build the op in a tf.function; return its body NodeDef (as freezer reads it), its number of
    data inputs, and TensorFlow's name for each of its outputs in port order ("arg:index")."""
    found = {}

    def function():
        op = build()
        found.update(outputs=len(op.outputs), inputs=len(op.inputs), name=op.name)
        if op.outputs:
            tf.raw_ops.IdentityN(input=op.outputs, name="ports")

    function_def = tf.function(function, autograph=False).get_concrete_function().function_def
    body = {body_node.name: body_node for body_node in function_def.node_def}
    subject = node_def_pb2.NodeDef.FromString(body[found["name"]].SerializeToString())
    entries = body["ports"].input if found["outputs"] else []
    names = [entry.split(":", 1)[1] for entry in entries if not entry.startswith("^")]
    assert len(names) == found["outputs"]
    return subject, found["inputs"], names


def strip_default_attrs(tf, subject):
    """The NodeDef as graphs saved with default attrs stripped hold it."""
    from tensorflow.python.framework import op_def_registry

    stripped = node_def_pb2.NodeDef()
    stripped.CopyFrom(subject)
    for attr in op_def_registry.get(subject.op).attr:
        if attr.HasField("default_value") and attr.name in stripped.attr and \
                attr.default_value.SerializeToString() == stripped.attr[attr.name].SerializeToString():
            del stripped.attr[attr.name]
    return stripped


@pytest.fixture(scope="module")
def samples(tf):
    return sample_ops(tf)


SAMPLE_OPS = ["Const", "Switch", "Merge", "Split", "SplitV", "Unpack", "IdentityN", "RestoreV2", "FusedBatchNormV3",
              "TopKV2", "Unique", "UniqueWithCounts", "StatefulPartitionedCall", "PartitionedCall", "While",
              "StatelessWhile", "If", "StatelessIf", "Case", "StatelessCase", "LSTMBlockCell", "BlockLSTMV2",
              "GRUBlockCell", "Qr", "Svd", "SparseSplit", "DynamicPartition", "CTCBeamSearchDecoder",
              "ParseExampleV2", "ShapeN", "DecodeCSV", "BroadcastGradientArgs", "MaxPoolWithArgmax", "RaggedGather",
              "SparseReshape"]


@pytest.mark.parametrize("op", SAMPLE_OPS)
def test_ports_match_tensorflow_function_names(op, tf, samples):
    subject, input_count, names = tensorflow_ports(tf, samples[op])
    assert subject.op == op
    for variant in (subject, strip_default_attrs(tf, subject)):
        ports = output_ports(variant)
        assert output_count(variant) == len(names)
        assert [f"{arg}:{index}" for arg, arg_ports in ports.items() for index in range(len(arg_ports))] == names
        for port, name in enumerate(names):
            arg, index = name.split(":")
            assert port_of(variant, arg, int(index)) == port
        assert sum(map(len, input_ports(variant).values())) == input_count


def test_every_sample_op_has_a_builder(samples):
    assert set(samples) == set(SAMPLE_OPS)


def test_the_table_is_what_the_installed_tensorflow_generates(tf, tmp_path):
    out = tmp_path / "registry.py"
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_op_registry.py"), "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == (ROOT / "freezer" / "ops" / "registry.py").read_text(), (
        "freezer/ops/registry.py is stale for this TensorFlow: run python scripts/make_op_registry.py")
