"""Lowering v2 control flow to v1 (`freezer.passes.functions.lower`, `--lower-control-flow`).

Graphs with `If`/`Case`/`While` are built by TensorFlow itself (tf.function in graph mode, and a
`tf.compat.v1` graph with control flow v2); each is run in TensorFlow before and after lowering,
on inputs that take every branch and loop 0, 1 and many times, and must give the same values
exactly, with no functional op left. Hostile graphs are tiny ones built in code: each is one
GraphError, found before anything is lowered where it can be.
"""

import time

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, types_pb2

from freezer.errors import GraphError
from freezer.passes.base import PassContext
from freezer.passes.checks import check_loadable
from freezer.ops import FUNCTIONAL_CONTROL_FLOW_OPS as LOWERED_OPS
from freezer.options import FreezeOptions
from freezer.ops.arguments import REGENERATE, table_version
from freezer.passes.functions.lower import MAX_NESTING, lower_control_flow
from fixture_models import run_tf
from graphs import const, func, function, graph, node, ops_of, run_passes, types

FLOAT, BOOL, INT32 = types_pb2.DT_FLOAT, types_pb2.DT_BOOL, types_pb2.DT_INT32
V1_CONTROL_FLOW = {"Switch", "Merge", "Enter", "Exit", "NextIteration", "LoopCond"}


def lower(graph_def, outputs, keep_calls=False):
    """The graph after lowering (a copy: the original stays as it was), checked as a freeze checks
    its result: every input resolves, no cycle but while loops."""
    copy = graph_pb2.GraphDef.FromString(graph_def.SerializeToString())
    options = FreezeOptions(lower_control_flow=True, keep_calls=keep_calls)
    ctx = PassContext(outputs=[name.split(":")[0] for name in outputs], options=options)
    return run_passes(copy, ctx, (lower_control_flow, check_loadable))


def assert_lowered(graph_def):
    """No functional control flow left, no clashing names, no function left to call."""
    assert not ops_of(graph_def) & LOWERED_OPS
    assert ops_of(graph_def) & V1_CONTROL_FLOW
    assert len({n.name for n in graph_def.node}) == len(graph_def.node)
    assert not graph_def.library.function


# --- TensorFlow's own graphs ------------------------------------------------------------------

def traced(tf, f, *specs):
    """f traced by tf.function in graph mode: its GraphDef and its output tensors' names."""
    concrete = tf.function(f).get_concrete_function(*specs)
    graph_def = graph_pb2.GraphDef.FromString(concrete.graph.as_graph_def().SerializeToString())
    return graph_def, [tensor.name for tensor in concrete.outputs]


def assert_same_results(tf, original, lowered, fetches, all_feeds):
    """Both graphs give exactly the same values (and dtypes) for every set of feeds."""
    for feeds in all_feeds:
        expected, actual = run_tf(original, fetches, feeds), run_tf(lowered, fetches, feeds)
        for name, want, got in zip(fetches, expected, actual):
            assert np.asarray(got).dtype == np.asarray(want).dtype, (name, feeds)
            np.testing.assert_array_equal(got, want, err_msg=f"{name} with {feeds}")


X = np.array([1.5, -2.0, 3.25], np.float32)


def test_cond_takes_both_branches(tf):
    def f(x, p):
        return tf.cond(p, lambda: x * 2.0, lambda: x + 1.0), tf.cond(p, lambda: tf.constant(1), lambda: 7)

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.bool))
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    assert_same_results(tf, original, lowered, outputs, [{"x:0": X, "p:0": True}, {"x:0": X, "p:0": False}])


def test_case_takes_each_branch_and_the_last_when_out_of_range(tf):
    def f(x, i):
        branches = [lambda: x, lambda: x * 3.0, lambda: tf.constant([7.0, 7.0, 7.0])]
        return tf.switch_case(i, branches), tf.switch_case(i, [lambda: x - 1.0])

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.int32))
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    assert_same_results(tf, original, lowered, outputs,
                        [{"x:0": X, "i:0": i} for i in (-5, -1, 0, 1, 2, 3, 100)])


def test_while_runs_zero_one_and_many_iterations(tf):
    def f(x, n):
        def body(i, acc):
            return i + 1, acc * 2.0 + tf.cond(i > 1, lambda: 1.0, lambda: -0.5)
        return tf.while_loop(lambda i, acc: i < n, body, [0, x])

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.int32))
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    assert_same_results(tf, original, lowered, outputs, [{"x:0": X, "n:0": n} for n in (0, 1, 2, 7)])


