"""`freezer inspect`: inputs and ranked outputs on every committed fixture, the checkpoint check,
the JSON document, the text the CLI prints, and its errors word for word."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from cli_runs import assert_error, freeze
from fixture_models import fixture_names, load_fixture
from freezer.cli import freezer_app
from freezer.inspect import LIKELY, inspect_path

JSON_KEYS = ["path", "read_from", "nodes", "functions", "inputs", "outputs", "freeze_command", "saved_model",
             "variables", "checkpoint", "freeze", "op_counts", "notes"]


def inspect(*args):
    return CliRunner().invoke(freezer_app, ["inspect", *map(str, args)])


def _inspect_fixture(name: str):
    fixture = load_fixture(name)
    choices = {key: value for key, value in fixture.api_options().items() if key in ("tag", "signature")}
    return fixture, inspect_path(fixture.graph, fixture.checkpoint, **choices)


def _node(tensor: str) -> str:
    return tensor.rsplit(":", 1)[0]


@pytest.mark.parametrize("name", fixture_names())
def test_the_inputs_the_fixture_feeds_are_found(name):
    fixture, report = _inspect_fixture(name)
    fed = {_node(tensor) for tensor in fixture.inputs}
    needed = {tensor.name for tensor in report.inputs if tensor.needed}
    assert fed <= needed
    # What the outputs need and has no default is fed; a default (is_training) may be left as it is.
    assert {tensor.name for tensor in report.inputs if tensor.needed and tensor.default is None} <= fed


@pytest.mark.parametrize("name", fixture_names())
def test_the_real_outputs_rank_first(name):
    fixture, report = _inspect_fixture(name)
    wanted = fixture.output_nodes  # a SavedModel's: its signature's output keys
    assert {output.name for output in report.outputs[:len(wanted)]} == set(wanted)
    assert {output.name for output in report.likely_outputs} == set(wanted)
    listed = ",".join(output.name for output in report.outputs[:len(wanted)])
    assert report.freeze_command.endswith(f"--outputs {listed}") or fixture.saved_model


@pytest.mark.parametrize("name", [name for name in fixture_names() if load_fixture(name).saved_model])
def test_saved_models_list_their_signatures(name):
    fixture, report = _inspect_fixture(name)
    info = report.saved_model
    assert info.signature == fixture.saved_model["signature"]
    assert info.tags == (",".join(sorted(fixture.saved_model["tags"])) or '""')
    chosen = next(signature for signature in info.signatures if signature.name == info.signature)
    assert [tensor.name for tensor in chosen.outputs] == sorted(fixture.output_nodes)
    assert {tensor.name for tensor in chosen.inputs} == {_node(tensor) for tensor in fixture.inputs}
    assert report.freeze_command.startswith(f"freeze {fixture.graph}")
    assert report.checkpoint is not None and not report.checkpoint.missing and not report.checkpoint.mismatched


def test_train_meta_ranks_the_loss_after_the_prediction():
    _, report = _inspect_fixture("train_meta")
    assert [(output.name, output.rank) for output in report.outputs[:2]] == [("y", LIKELY), ("loss", "scalar")]
    labels = next(tensor for tensor in report.inputs if tensor.name == "labels")
    assert not labels.needed
    assert report.freeze_command == f"freeze {load_fixture('train_meta').graph} --outputs y"


def test_placeholder_with_default_shows_its_default():
    _, report = _inspect_fixture("batch_norm_v1")
    knob = next(tensor for tensor in report.inputs if tensor.name == "is_training")
    assert (knob.op, knob.dtype, knob.shape, knob.default) == ("PlaceholderWithDefault", "bool", (), "true")


def test_the_batch_norm_preview_names_the_ref_ops_a_freeze_repairs():
    _, report = _inspect_fixture("batch_norm_v1")
    assert report.freeze.repaired == {"AssignSub": 2, "RefSwitch": 2}
    assert report.freeze.variables == 4


# ---- the checkpoint ------------------------------------------------------------------------------------

def _write_checkpoint(tf, prefix, tensors: dict[str, np.ndarray]) -> None:
    """A V2 checkpoint holding exactly `tensors`, written by TensorFlow's own SaveV2."""
    names = list(tensors)
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=names, shape_and_slices=[""] * len(names),
                      tensors=[tf.constant(tensors[name]) for name in names])


