"""The readers of folded variables, rewritten: retyped control flow, repaired ref ops, resource reads.

Tiny graphs built in code; the end-to-end versions (real TF1 graphs) are in test_v1_graphs.py.
"""

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, types_pb2

from freezer import check
from freezer.graph import GraphIndex
from freezer.errors import CheckError
from freezer.io.frozen import FrozenGraph
from freezer.passes import REWRITE, PassContext
from freezer.passes.fold import fold_variables
from freezer.passes.repair import REF_TWINS, repair_ref_ops
from freezer.passes.resources import rewrite_resource_reads
from freezer.tensors import tensor_proto_to_numpy
from graphs import const, graph, node, run_passes, variable

FLOAT, INT32, INT64, BOOL = types_pb2.DT_FLOAT, types_pb2.DT_INT32, types_pb2.DT_INT64, types_pb2.DT_BOOL
RESOURCE, FLOAT_REF = types_pb2.DT_RESOURCE, types_pb2.DT_FLOAT_REF


def folded(g, *passes, values=None, outputs=("y",)):
    """Run fold_variables then `passes` on `g`, every variable given a value; (nodes by name, ctx)."""
    if values is None:
        values = {n.name: np.ones(2, np.float32) for n in g.node if n.op in ("VariableV2", "VarHandleOp")}
    ctx = PassContext(outputs=list(outputs), values=values)
    result = run_passes(g, ctx, (fold_variables, *passes))
    return {n.name: n for n in result.node}, ctx


def resource_var(name="w"):
    return variable(name, op="VarHandleOp")


def loop_enter(name, data, dtype):
    return node(name, "Enter", data, T=dtype)


# --- fold: what carried a variable is typed for its value ----------------------------------------

def test_fold_retypes_a_handle_entering_a_while_loop_and_reads_it_as_identity():
    g = graph(resource_var(), loop_enter("while/Enter", "w", RESOURCE),
              node("while/read", "ReadVariableOp", "while/Enter", "^while/Identity", dtype=FLOAT),
              node("while/Identity", "Identity", "x", T=FLOAT), node("x", "Placeholder", dtype=FLOAT))
    nodes, _ = folded(g)
    assert nodes["while/Enter"].attr["T"].type == FLOAT
    read = nodes["while/read"]
    assert read.op == "Identity" and list(read.input) == ["while/Enter", "^while/Identity"]
    assert dict(read.attr)["T"].type == FLOAT and "dtype" not in read.attr


def test_fold_retypes_a_cond_on_a_handle_through_switch_identity_and_merge():
    g = graph(resource_var(), node("p", "Placeholder", dtype=BOOL),
              node("s", "Switch", "w", "p", T=RESOURCE), node("t", "Identity", "s:1", T=RESOURCE),
              node("m", "Merge", "s", "t", T=RESOURCE), node("y", "ReadVariableOp", "m", dtype=FLOAT))
    nodes, _ = folded(g)
    assert [nodes[name].attr["T"].type for name in ("s", "t", "m")] == [FLOAT] * 3
    assert nodes["y"].op == "Identity"


def test_fold_turns_ref_types_into_value_types():
    g = graph(variable("v"), loop_enter("e", "v", FLOAT_REF), node("y", "Exit", "e", T=FLOAT_REF))
    nodes, _ = folded(g)
    assert nodes["e"].attr["T"].type == FLOAT and nodes["y"].attr["T"].type == FLOAT


def test_fold_leaves_other_handles_alone():
    g = graph(resource_var("kept"), node("table", "HashTableV2", key_dtype=INT64, value_dtype=INT64),
              loop_enter("e1", "kept", RESOURCE), loop_enter("e2", "table", RESOURCE),
              node("r", "ReadVariableOp", "e1", dtype=FLOAT))
    nodes, _ = folded(g, values={})
    assert nodes["e1"].attr["T"].type == RESOURCE and nodes["e2"].attr["T"].type == RESOURCE
    assert nodes["r"].op == "ReadVariableOp"


# --- repair: ref ops and assigns fed a folded variable -------------------------------------------

@pytest.mark.parametrize("ref_op", sorted(REF_TWINS))
def test_ref_ops_fed_a_folded_variable_become_their_plain_twin(ref_op):
    g = graph(variable("v"), node("p", "Placeholder", dtype=BOOL), node("y", ref_op, "v", "p", T=FLOAT))
    nodes, ctx = folded(g, repair_ref_ops)
    assert nodes["y"].op == REF_TWINS[ref_op] and list(nodes["y"].input) == ["v", "p"]
    assert ctx.notes == [f"Repaired for inference: 1 {ref_op} → {REF_TWINS[ref_op]}."]


def test_assign_becomes_an_identity_of_the_assigned_value():
    g = graph(variable("v"), const("value", [1.0, 2.0]), node("c", "NoOp"),
              node("y", "Assign", "v", "value", "^c", T=FLOAT, use_locking=_true(), validate_shape=_true()))
    nodes, _ = folded(g, repair_ref_ops)
    assert nodes["y"].op == "Identity" and list(nodes["y"].input) == ["value", "^c"]
    assert set(nodes["y"].attr) == {"T"} and nodes["y"].attr["T"].type == FLOAT


