"""freeze_functions on tiny graphs with hand-built function libraries (no TensorFlow needed).

Each graph is what `fold_variables` leaves: a variable is a `Const` (dtype and shape, content
deferred) still feeding a call's `DT_RESOURCE` argument.
"""

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, tensor_pb2, types_pb2

from freezer.errors import CheckError
from freezer.graph import GraphIndex
from freezer.passes import REWRITE, PassContext
from freezer.passes.fold import fold_variables
from freezer.passes.functions.freeze import freeze_functions
from freezer.passes.functions.library import prune_library, reachable_functions
from freezer.passes.functions.names import FunctionInput, parse_function_input
from freezer.passes.rewrite import unique_name
from freezer.tensors import make_shape, tensor_proto_to_numpy
from graphs import func, function, graph, node, types

FLOAT, INT32, RESOURCE = types_pb2.DT_FLOAT, types_pb2.DT_INT32, types_pb2.DT_RESOURCE


# --- builders ---------------------------------------------------------------------------------

def folded(name, shape=(2, 3), dtype=FLOAT):
    """A variable as fold_variables leaves it: a Const whose value waits outside the graph."""
    tensor = tensor_pb2.TensorProto(dtype=dtype, tensor_shape=make_shape(list(shape)))
    return node(name, "Const", dtype=dtype, value=attr_value_pb2.AttrValue(tensor=tensor))


def ints(*values):
    return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(i=list(values)))


def shapes(*dims):
    return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(
        shape=[make_shape(list(d)) for d in dims]))


def with_library(g, *functions):
    g.library.function.extend(functions)
    return g


def read_fn(name="read_fn"):
    """f(h: resource) -> h read, doubled: `ReadVariableOp` whose `:value:0` feeds a Mul."""
    return function(name, [("h", RESOURCE)], [("y", FLOAT)], [
        node("read", "ReadVariableOp", "h", dtype=FLOAT),
        node("twice", "AddV2", "read:value:0", "read:value:0", T=FLOAT),
    ], {"y": "twice:z:0"})


def call_graph(call_op="StatefulPartitionedCall", fn=None):
    """v (folded) → call of `fn`; output y."""
    fn = fn or read_fn()
    return with_library(graph(
        folded("v"),
        node("call", call_op, "v", Tin=types(RESOURCE), Tout=types(FLOAT), f=func(fn.signature.name),
             _read_only_resource_inputs=ints(0)),
        node("y", "Identity", "call", T=FLOAT)), fn)


def run(g):
    return freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


def functions_of(g):
    return {f.signature.name: f for f in g.library.function}


def nodes_of(fn):
    return {n.name: n for n in fn.node_def}


# --- FunctionDef names ------------------------------------------------------------------------

@pytest.mark.parametrize("text, parsed", [
    ("x", FunctionInput("x")),
    ("read:value:0", FunctionInput("read", "value", 0)),
    ("while:output:5", FunctionInput("while", "output", 5)),
    ("split:output", FunctionInput("split", "output", 0)),
    ("^noop", FunctionInput("noop", control=True)),
])
def test_parse_function_input(text, parsed):
    assert parse_function_input(text) == parsed
    assert parsed.is_argument == (text == "x")


@pytest.mark.parametrize("text", ["x", "read:value:0", "while:output:5", "^noop"])
def test_function_input_round_trips(text):
    assert str(parse_function_input(text)) == text


def test_parse_function_input_rejects_other_shapes():
    with pytest.raises(ValueError, match="not a function input name"):
        parse_function_input("a:b:c:d")


def test_unique_name_counts_up_past_taken_names():
    assert unique_name("f_frozen", {"g"}) == "f_frozen"
    assert unique_name("f_frozen", {"f_frozen", "f_frozen_1"}) == "f_frozen_2"


# --- calls ------------------------------------------------------------------------------------

def test_call_passes_the_value_to_a_renamed_copy():
    g = call_graph()
    result = run(g)
    assert result.changed
    call = g.node[1]
    assert list(call.attr["Tin"].list.type) == [FLOAT]
    assert call.attr["f"].func.name == "read_fn_frozen"
    assert list(call.attr["_read_only_resource_inputs"].list.i) == []
    assert list(functions_of(g)) == ["read_fn_frozen"]  # the original is no longer called
    copy = functions_of(g)["read_fn_frozen"]
    assert copy.signature.input_arg[0].type == FLOAT
    read = nodes_of(copy)["read"]
    assert read.op == "Identity" and dict(read.attr).keys() == {"T"} and read.attr["T"].type == FLOAT
    assert list(nodes_of(copy)["twice"].input) == ["read:output:0", "read:output:0"]


