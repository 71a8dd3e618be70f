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
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

import numpy as np
from tensorboard.compat.proto import graph_pb2, node_def_pb2, saver_pb2

from freezer import check
from freezer.engines import DEFAULT_ENGINE, ENGINES
from freezer.engines.read import read_after_init_ops, read_variables
from freezer.errors import CheckpointError, OptionError, OutputNameError
from freezer.graph import GraphIndex, InputRef, format_suggestions, nearest, parse_input
from freezer.io.checkpoint import checkpoint_files_read, resolve_checkpoint
from freezer.io.frozen import FrozenGraph
from freezer.io.graphdef import ensure_writable_output, read_graph, write_graph
from freezer.op_outputs import output_count
from freezer.passes import PREPARE, PassContext, prune_to_outputs, run_pipeline
from freezer.passes.prune import reachable
from freezer.initializers import ensure_init_op, table_initializers, variable_initializers
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


@dataclasses.dataclass(frozen=True)
class FreezeOptions:
    """The keyword options of `freeze()` and `freeze_files()`."""

    keep_devices: bool = False  # keep node devices (cleared by default)
    pin: Mapping[str, str] = dataclasses.field(default_factory=dict)  # placeholder → value, as text
    keep_variables: Collection[str] = ()  # variables to leave as variables, with their initializers
    only_variables: Collection[str] | None = None  # freeze only these (the others are kept)
    # Ops the session engine runs after restoring, before reading; an assign of a kept variable named
    # here instead chooses that variable's initializer (when the graph assigns it in several places).
    init_ops: Collection[str] = ()
    engine: str = DEFAULT_ENGINE

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise OptionError(f"Unknown engine {self.engine!r}; choose one of: {', '.join(ENGINES)}.")


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
    opts = FreezeOptions(**options)
    source = _Source(graph_def, GraphIndex(graph_def), saver_def)
    output_nodes = resolve_outputs(source.index, outputs)
    source.check_init_ops(opts.init_ops)
    graph = graph_pb2.GraphDef()
    graph.CopyFrom(graph_def)
    ctx = PassContext(outputs=output_nodes, keep_devices=opts.keep_devices, pins=dict(opts.pin))
    graph = run_pipeline(graph, ctx, PREPARE)
    index = GraphIndex(graph)  # of the graph PREPARE left; `needed` is what the outputs reach in it
    needed = reachable(index, ctx.outputs)
    kept = _kept_variables(index, needed, opts)
    init_op, chosen = _keep_initializers(graph, ctx, needed, kept, declared_initializers or {}, opts.init_ops)
    ops_to_run = [name for name in opts.init_ops if name not in chosen]
    if ops_to_run and opts.engine != "session":
        raise OptionError("--init-op runs ops of the graph, which needs TensorFlow; add --engine session.")
    graph = prune_to_outputs(graph, ctx).graph_def
    variables = describe_variables(source.index, [n for n in _variable_names(graph) if n not in kept], saver_def)
    ctx.values = _read_values(checkpoint, variables, ctx.notes, opts.engine, ops_to_run, source)
    if not variables:
        ctx.notes.append("The outputs need no variables; the graph was only pruned.")
    frozen = FrozenGraph(run_pipeline(graph, ctx), ctx.deferred)
    check.check_frozen(frozen, kept=_kept_nodes(frozen.graph_def, kept))
    return FreezeResult(frozen, variables, _value_bytes(ctx.values.values()), len(graph_def.node),
                        len(frozen.graph_def.node), ctx.notes, init_op, seconds=time.perf_counter() - started)


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


