"""What a graph holds, before freezing it: inputs, likely outputs, variables against a checkpoint.

    report = inspect_path("model.pbtxt", "ckpt/model-0")
    report.outputs[0].name  # the best guess for --outputs
    report.to_json()        # the same as plain data (see `Inspection.to_json` for the keys)

`inspect_path` reads a GraphDef, `.meta`, TensorBoard events file or log folder, or a SavedModel
folder with the loaders `freeze` uses, and never rewrites anything. Of a checkpoint only the index
(names, dtypes and shapes) is read, never the values.

Likely outputs are the nodes nothing consumes but summaries, leaving out the parts a freeze drops:
the saver, initializers, assigns, `NoOp`s, and the training branch (gradients, optimizer updates and
what only they read). They are ranked: outputs computed from the inputs' values first, then scalars
(a loss, a metric), then bookkeeping (control-flow internals, shape-only results, constants); within
a rank, what comes later in topological order (computed from more) first. A SavedModel's outputs are
its signature's.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import re
import shlex
from collections.abc import Iterable, Mapping
from pathlib import Path

from tensorboard.compat.proto import meta_graph_pb2, node_def_pb2, tensor_shape_pb2

from freezer.errors import GraphError, OptionError
from freezer.graph import GraphIndex
from freezer.io.checkpoint import resolve_checkpoint
from freezer.io.graphdef import read_graph
from freezer.io.savedmodel import (OBJECT_GRAPH_KEY, describe_tags, is_saved_model, read_saved_model,
                                   refuse_graph_arguments, user_signatures)
from freezer.ops import (ASSIGN_OPS, BACK_EDGE_OPS, FUNCTION_CALL_OPS, FUNCTIONAL_CONTROL_FLOW_OPS,
                         INITIALIZABLE_TABLE_OPS, INITIALIZED_CHECK_OPS, OPTIMIZER_OPS, PLACEHOLDER_OPS,
                         REF_ASSIGN_AS, REF_TWINS, RESOURCE_ASSIGN_OPS, RESTORE_OPS, SAVE_OPS, SHAPE_ONLY_OPS,
                         SUMMARY_OPS, SWITCH_OPS, TABLE_INIT_OPS, V1_CONTROL_FLOW_OPS, VARIABLE_OPS)
from freezer.tensors import ITEM_SIZES, base_dtype, dtype_name, tensor_proto_to_numpy
from freezer.variables import Variable, describe_variables

# Ops that end the inference graph: the saver's, initializers', training's. Nothing a model outputs
# is one of them, reads one, or only feeds them.
_NOT_INFERENCE_OPS = (SAVE_OPS | RESTORE_OPS | ASSIGN_OPS | OPTIMIZER_OPS | INITIALIZED_CHECK_OPS | TABLE_INIT_OPS
                      | {"NoOp"})
# TensorFlow names what tf.gradients builds `gradients/...` (`gradients_1/`, `training/Adam/gradients/`).
_GRADIENTS_SCOPE = re.compile(r"gradients(_\d+)?")
# Attrs that give a node's output dtype, for the ops whose output 0 has one type.
_DTYPE_ATTRS = ("dtype", "T", "out_type", "DstT", "output_type")
_DEFAULT_SHOWN = 8  # values of a PlaceholderWithDefault's default shown at most

# Why a candidate output ranks where it does, best first.
LIKELY, SCALAR, BOOKKEEPING = "likely", "scalar", "bookkeeping"


@dataclasses.dataclass
class Tensor:
    """A tensor as the graph describes it: dtype name and shape (None: unknown; None dims: unknown)."""

    name: str
    dtype: str | None
    shape: tuple[int | None, ...] | None

    def to_json(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "shape": _json_shape(self.shape)}


@dataclasses.dataclass
class Input(Tensor):
    op: str = "Placeholder"
    default: str | None = None  # a PlaceholderWithDefault's default value, as text
    needed: bool = True  # whether the likely outputs read it

    def to_json(self) -> dict:
        return {**super().to_json(), "op": self.op, "default": self.default, "needed": self.needed}


@dataclasses.dataclass
class Output(Tensor):
    op: str = ""
    rank: str = LIKELY  # LIKELY, SCALAR or BOOKKEEPING
    reason: str = ""  # why it is not LIKELY
    tensor: str | None = None  # a SavedModel signature key's graph tensor

    def to_json(self) -> dict:
        return {**super().to_json(), "op": self.op, "rank": self.rank, "reason": self.reason, "tensor": self.tensor}


@dataclasses.dataclass
class Signature:
    name: str
    inputs: list[Tensor]  # each named by its key
    outputs: list[Tensor]
    tensors: dict[str, str]  # "inputs/key" or "outputs/key" → graph tensor name

    def to_json(self) -> dict:
        return {"name": self.name,
                **{side: [{**tensor.to_json(), "key": tensor.name, "tensor": self.tensors[f"{side}/{tensor.name}"]}
                          for tensor in getattr(self, side)] for side in ("inputs", "outputs")}}


@dataclasses.dataclass
class SavedModelInfo:
    tag_sets: list[str]  # each as --tag takes it: "serve", "serve,gpu", '""'
    tags: str  # the tag set inspected
    signatures: list[Signature]
    signature: str | None  # the signature inspected (its outputs are `Inspection.outputs`)

    def to_json(self) -> dict:
        return {"tag_sets": self.tag_sets, "tags": self.tags, "signature": self.signature,
                "signatures": [signature.to_json() for signature in self.signatures]}


@dataclasses.dataclass
class Mismatch:
    variable: str
    key: str
    graph: Tensor  # what the graph expects under the key (a part's full shape)
    checkpoint: Tensor

    def to_json(self) -> dict:
        return {"variable": self.variable, "key": self.key, "graph": self.graph.to_json(),
                "checkpoint": self.checkpoint.to_json()}


@dataclasses.dataclass
class CheckpointReport:
    prefix: str
    keys: int
    missing: list[tuple[str, str]]  # (variable, the key it was looked up under)
    mismatched: list[Mismatch]
    unused_keys: list[str]

    def to_json(self) -> dict:
        return {"prefix": self.prefix, "keys": self.keys,
                "missing": [{"variable": name, "key": key} for name, key in self.missing],
                "mismatched": [mismatch.to_json() for mismatch in self.mismatched], "unused_keys": self.unused_keys}


@dataclasses.dataclass
class Variables:
    count: int  # distinct (key, slice): a TF2 variable behind several handles counts once
    bytes: int  # of those with a known shape and a fixed-size dtype
    unknown_size: int  # how many have an unknown shape or a string dtype
    dtypes: dict[str, int]  # dtype name → how many, most first

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class FreezePreview:
    """What freezing the likely outputs would do to the ops they reach: op → count per finding."""

    variables: int
    repaired: dict[str, int]  # ref ops made value ops (RefSwitch → Switch, AssignSub → Sub)
    dropped: dict[str, int]  # resource assigns only control edges reach
    tables: dict[str, int]  # lookup tables kept, with the op that fills them behind one init op
    v1_control_flow: dict[str, int]  # kept as is
    v2_control_flow: dict[str, int]  # kept (lowered with --lower-control-flow)
    function_calls: dict[str, int]  # inlined (kept with --keep-calls)

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Inspection:
    """What `inspect_path` found. `to_json()` is the `--json` document."""

    path: str
    read_from: str | None  # where in `path` the graph was (an events file's step), if not the whole file
    nodes: int  # nodes of the graph
    functions: int  # functions in its library
    inputs: list[Input]
    outputs: list[Output]  # best first
    freeze_command: str  # a ready command line freezing the likely outputs
    saved_model: SavedModelInfo | None
    variables: Variables
    checkpoint: CheckpointReport | None
    freeze: FreezePreview
    op_counts: dict[str, int]  # op → nodes running it, graph and functions together, most first
    notes: list[str] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict:
        """Keys: path, read_from, nodes, functions, inputs, outputs, freeze_command, saved_model,
        variables, checkpoint, freeze, op_counts, notes (saved_model and checkpoint may be null)."""
        return {"path": self.path, "read_from": self.read_from, "nodes": self.nodes, "functions": self.functions,
                "inputs": [tensor.to_json() for tensor in self.inputs],
                "outputs": [tensor.to_json() for tensor in self.outputs], "freeze_command": self.freeze_command,
                "saved_model": self.saved_model and self.saved_model.to_json(),
                "variables": self.variables.to_json(), "checkpoint": self.checkpoint and self.checkpoint.to_json(),
                "freeze": self.freeze.to_json(), "op_counts": self.op_counts, "notes": self.notes}

    @property
    def likely_outputs(self) -> list[Output]:
        return [output for output in self.outputs if output.rank == LIKELY]


def inspect_path(graph: str | os.PathLike, checkpoint: str | os.PathLike | None = None, *, tag: str | None = None,
                 signature: str | None = None, run: str | None = None) -> Inspection:
    """Inspect a graph file, log folder or SavedModel folder (and the checkpoint, when there is one:
    the argument, a `.meta`'s prefix beside it, a SavedModel's variables/). `tag`, `signature` and
    `run` choose as `freeze` does; unknown ones are a `FreezerError` as there."""
    path = Path(graph)
    if is_saved_model(path):
        return _inspect_saved_model(path, checkpoint, tag, signature, run)
    if tag is not None or signature is not None:
        raise OptionError(f"--tag and --signature choose within a SavedModel folder, and {path} is not "
                          "one; leave them out.")
    loaded = read_graph(path, run=run)
    prefix = resolve_checkpoint(checkpoint, path)
    index = loaded.index()
    graph = _GraphFacts(index)
    outputs = graph.ranked_outputs()
    likely = [output.name for output in outputs if output.rank == LIKELY] or [output.name for output in outputs[:1]]
    variables = describe_variables(index, graph.nodes_running(VARIABLE_OPS), loaded.saver_def)
    checkpoint_shown = _checkpoint_argument(checkpoint, prefix, variables)
    command = _command([str(path), *checkpoint_shown, *(["--outputs", ",".join(likely)] if likely else []),
                        *(["--run", run] if run else [])])
    reached = graph.reached(likely)
    inputs = [graph.describe_input(index[name], name in reached) for name in graph.nodes_running(PLACEHOLDER_OPS)
              if name not in graph.not_inference]
    return _inspection(str(path), loaded.description, graph, reached, inputs, outputs, command, None, variables,
                       prefix, loaded.notes)


def _inspect_saved_model(folder: Path, checkpoint, tag, signature, run) -> Inspection:
    refuse_graph_arguments(folder, checkpoint, run)
    loaded = read_saved_model(folder, tag=tag, signature=signature)
    index = GraphIndex(loaded.graph_def)
    chosen = _signatures(loaded.meta_graph)
    outputs = [Output(key, tensor.dtype_name, tensor.shape, op=index[tensor.node].op, tensor=tensor.name)
               for key, tensor in loaded.outputs.items()]
    inputs = [Input(key, tensor.dtype_name, tensor.shape, op=index[tensor.node].op)
              for key, tensor in loaded.inputs.items()]
    info = SavedModelInfo([describe_tags(tags) for tags in loaded.tag_sets], describe_tags(loaded.tags), chosen,
                          loaded.signature_name)
    graph = _GraphFacts(index)
    # A TF2 variable's handles: those the functions capture have keys; the others are the loader's own.
    names = list(loaded.checkpoint_keys) or graph.nodes_running(VARIABLE_OPS)
    variables = describe_variables(index, names, loaded.saver_def, loaded.checkpoint_keys)
    options = [*(["--tag", info.tags] if tag is not None else []),
               *(["--signature", signature] if signature is not None else [])]
    reached = graph.reached(tensor.node for tensor in loaded.outputs.values())
    return _inspection(str(folder), None, graph, reached, inputs, outputs, _command([str(folder), *options]), info,
                       variables, loaded.checkpoint_prefix, [])


def _inspection(path: str, read_from: str | None, graph: _GraphFacts, reached: set[str], inputs: list[Input],
                outputs: list[Output], command: str, saved_model: SavedModelInfo | None, variables: list[Variable],
                prefix: str | None, notes: list[str]) -> Inspection:
    """Put the findings together; `reached` are the nodes the likely outputs need."""
    distinct = list({(variable.key, variable.slice_spec): variable for variable in variables}.values())
    graph_def = graph.index.graph_def
    return Inspection(
        path=path, read_from=read_from, nodes=len(graph_def.node), functions=len(graph_def.library.function),
        inputs=inputs, outputs=outputs, freeze_command=command, saved_model=saved_model,
        variables=_summarize(distinct), checkpoint=None if prefix is None else check_checkpoint(prefix, distinct),
        freeze=_preview(graph.ops, reached, variables), op_counts=_op_counts(graph), notes=list(notes))


# ---- the graph: what is inference, and how each candidate output ranks ------------------------------

class _GraphFacts:
    """The graph's edges parsed once, its topological order (v1 loops cut at their back edges),
    which nodes belong to the saver, initializers or training, and which compute from the values
    of inputs or variables (not only from constants and shapes)."""

    def __init__(self, index: GraphIndex):
        self.index = index
        self.ops = index.ops
        edges = index.edges
        self.inputs = edges.inputs  # data and control, in the graph
        self.data_inputs = edges.data_inputs
        self.consumers = edges.consumers  # data and control
        self.order = self._topological_order()
        self.position = {name: number for number, name in enumerate(self.order)}
        self.not_inference = self._not_inference()
        self.from_values = self._computing_from_values()

    def _topological_order(self) -> list[str]:
        """Kahn's order over the edges but v1 loops' back edges; nodes on another cycle are left out."""
        consumers = self.consumers  # a local name: the loops below see every edge
        back_edges = {name for name, op in self.ops.items() if op in BACK_EDGE_OPS}
        waiting = {name: len(sources) for name, sources in self.inputs.items()}  # entries not yet ordered
        for name in back_edges:
            for consumer in consumers[name]:
                waiting[consumer] -= 1
        order = [name for name, count in waiting.items() if count == 0]
        for name in order:  # grows while it is walked
            for consumer in () if name in back_edges else consumers[name]:
                left = waiting[consumer] - 1
                waiting[consumer] = left
                if left == 0:
                    order.append(consumer)
        return order

    def _not_inference(self) -> set[str]:
        """The saver (every node in the name scope of a save or restore op), initializers, assigns,
        the training branch (gradients, optimizer updates), what reads them, and what only feeds them."""
        ops, inputs, data_inputs, consumers = self.ops, self.inputs, self.data_inputs, self.consumers
        saver_scopes = {_scope(name) for name, op in ops.items() if op in SAVE_OPS or op in RESTORE_OPS}
        dropped = {name for name, op in ops.items() if op in _NOT_INFERENCE_OPS}
        if saver_scopes:
            dropped.update(name for name in ops if _scope(name) in saver_scopes)
        dropped.update(filter(_in_gradients, ops))
        pending = list(dropped)
        while pending:  # what reads them
            for consumer in consumers[pending.pop()]:
                if consumer not in dropped and not dropped.isdisjoint(data_inputs[consumer]):
                    dropped.add(consumer)
                    pending.append(consumer)
        pending = list(dropped)
        while pending:  # what only feeds them (initial values, what only a gradient reads)
            for source in inputs[pending.pop()]:
                if source not in dropped and dropped.issuperset(consumers[source]):
                    dropped.add(source)
                    pending.append(source)
        return dropped

    def nodes_running(self, ops: frozenset[str]) -> list[str]:
        return [name for name, op in self.ops.items() if op in ops]

    def reached(self, outputs: Iterable[str]) -> set[str]:
        """`graph.reachable`, over the inputs parsed here."""
        seen: set[str] = set()
        pending = [name for name in outputs if name in self.inputs]
        while pending:
            name = pending.pop()
            if name not in seen:
                seen.add(name)
                pending.extend(self.inputs[name])
        return seen

    def _computing_from_values(self) -> set[str]:
        """Nodes computed from the values of inputs, variables or other stateful sources, through
        loops too; not from constants alone, nor from a tensor's shape only."""
        ops, data_inputs, consumers = self.ops, self.data_inputs, self.consumers
        pending = [name for name, op in ops.items() if op in PLACEHOLDER_OPS or (op != "Const" and not data_inputs[name])]
        found = set(pending)
        while pending:
            name = pending.pop()
            for consumer in consumers[name]:
                if consumer not in found and ops[consumer] not in SHAPE_ONLY_OPS and name in data_inputs[consumer]:
                    found.add(consumer)
                    pending.append(consumer)
        return found

    def ranked_outputs(self) -> list[Output]:
        """Nodes nothing but summaries reads, that are no part of the saver, initializers or
        training and no variable or variable read; best first."""
        candidates = []
        summaries = set(self.nodes_running(SUMMARY_OPS))
        for name in self.order:
            consumers = self.consumers[name]
            if not summaries.issuperset(consumers) or name in self.not_inference \
                    or self.ops[name] in VARIABLE_OPS or name in summaries or self._reads_own_variable(name):
                continue
            if not consumers or name in self.from_values:  # else a summary's tag
                # The last op of a function the user named (`table_out/Reshape_1` of `table_out`)
                # stands for the tensor of that name.
                source = self._named_source(name)
                shown = source if _under(name, source) else name
                candidates.append((self.position[shown], self._describe_output(self.index[shown])))
        candidates += self._loss_sources([output for _, output in candidates if output.rank == SCALAR])
        ranks = (LIKELY, SCALAR, BOOKKEEPING)
        # Later in topological order first: what is computed from more comes last.
        candidates.sort(key=lambda item: (ranks.index(item[1].rank), -item[0]))
        return [output for _, output in candidates]

    def _loss_sources(self, scalars: list[Output]) -> list[tuple[int, Output]]:
        """The tensor each scalar (a loss, a metric) is computed from, when the model's output feeds
        only that: `y` of `Mean(Square(y))`."""
        found = []
        for scalar in scalars:
            source = self._named_source(scalar.name)
            output = self._describe_output(self.index[source])
            if source != scalar.name and output.rank == LIKELY:
                found.append((self.position[source], output))
        return found

    def _named_source(self, name: str) -> str:
        """Up from `name` through ops TensorFlow named after their type (`Mean`, `scope/Reshape_1`)
        with one input computed from values that only they read, to the first node the user named
        or that computes from several tensors."""
        while _auto_named(self.index[name]):
            sources = [source for source in self.data_inputs[name] if source in self.from_values]
            if len(sources) != 1 or self.consumers[sources[0]] != [name]:
                break
            name = sources[0]
        return name

    def _reads_own_variable(self, name: str) -> bool:
        """`w/read` and `w/Read/ReadVariableOp`: how TensorFlow reads a variable, not an output."""
        sources = self.data_inputs[name]
        return bool(sources) and self.ops[sources[0]] in VARIABLE_OPS and _under(name, sources[0])

    def _describe_output(self, node: node_def_pb2.NodeDef) -> Output:
        dtype, shape = _output_type(node)
        output = Output(node.name, dtype, shape, op=node.op)
        output.reason = self._bookkeeping(node)
        if output.reason:
            output.rank = BOOKKEEPING
        elif shape == ():
            output.rank, output.reason = SCALAR, "a scalar, like a loss or a metric"
        return output

    def _bookkeeping(self, node: node_def_pb2.NodeDef) -> str:
        sources = self.data_inputs[node.name]
        if node.op in SHAPE_ONLY_OPS:
            return "depends on a shape only"
        if node.op in V1_CONTROL_FLOW_OPS or (sources and self.ops[sources[0]] in SWITCH_OPS):
            return "part of v1 control flow"
        if sources and self.ops[sources[0]] in FUNCTIONAL_CONTROL_FLOW_OPS | FUNCTION_CALL_OPS \
                and _under(node.name, sources[0]):  # `while/Identity_2` of `while`: a loop variable
            return f"an output of {sources[0]} not used further"
        if node.name not in self.from_values:
            return "computed from constants only"
        return ""

    def describe_input(self, node: node_def_pb2.NodeDef, needed: bool) -> Input:
        dtype, shape = _output_type(node)
        if "shape" in node.attr:
            shape = _dims(node.attr["shape"].shape)
        default = None
        if node.op == "PlaceholderWithDefault" and self.data_inputs[node.name]:
            default = _describe_value(self.index[self.data_inputs[node.name][0]])
        return Input(node.name, dtype, shape, op=node.op, default=default, needed=needed)


