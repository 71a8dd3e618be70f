"""SavedModel folders frozen end to end: every sm_* fixture (TF1 tagged serve and untagged, a
tf.Module with two signatures, tf-keras, Keras 3 export, two inputs and two outputs, keys that
collide with other nodes' names) through the CLI with both engines, run by its signature keys in
TensorFlow and in C++ against TensorFlow's run of the SavedModel itself; and every way to give a bad
SavedModel or a bad option, pinned word for word.

Function calls may be inlined or kept (and frozen as copies): the tests look at values, names and
op types, never at whether call nodes are left.
"""

import shutil
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto import graph_pb2

from cli_runs import freeze_successfully
from fixture_models import FIXTURES, fixture_names, load_fixture, run_frozen, run_saved_model
from freezer.io.savedmodel import SavedModel, read_saved_model
from freezer.ops import HANDLE_READ_AS, INITIALIZED_CHECK_OPS, TRAINING_OPS
from hostile import assert_one_error, run_cli

SAVED_MODELS = [name for name in fixture_names() if load_fixture(name).saved_model]

# What the summary prints for each fixture: the signature's keys, sorted, with dtype and shape.
SUMMARIES = {
    "sm_tf1_serve": ("Inputs: features:0 float [?, 4]", "Outputs: scores:0 float [?, 3]"),
    "sm_tf1_notags": ("Inputs: features:0 float [?, 4]", "Outputs: scores:0 float [?, 3]"),
    "sm_key_collision": ("Inputs: x:0 float [?, 3]", "Outputs: logits:0 float [?, 2], probs:0 float [?, 2]"),
    "sm_module_two_signatures": ("Inputs: x:0 float [?, 3]", "Outputs: scaled:0 float [?, 2]"),
    "sm_two_in_two_out": ("Inputs: count:0 int64 [?], image:0 float [?, 3]",
                          "Outputs: score:0 float [?, 2], total:0 int64 []"),
    "sm_tfkeras_cnn": ("Inputs: image:0 float [?, 6, 6, 2]", "Outputs: predictions:0 float [?, 3]"),
    "sm_keras3_rnn": ("Inputs: tokens:0 int32 [?, 5]", "Outputs: output_0:0 float [?, 2]"),
}
# Ops that hold, read, check or save a variable: none may be left, in the graph or its library.
VARIABLE_KINDS = TRAINING_OPS | set(HANDLE_READ_AS) | INITIALIZED_CHECK_OPS


def read_graph_def(path: Path) -> graph_pb2.GraphDef:
    return graph_pb2.GraphDef.FromString(path.read_bytes())


def assert_close(actual: dict, expected: dict) -> None:
    """Exact for integers, float32 within rtol 1e-5."""
    assert set(actual) == set(expected)
    for name, want in expected.items():
        got = np.asarray(actual[name])
        assert (got.dtype, got.shape) == (want.dtype, want.shape), name
        if want.dtype.kind == "f":
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6, err_msg=name)
        else:
            np.testing.assert_array_equal(got, want, err_msg=name)


@pytest.fixture(scope="module", params=SAVED_MODELS)
def frozen(request, tmp_path_factory):
    """(fixture, its SavedModel frozen through the CLI by the native engine, by the session engine,
    what the native freeze printed)."""
    fixture = load_fixture(request.param)
    folder = tmp_path_factory.mktemp(fixture.name)
    native, session = folder / "native.pb", folder / "session.pb"
    printed = freeze_successfully(*fixture.cli_args(), "-o", native, "--engine", "native")
    freeze_successfully(*fixture.cli_args(), "-o", session, "--engine", "session")
    return fixture, native, session, printed


def test_the_saved_model_fixtures_are_present():
    assert set(SAVED_MODELS) == set(SUMMARIES)


def test_both_engines_write_the_same_bytes(frozen):
    _, native, session, _ = frozen
    assert native.read_bytes() == session.read_bytes()


def test_frozen_graph_run_by_keys_equals_the_saved_model(frozen):
    fixture, path, _, _ = frozen
    # Fed `<key>:0` and fetched `<key>:0`; the SavedModel is fed and fetched through its signature.
    actual = run_frozen(path, fixture.inputs, fixture.fetches)
    by_tensorflow = run_saved_model(fixture.graph, fixture.saved_model["tags"], fixture.saved_model["signature"],
                                    fixture.inputs, fixture.fetches)
    assert_close(actual, by_tensorflow)
    assert_close(actual, fixture.expected)


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_frozen_graph_runs_by_keys_in_cpp(frozen):
    from cpp_loader import run_graph_in_cpp
    fixture, path, _, _ = frozen
    assert_close(run_graph_in_cpp(path, fixture.inputs, fixture.fetches), fixture.expected)