def test_nested_control_flow_is_lowered_all_the_way(tf):
    """A loop in a loop, a cond in a case branch, a loop in a cond branch."""
    def f(x, n, i):
        def outer(k, acc):
            _, inner = tf.while_loop(lambda j, a: j < k, lambda j, a: (j + 1, a + 1.0), [0, acc])
            return k + 1, inner
        _, looped = tf.while_loop(lambda k, acc: k < n, outer, [0, x])
        cased = tf.switch_case(i, [lambda: tf.cond(n > 2, lambda: x * 2.0, lambda: x),
                                   lambda: tf.while_loop(lambda j, a: j < n, lambda j, a: (j + 1, a * 0.5),
                                                         [0, x])[1]])
        return looped, cased

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.int32),
                               tf.TensorSpec([], tf.int32))
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    assert_same_results(tf, original, lowered, outputs,
                        [{"x:0": X, "n:0": n, "i:0": i} for n in (0, 1, 4) for i in (0, 1, 5)])


def test_the_lowered_node_still_names_its_outputs(tf):
    """`cond:0`, `while:1` fetch what the functional node gave: an IdentityN keeps its name."""
    def f(x, n):
        return tf.cond(n > 0, lambda: x, lambda: -x), tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a + x),
                                                                    [0, x])[1]

    original, _ = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.int32))
    functional = {n.name: n.op for n in original.node if n.op in LOWERED_OPS}
    fetches = [f"{name}:{port}" for name in functional for port in range(2 if "While" in functional[name] else 1)]
    lowered = lower(original, fetches)
    assert {n.name: n.op for n in lowered.node if n.name in functional} == dict.fromkeys(functional, "IdentityN")
    assert_same_results(tf, original, lowered, fetches, [{"x:0": X, "n:0": n} for n in (0, 3)])


def test_parallel_iterations_reach_every_enter(tf):
    def f(x):
        return tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a + 1.0), [0, x], parallel_iterations=3)[1]

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32))
    (loop,) = [n for n in original.node if n.op in LOWERED_OPS]
    lowered = lower(original, outputs)
    enters = [n for n in lowered.node if n.op == "Enter"]
    assert enters and all(n.attr["parallel_iterations"].i == 3 for n in enters)
    assert {n.attr["frame_name"].s for n in enters} == {loop.name.encode()}
    assert_same_results(tf, original, lowered, outputs, [{"x:0": X}])


def test_variant_loop_variable_passes_through_enter_and_exit(tf):
    """A TensorArray in a loop is a DT_VARIANT loop variable (a TensorList)."""
    def f(x, n):
        def body(i, array):
            return i + 1, array.write(i, x * tf.cast(i, tf.float32))
        array = tf.TensorArray(tf.float32, size=0, dynamic_size=True, element_shape=[3])
        return tf.while_loop(lambda i, array: i < n, body, [0, array])[1].stack()

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.int32))
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    assert types_pb2.DT_VARIANT in {n.attr["T"].type for n in lowered.node if n.op == "Enter"}
    assert_same_results(tf, original, lowered, outputs, [{"x:0": X, "n:0": n} for n in (1, 4)])


def test_side_effects_of_a_branch_run_when_it_is_taken_only(tf):
    """An assert nothing reads: tf.function guards it with an If in the branch, which the branch's
    output waits for through `^` inputs and the Assert reaches only as a `control_ret`."""
    def f(x, p):
        def checked():
            tf.debugging.assert_positive(x)
            return x * 2.0
        return tf.cond(p, checked, lambda: x)

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.bool))
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    assert "Assert" in ops_of(lowered)
    assert_same_results(tf, original, lowered, outputs, [{"x:0": X, "p:0": False}, {"x:0": abs(X), "p:0": True}])
    for graph_def in (original, lowered):
        with pytest.raises(tf.errors.InvalidArgumentError):
            run_tf(graph_def, outputs, {"x:0": X, "p:0": True})