def _in_gradients(name: str) -> bool:
    return "gradients" in name and any(_GRADIENTS_SCOPE.fullmatch(part) for part in name.split("/")[:-1])


def _auto_named(node: node_def_pb2.NodeDef) -> bool:
    """Whether TensorFlow named the node after its op (`Mean`, `scope/Square_1`), not the user."""
    leaf = node.name.rpartition("/")[2]
    return leaf == node.op or (leaf.startswith(node.op + "_") and leaf[len(node.op) + 1:].isdigit())


def _scope(name: str) -> str:
    """`save/RestoreV2` → `save/`; a top-level name → `/`."""
    return name.rpartition("/")[0] + "/"


def _under(name: str, scope: str) -> bool:
    """Whether node `name` sits in the name scope of node `scope` (`while/Identity` of `while`)."""
    return name.startswith(scope + "/")


def _output_type(node: node_def_pb2.NodeDef) -> tuple[str | None, tuple[int | None, ...] | None]:
    """The dtype and shape of output 0, where the node's attrs say."""
    dtype = next((node.attr[attr].type for attr in _DTYPE_ATTRS
                  if attr in node.attr and node.attr[attr].WhichOneof("value") == "type"), None)
    shapes = node.attr["_output_shapes"].list.shape if "_output_shapes" in node.attr else []
    return (None if dtype is None else dtype_name(base_dtype(dtype)),
            _dims(shapes[0]) if len(shapes) else None)