def test_ret_naming_a_read_is_renamed():
    fn = function("f", [("h", RESOURCE)], [("y", FLOAT)], [node("read", "ReadVariableOp", "h", dtype=FLOAT)],
                  {"y": "read:value:0"})
    g = call_graph(fn=fn)
    run(g)
    assert dict(functions_of(g)["f_frozen"].ret) == {"y": "read:output:0"}


def test_argument_attributes_follow_the_value():
    fn = read_fn()
    fn.arg_attr[0].attr["_output_shapes"].CopyFrom(shapes(()))
    fn.arg_attr[0].attr["_handle_dtypes"].CopyFrom(types(FLOAT))
    fn.arg_attr[0].attr["_user_specified_name"].s = b"v"
    fn.resource_arg_unique_id[0] = 7
    fn.attr["_input_shapes"].CopyFrom(shapes(()))
    g = call_graph(fn=fn)
    run(g)
    copy = functions_of(g)["read_fn_frozen"]
    arg_attrs = copy.arg_attr[0].attr
    assert set(arg_attrs) == {"_output_shapes", "_user_specified_name"}
    assert arg_attrs["_output_shapes"].list.shape[0] == make_shape([2, 3])
    assert copy.attr["_input_shapes"].list.shape[0] == make_shape([2, 3])
    assert dict(copy.resource_arg_unique_id) == {}


def test_handle_through_identity_chain():
    # fold_variables has already retyped the Identity; the call still names it.
    g = call_graph()
    g.node.insert(1, node("v/handle", "Identity", "v", T=FLOAT))
    g.node[2].input[0] = "v/handle"
    run(g)
    assert list(g.node[2].attr["Tin"].list.type) == [FLOAT]


def test_live_handles_are_left_alone():
    # A variable kept on purpose (or a lookup table): the call and its function stay as they are.
    g = call_graph()
    g.node[0].CopyFrom(node("v", "VarHandleOp", dtype=FLOAT))
    result = run(g)
    assert not result.changed
    assert g.node[1].attr["f"].func.name == "read_fn" and list(g.node[1].attr["Tin"].list.type) == [RESOURCE]


def test_one_copy_per_distinct_values_and_the_original_kept_while_called():
    fn = read_fn()
    g = with_library(graph(
        folded("a"), folded("b"), folded("c", shape=(4,)), node("live", "VarHandleOp", dtype=FLOAT),
        *[node(f"call_{x}", "PartitionedCall", x, Tin=types(RESOURCE), Tout=types(FLOAT), f=func("read_fn"))
          for x in ("a", "b", "c", "live")]), fn)
    run(g)
    called = [n.attr["f"].func.name for n in g.node if n.op == "PartitionedCall"]
    assert called == ["read_fn_frozen", "read_fn_frozen", "read_fn_frozen_1", "read_fn"]
    assert list(functions_of(g)) == ["read_fn", "read_fn_frozen", "read_fn_frozen_1"]


def test_copy_name_avoids_existing_functions():
    g = call_graph()
    g.library.function.append(function("read_fn_frozen", [], []))
    run(g)
    assert g.node[1].attr["f"].func.name == "read_fn_frozen_1"


def test_if_retypes_both_branches_and_keeps_the_condition():
    then_fn = read_fn("then_fn")
    else_fn = function("else_fn", [("h", RESOURCE)], [("y", FLOAT)], [node("zero", "Const", dtype=FLOAT)],
                       {"y": "zero:output:0"})
    g = with_library(graph(
        node("p", "Placeholder", dtype=types_pb2.DT_BOOL), folded("v"),
        node("cond", "If", "p", "v", Tcond=types_pb2.DT_BOOL, Tin=types(RESOURCE), Tout=types(FLOAT),
             then_branch=func("then_fn"), else_branch=func("else_fn"),
             _read_only_resource_inputs=ints(1))),
        then_fn, else_fn)
    run(g)
    cond = g.node[2]
    assert list(cond.attr["Tin"].list.type) == [FLOAT] and cond.attr["Tcond"].type == types_pb2.DT_BOOL
    assert cond.attr["then_branch"].func.name == "then_fn_frozen"
    assert cond.attr["else_branch"].func.name == "else_fn_frozen"
    assert functions_of(g)["else_fn_frozen"].signature.input_arg[0].type == FLOAT