def resolve_outputs(index: GraphIndex, outputs: str | Iterable[str]) -> list[str]:
    """Node names for `outputs` (`y`, `y:0`, `a,b`, lists of those). Unknown or malformed names,
    control inputs (`^y`) and ports a node does not have raise."""
    names = split_names(outputs)
    if not names:
        raise OutputNameError("No outputs given; name the nodes to keep, e.g. --outputs y.")
    refs = {name: _parse_output(index, name) for name in names}
    nodes = list(dict.fromkeys(ref.node for ref in refs.values()))
    unknown = [node for node in nodes if node not in index]
    if unknown:
        first = unknown[0]
        others = f" (also unknown: {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
        hint = format_suggestions(index.nearest_names(first)) or " Give node names as the graph has them."
        raise OutputNameError(f"Output {first!r} is not a node of the graph{others}.{hint}")
    functions = {function.signature.name: function for function in index.graph_def.library.function}
    for name, ref in refs.items():
        if name != ref.node:  # a port was given: the node must have it
            _check_port(index[ref.node], name, ref.port, functions)
    return nodes


def _parse_output(index: GraphIndex, name: str) -> InputRef:
    """`y` or `y:N`; a control input, or a name that is neither a node nor node:port, raises."""
    ref = parse_input(name)
    if ref.control:
        raise OutputNameError(f"Output {name!r} is a control input, not an output; name the node itself: "
                              f"--outputs {ref.node}.")
    if ref.node in index:
        return ref
    if any(char.isspace() for char in name):
        raise OutputNameError(f"Output {name!r} is not a node of the graph, and node names have no spaces; "
                              f"separate several outputs with commas: --outputs {','.join(name.split())}.")
    node, colon, _ = name.rpartition(":")
    if colon:  # the part after the last ':' is not a number, or nothing comes before it
        example = node if node in index else "y"
        raise OutputNameError(f"Output {name!r} is neither a node name nor node:port; write e.g. {example} "
                              f"or {example}:0.")
    return ref


def _check_port(node: node_def_pb2.NodeDef, name: str, port: int, functions: Mapping) -> None:
    count = _output_count(node, functions)
    if count is None or port < count:
        return
    if count == 0:
        raise OutputNameError(f"Output {name!r} does not exist: {node.name} ({node.op}) has no outputs; to keep "
                              f"the op, name it without a port: --outputs {node.name}.")
    ports = ", ".join(f"{node.name}:{i}" for i in range(count)) if count <= 4 else \
        f"{node.name}:0 to {node.name}:{count - 1}"
    raise OutputNameError(f"Output {name!r} does not exist: {node.name} ({node.op}) has "
                          f"{'one output' if count == 1 else f'{count} outputs'}, {ports}.")


def _output_count(node: node_def_pb2.NodeDef, functions: Mapping) -> int | None:
    """How many outputs the node has, where the graph tells: the library function it calls, its op
    in the op table, or the `_output_shapes` TensorFlow recorded (one per output); else None."""
    if node.op in functions:
        outputs = functions[node.op].signature.output_arg
        # a list argument's length comes from the calling node's attrs: not counted here
        return None if any(arg.number_attr or arg.type_list_attr for arg in outputs) else len(outputs)
    count = output_count(node)
    if count is None and "_output_shapes" in node.attr:
        count = len(node.attr["_output_shapes"].list.shape)
    return count


def split_names(outputs: str | Iterable[str]) -> list[str]:
    """`"a, b:0"` or `["a,b", "c"]` → `["a", "b:0", "c"]`."""
    items = [outputs] if isinstance(outputs, str) else list(outputs)
    return [name.strip() for item in items for name in item.split(",") if name.strip()]


