"""Prune, fold and the clean-up passes on tiny graphs built in code."""

import numpy as np
import pytest
from tensorboard.compat.proto import types_pb2

from freezer.io.frozen import FrozenGraph
from freezer.graph import GraphIndex, reachable
from freezer.options import FreezeOptions
from freezer.passes import PassContext
from freezer.passes.cleanup import clear_devices, drop_dangling_colocation
from freezer.passes.fold import fold_variables
from freezer.passes import prune
from freezer.passes.prune import prune_to_outputs
from freezer.tensors import tensor_proto_to_numpy
from graphs import graph, node, ref_variable_graph, run_passes, variable


def names(graph_def):
    return [n.name for n in graph_def.node]


def test_prune_keeps_what_outputs_reach_in_original_order():
    result = prune_to_outputs(GraphIndex(ref_variable_graph()), PassContext(outputs=["y"]))
    assert result.changed
    assert names(result.graph_def) == ["x", "v", "v/read", "y"]


@pytest.mark.parametrize("most_runs_cut", [0, 1000])  # the dropped nodes sorted out, or cut run by run
@pytest.mark.parametrize("seed", range(20))
def test_prune_keeps_order_and_node_objects_and_hands_on_a_true_index(seed, most_runs_cut, monkeypatch):
    """The kept nodes stay in order, as the NodeDef objects the index held (so the index handed on
    is still right), whatever the pattern of nodes dropped between them."""
    monkeypatch.setattr(prune, "_MOST_RUNS_CUT", most_runs_cut)
    rng = np.random.default_rng(seed)
    needed = [bool(rng.random() < 0.5) for _ in range(40)]
    chain = [f"n{i}" for i, is_needed in enumerate(needed) if is_needed]
    nodes = [node(f"n{i}", "Identity", *([chain[chain.index(f"n{i}") - 1]] if is_needed and chain.index(f"n{i}") else []))
             for i, is_needed in enumerate(needed)]
    g = graph(*nodes, node("y", "Identity", *chain[-1:]))
    index = GraphIndex(g)
    held = dict(index.nodes)
    assert index.ops and index.entries  # known before the prune: the index handed on must filter them
    result = prune_to_outputs(index, PassContext(outputs=["y"]))
    assert names(result.graph_def) == chain + ["y"]
    assert all(kept is held[kept.name] for kept in result.graph_def.node)
    if all(needed):  # nothing to drop: the graph and its index stay
        assert not result.changed
        return
    fresh = GraphIndex(result.graph_def)
    assert result.index.nodes.positions == fresh.nodes.positions and result.index.ops == fresh.ops
    assert reachable(result.index, ["y"]) == reachable(fresh, ["y"]) and result.index.entries == fresh.entries


def test_colocation_is_cleaned_again_once_a_pass_removed_the_node_it_names():
    """A clean-up that found nothing to do is not repeated on the same graph, but a graph a pass
    changed since (here a prune) is looked at again."""
    g = graph(node("x", "Placeholder", dtype=types_pb2.DT_FLOAT), node("z", "Identity", "x", T=types_pb2.DT_FLOAT),
              node("y", "Identity", "x", T=types_pb2.DT_FLOAT, _class=[b"loc:@z", b"loc:@x"]))
    result = run_passes(g, PassContext(outputs=["y"]), [drop_dangling_colocation, prune_to_outputs,
                                                        drop_dangling_colocation])
    assert names(result) == ["x", "y"] and list(result.node[1].attr["_class"].list.s) == [b"loc:@x"]


def test_colocation_cleaned_twice_leaves_no_empty_attr():
    """A node whose every `loc:@` entry dangled loses its `_class` attr; a second clean-up (the optimize
    stage ends with one) must not bring back an empty one: the index it was handed knows it is gone."""
    g = graph(node("x", "Placeholder", dtype=types_pb2.DT_FLOAT),
              node("y", "Identity", "x", T=types_pb2.DT_FLOAT, _class=[b"loc:@gone"]))
    result = run_passes(g, PassContext(outputs=["y"]), [drop_dangling_colocation, drop_dangling_colocation])
    assert "_class" not in result.node[1].attr


def test_prune_follows_control_inputs():
    g = graph(node("side", "NoOp"), node("a", "Const"), node("y", "Identity", "a", "^side"), node("z", "NoOp"))
    assert names(prune_to_outputs(GraphIndex(g), PassContext(outputs=["y"])).graph_def) == ["side", "a", "y"]


def test_prune_survives_cycles():
    # A v1 while loop: Merge takes NextIteration, which takes the Merge back.
    g = graph(node("enter", "Enter", "x"), node("x", "Placeholder"),
              node("merge", "Merge", "enter", "next"), node("next", "NextIteration", "merge"),
              node("exit", "Exit", "merge"), node("unused", "NoOp"))
    kept = names(prune_to_outputs(GraphIndex(g), PassContext(outputs=["exit"])).graph_def)
    assert kept == ["enter", "x", "merge", "next", "exit"]