@pytest.fixture()
def v1_graph(tf):
    """A tf.compat.v1 graph with control flow v2: an If and a While with a control input, and a
    `^cond` consumer."""
    with tf.Graph().as_default() as tf_graph:
        x = tf.compat.v1.placeholder(tf.float32, [3], name="x")
        p = tf.compat.v1.placeholder(tf.bool, [], name="p")
        n = tf.compat.v1.placeholder(tf.int32, [], name="n")
        check = tf.debugging.assert_less(n, 100, name="check")
        with tf.control_dependencies([check]):
            y = tf.cond(p, lambda: tf.debugging.check_numerics(x / 2.0, "half"), lambda: x * x)
        tf.identity(y, name="y")
        if_op = y.op.inputs[0].op  # tf.cond returns an Identity of the If's output
        assert if_op.type == "If"  # not StatelessIf: CheckNumerics is stateful
        with tf.control_dependencies([if_op]):
            tf.identity(x, name="after_cond")
        tf.identity(tf.while_loop(lambda i, a: i < n, lambda i, a: (i + 1, a * 1.5), [0, x])[1], name="z")
    graph_def = graph_pb2.GraphDef.FromString(tf_graph.as_graph_def().SerializeToString())
    (loop,) = [n for n in graph_def.node if n.op == "StatelessWhile"]
    loop.input.append(f"^{check.name}")  # tf.while_loop puts control dependencies on its inputs instead
    return graph_def


def test_v1_graph_with_control_flow_v2_is_lowered(tf, v1_graph):
    assert {"If", "StatelessWhile"} <= ops_of(v1_graph)
    outputs = ["y:0", "z:0", "after_cond:0"]
    lowered = lower(v1_graph, outputs)
    assert_lowered(lowered)
    assert_same_results(tf, v1_graph, lowered, outputs,
                        [{"x:0": X, "p:0": p, "n:0": n} for p in (True, False) for n in (0, 1, 6)])


def test_control_inputs_and_control_consumers_still_work(tf, v1_graph):
    """`^check` on the If and the While gates their lowerings, and `^cond` consumers wait for it."""
    lowered = lower(v1_graph, ["z:0", "after_cond:0"])
    by_name = {n.name: n for n in lowered.node}
    (cond_name,) = {ref[1:] for ref in by_name["after_cond"].input if ref.startswith("^")}
    assert by_name[cond_name].op == "IdentityN"
    (loop,) = [n.name for n in v1_graph.node if n.op == "StatelessWhile"]
    for gate in (by_name[f"{cond_name}/control_inputs"], by_name[f"{loop}/control_inputs"]):
        assert gate.op == "NoOp" and [name.lstrip("^") for name in gate.input] == ["check/Assert/Assert"]
    for graph_def in (v1_graph, lowered):  # the failing assert runs before what waits for it
        for fetch in ("after_cond:0", "z:0"):
            with pytest.raises(tf.errors.InvalidArgumentError):
                run_tf(graph_def, [fetch], {"x:0": X, "p:0": True, "n:0": 100})


def test_a_direct_call_in_a_branch_reads_ports_from_the_callee_signature(tf):
    """A node whose op is a library function: its outputs are the function's, one port each."""
    pair = function("pair", [("a", FLOAT)], [("first", FLOAT), ("second", FLOAT)],
                    [node("neg", "Neg", "a", T=FLOAT)], {"first": "a", "second": "neg:y:0"})
    branch = function("f", [("a", FLOAT)], [("out", FLOAT)],
                      [node("call", "pair", "a"), node("sum", "AddV2", "call:second:0", "call:second:0", T=FLOAT)],
                      {"out": "sum:z:0"})
    graph_def = graph(node("p", "Placeholder", dtype=BOOL), const("x", [1.0, 2.5]),
                      if_node("cond", "p", "x", then="f", otherwise="id"), node("y", "Identity", "cond", T=FLOAT))
    graph_def.library.function.extend([pair, branch, identity_function("id")])
    lowered = lower(graph_def, ["y"], keep_calls=True)  # inlined, the call would have no ports to read
    assert not ops_of(lowered) & LOWERED_OPS
    assert [n.input[:] for n in lowered.node if n.op == "AddV2"] == [["cond/then/call:1"] * 2]
    assert [f.signature.name for f in lowered.library.function] == ["pair"]
    assert_same_results(tf, graph_def, lowered, ["y:0"], [{"p:0": True}, {"p:0": False}])


def test_control_flow_the_outputs_do_not_reach_is_left_alone(tf):
    def f(x, p):
        return x + 1.0, tf.cond(p, lambda: x, lambda: -x)

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.bool))
    lowered = lower(original, outputs[:1])
    assert ops_of(lowered) & LOWERED_OPS
    assert lowered == original


