"""Inlining function calls (`freezer.passes.functions.inline`): the graph becomes flat.

Graphs with calls are built by TensorFlow itself (tf.function in graph mode, a SavedModel's
MetaGraph, a Defun); each is run in TensorFlow before and after inlining and must give the same
values. Hostile graphs are tiny ones built in code: each is one GraphError, found before anything
is inlined where it can be.
"""

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, function_pb2, graph_pb2, op_def_pb2, types_pb2

from freezer.errors import GraphError
from freezer.graph import GraphIndex
from freezer.ops.arguments import REGENERATE, table_version
from freezer.passes.base import PassContext
from freezer.passes.functions.inline import MAX_NESTING, inline_calls
from freezer.passes.functions.library import reachable_functions
from fixture_models import run_tf
from graphs import const, func, graph, node, ops_of, run_passes, types

FLOAT = types_pb2.DT_FLOAT
CALL_OPS = {"PartitionedCall", "StatefulPartitionedCall"}


def inline(graph_def, outputs):
    """The graph after inlining (a copy: the original stays as it was)."""
    copy = graph_pb2.GraphDef.FromString(graph_def.SerializeToString())
    return run_passes(copy, PassContext(outputs=list(outputs)), (inline_calls,))


def names_of(graph_def):
    return [n.name for n in graph_def.node]


def assert_flat(graph_def):
    """No call left, no clashing names, and the library holds only what If/While/Case nodes call."""
    functions = {f.signature.name for f in graph_def.library.function}
    assert not ops_of(graph_def) & (CALL_OPS | functions)
    assert len(set(names_of(graph_def))) == len(graph_def.node)
    assert functions == reachable_functions(graph_def)


# --- TensorFlow's own graphs ------------------------------------------------------------------

tf_needed = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def assert_same_values(before, after):
    assert len(before) == len(after)
    for expected, actual in zip(before, after):
        np.testing.assert_array_equal(actual, expected)


def as_graph_def(tf_graph):
    return graph_pb2.GraphDef.FromString(tf_graph.as_graph_def().SerializeToString())


@pytest.fixture(scope="module")
def nested_calls():
    """y = outer(x): outer reads a variable, calls inner (tf.split and tf.unstack: list outputs),
    updates the variable; returns graph_def, feeds."""
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default() as tf_graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        v = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2), name="v")

        @tf.function
        def inner(a):
            parts = tf.split(a, 2, axis=1)
            return parts[1] * 2.0, tf.unstack(a, axis=1)[0]

        @tf.function
        def outer(a):
            b, c = inner(tf.matmul(a, v))
            v.assign_add(tf.ones_like(v))
            return b + c[:, None]

        tf.identity(outer(x), name="y")
        tf.compat.v1.global_variables_initializer()
    feeds = {"x:0": np.arange(6, dtype=np.float32).reshape(2, 3)}
    return as_graph_def(tf_graph), feeds


def test_nested_calls_with_list_outputs_give_the_same_values(nested_calls):
    graph_def, feeds = nested_calls
    inlined = inline(graph_def, ["y", "init"])
    assert_flat(inlined)
    assert not inlined.library.function
    assert "StatefulPartitionedCall/PartitionedCall/split" in names_of(inlined)  # <call>/<body node>
    assert_same_values(run_tf(graph_def, ["y:0"], feeds, targets=["init"]),
                       run_tf(inlined, ["y:0"], feeds, targets=["init"]))


def test_inlining_twice_changes_nothing_more(nested_calls):
    graph_def, _ = nested_calls
    inlined = inline(graph_def, ["y", "init"])
    again = inline_calls(GraphIndex(inlined), PassContext(outputs=["y", "init"]))
    assert not again.changed


def test_a_graph_without_calls_is_left_alone():
    graph_def = graph(const("c", [1.0]), node("y", "Identity", "c", T=FLOAT))
    before = graph_def.SerializeToString()
    result = inline_calls(GraphIndex(graph_def), PassContext(outputs=["y"]))
    assert not result.changed
    assert result.graph_def.SerializeToString() == before


def test_calls_the_outputs_do_not_reach_stay(nested_calls):
    graph_def, _ = nested_calls
    result = inline_calls(GraphIndex(inline(graph_def, [])), PassContext(outputs=["x"]))
    assert not result.changed
    assert "StatefulPartitionedCall" in names_of(result.graph_def)