def test_prune_does_not_follow_colocation():
    g = graph(node("far", "NoOp"), node("y", "Const", _class=[b"loc:@far"]))
    assert names(prune_to_outputs(GraphIndex(g), PassContext(outputs=["y"])).graph_def) == ["y"]


def test_prune_reports_unchanged():
    g = graph(node("a", "Const"), node("y", "Identity", "a"))
    assert not prune_to_outputs(GraphIndex(g), PassContext(outputs=["y"])).changed


def test_fold_turns_ref_variable_into_const():
    g = prune_to_outputs(GraphIndex(ref_variable_graph()), PassContext(outputs=["y"])).graph_def
    ctx = PassContext(outputs=["y"], values={"v": np.array([3.0, 4.0], np.float32)})
    result = fold_variables(GraphIndex(g), ctx)
    assert result.changed and set(ctx.deferred) == {"v"}
    v = {n.name: n for n in FrozenGraph(result.graph_def, ctx.deferred).materialized().node}["v"]
    assert v.op == "Const"
    assert v.attr["dtype"].type == types_pb2.DT_FLOAT and set(v.attr) == {"dtype", "value"}
    np.testing.assert_array_equal(tensor_proto_to_numpy(v.attr["value"].tensor), [3.0, 4.0])


def test_fold_turns_read_variable_op_into_identity():
    g = graph(variable("w", op="VarHandleOp"),
              node("w/read", "ReadVariableOp", "w", "^ctrl", dtype=types_pb2.DT_FLOAT), node("ctrl", "NoOp"))
    result = fold_variables(GraphIndex(g), PassContext(outputs=["w/read"], values={"w": np.zeros(2, np.float32)}))
    read = result.graph_def.node[1]
    assert read.op == "Identity" and list(read.input) == ["w", "^ctrl"]
    assert dict(read.attr)["T"].type == types_pb2.DT_FLOAT and "dtype" not in read.attr


def test_fold_leaves_variables_without_values():
    g = graph(variable("kept", op="VarHandleOp"), node("r", "ReadVariableOp", "kept", dtype=types_pb2.DT_FLOAT))
    result = fold_variables(GraphIndex(g), PassContext(outputs=["r"]))
    assert not result.changed and [n.op for n in result.graph_def.node] == ["VarHandleOp", "ReadVariableOp"]


def test_fold_keeps_colocation_and_device():
    v = variable("v")
    v.device = "/job:ps/task:0"
    v.attr["_class"].list.s.append(b"loc:@v")
    result = fold_variables(GraphIndex(graph(v)), PassContext(outputs=["v"], values={"v": np.ones(2, np.float32)}))
    folded = result.graph_def.node[0]
    assert folded.device == "/job:ps/task:0" and list(folded.attr["_class"].list.s) == [b"loc:@v"]


def test_drop_dangling_colocation_keeps_live_entries():
    g = graph(node("a", "Const"), node("b", "Identity", "a", _class=[b"loc:@a", b"loc:@gone"]),
              node("c", "Identity", "b", _class=[b"loc:@gone"]))
    result = drop_dangling_colocation(GraphIndex(g), PassContext(outputs=["c"]))
    assert result.changed
    assert list(result.graph_def.node[1].attr["_class"].list.s) == [b"loc:@a"]
    assert "_class" not in result.graph_def.node[2].attr


def test_clear_devices_unless_kept():
    g = graph(node("a", "Const"))
    g.node[0].device = "/device:GPU:0"
    assert clear_devices(GraphIndex(g), PassContext(outputs=["a"], options=FreezeOptions(keep_devices=True))).graph_def.node[0].device == "/device:GPU:0"
    assert clear_devices(GraphIndex(g), PassContext(outputs=["a"])).graph_def.node[0].device == ""


def test_pipeline_names_the_failing_pass():
    def broken(index, ctx):
        raise KeyError("boom")
    try:
        run_passes(graph(), PassContext(outputs=[]), (broken,))
    except RuntimeError as error:
        assert "broken" in str(error) and "boom" in str(error)
    else:
        raise AssertionError("the pass error was swallowed")


def test_prune_drops_uncalled_functions_and_stale_deferred_values():
    g = graph(node("x", "Placeholder"), node("call", "PartitionedCall", "x"), node("y", "Identity", "x"),
              node("dead_const", "Const"))
    g.node[1].attr["f"].func.name = "used"
    for name in ("used", "unused"):
        g.library.function.add().signature.name = name
    ctx = PassContext(outputs=["call", "y"], deferred={"dead_const": np.zeros(2, np.float32)})
    result = prune_to_outputs(GraphIndex(g), ctx)
    assert [f.signature.name for f in result.graph_def.library.function] == ["used"]
    assert ctx.deferred == {}