def test_opencv_loads_a_lowered_cond(tf, tmp_path):
    cv2 = pytest.importorskip("cv2")
    if not hasattr(cv2.dnn, "readNetFromTensorflow"):
        pytest.skip("this OpenCV has no TensorFlow importer")

    def f(x):
        return tf.cond(tf.constant(True), lambda: tf.nn.relu(x), lambda: x)

    original, outputs = traced(tf, f, tf.TensorSpec([1, 4, 4, 2], tf.float32))
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    path = tmp_path / "lowered.pb"
    path.write_bytes(lowered.SerializeToString())
    net = cv2.dnn.readNetFromTensorflow(str(path))
    sample = np.random.default_rng(3).normal(size=(1, 4, 4, 2)).astype(np.float32)
    net.setInput(sample.transpose(0, 3, 1, 2))
    np.testing.assert_allclose(net.forward().transpose(0, 2, 3, 1), np.maximum(sample, 0))


# --- hostile graphs, built in code ------------------------------------------------------------

def identity_function(name):
    return function(name, [("a", FLOAT)], [("out", FLOAT)], [node("id", "Identity", "a", T=FLOAT)],
                    {"out": "id:output:0"})


def if_node(name, *inputs, then="f", otherwise="f", tin=(FLOAT,), tout=(FLOAT,)):
    return node(name, "StatelessIf", *inputs, Tcond=BOOL, Tin=types(*tin), Tout=types(*tout),
                then_branch=func(then), else_branch=func(otherwise))


def cond_graph(*functions, **if_attrs):
    graph_def = graph(const("p", True, BOOL), const("x", [1.0]), if_node("cond", "p", "x", **if_attrs),
                      node("y", "Identity", "cond", T=FLOAT))
    graph_def.library.function.extend(functions)
    return graph_def


def assert_refused(graph_def, message):
    with pytest.raises(GraphError) as error:
        lower(graph_def, ["y"])
    assert str(error.value) == message


def cannot_lower(what, reason):
    """The one-line refusal of a node (or of a function it calls) `cond_graph`'s If and the like hold."""
    return (f"--lower-control-flow cannot lower {what}: {reason}; re-export the graph, or leave out "
            "--lower-control-flow.")


THEN_F = "function f (then of StatelessIf node cond)"


def test_a_lowered_node_nothing_names_leaves_no_keeper():
    """Consumers read the Merge; the IdentityN and branch_executed only a name would need are gone."""
    lowered = lower(cond_graph(identity_function("f")), ["y"])
    assert_lowered(lowered)
    by_name = {n.name: n for n in lowered.node}
    assert by_name["y"].input == ["cond/output"]
    assert not {"cond", "cond/branch_executed"} & set(by_name)


def test_body_nodes_wait_on_the_pivot_and_keep_only_colocations_inside_the_body():
    """A Const reads nothing and a `^argument` names a Switch both branches share: both wait on the
    branch's pivot instead; colocations naming an argument name nothing the graph keeps."""
    body = [const("k", [2.0]), node("mul", "Mul", "a", "k:output:0", "^a", T=FLOAT, _class=[b"loc:@k"]),
            node("neg", "Neg", "mul:z:0", T=FLOAT, _class=[b"loc:@a"])]
    f = function("f", [("a", FLOAT)], [("out", FLOAT)], body, {"out": "neg:y:0"})
    by_name = {n.name: n for n in lower(cond_graph(f), ["y"]).node}
    assert list(by_name["cond/then/k"].input) == ["^cond/pivot_then"]
    assert list(by_name["cond/else/mul"].input) == ["cond/switch:0", "cond/else/k", "^cond/pivot_else"]
    assert by_name["cond/else/mul"].attr["_class"].list.s == [b"loc:@cond/else/k"]
    assert "_class" not in by_name["cond/then/neg"].attr


def test_missing_branch_function_is_an_error():
    assert_refused(cond_graph(identity_function("f"), otherwise="gone"), cannot_lower(
        "StatelessIf node cond", "it calls function 'gone', which the graph's library does not define"))


def test_argument_count_mismatch_is_an_error():
    two_args = function("f", [("a", FLOAT), ("b", FLOAT)], [("out", FLOAT)], [], {"out": "a"})
    assert_refused(cond_graph(two_args), cannot_lower(THEN_F, "it takes 2 argument(s) but is passed 1"))