def test_call_waited_for_by_control_input_stays_as_identity_n():
    """`^call` must still wait for the function's side effect (an assign): the call becomes a NoOp
    (nothing reads its values) waiting on the function's control outputs."""
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default() as tf_graph:
        v = tf.Variable(1.0, name="v")

        @tf.function
        def bump():
            v.assign_add(10.0)
            return tf.constant(0.0)

        call = bump()
        with tf.control_dependencies([call.op]):
            tf.identity(v.read_value(), name="y")
        tf.compat.v1.global_variables_initializer()
    graph_def = as_graph_def(tf_graph)
    inlined = inline(graph_def, ["y", "init"])
    assert_flat(inlined)
    kept = next(n for n in inlined.node if n.name == call.op.name)
    assert kept.op == "NoOp"
    assert any(name.startswith(f"^{call.op.name}/") for name in kept.input)  # the assign, by control_ret
    before = run_tf(graph_def, ["y:0"], targets=["init"])
    assert before == [11.0]
    assert_same_values(before, run_tf(inlined, ["y:0"], targets=["init"]))


def test_function_returning_a_resource_handle():
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default() as tf_graph:
        v = tf.Variable([1.0, 2.0, 3.0], name="v")

        @tf.function
        def handle():
            return v.handle

        tf.identity(tf.raw_ops.ReadVariableOp(resource=handle(), dtype=tf.float32) * 2.0, name="y")
        tf.compat.v1.global_variables_initializer()
    graph_def = as_graph_def(tf_graph)
    inlined = inline(graph_def, ["y", "init"])
    assert_flat(inlined)
    assert_same_values(run_tf(graph_def, ["y:0"], targets=["init"]),
                       run_tf(inlined, ["y:0"], targets=["init"]))


def test_if_inside_a_called_function_still_works():
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default() as tf_graph:
        x = tf.compat.v1.placeholder(tf.float32, [2], name="x")
        flag = tf.compat.v1.placeholder(tf.bool, [], name="flag")
        v = tf.Variable([3.0, 4.0], name="v")

        @tf.function
        def helper(a):
            return a - 1.0

        @tf.function
        def choose(a, p):
            return tf.cond(p, lambda: helper(a) * v, lambda: a + v)

        tf.identity(choose(x, flag), name="y")
        tf.compat.v1.global_variables_initializer()
    graph_def = as_graph_def(tf_graph)
    inlined = inline(graph_def, ["y", "init"])
    assert_flat(inlined)
    assert ops_of(inlined) & {"If", "StatelessIf"}
    assert inlined.library.function  # the branches, and what they call, stay functions
    for condition in (True, False):
        feeds = {"x:0": np.array([1.0, 5.0], np.float32), "flag:0": condition}
        assert_same_values(run_tf(graph_def, ["y:0"], feeds, targets=["init"]),
                           run_tf(inlined, ["y:0"], feeds, targets=["init"]))


def test_while_inside_a_called_function_stays_a_while():
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default() as tf_graph:
        n = tf.compat.v1.placeholder(tf.int32, [], name="n")

        @tf.function
        def triangle(limit):
            return tf.while_loop(lambda i, total: i < limit, lambda i, total: (i + 1, total + i), (0, 0))[1]

        tf.identity(triangle(n), name="y")
    graph_def = as_graph_def(tf_graph)
    inlined = inline(graph_def, ["y"])
    assert_flat(inlined)
    assert ops_of(inlined) & {"While", "StatelessWhile"}
    assert_same_values(run_tf(graph_def, ["y:0"], {"n:0": 7}), run_tf(inlined, ["y:0"], {"n:0": 7}))


