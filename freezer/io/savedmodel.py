"""Reading a SavedModel folder: the MetaGraph chosen by its tags, the signature chosen by its name,
and where each variable's value sits in `variables/`.

A SavedModel is `saved_model.pb` (or `saved_model.pbtxt`) — a `SavedModel` message: field 1 the
schema version, field 2 repeated `MetaGraphDef` — beside `variables/variables.{index,data-*}` and
`assets/`. TF1 SavedModels name their variables' checkpoint keys in the graph's restore ops, as a
`.meta` does; TF2 ones (`tf.saved_model.save`, Keras `export()`) keep variables behind `VarHandleOp`s
captured by the functions `StatefulPartitionedCall`s call, and their keys come from the object
graphs (see `tf2_checkpoint_keys`). Nothing here imports TensorFlow.
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from google.protobuf import descriptor_pb2, descriptor_pool, message, message_factory, text_format
from tensorboard.compat.proto import graph_pb2, meta_graph_pb2, saver_pb2, tensor_shape_pb2, trackable_object_graph_pb2

from freezer.errors import CheckpointError, GraphError, OptionError
from freezer.graph import GraphIndex, parse_input
from freezer.io.bundle import BundleReader
from freezer.io.files import NotRegularFile, open_regular_file
from freezer.io.graphdef import looks_like_text
from freezer.io.metagraph import declared_initializers
from freezer.io.pbtxt import parse_text
from freezer.ops import FUNCTION_CALL_OPS, VARIABLE_OPS
from freezer.tensors import dtype_name

BINARY_NAME = "saved_model.pb"
TEXT_NAME = "saved_model.pbtxt"
DEFAULT_TAG = "serve"
DEFAULT_SIGNATURE = "serving_default"
INIT_OP_SIGNATURE = "__saved_model_init_op"  # TF2's init op, stored as a signature; not a user one
# Collections a TF1 SavedModel names its init op in, in the order TF's loader looks at them.
INIT_OP_COLLECTIONS = ("saved_model_main_op", "legacy_init_op")
ASSETS_FOLDER = "assets"
ASSETS_COLLECTION = "saved_model_assets"  # where a TF1 builder lists its AssetFileDefs (as Any)
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"  # the checkpoint entry holding its object graph
VARIABLE_VALUE = "VARIABLE_VALUE"  # the attribute of a checkpointed variable that holds its value
_EXPORT_AGAIN = "export the model again with TensorFlow"
_LISTED = 10  # names an error lists at most (a hostile file may hold thousands)


def _saved_model_class():
    """The `SavedModel` message class: tensorboard.compat.proto has MetaGraphDef but not this
    two-field wrapper, so it is declared here over tensorboard's MetaGraphDef (in a package of our
    own, so it never clashes with TensorFlow's `tensorflow.SavedModel`)."""
    field = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="freezer/saved_model.proto", package="freezer",
                                              syntax="proto3", dependency=[meta_graph_pb2.DESCRIPTOR.name])
    saved_model = file.message_type.add(name="SavedModel")
    saved_model.field.add(name="saved_model_schema_version", number=1, type=field.TYPE_INT64,
                          label=field.LABEL_OPTIONAL)
    saved_model.field.add(name="meta_graphs", number=2, type=field.TYPE_MESSAGE, label=field.LABEL_REPEATED,
                          type_name=".tensorboard.MetaGraphDef")
    pool = descriptor_pool.Default()
    pool.Add(file)  # adding the same file again (a reloaded module) is allowed
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("freezer.SavedModel"))


SavedModel = _saved_model_class()


@dataclasses.dataclass(frozen=True)
class SignatureTensor:
    """One input or output of a signature: the graph tensor (`node:port`), its dtype (a
    `types_pb2.DataType` number) and shape (None when the rank is unknown; None for an unknown dim)."""

    name: str
    dtype: int
    shape: tuple[int | None, ...] | None

    @property
    def node(self) -> str:
        return parse_input(self.name).node

    @property
    def dtype_name(self) -> str:
        return dtype_name(self.dtype)