def test_input_types_not_matching_the_inputs_is_an_error():
    assert_refused(cond_graph(identity_function("f"), tin=(FLOAT, FLOAT)), cannot_lower(
        "StatelessIf node cond", "its attr 'Tin' lists 2 type(s) for 1 argument input(s)"))


def test_output_count_mismatch_is_an_error():
    assert_refused(cond_graph(identity_function("f"), tout=(FLOAT, FLOAT)), cannot_lower(
        "StatelessIf node cond", "its function f returns 1 tensor(s) where the node has 2 output(s)"))


def test_non_bool_condition_is_an_error():
    graph_def = cond_graph(identity_function("f"))
    graph_def.node[2].attr["Tcond"].type = INT32
    assert_refused(graph_def, cannot_lower(
        "StatelessIf node cond", "its condition is not a bool; only bool conditions lower to a Switch"))


def test_function_that_runs_itself_is_an_error():
    recursive = function("f", [("a", FLOAT)], [("out", FLOAT)],
                         [const("q", False, BOOL), if_node("again", "q:output:0", "a", then="f", otherwise="g")],
                         {"out": "again:output:0"})
    assert_refused(cond_graph(recursive, identity_function("g")),
                   "Function f runs itself through If/Case/While (f -> f), so --lower-control-flow cannot lower "
                   "it: choose outputs that do not need it, or leave out --lower-control-flow.")


def test_a_body_naming_nothing_is_an_error():
    broken = function("f", [("a", FLOAT)], [("out", FLOAT)], [node("id", "Identity", "nowhere:output:0", T=FLOAT)],
                      {"out": "id:output:0"})
    assert_refused(cond_graph(broken),
                   cannot_lower(THEN_F, "'nowhere:output:0' names no argument or node of the function"))


def test_unknown_op_in_a_body_is_an_error_naming_the_flag():
    mystery = function("f", [("a", FLOAT)], [("out", FLOAT)], [node("m", "MysteryOp", "a")], {"out": "m:z:0"})
    assert_refused(cond_graph(mystery), cannot_lower(THEN_F, (
        f"Node 'cond/then/m' runs op 'MysteryOp', which freezer's op table (from TensorFlow {table_version()}) "
        "does not know, so its output ports cannot be worked out. If it is a TensorFlow op, regenerate the "
        f"table with a TensorFlow that has it: {REGENERATE}")))


def test_reading_an_output_the_node_lacks_is_an_error():
    graph_def = cond_graph(identity_function("f"))
    graph_def.node[3].input[0] = "cond:4"
    assert_refused(graph_def, "Node y reads output 4 of cond, which has 1 output(s); re-export the graph.")


def test_nesting_past_the_limit_is_refused_before_lowering():
    chain = [function(f"f{k}", [("a", FLOAT)], [("out", FLOAT)],
                      [const("q", True, BOOL), if_node("inner", "q:output:0", "a", then=f"f{k + 1}",
                                                       otherwise=f"f{k + 1}")],
                      {"out": "inner:output:0"}) for k in range(MAX_NESTING + 1)]
    chain.append(identity_function(f"f{MAX_NESTING + 1}"))
    assert_refused(cond_graph(*chain, then="f0", otherwise="f0"),
                   f"If/Case/While nest more than {MAX_NESTING} deep in functions (f0 -> ... -> f{MAX_NESTING}); "
                   "--lower-control-flow does not lower deeper ones. Choose outputs that do not need them, or "
                   "leave out --lower-control-flow.")


def test_exponential_expansion_is_refused_before_lowering():
    """Each function's If calls the next in both branches: 2^40 copies of the last, never built."""
    depth = 40
    chain = [function(f"f{k}", [("a", FLOAT)], [("out", FLOAT)],
                      [const("q", True, BOOL), if_node("inner", "q:output:0", "a", then=f"f{k + 1}",
                                                       otherwise=f"f{k + 1}")],
                      {"out": "inner:output:0"}) for k in range(depth)]
    chain.append(identity_function(f"f{depth}"))
    assert_refused(cond_graph(*chain, then="f0", otherwise="f0"),
                   "Lowering the control flow would make a graph of over 2.00 GiB, past protobuf's 2 GiB limit; "
                   "choose outputs that need less of it, or leave out --lower-control-flow.")