def test_saved_model_signature_and_restore_are_inlined(tmp_path):
    """A SavedModel's MetaGraph: the signature's call (an output, so kept by name) and the saver's
    save and restore calls are inlined; restored from the SavedModel's variables, the values are the same."""
    tf = pytest.importorskip("tensorflow")
    from tensorflow.core.protobuf import saved_model_pb2

    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(np.arange(6, dtype=np.float32).reshape(3, 2))
            self.b = tf.Variable([0.5, -0.5])

        @tf.function
        def dense(self, x):
            return tf.nn.relu(tf.matmul(x, self.w) + self.b)

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def __call__(self, x):
            with tf.control_dependencies([tf.debugging.assert_all_finite(x, "finite")]):
                y = self.dense(x)
            return {"y": y, "parts": tf.stack(tf.unstack(y, axis=1)[::-1], axis=1)}

    tf.saved_model.save(Model(), str(tmp_path / "model"))
    saved = saved_model_pb2.SavedModel.FromString((tmp_path / "model" / "saved_model.pb").read_bytes())
    meta_graph = saved.meta_graphs[0]
    graph_def = graph_pb2.GraphDef.FromString(meta_graph.graph_def.SerializeToString())
    signature = meta_graph.signature_def["serving_default"]
    fetches = [signature.outputs[key].name for key in ("y", "parts")]
    x_name = signature.inputs["x"].name
    saver = meta_graph.saver_def
    restore = (saver.restore_op_name, saver.filename_tensor_name, str(tmp_path / "model" / "variables" / "variables"))
    # The saver's save call too: everything in the graph is a call to inline.
    outputs = sorted({name.split(":")[0] for name in [*fetches, saver.save_tensor_name, saver.restore_op_name]})

    inlined = inline(graph_def, outputs)
    assert_flat(inlined)
    assert not inlined.library.function
    feeds = {x_name: np.array([[1.0, -2.0, 3.0], [0.5, 0.25, 4.0]], np.float32)}
    assert_same_values(run_tf(graph_def, fetches, feeds, restore=restore),
                       run_tf(inlined, fetches, feeds, restore=restore))


def test_direct_call_of_a_library_function():
    """A Defun is called by its name as the node's op."""
    tf = pytest.importorskip("tensorflow")
    from tensorflow.python.framework import function as tf_function

    with tf.Graph().as_default() as tf_graph:
        @tf_function.Defun(tf.float32, tf.float32)
        def scaled(a, b):
            return a * b + 1.0, tf.split(a, 2)[1]

        x = tf.compat.v1.placeholder(tf.float32, [4], name="x")
        first, second = scaled(x, tf.constant(3.0))
        tf.identity(first, name="y")
        tf.identity(second, name="z")
    graph_def = as_graph_def(tf_graph)
    assert ops_of(graph_def) & {f.signature.name for f in graph_def.library.function}
    inlined = inline(graph_def, ["y", "z"])
    assert_flat(inlined)
    feeds = {"x:0": np.array([1.0, 2.0, 3.0, 4.0], np.float32)}
    assert_same_values(run_tf(graph_def, ["y:0", "z:0"], feeds), run_tf(inlined, ["y:0", "z:0"], feeds))


# --- tiny graphs ------------------------------------------------------------------------------

def float_function(name, inputs=("a",), outputs=("out",), nodes=(), ret=None, control_ret=None, attrs=()):
    """A FunctionDef of floats: `inputs`/`outputs` are argument names; `attrs` are type attrs."""
    signature = op_def_pb2.OpDef(
        name=name, input_arg=[op_def_pb2.OpDef.ArgDef(name=n, type=FLOAT) for n in inputs],
        output_arg=[op_def_pb2.OpDef.ArgDef(name=n, type=FLOAT) for n in outputs],
        attr=[op_def_pb2.OpDef.AttrDef(name=a, type="type") for a in attrs],
        control_output=list(control_ret or {}))
    return function_pb2.FunctionDef(signature=signature, node_def=list(nodes),
                                    ret=ret if ret is not None else {"out": "a"}, control_ret=control_ret or {})


def call(name, function_name, *inputs, n_in=1, n_out=1, **f_attrs):
    return node(name, "PartitionedCall", *inputs, Tin=types(*[FLOAT] * n_in), Tout=types(*[FLOAT] * n_out),
                f=func(function_name, **f_attrs))


def called_graph(*functions, inputs=("x",), extra=()):
    """x → call of the first function → y."""
    graph_def = graph(node("x", "Placeholder", dtype=FLOAT), *extra,
                      call("call", functions[0].signature.name, *inputs, n_in=len(inputs)),
                      node("y", "Identity", "call", T=FLOAT))
    graph_def.library.function.extend(functions)
    return graph_def


def double(name="double"):
    return float_function(name, nodes=[node("add", "AddV2", "a", "a", T=FLOAT)], ret={"out": "add:z:0"})


def nodes_by_name(graph_def):
    return {n.name: n for n in graph_def.node}


def test_inlined_names_never_clash():
    graph_def = called_graph(double(), extra=[const("call/add", [1.0]), const("call/add_1", [2.0])])
    inlined = inline(graph_def, ["y", "call/add", "call/add_1"])
    assert_flat(inlined)
    assert nodes_by_name(inlined)["y"].input == ["call/add_2"]
    assert nodes_by_name(inlined)["call/add_2"].input == ["x", "x"]