@dataclasses.dataclass
class LoadedSavedModel:
    """What `read_saved_model` found: the chosen MetaGraph and signature, and where the values are."""

    folder: Path
    path: Path  # saved_model.pb or saved_model.pbtxt
    tags: tuple[str, ...]  # the chosen MetaGraph's tag set (empty for one saved without tags)
    tag_sets: list[tuple[str, ...]]  # every MetaGraph's, in the file's order
    meta_graph: meta_graph_pb2.MetaGraphDef
    graph_def: graph_pb2.GraphDef
    saver_def: saver_pb2.SaverDef | None
    signature_name: str | None  # None when the MetaGraph has no signature at all
    inputs: dict[str, SignatureTensor]  # signature key → tensor, sorted by key
    outputs: dict[str, SignatureTensor]
    checkpoint_prefix: str | None  # folder/variables/variables; None when the graph has no variables
    assets_folder: Path | None
    init_op: str | None  # the node the SavedModel runs once after restoring (table initializers, ...)
    # The tensors TensorFlow's loader feeds with an asset file's path while it runs the init op
    # (`node` or `node:port`) → that file in assets/.
    asset_files: dict[str, Path]
    initializers: dict[str, str]  # variable node → its initializer op (TF1 variable collections)
    checkpoint_keys: dict[str, str]  # TF2: VarHandleOp node → checkpoint key (empty for TF1)


def is_saved_model(path: Path) -> bool:
    """Whether `path` is a folder holding `saved_model.pb` (or `.pbtxt`), or a SavedModel folder that
    lost it: one with a `variables/` folder, which then gets the SavedModel reader's error naming
    the missing file rather than a GraphDef reader's."""
    return path.is_dir() and (any(os.path.lexists(path / name) for name in (BINARY_NAME, TEXT_NAME))
                              or (path / "variables").is_dir())


def refuse_graph_arguments(folder: Path, checkpoint: object, run: str | None) -> None:
    """A SavedModel folder brings its own checkpoint and is no log folder: a CHECKPOINT or `--run`
    given with one is a mistake, said as such."""
    if run is not None:
        raise OptionError(f"--run {run} picks a run of a log folder, and {folder} is a SavedModel "
                          "folder; leave --run out.")
    if checkpoint is not None:
        raise OptionError(f"{folder} is a SavedModel folder, whose variables/ is its checkpoint; "
                          "leave out the CHECKPOINT argument.")


def read_saved_model(folder: str | os.PathLike, *, tag: str | Iterable[str] | None = None,
                     signature: str | None = None) -> LoadedSavedModel:
    """Read the SavedModel in `folder`; `tag` is a tag set ("serve", "serve,gpu", or an iterable;
    "" for a MetaGraph saved without tags) and `signature` a signature name. Defaults: the MetaGraph
    tagged `serve`, else the only one; the signature `serving_default`, else the only one."""
    folder = Path(folder)
    path, saved_model = _read_saved_model_file(folder)
    meta = _choose_meta_graph(saved_model, folder, tag)
    _check_graph(meta.graph_def, path)
    node_names = {node.name for node in meta.graph_def.node}
    signature_name = _choose_signature(meta, folder, signature)
    inputs, outputs = _signature_tensors(meta, signature_name, node_names, folder)
    prefix = _checkpoint_prefix(folder, meta.graph_def)
    assets = folder / ASSETS_FOLDER
    return LoadedSavedModel(
        folder=folder, path=path, tags=tuple(meta.meta_info_def.tags),
        tag_sets=[tuple(graph.meta_info_def.tags) for graph in saved_model.meta_graphs], meta_graph=meta,
        graph_def=meta.graph_def, saver_def=meta.saver_def if meta.HasField("saver_def") else None,
        signature_name=signature_name, inputs=inputs, outputs=outputs, checkpoint_prefix=prefix,
        assets_folder=assets if assets.is_dir() else None, init_op=_init_op(meta, node_names, folder),
        asset_files=_asset_files(meta, node_names, folder),
        initializers=declared_initializers(meta, path),
        checkpoint_keys=tf2_checkpoint_keys(meta, prefix) if prefix else {})


# ---- the file -----------------------------------------------------------------------------------

