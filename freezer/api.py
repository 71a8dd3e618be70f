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

from freezer.check import check_size
from freezer.errors import OptionError
from freezer.graph import GraphIndex, format_suggestions, parse_input
from freezer.io import events
from freezer.io.checkpoint import checkpoint_files_read, resolve_checkpoint
from freezer.io.frozen import FrozenGraph
from freezer.io.graphdef import ensure_writable_output, read_graph, write_graph
from freezer.io.savedmodel import SignatureTensor, is_saved_model, read_saved_model, refuse_graph_arguments
from freezer.options import FreezeOptions
from freezer.outputs import (Signature, described_tensor, graph_inputs, requested_outputs, resolve_outputs,
                             split_names)
from freezer.passes import CHECK, STAGES, PassContext, run_stage
from freezer.progress import NO_PROGRESS, Progress
from freezer.variables import Variable, variable_keys


@dataclasses.dataclass
class FreezeResult:
    """What a freeze produced, and the numbers for its summary."""

    frozen: FrozenGraph
    variables: list[Variable]  # the variables that became constants
    variable_sizes: dict[str, int]  # variable → bytes of its value
    nodes_before: int
    nodes_after: int
    notes: list[str]  # things the user should know (e.g. "no variables to freeze")
    init_op: str | None = None  # the op to run once before the outputs (it fills lookup tables)
    output_path: Path | None = None
    output_bytes: int | None = None
    seconds: float = 0.0
    # A SavedModel's signature tensors as the frozen graph names them: key → dtype and shape.
    inputs: dict[str, SignatureTensor] = dataclasses.field(default_factory=dict)
    outputs: dict[str, SignatureTensor] = dataclasses.field(default_factory=dict)
    signature_outputs: list[str] = dataclasses.field(default_factory=list)  # the output keys kept
    repairs: dict[str, int] = dataclasses.field(default_factory=dict)  # "RefSwitch → Switch" → how many
    optimized: dict[str, int] = dataclasses.field(default_factory=dict)  # "folded batch norms" → how many
    kept_variables: list[str] = dataclasses.field(default_factory=list)  # left variables on purpose
    input_files: list[Path] = dataclasses.field(default_factory=list)  # every file the freeze read
    timings: dict[str, float] = dataclasses.field(default_factory=dict)  # seconds: "load", each stage, "write"

    @property
    def variable_bytes(self) -> int:
        """Bytes of the values frozen."""
        return sum(self.variable_sizes.values())

    @property
    def graph_def(self) -> graph_pb2.GraphDef:
        """The frozen GraphDef, every constant's value in it."""
        return self.frozen.materialized()


def freeze(graph_def: graph_pb2.GraphDef, checkpoint: str | os.PathLike | None, *,
           outputs: str | Iterable[str] | None = None, saver_def: saver_pb2.SaverDef | None = None,
           declared_initializers: Mapping[str, str] | None = None, checkpoint_keys: Mapping[str, str] | None = None,
           signature: Signature | None = None, load_init_op: str | None = None,
           assets: Mapping[str, os.PathLike] | None = None, progress: Progress = NO_PROGRESS,
           **options) -> FreezeResult:
    """Freeze `graph_def` for `outputs`, reading variable values from the checkpoint prefix.

    `checkpoint` may be None when the outputs need no variables. `saver_def` (from a MetaGraphDef)
    picks which restore ops map variables to checkpoint keys; `declared_initializers` (variable →
    the op that initializes it, from a MetaGraphDef's VariableDefs) decides what initializes a kept
    variable; `checkpoint_keys` (variable → key) override the restore mapping, as a TF2
    SavedModel's object graph gives them; with a `signature`, `outputs` may name its output keys
    (all of them when None), and its inputs and outputs are named by their keys in the result.
    A SavedModel's `load_init_op` (what TF's loader runs after restoring) and `assets` (tensor fed an
    asset file's path → that file) let tables filled from asset files be filled from constants.
    Options are `FreezeOptions` fields:
    `pin={"is_training": "false"}` turns placeholders into constants and prunes the branches they
    rule out; `keep_variables`/`only_variables` choose what stays a variable; `init_ops` are run by
    the session engine before values are read. `progress` hears how reading values goes (a
    `freezer.progress.TerminalProgress` draws a bar). The input GraphDef is not modified.
    """
    return _freeze(GraphIndex(_copy(graph_def)), checkpoint, outputs, FreezeOptions(**options), saver_def=saver_def,
                   declared_initializers=declared_initializers, checkpoint_keys=checkpoint_keys, signature=signature,
                   load_init_op=load_init_op, assets=assets, progress=progress)