def test_freezing_again_in_another_process_writes_identical_bytes(frozen, tmp_path):
    # Another process, whose protobuf maps iterate in another order: neither a signature's keys nor
    # an inlined function's control outputs (sm_keras3_rnn has 8) may follow that order.
    fixture, path, _, _ = frozen
    run = run_cli(*fixture.cli_args(), "-o", tmp_path / "again.pb")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "again.pb").read_bytes() == path.read_bytes()


def test_no_variable_op_is_left_in_the_graph_or_its_library(frozen):
    _, path, _, _ = frozen
    graph_def = read_graph_def(path)
    nodes = [*graph_def.node, *(node for function in graph_def.library.function for node in function.node_def)]
    assert not [(node.name, node.op) for node in nodes if node.op in VARIABLE_KINDS]


def test_summary_names_the_inputs_and_outputs_by_key(frozen):
    fixture, _, _, printed = frozen
    lines = printed.splitlines()
    assert lines[:2] == list(SUMMARIES[fixture.name])


def test_inputs_are_placeholders_and_outputs_nodes_named_by_their_keys(frozen):
    fixture, path, _, _ = frozen
    ops = {node.name: node.op for node in read_graph_def(path).node}
    assert {ops.get(tensor[:-2]) for tensor in fixture.inputs} == {"Placeholder"}
    assert all(tensor[:-2] in ops for tensor in fixture.fetches)


def test_signature_keys_are_sorted_so_every_process_writes_the_same_bytes(tmp_path):
    # A protobuf map has no order, and upb's changes from one process to the next: with 20 keys a
    # chance order is never the sorted one.
    folder = tmp_path / "many_keys"
    shutil.copytree(FIXTURES / "sm_two_in_two_out" / "model", folder)
    saved_model = SavedModel.FromString((folder / "saved_model.pb").read_bytes())
    signature = saved_model.meta_graphs[0].signature_def["serving_default"]
    for number in range(20):
        signature.outputs[f"key_{number:02}"].CopyFrom(signature.outputs["score"])
    (folder / "saved_model.pb").write_bytes(saved_model.SerializeToString())
    loaded = read_saved_model(folder)
    assert list(loaded.inputs) == ["count", "image"]
    assert list(loaded.outputs) == sorted(loaded.outputs) and len(loaded.outputs) == 22


def test_lowered_control_flow_is_the_same_in_every_process(tmp_path):
    # Lowering the LSTM's While inlines bodies with several control outputs (a protobuf map).
    fixture = load_fixture("sm_keras3_rnn")
    here, there = tmp_path / "here.pb", tmp_path / "there.pb"
    freeze_successfully(fixture.graph, "--lower-control-flow", "-o", here)
    run = run_cli(fixture.graph, "--lower-control-flow", "-o", there)
    assert run.returncode == 0, run.stderr
    assert here.read_bytes() == there.read_bytes()
    assert_close(run_frozen(here, fixture.inputs, fixture.fetches), fixture.expected)


# ---- the module's other signature, over the same variable ---------------------------------------

def test_the_default_signature_of_the_module_is_frozen_without_signature(tmp_path):
    fixture = load_fixture("sm_module_two_signatures")  # frozen with --signature other above
    out = tmp_path / "default.pb"
    printed = freeze_successfully(fixture.graph, "-o", out)
    assert printed.splitlines()[:2] == ["Inputs: x:0 float [?, 3]", "Outputs: y:0 float [?, 2]"]
    actual = run_frozen(out, fixture.inputs, ["y:0"])
    assert_close(actual, run_saved_model(fixture.graph, ["serve"], "serving_default", fixture.inputs, ["y:0"]))


def test_empty_tag_picks_the_meta_graph_saved_without_tags(tmp_path):
    fixture = load_fixture("sm_tf1_notags")
    freeze_successfully(fixture.graph, "-o", tmp_path / "only.pb")  # its only MetaGraph, by default
    freeze_successfully(fixture.graph, "--tag", "", "-o", tmp_path / "untagged.pb")
    assert (tmp_path / "untagged.pb").read_bytes() == (tmp_path / "only.pb").read_bytes()


def test_outputs_may_name_some_of_the_signature_keys(tmp_path):
    fixture = load_fixture("sm_two_in_two_out")
    out = tmp_path / "total.pb"
    printed = freeze_successfully(fixture.graph, "--outputs", "total", "-o", out)
    assert printed.splitlines()[1] == "Outputs: total:0 int64 []"
    nodes = {node.name for node in read_graph_def(out).node}
    assert "total" in nodes and "score" not in nodes
    # image is pruned once the call computing both outputs is inlined; fed while the call is kept.
    inputs = {tensor: value for tensor, value in fixture.inputs.items() if tensor[:-2] in nodes}
    assert_close(run_frozen(out, inputs, ["total:0"]), {"total:0": fixture.expected["total:0"]})


# ---- names ---------------------------------------------------------------------------------------

