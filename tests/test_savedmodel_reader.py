"""freezer.io.savedmodel: SavedModel folders as TensorFlow writes them, and every way one can be bad.

The real SavedModels (a TF1 `SavedModelBuilder` one with tag `serve` and one without tags, a
`tf.Module` with two signatures sharing a variable, a Keras 3 `export()`) are built once per session
by TensorFlow; each TF2 variable key found from the object graphs is checked against TensorFlow's own
reading of the checkpoint and against the SavedModel's `__traced_restore` function. The bad folders
are built from tensorboard's protos, without TensorFlow. Reads that could hang (a FIFO) or eat
memory (garbage) run in a child process under the limits of `tests/hostile.py`.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto import meta_graph_pb2, types_pb2

from freezer.errors import CheckpointError, GraphError
from freezer.io.bundle import BundleReader
from freezer.io.savedmodel import SavedModel, read_saved_model, tf2_checkpoint_keys
from hostile import run_limited


# ---- SavedModels written by TensorFlow --------------------------------------------------------

def _build_tf1(tf, folder: Path, tags: list[str]) -> None:
    with tf.Graph().as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
        w = tf.compat.v1.get_variable("w", initializer=np.arange(6, dtype=np.float32).reshape(3, 2))
        y = tf.identity(tf.matmul(x, w), name="y")
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            builder = tf.compat.v1.saved_model.Builder(str(folder))
            signature = tf.compat.v1.saved_model.predict_signature_def({"x": x}, {"y": y})
            builder.add_meta_graph_and_variables(session, tags, signature_def_map={"serving_default": signature})
            builder.save()


def _build_module(tf, folder: Path):
    class TwoSignatures(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
            self.b = tf.Variable([0.5, -0.5], name="b")  # used by both signatures

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def add(self, x):
            return {"sum": x @ self.w + self.b}

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32), tf.TensorSpec([], tf.int64)])
        def scale(self, x, k):
            return {"prod": x * self.b, "k": k * 2}

    module = TwoSignatures()
    tf.saved_model.save(module, str(folder), signatures={"add": module.add, "scale": module.scale})
    return {"w": module.w.numpy(), "b": module.b.numpy()}


def _build_keras3(folder: Path):
    import keras

    tokens = keras.Input((4,), dtype="int32", name="tokens")
    embedded = keras.layers.Embedding(10, 3, name="embedding")(tokens)
    output = keras.layers.Dense(2, name="predictions")(keras.layers.Flatten()(embedded))
    model = keras.Model(tokens, output)
    model.export(str(folder))
    return {variable.path: np.asarray(variable.numpy()) for variable in model.weights}


@pytest.fixture(scope="session")
def saved_models(tmp_path_factory):
    """name → (folder, the model's variable values by name); built once by TensorFlow."""
    tf = pytest.importorskip("tensorflow")
    root = tmp_path_factory.mktemp("saved_models")
    _build_tf1(tf, root / "tf1", ["serve"])
    _build_tf1(tf, root / "tf1_no_tags", [])
    return {"tf1": (root / "tf1", {}), "tf1_no_tags": (root / "tf1_no_tags", {}),
            "module": (root / "module", _build_module(tf, root / "module")),
            "keras3": (root / "keras3", _build_keras3(root / "keras3"))}


def _copy(saved_models, name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(saved_models[name][0], tmp_path / name))


def _spec(tensor):
    return tensor.name, tensor.dtype_name, tensor.shape


def test_tf1_saved_model_tagged_serve(saved_models):
    folder = saved_models["tf1"][0]
    model = read_saved_model(folder)
    assert model.tags == ("serve",) and model.signature_name == "serving_default"
    assert {key: _spec(t) for key, t in model.inputs.items()} == {"x": ("x:0", "float", (None, 3))}
    assert {key: _spec(t) for key, t in model.outputs.items()} == {"y": ("y:0", "float", (None, 2))}
    assert model.checkpoint_prefix == str(folder / "variables" / "variables")
    assert model.saver_def is not None and model.initializers == {"w": "w/Assign"}
    assert model.checkpoint_keys == {} and model.init_op is None
    assert read_saved_model(folder, tag="serve", signature="serving_default").graph_def == model.graph_def


def test_tf1_saved_model_without_tags(saved_models):
    folder = saved_models["tf1_no_tags"][0]
    model = read_saved_model(folder)
    assert model.tags == () and model.signature_name == "serving_default"
    assert read_saved_model(folder, tag="").tags == ()
    with pytest.raises(GraphError) as error:
        read_saved_model(folder, tag="serve")
    assert str(error.value) == (f'SavedModel {folder} has no MetaGraph tagged serve; its tag sets are: "". '
                                "Give one of them with --tag.")


def test_module_two_signatures_sharing_a_variable(saved_models):
    folder, values = saved_models["module"]
    add = read_saved_model(folder, signature="add")
    scale = read_saved_model(folder, signature="scale")
    assert {key: _spec(t) for key, t in add.inputs.items()} == {"x": ("add_x:0", "float", (None, 2))}
    assert {key: _spec(t) for key, t in add.outputs.items()} == {
        "sum": ("StatefulPartitionedCall:0", "float", (None, 2))}
    assert {key: _spec(t) for key, t in scale.inputs.items()} == {
        "x": ("scale_x:0", "float", (None, 2)), "k": ("scale_k:0", "int64", ())}
    assert sorted(scale.outputs) == ["k", "prod"]
    assert scale.outputs["k"].dtype == types_pb2.DT_INT64 and scale.outputs["k"].shape == ()
    assert add.init_op == "NoOp" and add.assets_folder == folder / "assets"
    _assert_captured_keys_are_tensorflows(add, values, by_name={"w": "w", "b": "b"})
    _assert_captured_keys_are_tensorflows(scale, values, by_name={"b": "b"})


def test_module_with_two_signatures_and_no_default_is_an_error(saved_models):
    folder = saved_models["module"][0]
    with pytest.raises(GraphError) as error:
        read_saved_model(folder)
    assert str(error.value) == (f"SavedModel {folder} (tagged serve) has several signatures and none is "
                                "serving_default: add, scale. Choose one with --signature.")


def test_keras3_export_with_dense_and_embedding(saved_models):
    folder, values = saved_models["keras3"]
    model = read_saved_model(folder)
    assert model.signature_name == "serving_default"
    assert {key: _spec(t) for key, t in model.inputs.items()} == {
        "tokens": ("serving_default_tokens:0", "int32", (None, 4))}
    assert [(key, t.dtype_name, t.shape) for key, t in model.outputs.items()] == [
        ("output_0", "float", (None, 2))]
    assert read_saved_model(folder, signature="serve").inputs["tokens"].name == "serve_tokens:0"
    _assert_captured_keys_are_tensorflows(model, values)


def _assert_captured_keys_are_tensorflows(model, values, by_name=None):
    """Every VarHandleOp the signature's call captures has a key TF's checkpoint reader knows, whose
    value (read natively) is the model's variable; `by_name` pins handle → variable when known."""
    import tensorflow as tf

    reader = tf.train.load_checkpoint(model.checkpoint_prefix)
    full_names = _full_names_by_key(tf, reader)
    nodes = {node.name: node for node in model.graph_def.node}
    calls = {parse_node(tensor.name) for tensor in model.outputs.values()}
    captured = {name for call in calls for name in nodes[call].input if nodes[name].op == "VarHandleOp"}
    assert captured and captured <= set(model.checkpoint_keys)
    with BundleReader(model.checkpoint_prefix) as bundle:
        for handle in captured:
            key = model.checkpoint_keys[handle]
            assert reader.has_tensor(key), key
            variable = full_names[key] if by_name is None else by_name[handle]
            np.testing.assert_array_equal(bundle.read(key), values[variable])
            np.testing.assert_array_equal(bundle.read(key), reader.get_tensor(key))


def parse_node(tensor_name: str) -> str:
    return tensor_name.rsplit(":", 1)[0]


def _full_names_by_key(tf, reader) -> dict[str, str]:
    """Checkpoint key → the variable's name, from TF's reading of the checkpoint's object graph."""
    from tensorflow.core.protobuf import trackable_object_graph_pb2

    graph = trackable_object_graph_pb2.TrackableObjectGraph.FromString(
        reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    return {attribute.checkpoint_key: attribute.full_name for node in graph.nodes
            for attribute in node.attributes}


@pytest.mark.parametrize("name", ["module", "keras3"])
def test_tf2_keys_agree_with_the_traced_restore_function(saved_models, name):
    """The SavedModel's own restore function (what the C++ loader runs) fills each captured handle
    with the same key (tf.Module) or a key holding the same value (Keras 3 saves its variables twice,
    under `variables/N` and `_all_variables/N`, and restores the captured handles from the second)."""
    folder = saved_models[name][0]
    model = read_saved_model(folder, signature="add" if name == "module" else None)
    restored = _traced_restore_keys(model.meta_graph)
    shared = set(restored) & set(model.checkpoint_keys)
    assert shared == set(model.checkpoint_keys)
    with BundleReader(model.checkpoint_prefix) as bundle:
        for handle in shared:
            if name == "module":
                assert restored[handle] == model.checkpoint_keys[handle]
            np.testing.assert_array_equal(bundle.read(restored[handle]), bundle.read(model.checkpoint_keys[handle]))


def _traced_restore_keys(meta) -> dict[str, str]:
    """Outer VarHandleOp → key, read from `__traced_restore`: RestoreV2's tensor k goes through
    `Identity` to an AssignVariableOp on a function argument, which the restore call feeds a handle."""
    call = next(node for node in meta.graph_def.node if node.name == meta.saver_def.restore_op_name)
    function = next(f for f in meta.graph_def.library.function if f.signature.name == call.attr["f"].func.name)
    body = {node.name: node for node in function.node_def}
    names = [key.decode() for key in body["RestoreV2/tensor_names"].attr["value"].tensor.string_val]
    arguments = [arg.name for arg in function.signature.input_arg]
    keys = {}
    for node in function.node_def:
        if node.op == "AssignVariableOp":
            restored = body[node.input[1].split(":")[0]].input[0]  # RestoreV2:tensors:k
            keys[call.input[arguments.index(node.input[0])]] = names[int(restored.rsplit(":", 1)[1])]
    return keys


def test_tf2_keys_when_the_object_graphs_number_nodes_differently(saved_models):
    """Keys are found by matching the object graphs from their roots by child names, not by node
    ids: renumbering the SavedModel's object graph changes nothing."""
    folder = saved_models["module"][0]
    model = read_saved_model(folder, signature="add")
    meta = meta_graph_pb2.MetaGraphDef()
    meta.CopyFrom(model.meta_graph)
    nodes = list(meta.object_graph_def.nodes)
    order = [0, *reversed(range(1, len(nodes)))]  # new position → old id
    new_id = {old: new for new, old in enumerate(order)}
    del meta.object_graph_def.nodes[:]
    for old in order:
        node = meta.object_graph_def.nodes.add()
        node.CopyFrom(nodes[old])
        for child in node.children:
            child.node_id = new_id[child.node_id]
    for function in meta.object_graph_def.concrete_functions.values():
        function.bound_inputs[:] = [new_id[i] for i in function.bound_inputs]
    assert tf2_checkpoint_keys(meta, model.checkpoint_prefix) == model.checkpoint_keys


def test_tf1_saved_model_reads_from_text(saved_models, tmp_path):
    from google.protobuf import text_format

    folder = _copy(saved_models, "tf1", tmp_path)
    binary = folder / "saved_model.pb"
    (folder / "saved_model.pbtxt").write_text(text_format.MessageToString(SavedModel.FromString(binary.read_bytes())))
    expected = read_saved_model(folder)
    binary.unlink()
    model = read_saved_model(folder)
    assert model.path == folder / "saved_model.pbtxt" and model.graph_def == expected.graph_def
    assert model.inputs == expected.inputs and model.outputs == expected.outputs


# ---- bad folders: each error word for word -----------------------------------------------------

def _meta(tags=("serve",), signatures=("serving_default",), variable=False) -> meta_graph_pb2.MetaGraphDef:
    """A MetaGraph `y = Identity(x)` with signatures mapping x → x:0 and y → y:0."""
    meta = meta_graph_pb2.MetaGraphDef()
    meta.meta_info_def.tags.extend(tags)
    meta.graph_def.node.add(name="x", op="Placeholder").attr["dtype"].type = types_pb2.DT_FLOAT
    meta.graph_def.node.add(name="y", op="Identity", input=["x"])
    if variable:
        meta.graph_def.node.add(name="v", op="VarHandleOp")
    for name in signatures:
        signature = meta.signature_def[name]
        signature.inputs["x"].name = "x:0"
        signature.inputs["x"].dtype = types_pb2.DT_FLOAT
        signature.outputs["y"].name = "y:0"
    return meta


def _write(folder: Path, *metas: meta_graph_pb2.MetaGraphDef) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    saved_model = SavedModel(saved_model_schema_version=1)
    saved_model.meta_graphs.extend(metas)
    (folder / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    return folder


def _error(folder: Path, error_type=GraphError, **options) -> str:
    with pytest.raises(error_type) as error:
        read_saved_model(folder, **options)
    return str(error.value)


def test_a_handmade_saved_model_reads(tmp_path):
    model = read_saved_model(_write(tmp_path / "m", _meta()))
    assert model.signature_name == "serving_default" and model.checkpoint_prefix is None
    assert model.inputs["x"].shape == () and model.inputs["x"].dtype_name == "float"


def test_missing_folder_is_an_error(tmp_path):
    assert _error(tmp_path / "nope") == (f"SavedModel folder {tmp_path / 'nope'} does not exist; give the "
                                         "folder that holds saved_model.pb.")


def test_file_given_as_folder_is_an_error(tmp_path):
    (tmp_path / "f").write_bytes(b"x")
    assert _error(tmp_path / "f") == (f"SavedModel folder {tmp_path / 'f'} is not a folder; give the folder "
                                      "that holds saved_model.pb.")


def test_folder_without_saved_model_pb_is_an_error(tmp_path):
    assert _error(tmp_path) == (f"{tmp_path} holds no saved_model.pb; give the SavedModel folder TensorFlow "
                                "wrote (the one with saved_model.pb and variables/ in it).")


def test_truncated_saved_model_pb_is_an_error(tmp_path):
    folder = _write(tmp_path / "m", _meta())
    path = folder / "saved_model.pb"
    path.write_bytes(path.read_bytes()[:-7])
    assert _error(folder) == (f"{path} is not a valid SavedModel (truncated, or not written by TensorFlow); "
                              "export the model again with TensorFlow.")


def test_empty_saved_model_pb_is_an_error(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"")
    assert _error(tmp_path) == (f"{tmp_path / 'saved_model.pb'} holds no MetaGraph (truncated, or not written "
                                "by TensorFlow); export the model again with TensorFlow.")


def test_saved_model_pb_that_is_a_folder_is_an_error(tmp_path):
    (tmp_path / "saved_model.pb").mkdir()
    assert _error(tmp_path) == (f"{tmp_path / 'saved_model.pb'} is not a regular file; export the model "
                                "again with TensorFlow.")


def test_bad_text_saved_model_is_an_error(tmp_path):
    (tmp_path / "saved_model.pbtxt").write_text("saved_model_schema_version: 1\nmeta_graphs { nodes {} }\n")
    assert _error(tmp_path) == (f"{tmp_path / 'saved_model.pbtxt'} is not a valid SavedModel (line 2: "
                                'Message type "tensorflow.MetaGraphDef" has no field named "nodes"); '
                                "export the model again with TensorFlow.")


def test_meta_graph_without_nodes_is_an_error(tmp_path):
    folder = _write(tmp_path / "m", meta_graph_pb2.MetaGraphDef())
    assert _error(folder) == (f"{folder / 'saved_model.pb'} holds a MetaGraph without graph nodes; export "
                              "the model again with TensorFlow.")


def test_unknown_tag_lists_the_tag_sets(tmp_path):
    folder = _write(tmp_path / "m", _meta(("serve",)), _meta(("train", "serve")), _meta(()))
    assert _error(folder, tag="gpu") == (f"SavedModel {folder} has no MetaGraph tagged gpu; its tag sets are: "
                                         'serve; serve,train; "". Give one of them with --tag.')
    assert read_saved_model(folder, tag="train, serve").tags == ("train", "serve")
    assert read_saved_model(folder).tags == ("serve",)


def test_several_meta_graphs_and_none_tagged_serve_is_an_error(tmp_path):
    folder = _write(tmp_path / "m", _meta(("serve", "gpu")), _meta(("serve", "tpu")))
    assert _error(folder) == (f"SavedModel {folder} has 2 MetaGraphs and none is the one tagged serve; its "
                              "tag sets are: gpu,serve; serve,tpu. Choose one with --tag.")
    assert read_saved_model(folder, tag=["tpu", "serve"]).tags == ("serve", "tpu")


def test_unknown_signature_lists_the_signatures(tmp_path):
    folder = _write(tmp_path / "m", _meta(signatures=("serving_default", "other", "__saved_model_init_op")))
    assert _error(folder, signature="predict") == (
        f"SavedModel {folder} (tagged serve) has no signature 'predict'; its signatures are: other, "
        "serving_default. Give one of them with --signature.")
    assert _error(folder, signature="__saved_model_init_op").startswith(
        f"SavedModel {folder} (tagged serve) has no signature '__saved_model_init_op'")


def test_signature_asked_of_a_meta_graph_without_signatures_is_an_error(tmp_path):
    folder = _write(tmp_path / "m", _meta(tags=(), signatures=()))
    assert read_saved_model(folder).signature_name is None
    assert _error(folder, signature="serving_default") == (
        f'SavedModel {folder} (tagged "") has no signatures, so there is no \'serving_default\'; leave out '
        "--signature and name the outputs with --outputs.")


def test_signature_naming_a_missing_tensor_is_an_error(tmp_path):
    meta = _meta()
    meta.signature_def["serving_default"].outputs["y"].name = "gone:0"
    folder = _write(tmp_path / "m", meta)
    assert _error(folder) == (f"Signature 'serving_default' of SavedModel {folder}: output 'y' names tensor "
                              "'gone:0', which is not in the graph; export the model again with TensorFlow.")


def test_sparse_signature_tensor_is_an_error(tmp_path):
    meta = _meta()
    meta.signature_def["serving_default"].inputs["x"].coo_sparse.values_tensor_name = "x:0"
    folder = _write(tmp_path / "m", meta)
    assert _error(folder) == (f"Signature 'serving_default' of SavedModel {folder}: input 'x' is a sparse "
                              "tensor; freezer freezes dense tensors only. Export a signature whose inputs and "
                              "outputs are dense tensors.")


def test_init_op_missing_from_the_graph_is_an_error(tmp_path):
    meta = _meta()
    meta.collection_def["saved_model_main_op"].node_list.value.append("init_all_tables")
    folder = _write(tmp_path / "m", meta)
    assert _error(folder) == (f"SavedModel {folder} names init op 'init_all_tables', which is not in the "
                              "graph; export the model again with TensorFlow.")
    meta.graph_def.node.add(name="init_all_tables", op="NoOp")
    assert read_saved_model(_write(tmp_path / "m", meta)).init_op == "init_all_tables"


def test_missing_variables_folder_is_an_error(tmp_path):
    folder = _write(tmp_path / "m", _meta(variable=True))
    message = (f"SavedModel {folder} has variables but its variables/ folder is missing; copy the whole "
               "SavedModel folder, variables/ included.")
    assert _error(folder, CheckpointError) == message


def test_empty_variables_folder_is_an_error(tmp_path):
    folder = _write(tmp_path / "m", _meta(variable=True))
    (folder / "variables").mkdir()
    assert _error(folder, CheckpointError) == (
        f"SavedModel {folder} has variables but its variables/ folder holds no variables.index; copy the "
        "whole SavedModel folder, variables/ included.")


def test_variables_index_that_is_a_folder_is_an_error(tmp_path):
    folder = _write(tmp_path / "m", _meta(variable=True))
    (folder / "variables" / "variables.index").mkdir(parents=True)
    assert _error(folder, CheckpointError) == (f"{folder / 'variables' / 'variables.index'} is not a regular "
                                               "file; copy the SavedModel's variables/ folder again.")


def test_tf2_checkpoint_without_object_graph_is_an_error(saved_models, tmp_path):
    folder = _copy(saved_models, "module", tmp_path)
    shutil.rmtree(folder / "variables")
    shutil.copytree(saved_models["tf1"][0] / "variables", folder / "variables")  # a TF1 checkpoint
    prefix = folder / "variables" / "variables"
    assert _error(folder, CheckpointError, signature="add") == (
        f"Checkpoint {prefix} has no _CHECKPOINTABLE_OBJECT_GRAPH entry, so its TF2 variables cannot be "
        "matched to the graph; use the variables/ folder saved with this saved_model.pb.")


def test_tf2_checkpoint_lacking_a_captured_variable_is_an_error(saved_models, tmp_path):
    """The variables/ of another tf.Module (same object graph shape, other child names)."""
    module = read_saved_model(saved_models["module"][0], signature="add")
    meta = meta_graph_pb2.MetaGraphDef()
    meta.CopyFrom(module.meta_graph)
    for child in meta.object_graph_def.nodes[0].children:
        child.local_name = "renamed_" + child.local_name
    prefix = module.checkpoint_prefix
    with pytest.raises(CheckpointError) as error:
        tf2_checkpoint_keys(meta, prefix)
    assert str(error.value) == (f"Variable 'w' has no value in checkpoint {prefix} (its object graph does not "
                                "hold it); use the variables/ folder saved with this saved_model.pb.")


def test_call_with_fewer_inputs_than_captures_is_an_error(saved_models):
    module = read_saved_model(saved_models["module"][0], signature="add")
    meta = meta_graph_pb2.MetaGraphDef()
    meta.CopyFrom(module.meta_graph)
    call = next(node for node in meta.graph_def.node if node.name == "StatefulPartitionedCall")
    del call.input[1:]
    function = call.attr["f"].func.name
    with pytest.raises(GraphError) as error:
        tf2_checkpoint_keys(meta, module.checkpoint_prefix)
    assert str(error.value) == (f"Call 'StatefulPartitionedCall' has 1 inputs but its function '{function}' "
                                "captures 2; export the model again with TensorFlow.")


def test_capture_of_a_missing_object_is_an_error(saved_models):
    module = read_saved_model(saved_models["module"][0], signature="add")
    meta = meta_graph_pb2.MetaGraphDef()
    meta.CopyFrom(module.meta_graph)
    call = next(node for node in meta.graph_def.node if node.name == "StatefulPartitionedCall")
    function = call.attr["f"].func.name
    meta.object_graph_def.concrete_functions[function].bound_inputs[0] = 999
    with pytest.raises(GraphError) as error:
        tf2_checkpoint_keys(meta, module.checkpoint_prefix)
    assert str(error.value) == (f"Function '{function}' captures object 999, which the SavedModel's object "
                                "graph does not have; export the model again with TensorFlow.")


# ---- hostile files, read in a child under a time and memory limit ------------------------------

_READ_IN_CHILD = """
import sys
from freezer.errors import FreezerError
from freezer.io.savedmodel import read_saved_model
try:
    read_saved_model(sys.argv[1])
except FreezerError as error:
    print(error)
    sys.exit(1)
"""


def _read_in_child(folder: Path) -> str:
    """The error message of reading `folder` in a child that cannot hang or eat the machine."""
    done = run_limited([sys.executable, "-c", _READ_IN_CHILD, str(folder)], what=f"reading {folder}")
    assert done.returncode == 1 and done.stderr == "", (done.returncode, done.stderr)
    return done.stdout.strip()


def test_fifo_in_place_of_saved_model_pb_is_an_error(tmp_path):
    os.mkfifo(tmp_path / "saved_model.pb")
    assert _read_in_child(tmp_path) == (f"{tmp_path / 'saved_model.pb'} is not a regular file; export the "
                                        "model again with TensorFlow.")


@pytest.mark.parametrize("name", ["variables.index", "variables.data-00000-of-00001"])
def test_fifo_in_place_of_a_variables_file_is_an_error(saved_models, tmp_path, name):
    folder = _copy(saved_models, "keras3", tmp_path)
    path = folder / "variables" / name
    path.unlink()
    os.mkfifo(path)
    assert _read_in_child(folder) == (f"{path} is not a regular file; copy the SavedModel's variables/ folder "
                                      "again.")


@pytest.mark.parametrize("garbage", [
    b"\x12\xff\xff\xff\xff\x0f",  # a MetaGraph claiming 4 GiB
    b"\x12\x05\x0a\x03\x0a\x01",  # a MetaGraph cut inside its meta_info_def
    bytes(range(256)) * 64,
], ids=["huge-length", "cut", "noise"])
def test_garbage_saved_model_pb_is_an_error(tmp_path, garbage):
    (tmp_path / "saved_model.pb").write_bytes(garbage)
    message = _read_in_child(tmp_path)
    path = tmp_path / "saved_model.pb"
    assert message == (f"{path} is not a valid SavedModel (truncated, or not written by TensorFlow); export "
                       "the model again with TensorFlow.")


def test_thousands_of_meta_graphs_list_each_tag_set_once(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"\x08\x01" + b"\x12\x02\x12\x00" * 5000)  # empty MetaGraphs
    assert _read_in_child(tmp_path) == (f'SavedModel {tmp_path} has 5000 MetaGraphs and none is the one tagged '
                                        'serve; its tag sets are: "". Choose one with --tag.')


def test_error_lists_at_most_ten_tag_sets(tmp_path):
    folder = _write(tmp_path / "m", *(_meta((f"t{number}",)) for number in range(30)))
    assert _error(folder, tag="serve") == (
        f"SavedModel {folder} has no MetaGraph tagged serve; its tag sets are: t0; t1; t2; t3; t4; t5; t6; t7; "
        "t8; t9; ... (30 in all). Give one of them with --tag.")