def _kept_variables(index: GraphIndex, needed: set[str], opts: FreezeOptions) -> set[str]:
    """The variables among the `needed` nodes that the options say to leave as variables."""
    if opts.only_variables is not None and not opts.only_variables:
        raise OptionError("--only-variables names no variable; give the variables to freeze, e.g. "
                          "--only-variables dense/kernel,dense/bias.")
    both = set(opts.keep_variables) & set(opts.only_variables or ())
    if both:
        raise OptionError(f"{sorted(both)[0]} is both kept (--keep-variables) and frozen (--only-variables); "
                          "name it in one of them.")
    for option, names in (("--keep-variables", opts.keep_variables), ("--only-variables", opts.only_variables or ())):
        for name in names:
            if name not in index or not is_variable(index[name]):
                raise OptionError(f"{option} {name}: no variable {name!r} in the graph; give variable node "
                                  "names as the graph has them."
                                  f"{format_suggestions(nearest(name, _variable_names(index.graph_def)))}")
    needed_variables = {name for name in needed if is_variable(index[name])}
    kept = needed_variables & set(opts.keep_variables)
    if opts.only_variables is not None:
        kept |= needed_variables - set(opts.only_variables)
    return kept


def _keep_initializers(graph: graph_pb2.GraphDef, ctx: PassContext, needed: set[str], kept: set[str],
                       declared: Mapping[str, str], init_ops: Collection[str]) -> tuple[str | None, set[str]]:
    """Keep what fills the tables the outputs use and what initializes kept variables, behind one
    init op that becomes an output too; returns its name, and the `init_ops` that chose a kept
    variable's initializer (those need not run before values are read)."""
    tables = table_initializers(graph, needed)
    in_graph_order = [node.name for node in graph.node if node.name in kept]
    variables = variable_initializers(graph, in_graph_order, declared=declared, chosen=init_ops)
    if not tables and not variables:
        return None, set()
    init_op = ensure_init_op(graph, tables + variables)
    ctx.outputs = [*ctx.outputs, init_op]
    what = (["the lookup tables"] if tables else []) + ([f"the kept variables ({', '.join(sorted(kept))})"]
                                                         if variables else [])
    ctx.notes.append(f"Run {init_op!r} once before the outputs: it initializes {' and '.join(what)}.")
    return init_op, set(init_ops) & set(variables)


def _kept_nodes(graph: graph_pb2.GraphDef, kept: set[str]) -> set[str]:
    """Kept variables and the ops that read or initialize them: the check lets these be."""
    if not kept:
        return set()
    return kept | {node.name for node in graph.node if node.input and parse_input(node.input[0]).node in kept
                   and (node.op in check.TRAINING_OPS or node.op == "ReadVariableOp")}


def _variable_names(graph: graph_pb2.GraphDef) -> list[str]:
    return [node.name for node in graph.node if is_variable(node)]


@dataclasses.dataclass(frozen=True)
class _Source:
    """The graph as given (before any pass): where restore mappings and init ops are looked up."""

    graph_def: graph_pb2.GraphDef
    index: GraphIndex
    saver_def: saver_pb2.SaverDef | None

    def check_init_ops(self, init_ops: Collection[str]) -> None:
        for name in init_ops:
            if name not in self.index:
                raise OptionError(f"--init-op {name}: no op {name!r} in the graph; give op names as the "
                                  f"graph has them.{format_suggestions(self.index.nearest_names(name))}")


def _read_values(checkpoint, variables: list[Variable], notes: list[str], engine: str, init_ops: list[str],
                 source: _Source) -> Mapping[str, np.ndarray]:
    if not variables:
        return {}
    if checkpoint is None:
        names = ", ".join(v.name for v in variables[:3]) + (", ..." if len(variables) > 3 else "")
        raise CheckpointError(f"The outputs need {len(variables)} variable(s) ({names}) but no checkpoint "
                              "was given; pass the checkpoint prefix or folder after the graph.")
    if not init_ops:
        return read_variables(engine, os.fspath(checkpoint), variables, notes)
    restorable = describe_variables(source.index, _variable_names(source.graph_def), source.saver_def)
    return read_after_init_ops(os.fspath(checkpoint), variables, source.graph_def, restorable, init_ops)


def _value_bytes(values: Iterable[np.ndarray]) -> int:
    return sum(sum(map(len, v.reshape(-1))) if v.dtype == object else v.nbytes for v in values)