def _freeze(index: GraphIndex, checkpoint: str | os.PathLike | None, outputs: str | Iterable[str] | None,
            options: FreezeOptions, *, saver_def: saver_pb2.SaverDef | None = None,
            declared_initializers: Mapping[str, str] | None = None, checkpoint_keys: Mapping[str, str] | None = None,
            signature: Signature | None = None, load_init_op: str | None = None,
            assets: Mapping[str, os.PathLike] | None = None, progress: Progress = NO_PROGRESS) -> FreezeResult:
    """`freeze()` on the index of a graph the caller gives away: the passes change it in place, and
    the index is taken over (`GraphIndex.moved`)."""
    started = time.perf_counter()
    index = index.moved()
    nodes_before = len(index.graph_def.node)
    ctx = _context(index, checkpoint, outputs, options, saver_def=saver_def,
                   declared_initializers=declared_initializers or {}, checkpoint_keys=checkpoint_keys or {},
                   signature=signature, load_init_op=load_init_op,
                   assets={tensor: Path(path) for tensor, path in (assets or {}).items()}, progress=progress)
    timings = {}
    for stage in STAGES:  # prepare, choose variables, read values, rewrite, check
        stage_started = time.perf_counter()
        index = run_stage(stage, index, ctx)
        timings[stage.name] = time.perf_counter() - stage_started
    frozen = FrozenGraph(index.graph_def, ctx.deferred)
    sizes = {name: _value_bytes(value) for name, value in ctx.values.items()}
    result = FreezeResult(frozen, ctx.variables, sizes, nodes_before,
                          len(frozen.graph_def.node), ctx.notes, ctx.init_op,
                          signature_outputs=list(ctx.output_keys), repairs=dict(ctx.repairs),
                          optimized=dict(ctx.optimized), kept_variables=sorted(ctx.kept), timings=timings)
    if signature is None:  # a signature's tensors are described by the SavedModel; a graph's by its attrs
        result.inputs = graph_inputs(index)
        result.outputs = {ref.node: described_tensor(index[ref.node], ref.port)
                          for ref in map(parse_input, split_names(outputs or ()))}
    del index  # the size check serializes the graph: a big graph's index should not be there too
    size_check_started = time.perf_counter()
    check_size(frozen)
    timings[CHECK.name] += time.perf_counter() - size_check_started
    result.seconds = time.perf_counter() - started
    return result


def _context(index: GraphIndex, checkpoint: str | os.PathLike | None, outputs: str | Iterable[str] | None,
             options: FreezeOptions, *, checkpoint_keys: Mapping[str, str], **given) -> PassContext:
    """Check the outputs and options against the graph as given, and find what the passes will need
    of it once they have changed it: its variables' checkpoint keys, and with --init-op a copy of it
    all. `given` are the PassContext fields the graph came with (saver, signature, ...)."""
    output_keys, output_nodes = requested_outputs(index, outputs, given.get("signature"))
    for name in options.init_ops:
        if name not in index:
            raise OptionError(f"--init-op {name}: no op {name!r} in the graph; give op names as the "
                              f"graph has them.{format_suggestions(index.nearest_names(name))}")
    original = GraphIndex(_copy(index.graph_def)) if options.init_ops else None  # TensorFlow runs it as given
    return PassContext(outputs=output_nodes, output_keys=output_keys, options=options, original=original,
                       variable_keys=variable_keys(index, given.get("saver_def"), checkpoint_keys),
                       checkpoint=None if checkpoint is None else os.fspath(checkpoint), **given)