def _dims(shape: tensor_shape_pb2.TensorShapeProto) -> tuple[int | None, ...] | None:
    if shape.unknown_rank:
        return None
    return tuple(dim.size if dim.size >= 0 else None for dim in shape.dim)


def _describe_value(node: node_def_pb2.NodeDef) -> str:
    """A default value as text: `true`, `[1, 2]`; what computes it when it is no small constant."""
    if node.op != "Const":
        return f"computed by {node.name}"
    try:
        value = tensor_proto_to_numpy(node.attr["value"].tensor, f"Const {node.name}", max_elements=_DEFAULT_SHOWN)
    except GraphError:
        return f"Const {node.name}"
    items = [str(item).lower() if isinstance(item, bool) or item.dtype == bool else str(item)
             for item in value.reshape(-1).tolist()] if value.dtype != object else \
        [repr(bytes(item)) for item in value.reshape(-1)]
    return items[0] if value.ndim == 0 else "[" + ", ".join(items) + "]"


def _json_shape(shape: tuple[int | None, ...] | None) -> list[int | None] | None:
    return None if shape is None else list(shape)


# ---- SavedModel signatures -----------------------------------------------------------------------

def _signatures(meta: meta_graph_pb2.MetaGraphDef) -> list[Signature]:
    """Every signature a user can choose, with each key's tensor, dtype and shape."""
    signatures = []
    for name in user_signatures(meta):
        definition = meta.signature_def[name]
        tensors: dict[str, str] = {}
        sides = {}
        for side in ("inputs", "outputs"):
            infos = getattr(definition, side)
            sides[side] = [_signature_tensor(key, infos[key]) for key in sorted(infos)]
            tensors.update({f"{side}/{key}": infos[key].name or f"({infos[key].WhichOneof('encoding')})"
                            for key in infos})
        signatures.append(Signature(name, sides["inputs"], sides["outputs"], tensors))
    return signatures