def test_case_retypes_every_branch():
    g = with_library(graph(
        node("i", "Placeholder", dtype=INT32), folded("v"),
        node("case", "Case", "i", "v", Tin=types(RESOURCE), Tout=types(FLOAT),
             branches=attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(
                 func=[attr_value_pb2.NameAttrList(name=n) for n in ("b0", "b1")])))),
        read_fn("b0"), read_fn("b1"))
    run(g)
    assert [f.name for f in g.node[2].attr["branches"].list.func] == ["b0_frozen", "b1_frozen"]
    assert list(functions_of(g)) == ["b0_frozen", "b1_frozen"]


def while_graph(body_nodes=(), body_ret="h"):
    """while (i, h): h is a folded variable passed through the loop; body reads it."""
    cond = function("cond_fn", [("i", INT32), ("h", RESOURCE)], [("ok", types_pb2.DT_BOOL)],
                    [node("ok", "Const", dtype=types_pb2.DT_BOOL)], {"ok": "ok:output:0"})
    body = function("body_fn", [("i", INT32), ("h", RESOURCE)], [("i_next", INT32), ("h_out", RESOURCE)],
                    list(body_nodes), {"i_next": "i", "h_out": body_ret})
    return with_library(graph(
        node("i", "Const", dtype=INT32), folded("v", shape=(5,)),
        node("while", "While", "i", "v", T=types(INT32, RESOURCE), cond=func("cond_fn"), body=func("body_fn"),
             output_shapes=shapes((), ()), _output_shapes=shapes((), ())),
        node("while/Identity_1", "Identity", "while:1", T=RESOURCE)), cond, body)


def test_while_loop_variable_becomes_a_value_in_and_out():
    g = while_graph([node("h_id", "Identity", "h", T=RESOURCE)], body_ret="h_id:output:0")
    run(g)
    loop = g.node[2]
    assert list(loop.attr["T"].list.type) == [INT32, FLOAT]
    assert loop.attr["output_shapes"].list.shape[1] == make_shape([5])
    assert loop.attr["_output_shapes"].list.shape[1] == make_shape([5])
    body = functions_of(g)["body_fn_frozen"]
    assert [a.type for a in body.signature.output_arg] == [INT32, FLOAT]
    assert nodes_of(body)["h_id"].attr["T"].type == FLOAT
    assert functions_of(g)["cond_fn_frozen"].signature.input_arg[1].type == FLOAT
    # The handle coming out of the loop is a value now, and so is the Identity taking it.
    assert g.node[3].attr["T"].type == FLOAT


def test_loop_that_swaps_variables_is_refused():
    g = while_graph()
    g.library.function[1].signature.input_arg.add(name="other", type=RESOURCE)
    g.library.function[0].signature.input_arg.add(name="other", type=RESOURCE)
    g.library.function[1].ret["h_out"] = "other"
    g.node.insert(2, node("live", "VarHandleOp", dtype=FLOAT))
    g.node[3].input.append("live")
    g.node[3].attr["T"].list.type.append(RESOURCE)
    with pytest.raises(CheckError, match="does not give back the variables"):
        run(g)


def test_gather_becomes_gather_v2_with_an_axis_const():
    g = while_graph([
        node("gather/axis", "NoOp"),  # the natural name is taken
        node("gather", "ResourceGather", "h", "i", "^gather/axis", dtype=FLOAT, Tindices=INT32,
             batch_dims=attr_value_pb2.AttrValue(i=1), validate_indices=attr_value_pb2.AttrValue(b=True)),
        node("gather_nd", "ResourceGatherNd", "h", "i", dtype=FLOAT, Tindices=INT32),
        node("shape", "VariableShape", "h", out_type=INT32),
    ])
    run(g)
    body = nodes_of(functions_of(g)["body_fn_frozen"])
    gather = body["gather"]
    assert gather.op == "GatherV2"
    assert list(gather.input) == ["h", "i", "gather/axis_1:output:0", "^gather/axis"]
    assert {k: v.type for k, v in gather.attr.items() if k != "batch_dims"} == {
        "Tparams": FLOAT, "Tindices": INT32, "Taxis": INT32}
    assert gather.attr["batch_dims"].i == 1
    axis = body["gather/axis_1"]  # ResourceGather gathers along its batch_dims axis
    assert axis.op == "Const" and tensor_proto_to_numpy(axis.attr["value"].tensor) == np.int32(1)
    assert body["gather_nd"].op == "GatherNd" and body["gather_nd"].attr["Tparams"].type == FLOAT
    shape = body["shape"]
    assert shape.op == "Shape" and (shape.attr["T"].type, shape.attr["out_type"].type) == (FLOAT, INT32)