def test_assign_sub_through_a_ref_switch_becomes_sub_the_batch_norm_update():
    g = graph(variable("mean"), node("p", "Placeholder", dtype=BOOL), const("delta", [0.5, 0.5]),
              node("s", "RefSwitch", "mean", "p", T=FLOAT),
              node("update", "AssignSub", "s:1", "delta", T=FLOAT, use_locking=_true()),
              node("add", "AssignAdd", "s:1", "delta", T=FLOAT),
              node("y", "Merge", "s", "update", T=FLOAT, N=_int(2)))
    nodes, ctx = folded(g, repair_ref_ops)
    assert (nodes["s"].op, nodes["update"].op, nodes["add"].op) == ("Switch", "Sub", "Add")
    assert list(nodes["update"].input) == ["s:1", "delta"] and set(nodes["update"].attr) == {"T"}
    assert ctx.notes == ["Repaired for inference: 1 RefSwitch → Switch, 1 AssignSub → Sub, 1 AssignAdd → Add."]


def test_resource_assigns_are_removed_with_the_control_inputs_naming_them():
    g = graph(resource_var(), const("delta", [0.5, 0.5]), node("s", "Switch", "w", "p", T=RESOURCE),
              node("p", "Placeholder", dtype=BOOL),
              node("update", "AssignSubVariableOp", "s:1", "delta", dtype=FLOAT),
              node("y", "ReadVariableOp", "s:1", "^update", dtype=FLOAT))
    nodes, ctx = folded(g, repair_ref_ops)
    assert "update" not in nodes and list(nodes["y"].input) == ["s:1"]
    assert ctx.notes == ["Repaired for inference: 1 AssignSubVariableOp removed."]


def test_ops_of_variables_not_folded_are_not_repaired():
    g = graph(variable("v"), node("p", "Placeholder", dtype=BOOL), node("s", "RefSwitch", "v", "p", T=FLOAT),
              node("y", "AssignSub", "s:1", "p", T=FLOAT))
    nodes, ctx = folded(g, repair_ref_ops, values={})
    assert (nodes["s"].op, nodes["y"].op) == ("RefSwitch", "AssignSub") and ctx.notes == []


# --- resources: reads through a handle become reads of the value ---------------------------------

def test_resource_gathers_become_gather_v2_with_an_axis_of_their_own():
    g = graph(resource_var(), node("ids", "Placeholder", dtype=INT32), const("g/axis", 7, INT32),
              node("g", "ResourceGather", "w", "ids", "^ids", dtype=FLOAT, Tindices=INT32, _class=[b"loc:@w"]),
              node("g_1", "ResourceGather", "w", "ids", dtype=FLOAT, Tindices=INT32, batch_dims=_int(1),
                   validate_indices=_true()))
    nodes, _ = folded(g, rewrite_resource_reads)
    first, second = nodes["g"], nodes["g_1"]
    assert (first.op, list(first.input)) == ("GatherV2", ["w", "ids", "g/axis_1", "^ids"])
    assert (second.op, list(second.input)) == ("GatherV2", ["w", "ids", "g_1/axis"])
    assert {k: v.type for k, v in first.attr.items() if v.type} == {"Tparams": FLOAT, "Tindices": INT32, "Taxis": INT32}
    assert first.attr["_class"].list.s == [b"loc:@w"] and "validate_indices" not in second.attr
    assert (first.attr["batch_dims"].i, second.attr["batch_dims"].i) == (0, 1)
    assert _value(nodes["g/axis_1"]) == 0 and _value(nodes["g_1/axis"]) == 1  # axis = batch_dims
    assert _value(nodes["g/axis"]) == 7  # the graph's own node of that name is untouched


def test_a_gather_axis_inside_a_while_body_is_tied_to_the_loop_frame():
    g = graph(resource_var(), loop_enter("while/Enter", "w", RESOURCE), node("ids", "Placeholder", dtype=INT32),
              node("while/g", "ResourceGather", "while/Enter", "ids", dtype=FLOAT, Tindices=INT32))
    nodes, _ = folded(g, rewrite_resource_reads)
    assert list(nodes["while/g/axis"].input) == ["^while/Enter"]
    assert [n for n in nodes][-2:] == ["while/g/axis", "while/g"]  # placed just before its gather


def test_resource_gather_nd_becomes_gather_nd():
    g = graph(resource_var(), const("i", [[0]], INT32),
              node("y", "ResourceGatherNd", "w", "i", dtype=FLOAT, Tindices=INT32))
    nodes, _ = folded(g, rewrite_resource_reads)
    assert nodes["y"].op == "GatherNd" and list(nodes["y"].input) == ["w", "i"]
    assert {k: v.type for k, v in nodes["y"].attr.items()} == {"Tparams": FLOAT, "Tindices": INT32}


def test_variable_shape_becomes_shape_of_the_value():
    g = graph(resource_var(), node("y", "VariableShape", "w", out_type=INT64))
    nodes, _ = folded(g, rewrite_resource_reads)
    assert nodes["y"].op == "Shape" and list(nodes["y"].input) == ["w"]
    assert {k: v.type for k, v in nodes["y"].attr.items()} == {"T": FLOAT, "out_type": INT64}