def test_two_calls_of_one_function_get_their_own_nodes():
    graph_def = graph(node("x", "Placeholder", dtype=FLOAT), call("c1", "double", "x"), call("c2", "double", "c1"),
                      node("y", "Identity", "c2", T=FLOAT))
    graph_def.library.function.append(double())
    inlined = inline(graph_def, ["y"])
    assert_flat(inlined)
    nodes = nodes_by_name(inlined)
    assert nodes["c2/add"].input == ["c1/add", "c1/add"]
    assert nodes["y"].input == ["c2/add"]


def test_call_control_inputs_reach_the_body_through_one_noop():
    body = [const("k", [2.0]), node("square", "Square", "a", T=FLOAT),
            node("mul", "Mul", "square:y:0", "k:output:0", T=FLOAT)]
    fn = float_function("f", nodes=body, ret={"out": "mul:z:0"})
    graph_def = graph(node("x", "Placeholder", dtype=FLOAT), node("init", "NoOp"),
                      call("call", "f", "x", "^init"), node("y", "Identity", "call", T=FLOAT))
    graph_def.library.function.append(fn)
    nodes = nodes_by_name(inline(graph_def, ["y"]))
    noop = nodes["call/input_control_node"]
    assert (noop.op, list(noop.input)) == ("NoOp", ["^init"])
    assert nodes["call/k"].input == ["^call/input_control_node"]  # no inputs at all
    assert nodes["call/square"].input == ["x", "^call/input_control_node"]  # reads only from outside
    assert nodes["call/mul"].input == ["call/square", "call/k"]  # waits through those


def test_call_named_by_an_output_or_colocation_stays():
    for outputs, extra in ((["y", "call"], ()), (["y", "z"], [node("z", "Identity", "x", T=FLOAT, _class=[b"loc:@call"])])):
        graph_def = called_graph(double(), extra=extra)
        nodes = nodes_by_name(inline(graph_def, outputs))
        assert nodes["y"].input == ["call/add"]
        if "call" in outputs:  # its values are asked for
            assert nodes["call"].op == "IdentityN"
            assert list(nodes["call"].input) == ["call/add"]
            assert nodes["call"].attr["T"].list.type == [FLOAT]
        else:  # only named: a NoOp after what it returned
            assert nodes["call"].op == "NoOp"
            assert list(nodes["call"].input) == ["^call/add"]


def test_nested_call_named_by_a_kept_calls_control_output_stays():
    """outer's control output is its inner call: kept outer waits on the inner call's keeper."""
    outer = float_function("outer", nodes=[call("inner_call", "double", "a")], ret={"out": "a"},
                     control_ret={"effect": "inner_call"})
    nodes = nodes_by_name(inline(called_graph(outer, double()), ["y", "call"]))
    assert list(nodes["call"].input) == ["x", "^call/inner_call"]
    assert nodes["call/inner_call"].op == "NoOp"  # only waited on
    assert list(nodes["call/inner_call"].input) == ["^call/inner_call/add"]


def test_unneeded_call_is_dropped():
    assert "call" not in nodes_by_name(inline(called_graph(double()), ["y"]))


def test_function_returning_its_argument():
    graph_def = called_graph(float_function("f"))
    assert nodes_by_name(inline(graph_def, ["y"]))["y"].input == ["x"]


def test_colocation_inside_the_body_names_the_inlined_node():
    body = [node("add", "AddV2", "a", "a", T=FLOAT), node("neg", "Neg", "add:z:0", T=FLOAT, _class=[b"loc:@add"])]
    nodes = nodes_by_name(inline(called_graph(float_function("f", nodes=body, ret={"out": "neg:y:0"})), ["y"]))
    assert nodes["call/neg"].attr["_class"].list.s == [b"loc:@call/add"]


def test_argument_named_by_a_control_input_or_colocation_is_the_node_passing_it():
    body = [node("neg", "Neg", "a", "^a", T=FLOAT, _class=[b"loc:@a", b"loc:@neg", b"not a colocation"])]
    nodes = nodes_by_name(inline(called_graph(float_function("f", nodes=body, ret={"out": "neg:y:0"})), ["y"]))
    assert list(nodes["call/neg"].input) == ["x", "^x"]
    assert nodes["call/neg"].attr["_class"].list.s == [b"loc:@x", b"loc:@call/neg", b"not a colocation"]