def test_nested_call_gets_its_own_copy():
    inner = read_fn("inner")
    outer = function("outer", [("h", RESOURCE)], [("y", FLOAT)], [
        node("call", "PartitionedCall", "h", Tin=types(RESOURCE), Tout=types(FLOAT), f=func("inner"))],
        {"y": "call:output:0"})
    g = call_graph(fn=outer)
    g.library.function.append(inner)
    run(g)
    assert nodes_of(functions_of(g)["outer_frozen"])["call"].attr["f"].func.name == "inner_frozen"
    assert set(functions_of(g)) == {"outer_frozen", "inner_frozen"}


def test_other_uses_of_the_handle_are_refused():
    fn = function("assigns", [("h", RESOURCE), ("x", FLOAT)], [], [
        node("assign", "AssignVariableOp", "h", "x", dtype=FLOAT)])
    g = call_graph(fn=fn)
    g.node.insert(0, node("x", "Placeholder", dtype=FLOAT))
    g.node[2].input.append("x")
    g.node[2].attr["Tin"].list.type.append(FLOAT)
    with pytest.raises(CheckError, match=r"Node assign \(AssignVariableOp\) in function assigns"):
        run(g)


def test_branches_disagreeing_on_a_returned_handle_are_refused():
    passes = function("passes", [("h", RESOURCE), ("live", RESOURCE)], [("out", RESOURCE)], ret={"out": "h"})
    other = function("other", [("h", RESOURCE), ("live", RESOURCE)], [("out", RESOURCE)], ret={"out": "live"})
    g = with_library(graph(
        node("p", "Placeholder", dtype=types_pb2.DT_BOOL), folded("v"), node("live", "VarHandleOp", dtype=FLOAT),
        node("cond", "If", "p", "v", "live", Tin=types(RESOURCE, RESOURCE), Tout=types(RESOURCE),
             then_branch=func("passes"), else_branch=func("other"))), passes, other)
    with pytest.raises(CheckError, match="branches return output 0"):
        run(g)


def test_second_run_changes_nothing():
    g = call_graph()
    run(g)
    before = g.SerializeToString(deterministic=True)
    assert not run(g).changed
    assert g.SerializeToString(deterministic=True) == before


def test_in_the_pipeline_right_after_fold():
    assert REWRITE.passes[REWRITE.passes.index(fold_variables) + 1] is freeze_functions


# --- library pruning --------------------------------------------------------------------------

def test_prune_library_keeps_what_nodes_reach():
    nested = function("nested", [], [])
    by_op = function("by_op", [], [], [node("n", "nested")])  # a function called as an op
    in_attr = function("in_attr", [], [])
    in_attr.node_def.add().CopyFrom(node("c", "PartitionedCall", f=func("by_op")))
    listed = function("listed", [], [])
    deep = function("deep", [], [])
    unused = function("unused", [], [])
    grad = function("grad", [], [])
    deep_attr = attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name="listed", attr={"inner": func("deep")}))
    g = with_library(graph(node("a", "PartitionedCall", f=func("in_attr")), node("b", "SomeOp", fn=deep_attr)),
                     nested, by_op, in_attr, listed, deep, unused, grad)
    g.library.gradient.add(function_name="listed", gradient_func="grad")
    g.library.gradient.add(function_name="unused", gradient_func="grad")
    assert reachable_functions(g) == {"in_attr", "by_op", "nested", "listed", "deep", "grad"}
    assert prune_library(g)
    assert [f.signature.name for f in g.library.function] == ["nested", "by_op", "in_attr", "listed", "deep", "grad"]
    assert [gr.function_name for gr in g.library.gradient] == ["listed"]
    assert not prune_library(g)


def test_prune_library_drops_an_emptied_library():
    g = with_library(graph(node("a", "NoOp")), function("unused", [], []))
    assert prune_library(g) and not g.HasField("library")


def test_graph_without_functions_is_unchanged():
    g = graph(folded("v"), node("y", "Identity", "v", T=FLOAT))
    assert not run(g).changed and not g.HasField("library")
