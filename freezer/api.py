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

from freezer.errors import OptionError
from freezer.graph import GraphIndex, format_suggestions
from freezer.io.checkpoint import checkpoint_files_read, resolve_checkpoint
from freezer.io.frozen import FrozenGraph
from freezer.io.graphdef import ensure_writable_output, read_graph, write_graph
from freezer.options import FreezeOptions
from freezer.outputs import resolve_outputs
from freezer.passes import STAGES, PassContext, run_stage
from freezer.variables import Variable


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
           declared_initializers: Mapping[str, str] | None = None, **options) -> FreezeResult:
    """Freeze `graph_def` for `outputs`, reading variable values from the checkpoint prefix.

    `checkpoint` may be None when the outputs need no variables. `saver_def` (from a MetaGraphDef)
    picks which restore ops map variables to checkpoint keys; `declared_initializers` (variable →
    the op that initializes it, from a MetaGraphDef's VariableDefs) decides what initializes a kept
    variable. Options are `FreezeOptions` fields:
    `pin={"is_training": "false"}` turns placeholders into constants and prunes the branches they
    rule out; `keep_variables`/`only_variables` choose what stays a variable; `init_ops` are run by
    the session engine before values are read. The input GraphDef is not modified.
    """
    started = time.perf_counter()
    index, ctx = _load(graph_def, checkpoint, outputs, saver_def, declared_initializers, FreezeOptions(**options))
    for stage in STAGES:  # prepare, choose variables, read values, rewrite, check
        index = run_stage(stage, index, ctx)
    frozen = FrozenGraph(index.graph_def, ctx.deferred)
    return FreezeResult(frozen, ctx.variables, _value_bytes(ctx.values.values()), len(graph_def.node),
                        len(frozen.graph_def.node), ctx.notes, ctx.init_op, seconds=time.perf_counter() - started)


def _load(graph_def: graph_pb2.GraphDef, checkpoint: str | os.PathLike | None, outputs: str | Iterable[str],
          saver_def: saver_pb2.SaverDef | None, declared_initializers: Mapping[str, str] | None,
          options: FreezeOptions) -> tuple[GraphIndex, PassContext]:
    """Check the outputs and options against the graph as given; index a copy for the passes."""
    original = GraphIndex(graph_def)
    output_nodes = resolve_outputs(original, outputs)
    for name in options.init_ops:
        if name not in original:
            raise OptionError(f"--init-op {name}: no op {name!r} in the graph; give op names as the "
                              f"graph has them.{format_suggestions(original.nearest_names(name))}")
    working = graph_pb2.GraphDef()
    working.CopyFrom(graph_def)
    ctx = PassContext(outputs=output_nodes, options=options, original=original, saver_def=saver_def,
                      declared_initializers=declared_initializers or {},
                      checkpoint=None if checkpoint is None else os.fspath(checkpoint))
    return GraphIndex(working), ctx


def freeze_files(graph: str | os.PathLike, checkpoint: str | os.PathLike | None = None, *,
                 outputs: str | Iterable[str], output: str | os.PathLike | None = None,
                 as_text: bool = False, **options) -> FreezeResult:
    """Freeze the graph file with the checkpoint and write the frozen graph.

    `output` defaults to `<graph stem>.frozen.pb` (`.pbtxt` with `as_text`) beside the graph. The
    file is written whole or not at all; an existing file is replaced only on success. Other
    options are those of `freeze()`.
    """
    started = time.perf_counter()
    graph_path = Path(graph)
    if output is not None and os.fspath(output).endswith("/"):  # Path() would drop the slash
        raise OptionError(f"The output path {output} is a folder; give a file name with -o.")
    output_path = Path(output) if output is not None else default_output_path(graph_path, as_text)
    ensure_writable_output(output_path, [graph_path])  # a folder, a special file or the graph: before any work
    loaded = read_graph(graph_path)
    resolve_outputs(GraphIndex(loaded.graph_def), outputs)  # unknown names fail before the checkpoint is read
    prefix = resolve_checkpoint(checkpoint, graph_path)
    # Every file read, as the loaders report them (the state file a folder's checkpoint came from too).
    ensure_writable_output(output_path, [loaded.path, *checkpoint_files_read(checkpoint, prefix)])
    result = freeze(loaded.graph_def, prefix, outputs=outputs, saver_def=loaded.saver_def,
                    declared_initializers=loaded.initializers, **options)
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


def _value_bytes(values: Iterable[np.ndarray]) -> int:
    return sum(sum(map(len, v.reshape(-1))) if v.dtype == object else v.nbytes for v in values)
