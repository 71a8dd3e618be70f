"""Restore a graph and its checkpoint into a TensorFlow session: the job freezing replaces.

Exported as `freezer.restore`; this module is not named `restore` because importing a submodule
sets it as an attribute of its package, which would hide the function of that name.

    session, (y,) = freezer.restore("model.pbtxt", "ckpt", return_elements=["y:0"])
    session.run(y, {"x:0": batch})

The graph is read by freezer's loaders (GraphDef text or binary, `.meta`, events file or log
folder, SavedModel folder) and imported into a fresh `tf.Graph`; each variable gets its value
through the mapping `freeze` uses (`freezer.variables`: the graph's own restore ops, a TF2
SavedModel's object graph, else the variable's name), restored by TensorFlow's own `RestoreV2`
(with slices for partitioned variables). So a restore and a freeze of one graph always agree on
which checkpoint entry is which variable. TensorFlow is imported on first use, never by `import
freezer`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

from tensorboard.compat.proto import graph_pb2, saver_pb2

from freezer.engines.read import check_variable
from freezer.engines.session import SessionCheckpoint, import_tensorflow, without_devices
from freezer.errors import CheckpointError, FreezerError, OptionError
from freezer.graph import GraphIndex, parse_input, reachable
from freezer.initializers import table_initializers
from freezer.io.checkpoint import resolve_checkpoint
from freezer.io.graphdef import read_graph
from freezer.io.savedmodel import is_saved_model, read_saved_model
from freezer.variables import Variable, describe_variables, is_variable

INSTALL_TENSORFLOW = "pip install 'tf-freezer[tf]'"


@dataclasses.dataclass
class OriginalGraph:
    """A graph to restore, as the loaders found it, with what restoring it takes."""

    graph_def: graph_pb2.GraphDef
    checkpoint: str | None  # the checkpoint prefix; None when none was given or found
    saver_def: saver_pb2.SaverDef | None = None
    checkpoint_keys: Mapping[str, str] = dataclasses.field(default_factory=dict)  # TF2: handle → key
    # A SavedModel signature's tensors by key (`x` → `serving_default_x:0`); empty for other graphs.
    signature_inputs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    signature_outputs: Mapping[str, str] = dataclasses.field(default_factory=dict)
    init_op: str | None = None  # what a SavedModel's loader runs once after restoring
    asset_files: Mapping[str, Path] = dataclasses.field(default_factory=dict)  # tensor fed a path → file

    def tensor_name(self, name: str) -> str:
        """A signature key (`x`, `x:0`) as the graph tensor it names; any other name as it is."""
        key = name[:-2] if name.endswith(":0") else name
        return self.signature_inputs.get(key) or self.signature_outputs.get(key) or name


def load_original(graph: str | os.PathLike, checkpoint: str | os.PathLike | None = None, *,
                  tag: str | None = None, signature: str | None = None, run: str | None = None) -> OriginalGraph:
    """Read a graph file or SavedModel folder and find its checkpoint, as `freeze_files` does."""
    path = Path(graph)
    if is_saved_model(path):
        if checkpoint is not None:
            raise OptionError(f"{path} is a SavedModel folder, whose variables/ is its checkpoint; "
                              "leave out the checkpoint.")
        loaded = read_saved_model(path, tag=tag, signature=signature)
        return OriginalGraph(loaded.graph_def, loaded.checkpoint_prefix, loaded.saver_def, loaded.checkpoint_keys,
                             {key: tensor.name for key, tensor in loaded.inputs.items()},
                             {key: tensor.name for key, tensor in loaded.outputs.items()},
                             loaded.init_op, loaded.asset_files)
    if tag is not None or signature is not None:
        raise OptionError(f"--tag and --signature choose within a SavedModel folder, and {path} is not "
                          "one; leave them out.")
    loaded = read_graph(path, run=run)
    return OriginalGraph(loaded.graph_def, resolve_checkpoint(checkpoint, path), loaded.saver_def)


def restore(graph: str | os.PathLike, checkpoint: str | os.PathLike | None = None, *,
            input_map: Mapping[str, object] | None = None, return_elements: Sequence[str] | None = None,
            tag: str | None = None, signature: str | None = None):
    """Import `graph` into a fresh `tf.Graph`, restore every variable from `checkpoint` into a
    `tf.compat.v1.Session`, and return `(session, elements)`, ready to run or to train further.

    `graph` is a GraphDef (`.pbtxt`/`.pb`), a `.meta`, a TensorBoard events file or log folder, or
    a SavedModel folder (its `variables/` is the checkpoint; `tag` and `signature` choose the
    MetaGraph and signature). `checkpoint` is a prefix, `.index` file or folder, as for `freeze`.
    `input_map` replaces tensors (`x:0`) by values (arrays, which become constants of the new graph);
    `return_elements` names tensors (`y:0`) and ops (`train`) to return, as in
    `tf.compat.v1.import_graph_def`; in a SavedModel a signature key (`x`, `x:0`) stands for the
    tensor it names. `elements` lists what `return_elements` asked for (empty without it).
    Lookup tables are filled (a SavedModel's init op is run, feeding its asset files' paths, as
    TensorFlow's loader does). In a TF2 SavedModel the variables restored are those its functions
    capture (the others have no key freezer can find).
    The caller closes the session. Raises `FreezerError` as `freeze` does: a variable the
    checkpoint lacks is the same one-line error.
    """
    original = load_original(graph, checkpoint, tag=tag, signature=signature)
    return restore_original(original, input_map=input_map, return_elements=return_elements)


def restore_original(original: OriginalGraph, *, input_map: Mapping[str, object] | None = None,
                     return_elements: Sequence[str] | None = None, needed_by: Collection[str] | None = None):
    """`restore` of a graph already loaded; with `needed_by` (node names), only the variables and
    tables those nodes reach are restored and filled, so a checkpoint may lack the others."""
    index = GraphIndex(original.graph_def)
    needed = set(index.nodes) if needed_by is None else reachable(index, list(needed_by))
    variables = _variables_to_restore(index, original, needed)
    tf = tensorflow("freezer.restore")
    if variables:
        contents = SessionCheckpoint(original.checkpoint).contents()
        for variable in variables:
            check_variable(variable, contents, original.checkpoint)
    graph = tf.Graph()
    with graph.as_default():
        replaced = {original.tensor_name(name): tf.constant(value) for name, value in (input_map or {}).items()}
        elements = tf.compat.v1.import_graph_def(
            without_devices(tf, original.graph_def), name="", input_map=replaced or None,
            return_elements=[original.tensor_name(name) for name in return_elements] if return_elements else None)
        assigns = _restore_ops(tf, graph, original.checkpoint, variables)
    session = tf.compat.v1.Session(graph=graph, config=tf.compat.v1.ConfigProto(allow_soft_placement=True))
    try:
        _run(tf, session, assigns, {}, f"Restoring checkpoint {original.checkpoint}")
        init_ops, feeds = _initializers(index, original, needed)
        _run(tf, session, init_ops, feeds, f"Running the init op {', '.join(init_ops)}")
    except BaseException:
        session.close()
        raise
    return session, list(elements or [])


def tensorflow(what: str):
    """TensorFlow, imported now (quietly); `what` needs it, which the error says if it is missing."""
    try:
        return import_tensorflow()
    except CheckpointError:
        raise FreezerError(f"{what} needs TensorFlow; install it with {INSTALL_TENSORFLOW}.") from None


def _variables_to_restore(index: GraphIndex, original: OriginalGraph, needed: Collection[str]) -> list[Variable]:
    """The variables among `needed` with their keys and slices. In a TF2 SavedModel only the
    handles its functions capture have keys; its other handles (a saver's, Keras' own state)
    are left alone."""
    names = [node.name for node in index.graph_def.node if is_variable(node) and node.name in needed
             and (not original.checkpoint_keys or node.name in original.checkpoint_keys)]
    variables = describe_variables(index, names, original.saver_def, original.checkpoint_keys)
    if variables and original.checkpoint is None:
        shown = ", ".join(v.name for v in variables[:3]) + (", ..." if len(variables) > 3 else "")
        raise CheckpointError(f"The graph has {len(variables)} variable(s) ({shown}) but no checkpoint was "
                              "given; pass the checkpoint prefix or folder after the graph.")
    return variables


def _restore_ops(tf, graph, prefix: str | None, variables: list[Variable]) -> list:
    """One RestoreV2 for every variable's key and slice, and an assign of each value."""
    if not variables:
        return []
    with tf.name_scope("freezer_restore"):
        values = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[v.key for v in variables],
                                      shape_and_slices=[v.slice_spec for v in variables],
                                      dtypes=[tf.dtypes.as_dtype(v.dtype) for v in variables])
        return [_assign(tf, graph.get_tensor_by_name(f"{v.name}:0"), value) for v, value in zip(variables, values)]