def _read_saved_model_file(folder: Path):
    """(path, SavedModel message) of `saved_model.pb`, else `saved_model.pbtxt`, in `folder`."""
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is not a folder"
        raise GraphError(f"SavedModel folder {folder} {what}; give the folder that holds saved_model.pb.")
    for name in (BINARY_NAME, TEXT_NAME):
        path = folder / name
        if os.path.lexists(path):
            return path, _parse(path, _saved_model_bytes(path))
    raise GraphError(f"{folder} holds no {BINARY_NAME}; give the SavedModel folder TensorFlow wrote "
                     "(the one with saved_model.pb and variables/ in it).")


def _saved_model_bytes(path: Path) -> bytes:
    """The bytes of `path`, a regular file (see `freezer.io.files`)."""
    try:
        with open_regular_file(path) as (file, size):
            try:
                return file.read(size)
            except OSError as error:
                raise GraphError(f"Cannot read {path}: {error.strerror}; check the file.") from None
    except NotRegularFile:
        raise GraphError(f"{path} is not a regular file; {_EXPORT_AGAIN}.") from None
    except OSError as error:
        raise GraphError(f"Cannot read {path}: {error.strerror}; check the file and its permissions.") from None


def _parse(path: Path, data: bytes):
    saved_model = SavedModel()
    if path.name == TEXT_NAME or looks_like_text(data):
        try:
            parse_text(data, saved_model)
        except (text_format.ParseError, UnicodeDecodeError) as error:
            raise GraphError(f"{path} is not a valid SavedModel ({_text_error(error)}); "
                             f"{_EXPORT_AGAIN}.") from None
    else:
        try:
            saved_model.ParseFromString(data)
        except message.DecodeError:
            raise GraphError(f"{path} is not a valid SavedModel (truncated, or not written by "
                             f"TensorFlow); {_EXPORT_AGAIN}.") from None
    if not saved_model.meta_graphs:
        raise GraphError(f"{path} holds no MetaGraph (truncated, or not written by TensorFlow); "
                         f"{_EXPORT_AGAIN}.")
    return saved_model


def _text_error(error: Exception) -> str:
    if isinstance(error, text_format.ParseError):
        detail = str(error).split(" : ", 1)[-1].rstrip(".").replace('"tensorboard.', '"tensorflow.')
        return f"line {error.GetLine()}: {detail}"
    return str(error)


def _check_graph(graph_def: graph_pb2.GraphDef, path: Path) -> None:
    if not graph_def.node:
        raise GraphError(f"{path} holds a MetaGraph without graph nodes; {_EXPORT_AGAIN}.")
    if any(not node.name or not node.op for node in graph_def.node):
        raise GraphError(f"{path} has nodes without a name or op; {_EXPORT_AGAIN}.")


# ---- choosing the MetaGraph and the signature --------------------------------------------------

def _tag_set(tag: str | Iterable[str]) -> frozenset[str]:
    words = tag.split(",") if isinstance(tag, str) else tag
    return frozenset(word.strip() for word in words if word.strip())


def describe_tags(tags: Iterable[str]) -> str:
    """A tag set as a user types it back to --tag: `serve`, `serve,gpu`, or `""` for no tags."""
    return ",".join(sorted(tags)) or '""'


def _listing(names: Iterable[str], separator: str) -> str:
    """The distinct names in order, at most _LISTED of them."""
    distinct = list(dict.fromkeys(names))
    more = f"{separator}... ({len(distinct)} in all)" if len(distinct) > _LISTED else ""
    return separator.join(distinct[:_LISTED]) + more


def _choose_meta_graph(saved_model, folder: Path, tag) -> meta_graph_pb2.MetaGraphDef:
    metas = list(saved_model.meta_graphs)
    tag_sets = [frozenset(meta.meta_info_def.tags) for meta in metas]
    have = _listing((describe_tags(tags) for tags in tag_sets), "; ")
    if tag is not None:
        matches = [meta for meta, tags in zip(metas, tag_sets) if tags == _tag_set(tag)]
        if not matches:
            raise GraphError(f"SavedModel {folder} has no MetaGraph tagged {describe_tags(_tag_set(tag))}; "
                             f"its tag sets are: {have}. Give one of them with --tag.")
        return matches[0]  # TF's loader, too, takes the first MetaGraph whose tag set matches
    if len(metas) == 1:
        return metas[0]
    serving = [meta for meta, tags in zip(metas, tag_sets) if tags == {DEFAULT_TAG}]
    serving = serving or [meta for meta, tags in zip(metas, tag_sets) if DEFAULT_TAG in tags]
    if len(serving) == 1:
        return serving[0]
    raise GraphError(f"SavedModel {folder} has {len(metas)} MetaGraphs and none is the one tagged "
                     f"{DEFAULT_TAG}; its tag sets are: {have}. Choose one with --tag.")