def test_a_loop_of_many_variables_lowers_in_linear_time():
    """5,000 loop variables: naming each one's Enter, Merge, Switch, ... must not rescan the others."""
    count = 5_000
    args = [(f"a{k}", FLOAT) for k in range(count)]
    cond = function("cond", args, [("out", BOOL)], [const("no", False, BOOL)], {"out": "no:output:0"})
    body = function("body", args, [(f"out{k}", FLOAT) for k in range(count)],
                    ret={f"out{k}": f"a{k}" for k in range(count)})
    loop = node("loop", "While", *(f"x{k}" for k in range(count)), T=types(*[FLOAT] * count),
                cond=func("cond"), body=func("body"))
    graph_def = graph(*(const(f"x{k}", 1.0) for k in range(count)), loop,
                      node("y", "Identity", f"loop:{count - 1}", T=FLOAT))
    graph_def.library.function.extend([cond, body])
    started = time.perf_counter()
    lowered = lower(graph_def, ["y"])
    assert time.perf_counter() - started < 15  # about 1 s here
    assert sum(n.op == "Switch" for n in lowered.node) == count
    assert {n.name: n for n in lowered.node}["y"].input == [f"loop/exit_{count - 1}"]


def test_case_without_branches_is_an_error():
    graph_def = graph(const("i", 0, INT32), const("x", [1.0]),
                      node("case", "StatelessCase", "i", "x", Tin=types(FLOAT), Tout=types(FLOAT),
                           branches=attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue())),
                      node("y", "Identity", "case", T=FLOAT))
    assert_refused(graph_def, cannot_lower("StatelessCase node case", "it names no function in its attr 'branches'"))


def test_while_cond_returning_a_non_bool_is_an_error():
    cond = function("cond", [("a", FLOAT)], [("out", FLOAT)], [], {"out": "a"})
    graph_def = graph(const("x", [1.0]), node("loop", "While", "x", T=types(FLOAT), cond=func("cond"),
                                              body=func("f")),
                      node("y", "Identity", "loop", T=FLOAT))
    graph_def.library.function.extend([cond, identity_function("f")])
    assert_refused(graph_def, cannot_lower(
        "While node loop", "its cond function cond returns a float; only a bool lowers to a LoopCond"))


def test_calls_in_lowered_bodies_are_inlined_too(tf):
    """Without --keep-calls nothing functional is left: a call inside a branch is inlined after
    lowering, and the cond inside that call is lowered in turn."""
    @tf.function
    def inner(x):
        return tf.cond(tf.reduce_sum(x) > 0.0, lambda: x * 2.0, lambda: -x)

    def f(x, p):
        return tf.cond(p, lambda: inner(x), lambda: x + 1.0)

    original, outputs = traced(tf, f, tf.TensorSpec([3], tf.float32), tf.TensorSpec([], tf.bool))
    assert any(function.node_def and any(n.op in ("PartitionedCall", "StatefulPartitionedCall")
                                         for n in function.node_def) for function in original.library.function)
    lowered = lower(original, outputs)
    assert_lowered(lowered)
    assert not ops_of(lowered) & {"PartitionedCall", "StatefulPartitionedCall"}
    assert_same_results(tf, original, lowered, outputs,
                        [{"x:0": x, "p:0": p} for x in (X, -X) for p in (True, False)])


@pytest.mark.parametrize("name", ["control_flow_v2", "lstm_v2"])
def test_frozen_with_lower_control_flow_through_the_cli(tf, name, tmp_path):
    """`freeze ... --lower-control-flow` on fixtures with v2 control flow: nothing functional is
    left and the outputs are the original graph's, restored from its checkpoint."""
    from cli_runs import freeze
    from fixture_models import assert_outputs_equal, load_fixture, run_frozen, run_original
    fixture = load_fixture(name)
    out = tmp_path / "lowered.pb"
    done = freeze(*fixture.cli_args(), "-o", out, "--lower-control-flow")
    assert done.exit_code == 0, done.output
    lowered = graph_pb2.GraphDef.FromString(out.read_bytes())
    assert not ops_of(lowered) & (LOWERED_OPS | {"PartitionedCall", "StatefulPartitionedCall"})
    assert not lowered.library.function
    actual = run_frozen(out, fixture.frozen_inputs, fixture.fetches, fixture.targets)
    assert_outputs_equal(actual, run_original(fixture))