def test_placeholder_attrs_take_the_calls_values():
    fn = float_function("poly", nodes=[node("id", "Identity", "a", T=attr_value_pb2.AttrValue(placeholder="T"))],
                  ret={"out": "id:output:0"}, attrs=["T"])
    graph_def = called_graph(fn)
    graph_def.node[1].attr["f"].func.attr["T"].type = FLOAT
    nodes = nodes_by_name(inline(graph_def, ["y"]))
    assert nodes["call/id"].attr["T"].type == FLOAT


def test_placeholder_attr_the_call_does_not_set_is_an_error():
    fn = float_function("poly", nodes=[node("id", "Identity", "a", T=attr_value_pb2.AttrValue(placeholder="T"))],
                  ret={"out": "id:output:0"}, attrs=["T"])
    assert_refused(called_graph(fn), cannot_inline(
        "its node id takes attr 'T' from attr 'T', which the caller does not set", function="poly"))


def test_nested_call_outputs_are_rewired_through_every_level():
    outer = float_function("outer", nodes=[call("inner_call", "double", "a")], ret={"out": "inner_call:output:0"})
    inlined = inline(called_graph(outer, double()), ["y"])
    assert_flat(inlined)
    assert not inlined.library.function
    assert nodes_by_name(inlined)["y"].input == ["call/inner_call/add"]


# --- hostile graphs ---------------------------------------------------------------------------

def cannot_inline(reason, function="f"):
    """The one-line refusal of a malformed body of `function`, called by `called_graph`'s call."""
    return (f"Cannot inline function {function} (called by PartitionedCall node call): {reason}; "
            "re-export the graph, or --keep-calls keeps the calls as they are.")


def assert_refused(graph_def, message):
    with pytest.raises(GraphError) as error:
        inline(graph_def, ["y"])
    assert str(error.value) == message


def test_function_calling_itself_is_an_error():
    fn = float_function("f", nodes=[call("again", "f", "a")], ret={"out": "again:output:0"})
    with pytest.raises(GraphError, match=r"Function f calls itself \(f -> f\).*--keep-calls keeps the calls"):
        inline(called_graph(fn), ["y"])


def test_functions_calling_each_other_in_a_ring_is_an_error():
    ring = [float_function(name, nodes=[call("next", following, "a")], ret={"out": "next:output:0"})
            for name, following in (("f", "g"), ("g", "h"), ("h", "f"))]
    with pytest.raises(GraphError, match=r"calls itself \(f -> g -> h -> f\)"):
        inline(called_graph(*ring), ["y"])


def chain_of_functions(length, calls_each=1):
    """f0 → f1 → ... → f{length-1} (doubles): each calls the next `calls_each` times."""
    functions = []
    for i in range(length - 1):
        nodes = [call(f"c{k}", f"f{i + 1}", "a" if k == 0 else f"c{k - 1}:output:0") for k in range(calls_each)]
        functions.append(float_function(f"f{i}", nodes=nodes, ret={"out": f"c{calls_each - 1}:output:0"}))
    functions.append(double(f"f{length - 1}"))
    return functions


def test_nesting_up_to_the_bound_is_inlined():
    inlined = inline(called_graph(*chain_of_functions(MAX_NESTING)), ["y"])
    assert_flat(inlined)


def test_nesting_deeper_than_the_bound_is_an_error():
    with pytest.raises(GraphError, match=f"nest more than {MAX_NESTING} deep"):
        inline(called_graph(*chain_of_functions(MAX_NESTING + 1)), ["y"])


def test_very_deep_nesting_is_an_error_not_a_recursion_error():
    with pytest.raises(GraphError, match=f"nest more than {MAX_NESTING} deep"):
        inline(called_graph(*chain_of_functions(20_000)), ["y"])


def test_exponential_expansion_is_refused_before_inlining():
    """Each of 60 functions calls the next twice: 2**60 nodes once flat."""
    with pytest.raises(GraphError, match="2 GiB limit .*; --keep-calls"):
        inline(called_graph(*chain_of_functions(60, calls_each=2)), ["y"])


def test_call_with_fewer_inputs_than_arguments_is_an_error():
    fn = float_function("f", inputs=("a", "b"), ret={"out": "b"})
    assert_refused(called_graph(fn), cannot_inline("it takes 2 argument(s) but is passed 1"))