def _copy(graph_def: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    copy = graph_pb2.GraphDef()
    copy.CopyFrom(graph_def)
    return copy


def freeze_files(graph: str | os.PathLike, checkpoint: str | os.PathLike | None = None, *,
                 outputs: str | Iterable[str] | None = None, output: str | os.PathLike | None = None,
                 as_text: bool = False, tag: str | None = None, signature: str | None = None,
                 run: str | None = None, progress: Progress = NO_PROGRESS, **options) -> FreezeResult:
    """Freeze the graph file with the checkpoint and write the frozen graph.

    A SavedModel folder is frozen by `freeze_saved_model` (with `tag` and `signature`). `graph` may
    also be a TensorBoard events file or log folder; `run` picks the run of a log folder whose runs
    hold several graphs. `output` defaults to `<graph stem>.frozen.pb` (`.pbtxt` with `as_text`)
    beside the graph (for a log folder or events file: inside the folder, named after it). The file
    is written whole or not at all; an existing file is replaced only on success. Other options are
    those of `freeze()`.
    """
    started = time.perf_counter()
    graph_path = Path(graph)
    if is_saved_model(graph_path):
        refuse_graph_arguments(graph_path, checkpoint, run)
        return freeze_saved_model(graph_path, tag=tag, signature=signature, outputs=outputs, output=output,
                                  as_text=as_text, progress=progress, **options)
    if tag is not None or signature is not None:
        raise OptionError(f"--tag and --signature choose within a SavedModel folder, and {graph_path} is not "
                          "one; leave them out.")
    logs_output = events.default_output(graph_path, as_text)  # None unless a log folder or events file
    output_path = _output_path(output if output is not None else logs_output, graph_path, as_text)
    ensure_writable_output(output_path, [graph_path])  # a folder, a special file or the graph: before any work
    loaded = read_graph(graph_path, run=run)
    index = loaded.index()  # the passes change the graph read: it is no one else's
    resolve_outputs(index, outputs or ())  # unknown names fail before the checkpoint is read
    prefix = resolve_checkpoint(checkpoint, graph_path)
    # Every file read, as the loaders report them (the state file a folder's checkpoint came from too).
    input_files = [loaded.path, *loaded.files_read, *checkpoint_files_read(checkpoint, prefix)]
    ensure_writable_output(output_path, input_files)
    loaded_at = time.perf_counter()
    result = _freeze(index, prefix, outputs, FreezeOptions(**options), saver_def=loaded.saver_def,
                     declared_initializers=loaded.initializers, progress=progress)
    _record_load(result, input_files, loaded_at - started)
    read_from = [f"Read {loaded.description}."] if loaded.description else []
    result.notes[:0] = [*read_from, *loaded.notes]
    return _written(result, output_path, as_text, started, progress)


def freeze_saved_model(folder: str | os.PathLike, *, tag: str | None = None, signature: str | None = None,
                       outputs: str | Iterable[str] | None = None, output: str | os.PathLike | None = None,
                       as_text: bool = False, progress: Progress = NO_PROGRESS, **options) -> FreezeResult:
    """Freeze a SavedModel folder (its `variables/` is the checkpoint) and write the frozen graph.

    `tag` picks the MetaGraph (default `serve`, or the only one; "" for one saved without tags),
    `signature` the signature (default `serving_default`, or the only one). `outputs` may name the
    signature's output keys or graph nodes; without it, every output of the signature is kept. The
    inputs and outputs are named by their keys. `output` defaults to `<folder>.frozen.pb` beside
    the folder. Other options are those of `freeze()`.
    """
    started = time.perf_counter()
    folder = Path(folder)
    output_path = _output_path(output, folder, as_text)
    loaded = read_saved_model(folder, tag=tag, signature=signature)
    prefix = loaded.checkpoint_prefix
    input_files = [loaded.path, *(checkpoint_files_read(None, prefix) if prefix else []),
                   *loaded.asset_files.values()]
    ensure_writable_output(output_path, input_files)
    chosen = Signature(loaded.signature_name or "", _by_key(loaded.inputs), _by_key(loaded.outputs))
    loaded_at = time.perf_counter()
    result = _freeze(GraphIndex(loaded.graph_def), prefix, outputs, FreezeOptions(**options),
                     saver_def=loaded.saver_def, declared_initializers=loaded.initializers,
                     checkpoint_keys=loaded.checkpoint_keys, signature=chosen, load_init_op=loaded.init_op,
                     assets=loaded.asset_files, progress=progress)
    _record_load(result, input_files, loaded_at - started)
    result.inputs = {key: loaded.inputs[key] for key in loaded.inputs}
    result.outputs = {key: loaded.outputs[key] for key in result.signature_outputs}
    return _written(result, output_path, as_text, started, progress)


def _by_key(tensors: Mapping[str, SignatureTensor]) -> dict[str, tuple[str, int]]:
    return {key: (tensor.name, tensor.dtype) for key, tensor in tensors.items()}


def _record_load(result: FreezeResult, input_files: list[Path], seconds: float) -> None:
    """The input files (those that exist: a checkpoint's list names its files that may be), and how
    long reading the graph took."""
    result.input_files = [path for path in dict.fromkeys(map(Path, input_files)) if path.is_file()]
    result.timings = {"load": seconds, **result.timings}


def _output_path(output: str | os.PathLike | None, graph_path: Path, as_text: bool) -> Path:
    if output is not None and os.fspath(output).endswith("/"):  # Path() would drop the slash
        raise OptionError(f"The output path {output} is a folder; give a file name with -o.")
    return Path(output) if output is not None else default_output_path(graph_path, as_text)


def _written(result: FreezeResult, output_path: Path, as_text: bool, started: float,
             progress: Progress) -> FreezeResult:
    """Write the frozen graph to `output_path` and record where, how big, and how long it all took."""
    writing_started = time.perf_counter()
    try:
        size = write_graph(output_path, result.frozen, as_text=as_text, progress=progress)
    except OSError as error:
        raise OptionError(f"Cannot write {output_path}: {error.strerror}; choose another path with -o.") from None
    result.output_path, result.output_bytes = output_path, size
    result.seconds = time.perf_counter() - started
    result.timings["write"] = time.perf_counter() - writing_started
    return result


def default_output_path(graph_path: Path, as_text: bool) -> Path:
    """`model.pbtxt` → `model.frozen.pb` (or `.frozen.pbtxt` for text) beside the graph; a SavedModel
    folder `export/` → `export.frozen.pb` beside the folder."""
    return graph_path.with_name(graph_path.stem + (".frozen.pbtxt" if as_text else ".frozen.pb"))


def _value_bytes(value: np.ndarray) -> int:
    """Bytes of a value: its buffer, or for strings the bytes of each."""
    return sum(map(len, value.reshape(-1))) if value.dtype == object else value.nbytes
