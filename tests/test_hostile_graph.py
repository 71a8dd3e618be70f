"""Hostile graphs: cycles, long chains, constants that claim more than they hold, missing parts.

Whatever the graph, freezer ends in one `Error:` line or a correct frozen graph, in time linear in
the graph's size and memory bounded by it. The cases that could hang or eat memory run the CLI in a
child process under the limits of `tests/hostile.py`.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, tensor_pb2, types_pb2

from freezer import check
from freezer.errors import CheckError, GraphError
from freezer.graph import GraphIndex, InputRef, parse_input
from freezer.io.graphdef import read_graph
from freezer.options import FreezeOptions
from freezer.passes import PREPARE, PassContext
from freezer.passes.functions.freeze import MAX_NESTING, freeze_functions
from freezer.tensors import tensor_proto_to_numpy
from freezer.variables import describe_variables
from graphs import const, graph, node, run_passes, variable
from hostile import assert_one_error, run_cli
from fixture_models import FIXTURES

BOOL, FLOAT, INT32, STRING = types_pb2.DT_BOOL, types_pb2.DT_FLOAT, types_pb2.DT_INT32, types_pb2.DT_STRING
RESOURCE, FLOAT_REF = types_pb2.DT_RESOURCE, types_pb2.DT_FLOAT_REF
RESOURCE_CKPT = FIXTURES / "resource_pb" / "ckpt"  # holds `scale`, a float scalar
REF_CKPT = FIXTURES / "mlp_ref" / "ckpt"
CHAIN = 6_000  # a quadratic walk took 46 s over this many nodes; a linear one well under a second
CHAIN_TIME_LIMIT = 6.0  # seconds for the whole CLI run (Python, imports, reading, writing) on a busy machine


def freeze_cli(tmp_path, g: graph_pb2.GraphDef, *args, checkpoint=None, **limits):
    """Write `g` and run `freeze` on it for output y; returns (run, output path)."""
    source, output = tmp_path / "model.pb", tmp_path / "model.frozen.pb"
    source.write_bytes(g.SerializeToString())
    extra = [checkpoint] if checkpoint is not None else []
    return run_cli(source, *extra, "--outputs", "y", "-o", output, *args, **limits), output


def switch_on(predicate: str, *nodes) -> graph_pb2.GraphDef:
    """y reads the true side of a Switch whose predicate is `predicate`."""
    return graph(node("x", "Placeholder", dtype=FLOAT), *nodes,
                 node("s", "Switch", "x", predicate, T=FLOAT), node("y", "Identity", "s:1", T=FLOAT))


def prepare(g: graph_pb2.GraphDef, outputs=("y",)):
    """The prepared graph's nodes; calls are kept, so that an If's branch taken shows as a call."""
    ctx = PassContext(outputs=list(outputs), options=FreezeOptions(keep_calls=True))
    return {n.name: n for n in run_passes(g, ctx, PREPARE).node}


def scale_handle():
    """The resource variable `scale` of the resource_pb fixture (its checkpoint holds it)."""
    (scale,) = [n for n in read_graph(FIXTURES / "resource_pb" / "model.pb").graph_def.node if n.name == "scale"]
    return scale


# --- cycles --------------------------------------------------------------------------------------

def test_identity_cycle_before_switch_is_an_error(tmp_path):
    g = switch_on("a", node("a", "Identity", "b", T=BOOL), node("b", "Identity", "a", T=BOOL))
    run, output = freeze_cli(tmp_path, g)
    assert_one_error(run, contains="cycle that is not a while loop: a -> b -> a", output=output)


def test_identity_cycle_of_resources_is_an_error(tmp_path):
    g = graph(node("a", "Identity", "b", T=RESOURCE), node("b", "Identity", "a", T=RESOURCE),
              node("y", "ReadVariableOp", "a", dtype=FLOAT))
    run, output = freeze_cli(tmp_path, g)
    # Without calls the functions pass has nothing to follow; the check finds the cycle.
    assert_one_error(run, contains="cycle through a, b that is not a while loop", output=output)


def test_identity_cycle_of_resources_through_a_call_is_an_error():
    """The functions pass follows handles through Identities and calls: one fed its own output."""
    call = node("y", "StatefulPartitionedCall", "back")
    call.attr["Tin"].list.type.append(RESOURCE)
    call.attr["Tout"].list.type.append(RESOURCE)
    call.attr["f"].func.name = "f"
    g = graph(call, node("back", "Identity", "y", T=RESOURCE))
    with pytest.raises(GraphError, match="cycle that is not a while loop: (y -> back -> y|back -> y -> back)"):
        freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


def test_a_source_lookup_names_the_whole_cycle():
    index = GraphIndex(graph(node("a", "Identity", "b"), node("b", "Identity", "c"), node("c", "Identity", "a"),
                             node("y", "Identity", "a")))
    with pytest.raises(GraphError, match="a -> b -> c -> a"):
        index.producer("y")


def test_a_cycle_is_named_without_the_nodes_downstream_of_it():
    g = graph(node("a", "Add", "b", "x"), node("b", "Relu", "a"), node("x", "Placeholder"),
              node("after", "Relu", "a"), node("also_after", "Relu", "after"))
    with pytest.raises(CheckError, match=r"cycle through a, b that is not a while loop; TensorFlow"):
        check.check_acyclic(GraphIndex(g))


def test_identities_feeding_each_other_after_a_restore_op_end():
    """Malformed Identities with two inputs each, fed by a restore op and by each other."""
    g = graph(variable("v"), const("names", ["v"], STRING), const("slices", [""], STRING),
              node("restore", "RestoreV2", "prefix", "names", "slices"),
              node("a", "Identity", "restore", "b"), node("b", "Identity", "a", "a"),
              node("assign", "Assign", "v", "b"))
    (v,) = describe_variables(GraphIndex(g), ["v"], None)
    assert v.key == "v"


# --- time linear in the graph's size -------------------------------------------------------------

def _identity_chain(start: str, length: int, dtype: int, prefix: str = "id") -> list:
    names = [start] + [f"{prefix}{i}" for i in range(length)]
    return [node(names[i + 1], "Identity", names[i], T=dtype) for i in range(length)]


def _assert_frozen_scale(run, output, expected_ops: dict[str, str]):
    assert run.returncode == 0, run.stderr
    frozen = {n.name: n for n in read_graph(output).graph_def.node}
    for name, op in expected_ops.items():
        assert frozen[name].op == op, (name, frozen[name].op)
    assert frozen["scale"].attr["dtype"].type == FLOAT
    return frozen


def test_a_long_identity_chain_over_a_resource_freezes_in_linear_time(tmp_path):
    chain = _identity_chain("scale", CHAIN, RESOURCE)
    g = graph(scale_handle(), *reversed(chain), node("y", "ReadVariableOp", chain[-1].name, dtype=FLOAT))
    run, output = freeze_cli(tmp_path, g, checkpoint=RESOURCE_CKPT, time_limit=CHAIN_TIME_LIMIT)
    frozen = _assert_frozen_scale(run, output, {"scale": "Const", "y": "Identity", "id0": "Identity"})
    assert len(frozen) == CHAIN + 2
    assert all(n.attr["T"].type == FLOAT for n in frozen.values() if n.op == "Identity")


def test_a_long_identity_chain_over_a_ref_variable_freezes_in_linear_time(tmp_path):
    w = variable("layer1/b", (8,))
    chain = _identity_chain("layer1/b", CHAIN, FLOAT_REF)
    g = graph(w, *chain, node("y", "Identity", chain[-1].name, T=FLOAT))
    run, output = freeze_cli(tmp_path, g, checkpoint=REF_CKPT, time_limit=CHAIN_TIME_LIMIT)
    assert run.returncode == 0, run.stderr
    frozen = {n.name: n for n in read_graph(output).graph_def.node}
    assert frozen["layer1/b"].op == "Const" and len(frozen) == CHAIN + 2
    assert all(n.attr["T"].type == FLOAT for n in frozen.values() if n.op == "Identity")


def test_a_long_chain_through_v1_control_flow_freezes_in_linear_time(tmp_path):
    """scale → (Switch on a placeholder → Identity of its true side → Enter) × n → ReadVariableOp."""
    nodes, last = [node("p", "Placeholder", dtype=BOOL)], "scale"
    for i in range(CHAIN // 3):
        nodes += [node(f"s{i}", "Switch", last, "p", T=RESOURCE), node(f"t{i}", "Identity", f"s{i}:1", T=RESOURCE),
                  node(f"e{i}", "Enter", f"t{i}", T=RESOURCE)]
        nodes[-1].attr["frame_name"].s = b"frame"
        last = f"e{i}"
    g = graph(scale_handle(), *nodes, node("y", "ReadVariableOp", last, dtype=FLOAT))
    run, output = freeze_cli(tmp_path, g, checkpoint=RESOURCE_CKPT, time_limit=CHAIN_TIME_LIMIT)
    frozen = _assert_frozen_scale(run, output, {"scale": "Const", "y": "Identity", "s0": "Switch", "e0": "Enter"})
    assert all(n.attr["T"].type == FLOAT for n in frozen.values() if n.op in ("Switch", "Identity", "Enter"))


def test_a_long_identity_chain_feeding_many_switches_is_linear():
    chain = _identity_chain("p", CHAIN, BOOL)
    switches = [node(f"s{i}", "Switch", "x", f"id{i}", T=FLOAT) for i in range(0, CHAIN, 2)]
    g = graph(node("x", "Placeholder", dtype=FLOAT), const("p", True, BOOL), *reversed(chain), *switches,
              node("y", "AddN", *[f"s{i}:1" for i in range(0, CHAIN, 2)], T=FLOAT))
    started = time.perf_counter()
    nodes = prepare(g)
    assert time.perf_counter() - started < 10  # quadratic: 10^8 steps
    assert nodes["s0"].op == "Identity" and list(nodes["y"].input)[:2] == ["s0", "s2"]


def test_a_merge_of_many_dead_inputs_is_linear():
    dead = [node(f"d{i}", "Identity", "s", T=FLOAT) for i in range(CHAIN)]  # the dead false side
    g = graph(node("x", "Placeholder", dtype=FLOAT), const("p", True, BOOL),
              node("s", "Switch", "x", "p", T=FLOAT), *dead,
              node("y", "Merge", *[n.name for n in dead], "s:1", T=FLOAT))
    started = time.perf_counter()
    nodes = prepare(g)
    assert time.perf_counter() - started < 10  # quadratic: 10^8 steps
    assert (nodes["y"].op, list(nodes["y"].input)) == ("Identity", ["s"])
    assert "d0" not in nodes


def test_many_partitioned_parts_are_keyed_in_linear_time():
    parts = [variable(f"emb/part_{i}", (1, 4)) for i in range(6000)]
    started = time.perf_counter()
    variables = describe_variables(GraphIndex(graph(*parts)), [p.name for p in parts], None)
    assert time.perf_counter() - started < 10  # quadratic: 36 million name matches
    assert (variables[5].key, variables[5].slice_spec) == ("emb", "6000 4 5,1:-")


def test_parts_of_mixed_rank_are_keyed_by_name():
    parts = [variable("emb/part_0", (2, 4)), variable("emb/part_1", (2,)), variable("s/part_0", ())]
    keys = {v.name: v.key for v in describe_variables(GraphIndex(graph(*parts)), [p.name for p in parts], None)}
    assert keys == {"emb/part_0": "emb/part_0", "emb/part_1": "emb/part_1", "s/part_0": "s/part_0"}


# --- constants that claim more than they hold ----------------------------------------------------

def _claiming(name: str, dtype: int, field: str, value, dims: list[int]):
    """A Const holding one value in `field` but claiming shape `dims`."""
    tensor = tensor_pb2.TensorProto(dtype=dtype, **{field: [value]})
    for size in dims:
        tensor.tensor_shape.dim.add(size=size)
    return node(name, "Const", dtype=dtype, value=attr_value_pb2.AttrValue(tensor=tensor))


@pytest.mark.parametrize("dtype, field, value, size", [
    (BOOL, "bool_val", True, 3_000_000_000),
    (FLOAT, "float_val", 1.0, 10**12),
])
def test_a_huge_constant_predicate_is_refused_before_it_is_built(tmp_path, dtype, field, value, size):
    g = switch_on("p", _claiming("p", dtype, field, value, [size]))
    assert len(g.SerializeToString()) < 500
    run, output = freeze_cli(tmp_path, g)
    assert_one_error(run, contains="Switch node s takes its predicate from Const p, of type", output=output)
    assert f"and shape [{size}]; a predicate must be a scalar of type bool" in run.stderr


def test_a_huge_constant_branch_index_is_refused_before_it_is_built(tmp_path):
    case = _case("y", "i", branches=2)
    g = graph(node("x", "Placeholder", dtype=FLOAT), _claiming("i", INT32, "int_val", 1, [10**12]), case)
    run, output = freeze_cli(tmp_path, g)
    assert_one_error(run, contains="Case node y takes its branch index from Const i, of type int32 and "
                                   "shape [1000000000000]; a branch index must be a scalar of type int32", output=output)


def test_a_huge_constant_if_condition_is_judged_by_its_shape():
    """TF: a non-scalar condition is true when it has elements; none are built to find out."""
    g = graph(node("x", "Placeholder", dtype=FLOAT), _claiming("c", BOOL, "bool_val", False, [10**12]),
              _if("y", "c"))
    assert prepare(g)["y"].attr["f"].func.name == "then"


@pytest.mark.parametrize("value, dtype, dims, branch", [
    (False, BOOL, [], "else"), (True, BOOL, [], "then"), (0.0, FLOAT, [], "else"), (-2, INT32, [], "then"),
    (b"", STRING, [], "else"), (b"x", STRING, [], "then"), (False, BOOL, [0], "else"), (False, BOOL, [1], "then"),
])
def test_an_if_condition_is_true_as_tensorflow_says(value, dtype, dims, branch):
    field = {BOOL: "bool_val", FLOAT: "float_val", INT32: "int_val", STRING: "string_val"}[dtype]
    g = graph(node("x", "Placeholder", dtype=FLOAT), _claiming("c", dtype, field, value, dims) if dims != [0]
              else const("c", np.zeros(0, bool), BOOL), _if("y", "c"))
    assert prepare(g)["y"].attr["f"].func.name == branch


def test_a_restore_op_claiming_a_billion_names_builds_none(tmp_path):
    g = graph(scale_handle(), const("prefix", b"ckpt", STRING),
              _claiming("names", STRING, "string_val", b"scale", [10**9]),
              _claiming("slices", STRING, "string_val", b"", [10**9]),
              node("restore", "RestoreV2", "prefix", "names", "slices"),
              node("assign", "AssignVariableOp", "scale", "restore", dtype=FLOAT),
              node("y", "ReadVariableOp", "scale", dtype=FLOAT))
    run, output = freeze_cli(tmp_path, g, checkpoint=RESOURCE_CKPT)
    assert run.returncode == 0, run.stderr
    assert {n.name: n.op for n in read_graph(output).graph_def.node} == {"scale": "Const", "y": "Identity"}


@pytest.mark.parametrize("dims, words", [
    ([2**62, 4], "more elements than TensorFlow can count"),
    ([2**32, 2**32], "more elements than TensorFlow can count"),
    ([-3], "unknown or negative dimensions"),
])
def test_a_restore_names_const_of_impossible_shape_is_an_error(dims, words):
    g = graph(variable("v"), const("prefix", b"ckpt", STRING), _claiming("names", STRING, "string_val", b"v", dims),
              node("restore", "RestoreV2", "prefix", "names"), node("assign", "Assign", "v", "restore"))
    with pytest.raises(GraphError, match=f"Const names has the shape .*{words}"):
        describe_variables(GraphIndex(g), ["v"], None)


# --- malformed constants and control flow --------------------------------------------------------

@pytest.mark.parametrize("content, needed", [(b"\x01", 3), (b"\x01\x00\x01\x01", 3)])
def test_tensor_content_of_the_wrong_size_is_an_error(content, needed):
    tensor = tensor_pb2.TensorProto(dtype=BOOL, tensor_content=content)
    tensor.tensor_shape.dim.add(size=3)
    with pytest.raises(GraphError, match=f"Const c has {len(content)} bytes of tensor_content, but its shape "
                                         rf"\[3\] of bool needs {needed}"):
        tensor_proto_to_numpy(tensor, "Const c")


def test_a_scalar_predicate_with_short_tensor_content_is_an_error(tmp_path):
    p = const("p", 1.0, FLOAT)
    p.attr["value"].tensor.tensor_content = b"\x00\x00"
    p.attr["dtype"].type = p.attr["value"].tensor.dtype = INT32
    case = _case("y", "p", branches=2)
    run, output = freeze_cli(tmp_path, graph(node("x", "Placeholder", dtype=FLOAT), p, case))
    assert_one_error(run, contains="Const p has 2 bytes of tensor_content, but its shape [] of int32 needs 4",
                     output=output)


def test_more_values_than_the_shape_holds_is_an_error():
    tensor = tensor_pb2.TensorProto(dtype=FLOAT, float_val=[1.0, 2.0, 3.0])
    tensor.tensor_shape.dim.add(size=2)
    with pytest.raises(GraphError, match=r"Const c holds 3 values but its shape \[2\] has room for 2"):
        tensor_proto_to_numpy(tensor, "Const c")


def test_expansion_is_bounded():
    tensor = tensor_pb2.TensorProto(dtype=FLOAT, float_val=[1.0])
    tensor.tensor_shape.dim.add(size=10**9)
    with pytest.raises(GraphError, match=r"Const c has the shape \[1000000000\] \(1000000000 elements\); freezer "
                                         "reads at most"):
        tensor_proto_to_numpy(tensor, "Const c")


@pytest.mark.parametrize("index_const, words", [
    (const("i", 0.5, FLOAT), "of type float and shape []; a branch index must be a scalar of type int32"),
    (const("i", [0, 1], INT32), "of type int32 and shape [2]; a branch index must be a scalar of type int32"),
])
def test_a_case_whose_branch_index_is_not_an_int32_scalar_is_an_error(tmp_path, index_const, words):
    g = graph(node("x", "Placeholder", dtype=FLOAT), index_const, _case("y", "i", branches=2))
    run, output = freeze_cli(tmp_path, g)
    assert_one_error(run, contains=f"Case node y takes its branch index from Const i, {words}", output=output)


@pytest.mark.parametrize("predicate, words", [
    (const("p", 0.5, FLOAT), "of type float and shape []"),
    (const("p", [True], BOOL), "of type bool and shape [1]"),
])
def test_a_switch_predicate_that_is_not_a_bool_scalar_is_an_error(tmp_path, predicate, words):
    run, output = freeze_cli(tmp_path, switch_on("p", predicate))
    assert_one_error(run, contains=f"Switch node s takes its predicate from Const p, {words}; a predicate must be "
                                   "a scalar of type bool", output=output)


def test_a_const_without_value_is_an_error(tmp_path):
    run, output = freeze_cli(tmp_path, switch_on("p", node("p", "Const", dtype=BOOL)))
    assert_one_error(run, contains="Const p has no value", output=output)


def test_a_switch_with_one_input_is_an_error(tmp_path):
    g = graph(node("x", "Placeholder", dtype=FLOAT), node("s", "Switch", "x", T=FLOAT),
              node("y", "Identity", "s:1", T=FLOAT))
    run, output = freeze_cli(tmp_path, g)
    assert_one_error(run, contains="Switch node s has no predicate (data input 1)", output=output)


def test_a_case_without_branches_is_an_error():
    g = graph(node("x", "Placeholder", dtype=FLOAT), const("i", 0, INT32), _case("y", "i", branches=0))
    with pytest.raises(GraphError, match="Case node y has no branches"):
        prepare(g)


def test_an_assign_without_a_value_is_an_error():
    from freezer.passes.repair import repair_ref_ops
    g = graph(const("v", [1.0]), node("a", "AssignSub", "v", T=FLOAT_REF))
    with pytest.raises(GraphError, match=r"AssignSub node a has no value to assign \(input 1\)"):
        repair_ref_ops(GraphIndex(g), PassContext(outputs=["a"]))


def test_a_port_out_of_range_is_an_error(tmp_path):
    g = graph(node("x", "Placeholder", dtype=FLOAT), node("y", "Identity", "x:99999999999", T=FLOAT))
    run, output = freeze_cli(tmp_path, g)
    assert_one_error(run, contains="Node y takes input 'x:99999999999', whose port is out of range", output=output)


def test_a_port_that_only_looks_like_digits_is_part_of_the_name():
    assert parse_input("x:²") == InputRef("x:²")  # str.isdigit() says yes, int() says no
    assert parse_input("x:٣") == InputRef("x:٣")


def test_a_data_input_after_a_control_input_is_an_error():
    g = graph(node("x", "Placeholder"), node("c", "NoOp"), node("y", "Identity", "^c", "x"))
    with pytest.raises(CheckError, match="Node y takes the data input 'x' after a control input"):
        check.check_inputs_resolve(GraphIndex(g))


# --- functions -----------------------------------------------------------------------------------

def _calling(function_name: str, callee: str | None):
    """A library function taking one resource and reading it, or passing it on to `callee`."""
    function = graph_pb2.GraphDef().library.function.add()
    function.signature.name = function_name
    function.signature.input_arg.add(name="h", type=RESOURCE)
    function.signature.output_arg.add(name="out", type=FLOAT)
    if callee is None:
        function.node_def.add().CopyFrom(node("read", "ReadVariableOp", "h", dtype=FLOAT))
        function.ret["out"] = "read:value:0"
    else:
        call = node("call", "StatefulPartitionedCall", "h")
        call.attr["Tin"].list.type.append(RESOURCE)
        call.attr["Tout"].list.type.append(FLOAT)
        call.attr["f"].func.name = callee
        function.node_def.add().CopyFrom(call)
        function.ret["out"] = "call:output:0"
    return function


def _graph_calling(*functions):
    call = node("y", "StatefulPartitionedCall", "w")
    call.attr["Tin"].list.type.append(RESOURCE)
    call.attr["Tout"].list.type.append(FLOAT)
    call.attr["f"].func.name = functions[0].signature.name
    g = graph(const("w", 1.0), call)
    g.library.function.extend(functions)
    return g


def test_a_function_calling_itself_with_a_variable_is_an_error():
    g = _graph_calling(_calling("f", "f"))
    with pytest.raises(GraphError, match=r"Function f calls itself \(f -> f\) and is passed a variable"):
        freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


def test_functions_calling_each_other_in_a_ring_is_an_error():
    g = _graph_calling(_calling("f", "g"), _calling("g", "f"))
    with pytest.raises(GraphError, match=r"Function f calls itself \(f -> g -> f\)"):
        freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


def test_functions_nested_too_deep_are_an_error():
    depth = MAX_NESTING + 10
    g = _graph_calling(*[_calling(f"f{i}", f"f{i + 1}") for i in range(depth)], _calling(f"f{depth}", None))
    with pytest.raises(GraphError, match=f"nested more than {MAX_NESTING} deep"):
        freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


def test_functions_nested_within_the_bound_are_frozen():
    depth = MAX_NESTING - 1
    g = _graph_calling(*[_calling(f"f{i}", f"f{i + 1}") for i in range(depth)], _calling(f"f{depth}", None))
    freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))
    assert g.node[1].attr["f"].func.name == "f0_frozen"
    assert [n.op for n in {f.signature.name: f for f in g.library.function}[f"f{depth}_frozen"].node_def] \
        == ["Identity"]


def test_a_call_listing_more_arguments_than_inputs_is_an_error():
    g = _graph_calling(_calling("f", None))
    g.node[1].attr["Tin"].list.type.append(RESOURCE)
    with pytest.raises(GraphError, match=r"StatefulPartitionedCall node y lists 2 argument types \(Tin\) but has "
                                         "1 argument inputs"):
        freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


def test_a_function_taking_fewer_arguments_than_passed_is_an_error():
    g = _graph_calling(_calling("f", None))
    del g.library.function[0].signature.input_arg[:]
    with pytest.raises(GraphError, match="Function f is passed a variable as argument 0, but it takes 0 arguments"):
        freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


def test_a_malformed_input_name_in_a_function_is_an_error():
    g = _graph_calling(_calling("f", None))
    g.library.function[0].node_def[0].input[0] = "a:b:c:d"
    with pytest.raises(GraphError, match="Function f: 'a:b:c:d' is not a function input name"):
        freeze_functions(GraphIndex(g), PassContext(outputs=["y"]))


# --- helpers for v2 control flow -----------------------------------------------------------------

def _case(name: str, index: str, branches: int):
    case = node(name, "Case", index, "x",
                Tin=attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(type=[FLOAT])),
                Tout=attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(type=[FLOAT])))
    for number in range(branches):
        case.attr["branches"].list.func.add(name=f"branch{number}")
    return case


def _if(name: str, condition: str):
    result = node(name, "StatelessIf", condition, "x",
                  Tin=attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(type=[FLOAT])),
                  Tout=attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(type=[FLOAT])))
    result.attr["then_branch"].func.name = "then"
    result.attr["else_branch"].func.name = "else"
    return result