def user_signatures(meta: meta_graph_pb2.MetaGraphDef) -> list[str]:
    """The signature names a user can choose, sorted (the init-op signature is not one)."""
    return sorted(name for name in meta.signature_def if name != INIT_OP_SIGNATURE)


def _choose_signature(meta: meta_graph_pb2.MetaGraphDef, folder: Path, wanted: str | None) -> str | None:
    names = user_signatures(meta)
    have = _listing(names, ", ")
    tagged = f"tagged {describe_tags(meta.meta_info_def.tags)}"
    if wanted is not None:
        if wanted in names:
            return wanted
        if not names:
            raise GraphError(f"SavedModel {folder} ({tagged}) has no signatures, so there is no "
                             f"{wanted!r}; leave out --signature and name the outputs with --outputs.")
        raise GraphError(f"SavedModel {folder} ({tagged}) has no signature {wanted!r}; its signatures "
                         f"are: {have}. Give one of them with --signature.")
    if not names:
        return None
    if DEFAULT_SIGNATURE in names or len(names) == 1:
        return DEFAULT_SIGNATURE if DEFAULT_SIGNATURE in names else names[0]
    raise GraphError(f"SavedModel {folder} ({tagged}) has several signatures and none is "
                     f"{DEFAULT_SIGNATURE}: {have}. Choose one with --signature.")


def _signature_tensors(meta, name: str | None, nodes: set[str], folder: Path):
    """(inputs, outputs) of signature `name`: key → SignatureTensor, each naming a graph node, in key
    order. Sorted because a protobuf map has no order: upb iterates it in an order that changes from
    one process to the next, and the output nodes are added in this order."""
    if name is None:
        return {}, {}
    signature = meta.signature_def[name]
    return ({key: _tensor(signature.inputs[key], name, "input", key, nodes, folder)
             for key in sorted(signature.inputs)},
            {key: _tensor(signature.outputs[key], name, "output", key, nodes, folder)
             for key in sorted(signature.outputs)})


def _tensor(info: meta_graph_pb2.TensorInfo, signature: str, side: str, key: str, nodes: set[str],
            folder: Path) -> SignatureTensor:
    where = f"Signature {signature!r} of SavedModel {folder}: {side} {key!r}"
    if info.WhichOneof("encoding") != "name":
        kind = "sparse" if info.HasField("coo_sparse") else "composite (ragged, ...)"
        raise GraphError(f"{where} is a {kind} tensor; freezer freezes dense tensors only. "
                         "Export a signature whose inputs and outputs are dense tensors.")
    if parse_input(info.name).node not in nodes:
        raise GraphError(f"{where} names tensor {info.name!r}, which is not in the graph; {_EXPORT_AGAIN}.")
    return SignatureTensor(info.name, info.dtype, dims(info.tensor_shape))


def dims(shape: tensor_shape_pb2.TensorShapeProto) -> tuple[int | None, ...] | None:
    """A shape as a tuple, None for an unknown dim; None for an unknown rank."""
    if shape.unknown_rank:
        return None
    return tuple(dim.size if dim.size >= 0 else None for dim in shape.dim)


def _init_op(meta: meta_graph_pb2.MetaGraphDef, nodes: set[str], folder: Path) -> str | None:
    """The op TF's loader runs once after restoring: the init-op signature (TF2), else the main op
    or legacy init op collection (TF1)."""
    name = None
    if INIT_OP_SIGNATURE in meta.signature_def:
        outputs = meta.signature_def[INIT_OP_SIGNATURE].outputs
        name = next((info.name for info in outputs.values()), None)
    for collection in INIT_OP_COLLECTIONS:
        if name is None and collection in meta.collection_def:
            name = next(iter(meta.collection_def[collection].node_list.value), None)
    if not name:
        return None
    node = parse_input(name).node
    if node not in nodes:
        raise GraphError(f"SavedModel {folder} names init op {node!r}, which is not in the graph; "
                         f"{_EXPORT_AGAIN}.")
    return node


