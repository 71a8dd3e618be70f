"""Constant folding (`--optimize`, freezer/passes/optimize/fold_constants.py).

Tiny graphs built in code go through the pass alone and are run in TensorFlow before and after;
the committed fixtures are frozen with and without `--optimize` and must give the same outputs in
TensorFlow and in C++, with fewer nodes and the same output names, dtypes and shapes.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, graph_pb2, tensor_pb2, types_pb2

import freezer
from fixture_models import assert_outputs_equal, load_fixture, run_frozen, run_tf
from freezer.io.frozen import FrozenGraph
from freezer.options import FreezeOptions
from freezer.graph import GraphIndex, reachable
from freezer.passes import OPTIMIZE, PassContext, run_stage
from freezer.passes.optimize.fold_constants import FOLDED, fold_constants
from freezer.passes.rewrite import const_value
from freezer.tensors import make_shape
from graphs import const, graph, node, run_passes
from hostile import run_cli

FLOAT, INT32 = types_pb2.DT_FLOAT, types_pb2.DT_INT32


def fold(g: graph_pb2.GraphDef, outputs=("y",), optimize=True, deferred=None):
    """(the graph fold_constants leaves from a copy of `g`, with every value in it; its nodes by
    name; the context)."""
    ctx = PassContext(outputs=list(outputs), options=FreezeOptions(optimize=optimize), deferred=deferred or {})
    copy = graph_pb2.GraphDef()
    copy.CopyFrom(g)
    folded = run_passes(copy, ctx, [fold_constants])
    nodes = {n.name: n for n in folded.node}
    values = {name: const_value(nodes[name], ctx.deferred) for name in ctx.deferred if name in nodes}
    return FrozenGraph(folded, ctx.deferred).materialized(), nodes, ctx, values


def i(value: int) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(i=value)


def placeholder(name="x", dtype=FLOAT):
    return node(name, "Placeholder", dtype=dtype)


def scaled_input():
    """y = x * sqrt(a + b) + reshape(fill([2], 0.5), [2]): two separate constant subgraphs."""
    return graph(placeholder(), const("a", [1.0, 3.0]), const("b", [3.0, 6.0]), const("shape", [2], INT32),
                 const("half", 0.5), node("sum", "AddV2", "a", "b", T=FLOAT), node("root", "Sqrt", "sum", T=FLOAT),
                 node("filled", "Fill", "shape", "half", T=FLOAT, index_type=INT32),
                 node("reshaped", "Reshape", "filled", "shape", T=FLOAT, Tshape=INT32),
                 node("scaled", "Mul", "x", "root", T=FLOAT), node("y", "AddV2", "scaled", "reshaped", T=FLOAT))


def test_constant_chains_fold_to_one_const_each_and_what_they_read_is_pruned(tf):
    g = scaled_input()
    folded, nodes, ctx, _ = fold(g)
    assert {name: n.op for name, n in nodes.items()} == {
        "x": "Placeholder", "root": "Const", "reshaped": "Const", "scaled": "Mul", "y": "AddV2"}
    assert ctx.optimized == {FOLDED: 2}
    feeds = {"x:0": np.float32([2.0, -1.0])}
    np.testing.assert_allclose(run_tf(folded, ["y:0"], feeds)[0], run_tf(g, ["y:0"], feeds)[0], rtol=1e-6)


def test_nothing_changes_without_optimize():
    g = scaled_input()
    folded, _, ctx, _ = fold(g, optimize=False)
    assert folded == scaled_input() and ctx.optimized == {}


def test_an_output_that_is_constant_becomes_a_const_of_its_name_dtype_and_shape(tf):
    g = graph(const("a", [[1, 2, 3]], INT32), const("perm", [1, 0], INT32),
              node("y", "Transpose", "a", "perm", T=INT32, Tperm=INT32))
    folded, nodes, _, _ = fold(g)
    assert list(nodes) == ["y"] and nodes["y"].op == "Const" and nodes["y"].attr["dtype"].type == INT32
    assert [d.size for d in nodes["y"].attr["value"].tensor.tensor_shape.dim] == [3, 1]
    np.testing.assert_array_equal(run_tf(folded, ["y:0"])[0], run_tf(g, ["y:0"])[0])


def test_inputs_are_read_through_identities_which_stay_for_their_other_readers():
    g = graph(placeholder(), const("w", [2.0]), node("w/read", "Identity", "w", T=FLOAT),
              node("double", "Mul", "w/read", "w/read", T=FLOAT), node("a", "Mul", "x", "w/read", T=FLOAT),
              node("y", "AddV2", "a", "double", T=FLOAT))
    _, nodes, _, values = fold(g)
    assert nodes["double"].op == "Const" and nodes["w/read"].op == "Identity"
    np.testing.assert_array_equal(values["double"], [4.0])


def test_control_inputs_are_kept_and_inherited_but_not_those_on_plain_consts(tf):
    g = graph(placeholder(), node("check", "NoOp", "^x"), const("plain", 1.0),
              const("a", 2.0), const("b", 3.0), node("b/waits", "Identity", "b", "^check", T=FLOAT),
              node("sum", "AddV2", "a", "b/waits", "^plain", T=FLOAT), node("y", "Mul", "x", "sum", T=FLOAT))
    g.node[3].input.append("^check")  # a waits for check too: once, not twice
    folded, nodes, _, _ = fold(g)
    assert nodes["sum"].op == "Const" and list(nodes["sum"].input) == ["^check"]
    np.testing.assert_array_equal(run_tf(folded, ["y:0"], {"x:0": 2.0})[0], 10.0)


def test_connected_folded_nodes_count_once_however_they_join():
    g = graph(placeholder(), const("a", 1.0), const("b", 2.0),
              node("p", "AddV2", "a", "b", T=FLOAT), node("q", "Mul", "a", "b", T=FLOAT),
              node("r", "Sub", "p", "q", T=FLOAT), node("s", "Neg", "b", T=FLOAT),
              node("y", "AddN", "x", "r", "s", T=FLOAT, N=i(3)))
    _, nodes, ctx, _ = fold(g)
    assert nodes["r"].op == nodes["s"].op == "Const" and "p" not in nodes
    assert ctx.optimized == {FOLDED: 2}  # p, q, r joined; s alone


def test_stateful_and_random_ops_and_what_reads_them_stay():
    g = graph(placeholder(), const("shape", [2], INT32),
              node("noise", "RandomUniform", "shape", T=INT32, dtype=FLOAT),
              node("scaled", "Mul", "noise", "noise", T=FLOAT), node("y", "AddV2", "x", "scaled", T=FLOAT))
    _, nodes, ctx, _ = fold(g)
    assert nodes["noise"].op == "RandomUniform" and nodes["scaled"].op == "Mul" and ctx.optimized == {FOLDED: 0}


def test_nodes_in_v1_control_flow_stay():
    g = graph(placeholder(), placeholder("flag", types_pb2.DT_BOOL),
              node("switch", "Switch", "x", "flag", T=FLOAT), node("branch", "Identity", "switch:1", T=FLOAT),
              const("a", 2.0, FLOAT), const("in_branch", 3.0), node("in_branch/c", "Identity", "in_branch", "^branch",
                                                                    T=FLOAT),
              node("doubled", "Mul", "a", "in_branch/c", T=FLOAT), node("value", "Mul", "branch", "doubled", T=FLOAT),
              node("merge", "Merge", "switch", "value", T=FLOAT, N=i(2)), node("y", "Identity", "merge", T=FLOAT))
    _, nodes, _, _ = fold(g)
    assert nodes["doubled"].op == "Mul"


def test_function_bodies_are_not_touched():
    from graphs import function
    body = function("f", [("x", FLOAT)], [("y", FLOAT)],
                    nodes=[const("c", 1.0), node("two", "AddV2", "c", "c", T=FLOAT),
                           node("out", "Mul", "x", "two:z:0", T=FLOAT)], ret={"y": "out:z:0"})
    g = graph(placeholder(), node("y", "PartitionedCall", "x", Tin=FLOAT, Tout=FLOAT,
                                  f=attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name="f"))))
    g.library.function.append(body)
    folded, _, _, _ = fold(g)
    assert folded.library.function[0] == body


def test_big_values_are_never_copied():
    weights = np.arange(6, dtype=np.float32)
    g = graph(placeholder(), node("w", "Const", dtype=FLOAT, value=attr_value_pb2.AttrValue(
                  tensor=tensor_pb2.TensorProto(dtype=FLOAT, tensor_shape=make_shape([6])))),
              const("shape", [2, 3], INT32), node("w2", "Reshape", "w", "shape", T=FLOAT, Tshape=INT32),
              node("y", "MatMul", "x", "w2", T=FLOAT))
    _, nodes, ctx, _ = fold(g, deferred={"w": weights})
    assert nodes["w2"].op == "Const" and "w" not in ctx.deferred
    assert np.shares_memory(ctx.deferred["w2"], weights)


def test_results_much_bigger_than_their_inputs_are_left_to_the_consumer():
    g = graph(placeholder(), const("big", [1024, 1024], INT32), const("small", [256, 256], INT32), const("one", 1.0),
              node("ones", "Fill", "big", "one", T=FLOAT, index_type=INT32),
              node("few", "Fill", "small", "one", T=FLOAT, index_type=INT32),
              node("y", "AddN", "ones", "few", T=FLOAT, N=i(2)))
    _, nodes, _, _ = fold(g)
    assert nodes["ones"].op == "Fill"  # 4 MiB from 12 bytes
    assert nodes["few"].op == "Const"  # 256 KiB


def test_what_tensorflow_would_refuse_is_not_folded():
    g = graph(placeholder(), const("a", [1.0, 2.0, 3.0]), const("shape", [2, 2], INT32), const("zero", [0], INT32),
              const("seven", [7], INT32), node("r", "Reshape", "a", "shape", T=FLOAT, Tshape=INT32),
              node("d", "FloorDiv", "seven", "zero", T=INT32), node("y", "Pack", "r", "d", T=FLOAT, N=i(2)))
    _, nodes, ctx, _ = fold(g)
    assert nodes["r"].op == "Reshape" and nodes["d"].op == "FloorDiv" and ctx.optimized == {FOLDED: 0}


def claiming_const(name: str, dims: list[int]):
    """A Const whose shape claims `dims` and that holds one value (TensorFlow's way of writing zeros)."""
    tensor = tensor_pb2.TensorProto(dtype=FLOAT, tensor_shape=make_shape(dims), float_val=[1.0])
    return node(name, "Const", dtype=FLOAT, value=attr_value_pb2.AttrValue(tensor=tensor))


def test_a_const_claiming_a_huge_or_impossible_shape_is_not_read():
    g = graph(claiming_const("huge", [1 << 40]), claiming_const("bad", [-5]), const("axis", 0, INT32),
              node("total", "Sum", "huge", "axis", T=FLOAT),
              node("size", "Size", "huge", T=FLOAT, out_type=types_pb2.DT_INT64),
              node("negated", "Neg", "bad", T=FLOAT), node("y", "Pack", "total", "negated", T=FLOAT, N=i(2)),
              node("z", "Identity", "size", T=types_pb2.DT_INT64))
    _, nodes, _, values = fold(g, outputs=("y", "z"))
    assert nodes["total"].op == "Sum" and nodes["negated"].op == "Neg"
    assert nodes["size"].op == "Const" and values["size"] == 1 << 40  # its shape is enough


def test_a_huge_constant_through_the_cli_is_left_alone(tmp_path):
    source, output = tmp_path / "model.pb", tmp_path / "model.frozen.pb"
    source.write_bytes(graph(claiming_const("huge", [1 << 33]), const("axis", 0, INT32),
                             node("y", "Sum", "huge", "axis", T=FLOAT)).SerializeToString())
    run = run_cli(source, "--outputs", "y", "--optimize", "-o", output)
    assert run.returncode == 0, run.stderr
    assert "Optimized: folded constant subgraphs 0" in run.stdout
    assert [n.op for n in graph_pb2.GraphDef.FromString(output.read_bytes()).node] == ["Const", "Const", "Sum"]


# ------------------------------------------------------------------------------- on the fixtures

# (fixture, extra pins): graphs with constant subgraphs, batch norms, control flow, loops, a SavedModel
OPTIMIZED_FIXTURES = [("keras_bn_v2", {}), ("batch_norm_v1", {"is_training": "false"}), ("pinned_bn", {}),
                      ("lstm_v1", {}), ("lstm_v2", {}), ("control_flow_v2", {}), ("sm_tfkeras_cnn", {}),
                      ("cond_while_v1", {}), ("partitioned", {}), ("v1_dtypes", {}), ("mlp_ref", {})]


def freeze_fixture(fixture, output, pins, optimize):
    options = fixture.api_options()
    options["pin"] = {**options.get("pin", {}), **pins}
    if fixture.saved_model:
        return freezer.freeze_files(fixture.graph, output=output, optimize=optimize, **options)
    return freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs=fixture.outputs, output=output,
                                optimize=optimize, **options)


