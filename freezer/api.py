"""The library API: `freeze()` works on a GraphDef in memory, `freeze_files()` on paths.

    result = freezer.freeze_files("model.pbtxt", "ckpt/model-0", outputs=["y"])
    result.output_path  # model.frozen.pb

Both never modify their inputs and raise `FreezerError` (with a message meant for the user) for
anything wrong with the graph, the checkpoint or the options.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
from tensorboard.compat.proto import graph_pb2, saver_pb2

from freezer import check, engines
from freezer.engines import DEFAULT_ENGINE
from freezer.errors import CheckpointError, OptionError, OutputNameError
from freezer.graph import GraphIndex, format_suggestions, parse_input
from freezer.io.checkpoint import checkpoint_files, resolve_checkpoint
from freezer.io.frozen import FrozenGraph
from freezer.io.graphdef import ensure_not_an_input, read_graph, write_graph
from freezer.passes import PREPARE, PassContext, prune_to_outputs, run_pipeline
from freezer.passes.prune import reachable
from freezer.tables import ensure_init_op, table_initializers
from freezer.variables import Variable, describe_variables, is_variable



@dataclasses.dataclass
class FreezeResult:
    """What a freeze produced, and the numbers for its summary."""

    frozen: FrozenGraph
    variables: list[Variable]  # the variables that became constants
    variable_bytes: int  # bytes of their values
    nodes_before: int
    nodes_after: int
    notes: list[str]  # things the user should know (e.g. "no variables to freeze")
    init_op: str | None = None  # the op to run once before the outputs (it fills lookup tables)
    output_path: Path | None = None
    output_bytes: int | None = None
    seconds: float = 0.0

    @property
    def graph_def(self) -> graph_pb2.GraphDef:
        """The frozen GraphDef, every constant's value in it."""
        return self.frozen.materialized()


def freeze(graph_def: graph_pb2.GraphDef, checkpoint: str | os.PathLike | None, *,
           outputs: str | Iterable[str], saver_def: saver_pb2.SaverDef | None = None,
           keep_devices: bool = False, pin: Mapping[str, str] | None = None,
           engine: str = DEFAULT_ENGINE) -> FreezeResult:
    """Freeze `graph_def` for `outputs`, reading variable values from the checkpoint prefix.

    `checkpoint` may be None when the outputs need no variables. `saver_def` (from a MetaGraphDef)
    picks which restore ops map variables to checkpoint keys. `pin` maps placeholder names to
    values (as text, e.g. {"is_training": "false"}) that become constants; branches they rule out
    are pruned. The input GraphDef is not modified.
    """
    started = time.perf_counter()
    output_nodes = resolve_outputs(graph_def, outputs)
    graph = graph_pb2.GraphDef()
    graph.CopyFrom(graph_def)
    ctx = PassContext(outputs=output_nodes, keep_devices=keep_devices, pins=dict(pin or {}))
    graph = run_pipeline(graph, ctx, PREPARE)
    whole_graph = GraphIndex(graph_def)
    init_op = _keep_table_initializers(graph, whole_graph, ctx)
    graph = prune_to_outputs(graph, ctx).graph_def
    variables = describe_variables(whole_graph, _variable_names(graph), saver_def)
    ctx.values = _read_values(engine, checkpoint, variables, ctx.notes)
    if not variables:
        ctx.notes.append("The outputs need no variables; the graph was only pruned.")
    frozen = FrozenGraph(run_pipeline(graph, ctx), ctx.deferred)
    check.check_frozen(frozen)
    return FreezeResult(frozen, variables, _value_bytes(ctx.values.values()), len(graph_def.node),
                        len(frozen.graph_def.node), ctx.notes, init_op, seconds=time.perf_counter() - started)


