"""A freeze's work grows linearly with the graph: counted, not timed.

A freeze of a chain of n Identity ops is traced, and every line of Python it runs and every call it
makes into C (protobuf, dicts, regular expressions) counts as one step. If the steps grow as a + b·n,
going from 2k to 6k nodes and then to 20k adds 3.5 times as many steps in the second step as in the
first, to the step; a step done once per node per node would make it 10 or more. A call into C counts
once whatever it costs; `scripts/bench.py` times whole freezes from 100k to 1M nodes, where the
machine's caches have their say too (BENCHMARKS.md).
"""

from __future__ import annotations

import sys

import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import types_pb2

from fixture_models import FIXTURES
from freezer import api
from freezer.io.graphdef import read_graph
from graphs import const, graph, node, variable

CHECKPOINT = FIXTURES / "mlp_ref" / "ckpt"  # holds layer1/b, 8 floats
SIZES = (2_000, 6_000, 20_000)
LINEAR_GROWTH = (SIZES[2] - SIZES[1]) / (SIZES[1] - SIZES[0])  # 3.5


def chain_graph(length: int):
    """A TF1 variable, its initializer, and `y` reading it through `length` Identity ops."""
    nodes = [variable("layer1/b", (8,)), const("zeros", [0.0] * 8),
             node("layer1/b/Assign", "Assign", "layer1/b", "zeros", T=types_pb2.DT_FLOAT_REF),
             node("id0", "Identity", "layer1/b", T=types_pb2.DT_FLOAT)]
    nodes += [node(f"id{i}", "Identity", f"id{i - 1}", T=types_pb2.DT_FLOAT) for i in range(1, length)]
    return graph(*nodes, node("y", "Identity", f"id{length - 1}", T=types_pb2.DT_FLOAT))


def steps_of_freeze(path, **options) -> int:
    """The lines of Python run and the calls into C made by a freeze of `path` for `y`."""
    steps = 0

    def count_line(frame, event, arg):
        nonlocal steps
        steps += 1
        return count_line

    def count_c_call(frame, event, arg):
        nonlocal steps
        steps += event == "c_call"

    tracer, profiler = sys.gettrace(), sys.getprofile()  # a coverage tool's or a debugger's, if any
    sys.setprofile(count_c_call)
    sys.settrace(count_line)
    try:
        api.freeze_files(path, CHECKPOINT, outputs=["y"], output=path.with_suffix(".frozen.pb"), **options)
    finally:
        sys.settrace(tracer)
        sys.setprofile(profiler)
    return steps


@pytest.mark.parametrize("as_text, options", [(True, {}), (False, {}), (True, {"optimize": True})],
                         ids=["text", "binary", "text --optimize"])
def test_a_freezes_steps_grow_linearly_with_the_graph(tmp_path, as_text, options):
    def written(length: int):
        chain = chain_graph(length)
        path = tmp_path / f"chain_{length}.{'pbtxt' if as_text else 'pb'}"
        path.write_bytes(text_format.MessageToString(chain).encode() if as_text else chain.SerializeToString())
        return path

    steps_of_freeze(written(10), **options)  # what a first freeze does once: imports, tables
    steps = [steps_of_freeze(written(length), **options) for length in SIZES]
    growth = (steps[2] - steps[1]) / (steps[1] - steps[0])
    assert growth == pytest.approx(LINEAR_GROWTH, rel=0.01), steps
    frozen = read_graph(tmp_path / f"chain_{SIZES[2]}.frozen.pb").graph_def
    kept = ["layer1/b", "y"] if options else ["layer1/b", *(f"id{i}" for i in range(SIZES[2])), "y"]
    assert [n.name for n in frozen.node] == kept and frozen.node[0].op == "Const"  # --optimize: no Identity