def _signature_tensor(key: str, info: meta_graph_pb2.TensorInfo) -> Tensor:
    return Tensor(key, dtype_name(info.dtype), _dims(info.tensor_shape))


# ---- variables and the checkpoint --------------------------------------------------------------------

def _summarize(variables: list[Variable]) -> Variables:
    total, unknown = 0, 0
    for variable in variables:
        item_size = ITEM_SIZES.get(variable.dtype)
        if variable.shape is None or item_size is None:  # strings have no fixed size
            unknown += 1
        else:
            total += _volume(variable.shape) * item_size
    dtypes = collections.Counter(variable.dtype for variable in variables)
    return Variables(len(variables), total, unknown, {dtype_name(dtype): count for dtype, count in dtypes.most_common()})


def _volume(shape: Iterable[int]) -> int:
    count = 1
    for dim in shape:
        count *= dim
    return count


def check_checkpoint(prefix: str, variables: list[Variable]) -> CheckpointReport:
    """Which variables the checkpoint lacks or holds with another dtype or shape, and which of its
    keys no variable uses. Reads the index only."""
    from freezer.engines.native import open_checkpoint

    contents = open_checkpoint(prefix).contents()
    missing, mismatched = [], []
    for variable in variables:
        if variable.key not in contents:
            missing.append((variable.name, variable.key))
            continue
        mismatch = _mismatch(variable, *contents[variable.key])
        if mismatch is not None:
            mismatched.append(mismatch)
    used = {variable.key for variable in variables} | {OBJECT_GRAPH_KEY}
    return CheckpointReport(prefix, len(contents), missing, mismatched, sorted(set(contents) - used))