def freeze_files(graph: str | os.PathLike, checkpoint: str | os.PathLike | None = None, *,
                 outputs: str | Iterable[str], output: str | os.PathLike | None = None,
                 as_text: bool = False, keep_devices: bool = False, pin: Mapping[str, str] | None = None,
                 engine: str = DEFAULT_ENGINE) -> FreezeResult:
    """Freeze the graph file with the checkpoint and write the frozen graph.

    `output` defaults to `<graph stem>.frozen.pb` (`.pbtxt` with `as_text`) beside the graph. The
    file is written whole or not at all; an existing file is replaced only on success.
    """
    started = time.perf_counter()
    graph_path = Path(graph)
    output_path = Path(output) if output is not None else default_output_path(graph_path, as_text)
    ensure_not_an_input(output_path, [graph_path])
    loaded = read_graph(graph_path)
    resolve_outputs(loaded.graph_def, outputs)  # unknown names fail before the checkpoint is touched
    prefix = resolve_checkpoint(checkpoint, graph_path)
    if prefix is not None:
        ensure_not_an_input(output_path, checkpoint_files(prefix))
    result = freeze(loaded.graph_def, prefix, outputs=outputs, saver_def=loaded.saver_def,
                    keep_devices=keep_devices, pin=pin, engine=engine)
    if output_path.is_dir():
        raise OptionError(f"The output path {output_path} is a folder; give a file name with -o.")
    try:
        size = write_graph(output_path, result.frozen, as_text=as_text)
    except OSError as error:
        raise OptionError(f"Cannot write {output_path}: {error.strerror}; choose another path with -o.") from None
    result.output_path, result.output_bytes = output_path, size
    result.seconds = time.perf_counter() - started
    return result


def default_output_path(graph_path: Path, as_text: bool) -> Path:
    """`model.pbtxt` → `model.frozen.pb` (or `.frozen.pbtxt` for text) beside the graph."""
    return graph_path.with_name(graph_path.stem + (".frozen.pbtxt" if as_text else ".frozen.pb"))


def resolve_outputs(graph_def: graph_pb2.GraphDef, outputs: str | Iterable[str]) -> list[str]:
    """Node names for `outputs` (`y`, `y:0`, `a,b`, lists of those); unknown names raise."""
    names = split_names(outputs)
    if not names:
        raise OutputNameError("No outputs given; name the nodes to keep, e.g. --outputs y.")
    index = GraphIndex(graph_def)
    nodes = list(dict.fromkeys(parse_input(name).node for name in names))
    unknown = [node for node in nodes if node not in index]
    if unknown:
        first = unknown[0]
        others = f" (also unknown: {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
        hint = format_suggestions(index.nearest_names(first))
        raise OutputNameError(f"Output {first!r} is not a node of the graph{others}.{hint}")
    return nodes


def split_names(outputs: str | Iterable[str]) -> list[str]:
    """`"a, b:0"` or `["a,b", "c"]` → `["a", "b:0", "c"]`."""
    items = [outputs] if isinstance(outputs, str) else list(outputs)
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def _keep_table_initializers(graph: graph_pb2.GraphDef, whole_graph: GraphIndex, ctx: PassContext) -> str | None:
    """Keep what fills the lookup tables the outputs use, behind one init op; returns its name."""
    initializers = table_initializers(graph, reachable(whole_graph, ctx.outputs))
    if not initializers:
        return None
    init_op = ensure_init_op(graph, initializers)
    ctx.outputs = [*ctx.outputs, init_op]
    return init_op


def _variable_names(graph: graph_pb2.GraphDef) -> list[str]:
    return [node.name for node in graph.node if is_variable(node)]


def _read_values(engine: str, checkpoint, variables: list[Variable], notes: list[str]) -> Mapping[str, np.ndarray]:
    if not variables:
        return {}
    if checkpoint is None:
        names = ", ".join(v.name for v in variables[:3]) + (", ..." if len(variables) > 3 else "")
        raise CheckpointError(f"The outputs need {len(variables)} variable(s) ({names}) but no checkpoint "
                              "was given; pass the checkpoint prefix or folder after the graph.")
    return engines.read_variables(engine, os.fspath(checkpoint), variables, notes)


def _value_bytes(values: Iterable[np.ndarray]) -> int:
    return sum(sum(map(len, v.reshape(-1))) if v.dtype == object else v.nbytes for v in values)