@pytest.mark.parametrize("check_node, var", [
    (node("y", "VarIsInitializedOp", "w", "^c"), resource_var()),
    (node("y", "IsVariableInitialized", "w", "^c", dtype=FLOAT), variable("w")),
])
def test_initialized_checks_become_true(check_node, var):
    g = graph(var, node("c", "NoOp"), check_node)
    nodes, _ = folded(g, rewrite_resource_reads)
    assert nodes["y"].op == "Const" and list(nodes["y"].input) == ["^w", "^c"]
    assert nodes["y"].attr["dtype"].type == BOOL and _value(nodes["y"]) == np.array(True)


def test_reads_of_variables_not_folded_are_not_rewritten():
    g = graph(resource_var(), node("y", "ResourceGather", "w", "w", dtype=FLOAT, Tindices=INT32))
    nodes, _ = folded(g, rewrite_resource_reads, values={})
    assert nodes["y"].op == "ResourceGather" and len(nodes) == 2


# --- the pipeline and the check ------------------------------------------------------------------

def batch_norm_like_graph():
    """A cond whose training branch updates a ref and a resource variable; y needs every update."""
    return graph(
        node("x", "Placeholder", dtype=FLOAT), node("p", "Placeholder", dtype=BOOL),
        variable("mean"), resource_var("var"),
        node("mean/read", "Identity", "mean", T=FLOAT), const("delta", [0.5, 0.5]),
        node("ref_switch", "RefSwitch", "mean", "p", T=FLOAT),
        node("ref_bump", "AssignAdd", "ref_switch:1", "delta", T=FLOAT),
        node("ref_update", "AssignSub", "ref_switch:1", "ref_bump", T=FLOAT),
        node("ref_reset", "Assign", "mean", "delta", T=FLOAT),
        node("switch", "Switch", "var", "p", T=RESOURCE),
        node("update", "AssignSubVariableOp", "switch:1", "delta", dtype=FLOAT),
        node("read", "ReadVariableOp", "switch", dtype=FLOAT),
        node("merge", "Merge", "read", "ref_update", T=FLOAT, N=_int(2)),
        node("y", "Mul", "x", "mean/read", "^merge", "^update", "^ref_reset", T=FLOAT),
    )


def test_pipeline_repairs_and_prunes_and_the_check_accepts_it():
    ctx = PassContext(outputs=["y"], values={"mean": np.full(2, 3.0, np.float32), "var": np.ones(2, np.float32)})
    frozen = FrozenGraph(run_passes(batch_norm_like_graph(), ctx, REWRITE), ctx.deferred)
    check.check_frozen(frozen)
    nodes = {n.name: n for n in frozen.graph_def.node}
    assert "update" not in nodes and nodes["ref_update"].op == "Sub" and nodes["read"].op == "Identity"
    assert list(nodes["y"].input) == ["x", "mean/read", "^merge", "^ref_reset"]
    assert ctx.notes == ["Repaired for inference: 1 RefSwitch → Switch, 1 AssignAdd → Add, 1 AssignSub → Sub, "
                         "1 Assign → Identity, 1 AssignSubVariableOp removed."]


@pytest.mark.parametrize("training", [False, True])
def test_pipeline_output_runs_in_tensorflow(training):
    tf = pytest.importorskip("tensorflow")
    ctx = PassContext(outputs=["y"], values={"mean": np.full(2, 3.0, np.float32), "var": np.ones(2, np.float32)})
    graph_def = FrozenGraph(run_passes(batch_norm_like_graph(), ctx, REWRITE), ctx.deferred).materialized()
    with tf.Graph().as_default() as tf_graph:  # import checks each node against TF's op registry
        tf.import_graph_def(tf.compat.v1.GraphDef.FromString(graph_def.SerializeToString()), name="")
        with tf.compat.v1.Session(graph=tf_graph) as session:
            y = session.run("y:0", {"x:0": np.array([1.0, 2.0], np.float32), "p:0": training})
    np.testing.assert_array_equal(y, [3.0, 6.0])


@pytest.mark.parametrize("reader", [
    node("y", "ReadVariableOp", "e", dtype=FLOAT),
    node("y", "ResourceGather", "e", "e", dtype=FLOAT, Tindices=INT32),
    node("y", "RefSwitch", "e", "e", T=FLOAT),
    node("y", "Identity", "e", T=RESOURCE),
])
def test_check_rejects_variable_readers_fed_a_const_through_control_flow(reader):
    g = graph(const("w", [1.0]), loop_enter("e", "w", FLOAT), reader)
    with pytest.raises(CheckError, match=rf"Node y \({reader.op}\) expects a variable's handle or reference "
                                         "but is fed the frozen variable w"):
        check.check_no_folded_resources(GraphIndex(g))


def _true():
    return attr_value_pb2.AttrValue(b=True)


def _int(value):
    return attr_value_pb2.AttrValue(i=value)


def _value(const_node):
    return tensor_proto_to_numpy(const_node.attr["value"].tensor)