def _mismatch(variable: Variable, dtype: int, shape: tuple[int, ...]) -> Mismatch | None:
    """The difference between what the graph expects under the variable's key and what is there."""
    from freezer.engines.read import slice_shapes  # here: that module loads numpy, which inspect needs not

    expected = slice_shapes(variable)[0] if variable.slice_spec else variable.shape
    if dtype == variable.dtype and (expected is None or tuple(expected) == tuple(shape)):
        return None
    return Mismatch(variable.name, variable.key, Tensor(variable.name, dtype_name(variable.dtype), expected),
                    Tensor(variable.key, dtype_name(dtype), tuple(shape)))


def _checkpoint_argument(argument, prefix: str | None, variables: list[Variable]) -> list[str]:
    """CHECKPOINT as the freeze command line should give it: as the user did, left out for a
    `.meta` whose checkpoint sits beside it, a placeholder when variables need one."""
    if argument is not None:
        return [os.fspath(argument)]
    if prefix is not None or not variables:
        return []
    return ["CHECKPOINT"]


def _command(args: list[str]) -> str:
    return " ".join(["freeze", *(arg if arg == "CHECKPOINT" else shlex.quote(arg) for arg in args)])


# ---- what a freeze would do, op counts ------------------------------------------------------------------

def _preview(node_ops: Mapping[str, str], reached: set[str], variables: list[Variable]) -> FreezePreview:
    ops = collections.Counter(node_ops[name] for name in reached)

    def counts(wanted: Iterable[str]) -> dict[str, int]:
        return {op: ops[op] for op in sorted(wanted, key=lambda op: (-ops[op], op)) if ops[op]}

    frozen = {variable.key for variable in variables if variable.name in reached}
    return FreezePreview(
        variables=len(frozen), repaired=counts({*REF_TWINS, *REF_ASSIGN_AS}), dropped=counts(RESOURCE_ASSIGN_OPS),
        tables=counts(INITIALIZABLE_TABLE_OPS), v1_control_flow=counts(V1_CONTROL_FLOW_OPS - set(REF_TWINS)),
        v2_control_flow=counts(FUNCTIONAL_CONTROL_FLOW_OPS), function_calls=counts(FUNCTION_CALL_OPS))


def _op_counts(graph: _GraphFacts) -> dict[str, int]:
    """Op → how many nodes run it, in the graph and its functions' bodies; most first, then by name."""
    ops = collections.Counter(graph.ops.values())
    for function in graph.index.graph_def.library.function:
        ops.update(node.op for node in function.node_def)
    return dict(sorted(ops.items(), key=lambda item: (-item[1], item[0])))