def test_a_key_naming_another_node_wins_and_the_other_node_is_renamed(tmp_path):
    fixture = load_fixture("sm_key_collision")
    out = tmp_path / "collision.pb"
    freeze_successfully(fixture.graph, "-o", out)
    nodes = {node.name: node for node in read_graph_def(out).node}
    # x is the input's placeholder; the Const the graph called x is still there under another name.
    assert nodes["x"].op == "Placeholder"
    scales = [node for node in nodes.values() if node.op == "Const" and node.attr["value"].tensor.float_val == [2.0]]
    assert len(scales) == 1 and scales[0].name != "x"
    # Key logits reads the graph's probs and key probs its logits: the softmax is under logits:0.
    values = run_frozen(out, fixture.inputs, ["logits:0", "probs:0"])
    np.testing.assert_allclose(values["logits:0"].sum(axis=1), 1.0, rtol=1e-6)
    assert_close(values, fixture.expected)


def test_default_output_is_the_folder_name_beside_the_folder(tmp_path):
    shutil.copytree(load_fixture("sm_tf1_serve").graph, tmp_path / "export")
    run = run_cli("export/", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[-1].startswith("Wrote export.frozen.pb (")
    assert (tmp_path / "export.frozen.pb").is_file()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["export", "export.frozen.pb"]


# ---- errors, word for word -------------------------------------------------------------------------

@pytest.fixture
def export(tmp_path) -> Path:
    """A copy of the sm_tf1_serve SavedModel at tmp_path/export, to break."""
    folder = tmp_path / "export"
    shutil.copytree(load_fixture("sm_tf1_serve").graph, folder)
    return folder


def assert_fails(folder: Path, *args, message: str) -> None:
    """`freeze ARGS -o out.pb` in a child, in `folder`'s parent: exactly `Error: message`, exit 1, no output."""
    output = folder.parent / "out.pb"
    run = run_cli(*args, "-o", output, cwd=folder.parent)
    assert_one_error(run, contains=message, output=output)
    assert run.stderr == f"Error: {message}\n"


def test_folder_without_saved_model_pb_is_an_error(export):
    (export / "saved_model.pb").unlink()
    assert_fails(export, "export", message="export holds no saved_model.pb; give the SavedModel folder TensorFlow "
                                           "wrote (the one with saved_model.pb and variables/ in it).")


@pytest.mark.parametrize("corrupt", [lambda data: b"garbage\x00\xff\x01junk", lambda data: data[:100]],
                         ids=["garbage", "truncated"])
def test_corrupt_saved_model_pb_is_an_error(export, corrupt):
    path = export / "saved_model.pb"
    path.write_bytes(corrupt(path.read_bytes()))
    assert_fails(export, "export", message="export/saved_model.pb is not a valid SavedModel (truncated, or not "
                                           "written by TensorFlow); export the model again with TensorFlow.")


def test_missing_variables_folder_is_an_error(export):
    shutil.rmtree(export / "variables")
    assert_fails(export, "export", message="SavedModel export has variables but its variables/ folder is missing; "
                                           "copy the whole SavedModel folder, variables/ included.")


def test_corrupt_variables_index_is_an_error(export):
    (export / "variables" / "variables.index").write_bytes(b"not an index")
    assert_fails(export, "export", message="Checkpoint index export/variables/variables.index is corrupt (file too "
                                           "short for a table footer); save the checkpoint again.")


def test_unknown_tag_lists_the_tag_sets(export):
    assert_fails(export, "export", "--tag", "gpu", message="SavedModel export has no MetaGraph tagged gpu; its tag "
                                                           "sets are: serve. Give one of them with --tag.")


def test_unknown_signature_lists_the_signatures(export):
    assert_fails(export, "export", "--signature", "predict",
                 message="SavedModel export (tagged serve) has no signature 'predict'; its signatures are: "
                         "serving_default. Give one of them with --signature.")


def test_unknown_output_lists_the_signature_outputs(export):
    assert_fails(export, "export", "--outputs", "probabilities",
                 message="Output 'probabilities' is neither an output of signature 'serving_default' (its outputs: "
                         "scores) nor a node of the graph.")


def test_checkpoint_given_with_a_saved_model_is_an_error(export):
    assert_fails(export, "export", "export/variables/variables",
                 message="export is a SavedModel folder, whose variables/ is its checkpoint; leave out the "
                         "CHECKPOINT argument.")


def test_tag_given_with_a_graph_def_is_an_error(tmp_path):
    mlp = load_fixture("mlp_ref")
    graph = tmp_path / "model.pbtxt"
    shutil.copy(mlp.graph, graph)
    assert_fails(graph, "model.pbtxt", str(mlp.checkpoint), "--outputs", "y", "--tag", "serve",
                 message="--tag and --signature choose within a SavedModel folder, and model.pbtxt is not one; "
                         "leave them out.")


def test_fixture_signature_option_reaches_the_api():
    # test_end_to_end freezes through freeze_files with these options and compares with the CLI.
    assert load_fixture("sm_module_two_signatures").api_options() == {"signature": "other"}