def test_a_checkpoint_missing_a_variable_with_a_wrong_shape_and_unused_keys(tf, mlp, tmp_path):
    from freezer.io.bundle import BundleReader
    with BundleReader(str(mlp / "ckpt" / "model-0")) as reader:
        stored = {key: np.array(reader.read(key)) for key in reader.contents()}
    del stored["layer1/b"]
    stored["layer2/w"] = np.zeros((8, 4), np.float32)
    stored["layer0/b"] = stored["layer0/b"].astype(np.float64)
    stored["extra"] = np.ones(2, np.int32)
    prefix = tmp_path / "bad" / "model"
    _write_checkpoint(tf, prefix, stored)

    report = inspect_path(mlp / "model.pbtxt", prefix).checkpoint
    assert report.missing == [("layer1/b", "layer1/b")]
    assert [(m.variable, m.graph.dtype, m.graph.shape, m.checkpoint.dtype, m.checkpoint.shape)
            for m in report.mismatched] == [("layer0/b", "float", (8,), "double", (8,)),
                                            ("layer2/w", "float", (8, 3), "float", (8, 4))]
    assert report.unused_keys == ["extra"]
    assert report.keys == 6

    result = inspect(mlp / "model.pbtxt", prefix)
    assert result.exit_code == 0, result.output
    assert (f"Checkpoint {prefix}: 6 keys\n"
            "  missing: layer1/b\n"
            "  differs: layer0/b is float [8] in the graph, double [8] in the checkpoint ('layer0/b')\n"
            "  differs: layer2/w is float [8, 3] in the graph, float [8, 4] in the checkpoint ('layer2/w')\n"
            "  unused keys: extra\n") in result.stdout


def test_a_saver_mapping_keys_decides_what_is_used():
    """ema_meta's saver restores the moving averages into w and b: the keys w and b go unused."""
    _, report = _inspect_fixture("ema_meta")
    assert report.checkpoint.unused_keys == ["b", "w"]
    assert not report.checkpoint.missing


def test_partitioned_parts_are_checked_against_their_whole_key():
    _, report = _inspect_fixture("partitioned")
    assert (report.checkpoint.missing, report.checkpoint.mismatched, report.checkpoint.unused_keys) == ([], [], [])
    assert report.variables.count == 5


# ---- JSON and text ------------------------------------------------------------------------------------------

def test_json_has_the_documented_keys():
    fixture = load_fixture("mlp_ref")
    result = inspect(fixture.graph, fixture.checkpoint, "--json")
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert list(document) == JSON_KEYS
    assert document["inputs"] == [{"name": "x", "dtype": "float", "shape": [None, 4], "op": "Placeholder",
                                   "default": None, "needed": True}]
    assert document["outputs"][0] == {"name": "y", "dtype": "float", "shape": None, "op": "Identity",
                                      "rank": "likely", "reason": "", "tensor": None}
    assert document["freeze_command"] == f"freeze {fixture.graph} {fixture.checkpoint} --outputs y"
    assert document["variables"] == {"count": 6, "bytes": 556, "unknown_size": 0, "dtypes": {"float": 6}}
    assert list(document["checkpoint"]) == ["prefix", "keys", "missing", "mismatched", "unused_keys"]
    assert list(document["freeze"]) == ["variables", "repaired", "dropped", "tables", "v1_control_flow",
                                        "v2_control_flow", "function_calls"]
    assert sum(document["op_counts"].values()) == document["nodes"] == 70
    assert document["saved_model"] is None