@pytest.fixture(scope="module", params=OPTIMIZED_FIXTURES, ids=[name for name, _ in OPTIMIZED_FIXTURES])
def both(request, tmp_path_factory):
    """(fixture, feeds, plain FreezeResult, optimized FreezeResult) of one fixture."""
    name, pins = request.param
    fixture = load_fixture(name)
    folder = tmp_path_factory.mktemp(name)
    plain = freeze_fixture(fixture, folder / "plain.pb", pins, optimize=False)
    optimized = freeze_fixture(fixture, folder / "optimized.pb", pins, optimize=True)
    feeds = {tensor: value for tensor, value in fixture.frozen_inputs.items() if tensor.rsplit(":", 1)[0] not in pins}
    return fixture, feeds, plain, optimized


def test_optimized_graph_gives_the_same_outputs_in_tensorflow(both):
    fixture, feeds, plain, optimized = both
    before = run_frozen(plain.output_path, feeds, fixture.fetches, fixture.targets)
    after = run_frozen(optimized.output_path, feeds, fixture.fetches, fixture.targets)
    assert_outputs_equal(after, before)


def test_optimized_graph_is_smaller_and_keeps_its_outputs(both):
    fixture, _, plain, optimized = both
    assert optimized.nodes_after < plain.nodes_after
    assert set(optimized.optimized) >= {FOLDED, "removed identity nodes"}
    nodes = {n.name: n for n in optimized.graph_def.node}
    assert set(fixture.output_nodes) <= set(nodes)
    assert optimized.outputs == plain.outputs and optimized.inputs == plain.inputs