def _asset_files(meta: meta_graph_pb2.MetaGraphDef, nodes: set[str], folder: Path) -> dict[str, Path]:
    """Tensor → asset file, from the MetaGraph's asset_file_def (TF2), else the TF1 builder's assets
    collection, as TF's loader finds them. A file name must stay inside assets/: TensorFlow would
    read `../../x` too, but a SavedModel only ever names files it copied there."""
    assets = {}
    for asset in _asset_file_defs(meta, folder):
        tensor = parse_input(asset.tensor_info.name)
        name = PurePosixPath(asset.filename)
        if not asset.filename or name.is_absolute() or ".." in name.parts:
            raise GraphError(f"SavedModel {folder} names the asset file {asset.filename!r}, which is not a file "
                             f"in its {ASSETS_FOLDER}/ folder; {_EXPORT_AGAIN}.")
        if tensor.control or tensor.node not in nodes:
            raise GraphError(f"SavedModel {folder} feeds the asset file {asset.filename!r} to tensor "
                             f"{asset.tensor_info.name!r}, which is not in the graph; {_EXPORT_AGAIN}.")
        assets[str(tensor)] = folder / ASSETS_FOLDER / name
    return assets


def _asset_file_defs(meta: meta_graph_pb2.MetaGraphDef, folder: Path) -> list[meta_graph_pb2.AssetFileDef]:
    if meta.asset_file_def or ASSETS_COLLECTION not in meta.collection_def:
        return list(meta.asset_file_def)
    found = []
    for packed in meta.collection_def[ASSETS_COLLECTION].any_list.value:  # Any: TF's type URL, not tensorboard's
        asset = meta_graph_pb2.AssetFileDef()
        try:
            if not packed.type_url.endswith(".AssetFileDef"):
                raise message.DecodeError
            asset.ParseFromString(packed.value)
        except message.DecodeError:
            raise GraphError(f"SavedModel {folder}: its {ASSETS_COLLECTION} collection holds something other "
                             f"than asset file definitions; {_EXPORT_AGAIN}.") from None
        found.append(asset)
    return found


# ---- variables ------------------------------------------------------------------------------------

def _checkpoint_prefix(folder: Path, graph_def: graph_pb2.GraphDef) -> str | None:
    """`folder/variables/variables` when the graph has variables (its .index must then be there)."""
    prefix = folder / "variables" / "variables"
    index = prefix.with_name("variables.index")
    if os.path.lexists(index):
        for path in (index, *sorted(prefix.parent.glob("variables.data-*"))):
            if not path.is_file():  # a FIFO would block the checkpoint reader, a device never end
                raise CheckpointError(f"{path} is not a regular file; copy the SavedModel's variables/ "
                                      "folder again.")
        return str(prefix)
    if any(node.op in VARIABLE_OPS for node in graph_def.node):
        missing = "is missing" if not prefix.parent.is_dir() else "holds no variables.index"
        raise CheckpointError(f"SavedModel {folder} has variables but its variables/ folder {missing}; "
                              "copy the whole SavedModel folder, variables/ included.")
    return None


def tf2_checkpoint_keys(meta: meta_graph_pb2.MetaGraphDef, checkpoint_prefix: str) -> dict[str, str]:
    """VarHandleOp node name → checkpoint key, for every variable handle a function call captures.

    A call's last inputs are the captured ones; its function's `SavedConcreteFunction.bound_inputs`
    gives, for each, a node id of the SavedObjectGraph. That graph and the checkpoint's
    TrackableObjectGraph are matched from their roots by child names (as TensorFlow's loader
    restores them); the matched checkpoint node's VARIABLE_VALUE attribute holds the key. A TF1
    SavedModel has no concrete functions: the result is empty.
    """
    saved_ids = _captured_variables(meta)
    if not saved_ids:
        return {}
    checkpoint_graph = _checkpoint_object_graph(checkpoint_prefix)
    matched = _match_object_graphs(meta.object_graph_def, checkpoint_graph, checkpoint_prefix)
    return {handle: _variable_key(checkpoint_graph, matched.get(saved_id), handle, checkpoint_prefix)
            for handle, saved_id in saved_ids.items()}