def test_json_of_a_saved_model_lists_every_signature():
    fixture = load_fixture("sm_module_two_signatures")
    result = inspect(fixture.graph, "--json", "--signature", "other")
    document = json.loads(result.stdout)
    assert document["saved_model"]["tag_sets"] == ["serve"]
    assert [signature["name"] for signature in document["saved_model"]["signatures"]] == ["other", "serving_default"]
    assert document["saved_model"]["signatures"][1]["outputs"] == [
        {"name": "y", "dtype": "float", "shape": [None, 2], "key": "y", "tensor": "StatefulPartitionedCall_1:0"}]
    assert [output["name"] for output in document["outputs"]] == ["scaled"]
    assert document["freeze_command"] == f"freeze {fixture.graph} --signature other"


def test_the_text_report():
    fixture = load_fixture("train_meta")
    result = inspect(fixture.graph)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"{fixture.graph}: 119 nodes, 0 functions\n\n"
        "Inputs:\n"
        "  x: float [?, 4] (Placeholder)\n"
        "  labels: int64 [?] (Placeholder); the likely outputs do not read it\n\n"
        "Outputs, best guess first:\n"
        "  y: float [?, 3] (Softmax)\n"
        "  loss: float [] (Mean; a scalar, like a loss or a metric)\n"
        "  SparseSoftmaxCrossEntropyWithLogits/Shape: int64 [1] (Shape; depends on a shape only)\n\n"
        "To freeze:\n"
        f"  freeze {fixture.graph} --outputs y\n\n"
        "Variables: 9 (196 B): float 8, int64 1\n"
        f"Checkpoint {fixture.folder / 'model-1000'}: 9 keys; it holds every variable, and every key is used.\n\n"
        "A freeze of these outputs would:\n"
        "  freeze 2 variable(s) into constants\n\n"
        "Ops (119 nodes, graph and functions): Const 31, Assign 20, Identity 14,")


def test_logs_name_where_the_graph_was():
    fixture = load_fixture("events_meta")
    report = inspect_path(fixture.graph, fixture.checkpoint)
    assert report.read_from == f"the MetaGraphDef at step 0 of events file {fixture.graph}"
    assert report.outputs[0].name == "y"


# ---- errors -----------------------------------------------------------------------------------------------

def test_a_missing_graph_is_one_error(tmp_path):
    assert_error(inspect(tmp_path / "nope.pb"), f"Graph file {tmp_path / 'nope.pb'} does not exist; check the path.")


def test_a_graph_that_is_no_graph_is_one_error(tmp_path):
    junk = tmp_path / "junk.pb"
    junk.write_bytes(b"\xff\xfe not a graph")
    result = inspect(junk)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {junk}") and result.stderr.count("\n") == 1


def test_tag_and_signature_need_a_saved_model():
    graph = load_fixture("mlp_ref").graph
    assert_error(inspect(graph, "--tag", "serve"), f"--tag and --signature choose within a SavedModel folder, and "
                                                   f"{graph} is not one; leave them out.")


def test_an_unknown_signature_or_tag_is_one_error():
    folder = load_fixture("sm_module_two_signatures").graph
    assert_error(inspect(folder, "--signature", "nope"),
                 f"SavedModel {folder} (tagged serve) has no signature 'nope'; its signatures are: other, "
                 "serving_default. Give one of them with --signature.")
    assert_error(inspect(folder, "--tag", "gpu"),
                 f"SavedModel {folder} has no MetaGraph tagged gpu; its tag sets are: serve. Give one of them "
                 "with --tag.")


def test_a_saved_model_takes_no_checkpoint_and_no_run():
    folder = load_fixture("sm_tf1_serve").graph
    assert_error(inspect(folder, "ckpt"), f"{folder} is a SavedModel folder, whose variables/ is its checkpoint; "
                                          "leave out the CHECKPOINT argument.")
    assert_error(inspect(folder, "--run", "train"), f"--run train picks a run of a log folder, and {folder} is a "
                                                    "SavedModel folder; leave --run out.")


def test_an_unknown_run_is_the_freeze_error():
    fixture = load_fixture("events_graph")
    expected = freeze(fixture.graph, fixture.checkpoint, "--outputs", "y", "--run", "nope").stderr
    result = inspect(fixture.graph, fixture.checkpoint, "--run", "nope")
    assert result.exit_code == 1 and result.stderr == expected and expected.startswith("Error: ")