def test_constant_subgraphs_are_folded_where_the_fixture_has_them(both):
    fixture, _, _, optimized = both
    if fixture.name in ("pinned_bn", "lstm_v2", "partitioned", "v1_dtypes", "batch_norm_v1"):
        assert optimized.optimized[FOLDED] >= 1


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_optimized_graph_runs_in_cpp(both):
    from cpp_loader import run_graph_in_cpp
    fixture, feeds, plain, optimized = both
    in_cpp = run_graph_in_cpp(optimized.output_path, feeds, fixture.fetches, targets=fixture.targets)
    assert_outputs_equal(in_cpp, run_frozen(plain.output_path, feeds, fixture.fetches, fixture.targets))


def test_the_index_handed_on_knows_the_folded_nodes_when_nothing_is_pruned():
    """`a` folds but `c`, which it read, is still read by `b`: nothing to prune, yet the graph changed,
    so the next pass must not get the index of the graph as it was."""
    g = graph(node("x", "Placeholder", dtype=types_pb2.DT_FLOAT), const("c", [1.0, 2.0]),
              node("a", "Add", "c", "c", T=types_pb2.DT_FLOAT), node("b", "Mul", "x", "c", T=types_pb2.DT_FLOAT))
    ctx = PassContext(outputs=["a", "b"], options=FreezeOptions(optimize=True))
    index = GraphIndex(g)
    reachable(index, ctx.outputs), index.ops, index.entries  # known, as the rewrite stage leaves them
    handed_on = run_stage(OPTIMIZE, index, ctx)
    assert handed_on.ops["a"] == "Const" and handed_on.entries["a"] == [] == list(handed_on["a"].input)