def test_function_with_a_list_argument_is_an_error():
    fn = float_function("f")
    fn.signature.input_arg[0].number_attr = "N"
    assert_refused(called_graph(fn), cannot_inline("its argument 'a' is a list of tensors"))


def test_two_body_nodes_of_one_name_is_an_error():
    body = [node("neg", "Neg", "a", T=FLOAT), node("neg", "Neg", "a", T=FLOAT)]
    fn = float_function("f", nodes=body, ret={"out": "neg:y:0"})
    assert_refused(called_graph(fn), cannot_inline("two of its nodes or arguments are named 'neg'"))


def test_ret_naming_a_missing_node_is_an_error():
    assert_refused(called_graph(float_function("f", ret={"out": "gone:y:0"})),
                   cannot_inline("'gone:y:0' names no argument or node of the function"))


def test_missing_ret_is_an_error():
    assert_refused(called_graph(float_function("f", ret={})),
                   cannot_inline("its output 'out' is returned by no node (ret)"))


def test_ret_of_a_control_input_is_an_error():
    assert_refused(called_graph(float_function("f", ret={"out": "^a"})),
                   cannot_inline("its output 'out' returns a control input"))


def test_control_output_naming_no_node_is_an_error():
    fn = float_function("f", control_ret={"effect": "gone"})
    assert_refused(called_graph(fn), cannot_inline("its control output 'gone' names no node of the function"))


def test_output_typed_by_an_attr_the_call_does_not_set_is_an_error():
    fn = float_function("f", attrs=["T"])
    fn.signature.output_arg[0].type_attr = "T"
    assert_refused(called_graph(fn), cannot_inline(
        "its output 'out' takes its type from attr 'T', which the caller does not set"))


def test_body_input_naming_an_unknown_node_is_an_error():
    fn = float_function("f", nodes=[node("neg", "Neg", "nowhere:y:0", T=FLOAT)], ret={"out": "neg:y:0"})
    assert_refused(called_graph(fn), cannot_inline("'nowhere:y:0' names no argument or node of the function"))


@pytest.mark.parametrize("tensor, reason", [
    ("split:nope:0", "split:nope:0 names an output node split does not have (it has: output)"),
    ("split:output:2", "split:output:2 names an output node split does not have (it has: output)"),
    ("split", "'split' names no argument or node of the function"),
    ("split:output:x", "'split:output:x' is not a function input name (arg, node:output:index or ^node)"),
])
def test_body_input_naming_an_unknown_port_is_an_error(tensor, reason):
    body = [const("dim", 0, types_pb2.DT_INT32),
            node("split", "Split", "dim:output:0", "a", T=FLOAT, num_split=attr_value_pb2.AttrValue(i=2)),
            node("neg", "Neg", tensor, T=FLOAT)]
    assert_refused(called_graph(float_function("f", nodes=body, ret={"out": "neg:y:0"})), cannot_inline(reason))


def test_body_op_unknown_to_freezer_is_an_error_naming_keep_calls():
    body = [node("mystery", "MyCustomOp", "a")]
    assert_refused(called_graph(float_function("f", nodes=body, ret={"out": "mystery:output:0"})), cannot_inline(
        f"Node 'call/mystery' runs op 'MyCustomOp', which freezer's op table (from TensorFlow {table_version()}) "
        "does not know, so its output ports cannot be worked out. If it is a TensorFlow op, regenerate the "
        f"table with a TensorFlow that has it: {REGENERATE}"))


def test_call_of_a_function_the_library_lacks_is_an_error():
    graph_def = called_graph(double())
    graph_def.node[1].attr["f"].func.name = "missing"
    with pytest.raises(GraphError, match="calls function 'missing', which the graph's library does not define"):
        inline(graph_def, ["y"])


def test_call_reading_its_own_output_through_its_function_is_an_error():
    graph_def = graph(call("call", "f", "call"), node("y", "Identity", "call", T=FLOAT))
    graph_def.library.function.append(float_function("f"))
    with pytest.raises(GraphError, match="cycle"):
        inline(graph_def, ["y"])


def test_reading_an_output_the_function_does_not_return_is_an_error():
    graph_def = called_graph(double())
    graph_def.node[2].input[0] = "call:3"
    with pytest.raises(GraphError, match="reads output 3 of call call, whose function returns 1"):
        inline(graph_def, ["y"])
