"""What the optimize passes leave behind (`--optimize`, freezer/passes/optimize/leftovers.py): NoOps that
order nothing any more, and what no output needs. Tiny graphs built in code; SavedModels, whose
signature functions bring such NoOps, are frozen in tests/test_consumers.py.
"""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, types_pb2

from fixture_models import run_tf
from freezer.options import FreezeOptions
from freezer.passes import PassContext
from freezer.passes.optimize import OPTIMIZE
from freezer.passes.optimize.leftovers import MAX_WAITS, REMOVED, prune_leftovers, remove_noops
from graphs import const, graph, node, run_passes

FLOAT, BOOL = types_pb2.DT_FLOAT, types_pb2.DT_BOOL


def clean(g: graph_pb2.GraphDef, outputs=("y",), init_op=None, optimize=True):
    """(what remove_noops and prune_leftovers leave of a copy of `g`, its nodes by name, the context)."""
    ctx = PassContext(outputs=[*outputs, *([init_op] if init_op else [])], options=FreezeOptions(optimize=optimize),
                      init_op=init_op)
    copy = graph_pb2.GraphDef()
    copy.CopyFrom(g)
    result = run_passes(copy, ctx, [remove_noops, prune_leftovers])
    return result, {n.name: n for n in result.node}, ctx


def placeholder(name="x", dtype=FLOAT):
    return node(name, "Placeholder", dtype=dtype)


def test_noops_waiting_for_constants_go_with_the_waits_on_them_and_the_constants():
    """A SavedModel's ordered reads once the variables are Consts (OpenCV refuses a NoOp without inputs)."""
    g = graph(placeholder(), const("w", 2.0), const("b", 1.0), node("reads", "NoOp", "^w", "^b"),
              node("empty", "NoOp"), node("after_reads", "NoOp", "^reads", "^empty", "^w"),
              node("y", "Neg", "x", "^after_reads", T=FLOAT))
    result, nodes, ctx = clean(g)
    assert list(nodes) == ["x", "y"] and list(nodes["y"].input) == ["x"]
    assert ctx.optimized == {REMOVED: 3}
    feeds = {"x:0": np.float32(3.0)}
    np.testing.assert_array_equal(run_tf(result, ["y:0"], feeds), run_tf(g, ["y:0"], feeds))


def test_a_noop_waiting_for_what_its_reader_reads_anyway_goes():
    """The inlined call's NoOps: the signature's output waits for the value it returns."""
    g = graph(placeholder(), node("logits", "Relu", "x", T=FLOAT), node("call", "NoOp", "^logits"),
              node("call/NoOp", "NoOp", "^call"), node("y", "Identity", "logits", "^call/NoOp", T=FLOAT))
    _, nodes, ctx = clean(g)
    assert list(nodes) == ["x", "logits", "y"] and list(nodes["y"].input) == ["logits"]
    assert ctx.optimized == {REMOVED: 2}


def test_noops_that_order_something_stay():
    """Waiting for a node the reader does not read, or after such a NoOp."""
    g = graph(placeholder(), placeholder("gate"), const("c", 1.0), node("opened", "NoOp", "^gate", "^c"),
              node("after", "NoOp", "^opened"), node("y", "Neg", "x", "^after", T=FLOAT))
    result, nodes, ctx = clean(g)
    assert result == g and ctx.optimized == {REMOVED: 0}


def test_outputs_and_the_init_op_stay_and_so_do_waits_on_them():
    g = graph(placeholder(), node("init", "NoOp"), node("done", "NoOp"), node("y", "Neg", "x", "^init", T=FLOAT))
    result, _, ctx = clean(g, outputs=("y", "done"), init_op="init")
    assert result == g and ctx.optimized == {REMOVED: 0}


def test_noops_in_a_cycle_in_v1_control_flow_or_waiting_for_many_nodes_stay():
    many = [const(f"c{number}", 1.0) for number in range(MAX_WAITS + 1)]
    cycle = graph(placeholder(), node("a", "NoOp", "^b"), node("b", "NoOp", "^a"), node("y", "Neg", "x", "^a", T=FLOAT))
    in_cond = graph(placeholder(), placeholder("flag", BOOL), node("switch", "Switch", "x", "flag", T=FLOAT),
                    node("branch", "NoOp", "^switch"), node("taken", "Identity", "switch:1", "^branch", T=FLOAT),
                    node("y", "Merge", "switch", "taken", T=FLOAT, N=attr_value_pb2.AttrValue(i=2)))
    waits_for_many = graph(*many, *(node(f"n{c.name}", "Neg", c.name, T=FLOAT) for c in many),
                           node("all", "NoOp", *(f"^n{c.name}" for c in many)),
                           node("y", "AddN", *(f"n{c.name}" for c in many), "^all", T=FLOAT,
                                N=attr_value_pb2.AttrValue(i=len(many))))
    for g in (cycle, in_cond, waits_for_many):
        result, _, ctx = clean(g)
        assert result == g and ctx.optimized == {REMOVED: 0}


def test_the_optimize_stage_prunes_the_constants_only_removed_noops_waited_for():
    """A folded batch norm's parameters, which the signature's NoOp read: nothing else prunes them."""
    g = graph(placeholder(), const("gamma", [1.0, 2.0]), node("gamma/read", "Identity", "gamma", T=FLOAT),
              const("c", 2.0), node("c/read", "Identity", "c", T=FLOAT),
              node("reads", "NoOp", "^gamma/read", "^c/read"), node("y", "Mul", "x", "c/read", "^reads", T=FLOAT))
    for optimize in (False, True):
        copy = graph_pb2.GraphDef()
        copy.CopyFrom(g)
        result = run_passes(copy, PassContext(outputs=["y"], options=FreezeOptions(optimize=optimize)), OPTIMIZE)
        if optimize:
            assert [(n.name, list(n.input)) for n in result.node] == [("x", []), ("c", []), ("y", ["x", "c"])]
        else:
            assert result == g