def _assign(tf, variable, value):
    if variable.dtype == tf.resource:
        return tf.raw_ops.AssignVariableOp(resource=variable, value=value)
    return tf.raw_ops.Assign(ref=variable, value=value, validate_shape=False)


def _initializers(index: GraphIndex, original: OriginalGraph, needed: Collection[str]) -> tuple[list[str], dict]:
    """What to run once after restoring, and its feeds: a SavedModel's init op (fed its asset files'
    paths), else the initializers of the lookup tables among `needed`."""
    if original.init_op is not None:
        feeds = {_tensor(name): os.fspath(path) for name, path in original.asset_files.items()}
        return [original.init_op], feeds
    return table_initializers(index, needed), {}


def _tensor(name: str) -> str:
    ref = parse_input(name)
    return f"{ref.node}:{ref.port}"


def _run(tf, session, ops: list, feeds: dict, doing: str) -> None:
    if not ops:
        return
    try:
        session.run(ops, feed_dict=feeds)
    except tf.errors.OpError as error:
        raise CheckpointError(f"{doing} failed: {describe_op_error(error)}.") from None


def describe_op_error(error) -> str:
    """What a TensorFlow OpError says went wrong, on one line: the message after the traceback of
    where the op was built (`Node: 'mul'` ends it), and the node."""
    lines = [line.strip() for line in error.message.splitlines()]
    nodes = [line for line in lines if line.startswith("Node: ")]
    if nodes:
        lines = lines[len(lines) - lines[::-1].index(nodes[-1]):]
    text = " ".join(line for line in lines if line and not line.startswith("[[") and
                    line != "Graph execution error:")
    where = f" (node {nodes[-1].removeprefix('Node: ')})" if nodes else ""
    return " ".join(text.split())[:400].rstrip(".") + where
