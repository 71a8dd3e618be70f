"""Which checkpoint key and slice each variable is read from."""

import pytest
from tensorboard.compat.proto import saver_pb2, types_pb2

from freezer.engines.read import slice_shapes
from freezer.errors import CheckpointError, GraphError
from freezer.variables import Variable
from freezer.graph import GraphIndex
from freezer.variables import describe_variables
from graphs import const, graph, node, variable

STRING = types_pb2.DT_STRING


def restore_graph(*extra, names=("old/name",), slices=("",)):
    """v (ref) and r (resource) restored by one RestoreV2 under the given keys."""
    return graph(
        variable("v"), variable("r", op="VarHandleOp"), *extra,
        const("save/Const", b"ckpt", STRING),
        const("save/RestoreV2/tensor_names", list(names), STRING),
        const("save/RestoreV2/shape_and_slices", list(slices), STRING),
        node("save/RestoreV2", "RestoreV2", "save/Const", "save/RestoreV2/tensor_names",
             "save/RestoreV2/shape_and_slices"),
        node("save/Assign", "Assign", "v", "save/RestoreV2"),
        node("save/Identity", "Identity", "save/RestoreV2:1"),
        node("save/AssignVariableOp", "AssignVariableOp", "r", "save/Identity"),
        node("save/restore_all", "NoOp", "^save/Assign", "^save/AssignVariableOp"),
    )


def keys(graph_def, names, saver_def=None):
    return {v.name: (v.key, v.slice_spec) for v in describe_variables(GraphIndex(graph_def), names, saver_def)}


def test_restore_ops_decide_keys_for_ref_and_resource_variables():
    g = restore_graph(names=("old/v", "old/r"), slices=("", ""))
    assert keys(g, ["v", "r"]) == {"v": ("old/v", ""), "r": ("old/r", "")}


def test_only_the_value_an_assign_writes_carries_a_key():
    g = restore_graph(variable("w"), variable("u"),
                      node("save/Assign_1", "Assign", "save/RestoreV2:1", "w"),  # the restored tensor as target
                      node("save/Assign_2", "Assign", "w", "v", "^save/RestoreV2"),  # a control edge
                      node("save/Identity_1", "Identity", "save/Identity:1"),  # an Identity has one output
                      node("save/Assign_3", "Assign", "u", "save/Identity_1"),
                      names=("old/v", "old/r"), slices=("", ""))
    assert keys(g, ["v", "r", "w", "u"]) == {"v": ("old/v", ""), "r": ("old/r", ""), "w": ("w", ""), "u": ("u", "")}


def test_variables_no_restore_op_reaches_use_their_names():
    g = restore_graph(variable("w"), names=("old/v", "old/r"), slices=("", ""))
    assert keys(g, ["w"]) == {"w": ("w", "")}


def test_only_the_savers_own_restore_ops_count():
    g = restore_graph(names=("old/v", "old/r"), slices=("", ""))
    other = saver_pb2.SaverDef(restore_op_name="save_1/restore_all")
    assert keys(g, ["v"], other) == {"v": ("old/v", "")}  # no save_1 ops: fall back to all restore ops
    mine = saver_pb2.SaverDef(restore_op_name="save/restore_all")
    assert keys(g, ["v"], mine) == {"v": ("old/v", "")}


def test_restore_slices_are_kept():
    g = restore_graph(names=("emb", "old/r"), slices=("10 4 0,5:0,4", ""))
    assert keys(g, ["v"]) == {"v": ("emb", "10 4 0,5:0,4")}


def test_partitioned_parts_without_restore_ops_get_their_slice():
    g = graph(variable("emb/part_0", (4, 3)), variable("emb/part_1", (3, 3)), variable("emb/part_2", (3, 3)))
    assert keys(g, ["emb/part_0", "emb/part_2"]) == {
        "emb/part_0": ("emb", "10 3 0,4:-"), "emb/part_2": ("emb", "10 3 7,3:-")}


def test_equal_parts_split_along_axis_zero():
    g = graph(variable("w/part_0", (2, 6)), variable("w/part_1", (2, 6)))
    assert keys(g, ["w/part_1"]) == {"w/part_1": ("w", "4 6 2,2:-")}


def test_parts_split_along_another_axis():
    g = graph(variable("w/part_0", (6, 3)), variable("w/part_1", (6, 2)))
    assert keys(g, ["w/part_1"]) == {"w/part_1": ("w", "6 5 -:3,2")}


def test_a_lone_part_name_is_just_a_name():
    g = graph(variable("w/part_1", (2,)))
    assert keys(g, ["w/part_1"]) == {"w/part_1": ("w/part_1", "")}


def spec(text):
    return Variable("v", types_pb2.DT_FLOAT, None, "v", text)


def test_slice_shapes():
    assert slice_shapes(spec("10 4 0,5:-")) == ((10, 4), (5, 4))
    assert slice_shapes(spec("6 5 -:3,2")) == ((6, 5), (6, 2))


def test_malformed_slice_spec_is_a_clear_error():
    with pytest.raises(CheckpointError, match="gives variable v the malformed slice '4 6'"):
        slice_shapes(spec("4 6"))


def test_malformed_restore_names_are_a_graph_error():
    g = restore_graph(names=("old/v", "old/r"), slices=("", ""))
    names = {n.name: n for n in g.node}["save/RestoreV2/tensor_names"]
    names.attr["value"].tensor.tensor_shape.dim[0].size = 5  # 5 names declared, 2 stored
    with pytest.raises(GraphError, match="Const save/RestoreV2/tensor_names, which a restore op reads"):
        keys(g, ["v"])


def test_repeated_slice_specs_stored_once_are_expanded():
    g = restore_graph(names=("old/v", "old/r"), slices=("",))
    slices = {n.name: n for n in g.node}["save/RestoreV2/shape_and_slices"]
    slices.attr["value"].tensor.tensor_shape.dim[0].size = 2
    assert keys(g, ["v", "r"]) == {"v": ("old/v", ""), "r": ("old/r", "")}


def test_a_variable_without_dtype_is_a_graph_error():
    g = graph(variable("v"))
    del g.node[0].attr["dtype"]
    with pytest.raises(GraphError, match="Variable v \\(VariableV2\\) has no dtype attr"):
        keys(g, ["v"])