def _captured_variables(meta: meta_graph_pb2.MetaGraphDef) -> dict[str, int]:
    """VarHandleOp node name → SavedObjectGraph node id, from the calls' captured inputs."""
    objects = meta.object_graph_def
    functions = objects.concrete_functions
    nodes = GraphIndex(meta.graph_def).nodes
    captured: dict[str, int] = {}
    for node in meta.graph_def.node:
        function = node.attr["f"].func.name if node.op in FUNCTION_CALL_OPS and "f" in node.attr else ""
        if function not in functions or not functions[function].bound_inputs:
            continue
        bound = functions[function].bound_inputs
        data_inputs = [name for name in node.input if not name.startswith("^")]
        if len(bound) > len(data_inputs):
            raise GraphError(f"Call {node.name!r} has {len(data_inputs)} inputs but its function "
                             f"{function!r} captures {len(bound)}; {_EXPORT_AGAIN}.")
        for input_name, saved_id in zip(data_inputs[len(data_inputs) - len(bound):], bound):
            if not 0 <= saved_id < len(objects.nodes):
                raise GraphError(f"Function {function!r} captures object {saved_id}, which the "
                                 f"SavedModel's object graph does not have; {_EXPORT_AGAIN}.")
            handle = nodes.get(parse_input(input_name).node)  # TF captures the handle itself
            if objects.nodes[saved_id].WhichOneof("kind") == "variable" and handle is not None \
                    and handle.op == "VarHandleOp":
                captured[handle.name] = saved_id
    return captured


def _checkpoint_object_graph(prefix: str) -> trackable_object_graph_pb2.TrackableObjectGraph:
    with BundleReader(prefix) as reader:
        if OBJECT_GRAPH_KEY not in reader.contents():
            raise CheckpointError(f"Checkpoint {prefix} has no {OBJECT_GRAPH_KEY} entry, so its TF2 "
                                  "variables cannot be matched to the graph; use the variables/ folder "
                                  "saved with this saved_model.pb.")
        stored = reader.read(OBJECT_GRAPH_KEY)
    graph = trackable_object_graph_pb2.TrackableObjectGraph()
    try:
        if stored.shape != () or not isinstance(stored[()], bytes):
            raise message.DecodeError
        graph.ParseFromString(stored[()])
    except message.DecodeError:
        raise CheckpointError(f"Checkpoint {prefix}: the {OBJECT_GRAPH_KEY} entry is not a valid object "
                              "graph; use the variables/ folder saved with this saved_model.pb.") from None
    return graph


def _match_object_graphs(saved, checkpoint, prefix: str) -> dict[int, int]:
    """SavedObjectGraph node id → TrackableObjectGraph node id, by walking both from their roots
    (node 0) through children of the same name. Objects only one graph has are left out."""
    if not saved.nodes or not checkpoint.nodes:
        return {}
    matched = {0: 0}
    queue = deque([(0, 0)])
    while queue:
        saved_id, checkpoint_id = queue.popleft()
        checkpoint_children = {child.local_name: child.node_id
                               for child in checkpoint.nodes[checkpoint_id].children}
        for child in saved.nodes[saved_id].children:
            other = checkpoint_children.get(child.local_name)
            if other is None or child.node_id in matched:
                continue
            if not (0 <= other < len(checkpoint.nodes) and 0 <= child.node_id < len(saved.nodes)):
                raise CheckpointError(f"Checkpoint {prefix}: the {OBJECT_GRAPH_KEY} entry or the "
                                      f"SavedModel's object graph names a node that does not exist; "
                                      f"{_EXPORT_AGAIN}.")
            matched[child.node_id] = other
            queue.append((child.node_id, other))
    return matched


def _variable_key(checkpoint, checkpoint_id: int | None, handle: str, prefix: str) -> str:
    if checkpoint_id is not None:
        for attribute in checkpoint.nodes[checkpoint_id].attributes:
            if attribute.name == VARIABLE_VALUE and attribute.checkpoint_key:
                return attribute.checkpoint_key
    raise CheckpointError(f"Variable {handle!r} has no value in checkpoint {prefix} (its object graph "
                          "does not hold it); use the variables/ folder saved with this saved_model.pb.")
