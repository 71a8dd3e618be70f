"""Every committed fixture, frozen through the CLI and the API, run in TensorFlow and in C++.

The frozen graph's outputs must equal the original graph's (restored from its checkpoint by its own
saver) and the values recorded when the fixture was made; freezing twice gives identical bytes.
A fixture's `freeze_args` go to every freeze of it (as API options where the API freezes), its
`init_op` runs before the frozen graph's outputs, and pinned placeholders are not fed to it.
"""

import shutil

import pytest
from tensorboard.compat.proto import graph_pb2

import freezer
from cli_runs import freeze_successfully
from freezer.ops import TRAINING_OPS
from fixture_models import assert_outputs_equal, fixture_names, load_fixture, run_frozen, run_original

FIXTURES = fixture_names()


@pytest.fixture(scope="module", params=FIXTURES)
def frozen(request, tmp_path_factory):
    """(fixture, path of its graph frozen through the CLI)."""
    fixture = load_fixture(request.param)
    out = tmp_path_factory.mktemp(fixture.name) / "frozen.pb"
    printed = freeze_successfully(*fixture.cli_args(), "-o", out)
    assert f"Wrote {out}" in printed
    if fixture.init_op:
        assert f"Note: Run {fixture.init_op!r} once before the outputs" in printed
    else:
        assert "once before the outputs" not in printed
    return fixture, out


def test_fixtures_are_present():
    assert {"mlp_ref", "resource_pb", "train_meta", "dtypes", "devices", "cond_while_v1", "lstm_v1",
            "batch_norm_v1", "control_flow_v2", "keras_bn_v2", "gathers", "tables", "pinned_bn"} <= set(FIXTURES)


def test_frozen_outputs_equal_the_original_graph(frozen):
    fixture, path = frozen
    actual = run_frozen(path, fixture.frozen_inputs, fixture.fetches, fixture.targets)
    assert_outputs_equal(actual, run_original(fixture))
    assert_outputs_equal(actual, fixture.expected, recorded=True)


def test_frozen_graph_has_no_variables_or_training_ops(frozen):
    _, path = frozen
    graph_def = graph_pb2.GraphDef.FromString(path.read_bytes())
    assert not [n.name for n in graph_def.node if n.op in TRAINING_OPS | {"ReadVariableOp", "SaveV2"}]
    assert not [n.name for n in graph_def.node if n.device]


def test_pinned_placeholders_are_no_longer_placeholders(frozen):
    fixture, path = frozen
    ops = {n.name: n.op for n in graph_pb2.GraphDef.FromString(path.read_bytes()).node}
    assert not [name for name in fixture.pins if ops.get(name, "Const") != "Const"]  # a constant, or pruned


def test_api_writes_the_same_bytes_as_the_cli(frozen, tmp_path):
    fixture, path = frozen
    result = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs=fixture.outputs,
                                  output=tmp_path / "api.pb", **fixture.api_options())
    assert result.output_path.read_bytes() == path.read_bytes()
    assert result.init_op == fixture.init_op
    assert result.nodes_after == len(graph_pb2.GraphDef.FromString(path.read_bytes()).node)


def test_freezing_twice_writes_identical_bytes(frozen, tmp_path):
    fixture, path = frozen
    again = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs=fixture.outputs,
                                 output=tmp_path / "again.pb", **fixture.api_options())
    assert again.output_path.read_bytes() == path.read_bytes()


def test_freezing_a_frozen_graph_changes_nothing(frozen, tmp_path):
    fixture, path = frozen
    # No freeze_args: the pinned placeholders are constants already.
    result = freezer.freeze_files(path, outputs=fixture.output_nodes, output=tmp_path / "refrozen.pb")
    assert result.output_path.read_bytes() == path.read_bytes()
    assert result.init_op == fixture.init_op
    assert result.variables == [] and any("need no variables" in note for note in result.notes)


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_frozen_graph_loads_and_runs_in_cpp(frozen):
    from cpp_loader import run_graph_in_cpp
    fixture, path = frozen
    in_cpp = run_graph_in_cpp(path, fixture.frozen_inputs, fixture.fetches, targets=fixture.targets)
    assert_outputs_equal(in_cpp, run_frozen(path, fixture.frozen_inputs, fixture.fetches, fixture.targets))
    assert_outputs_equal(in_cpp, fixture.expected, recorded=True)


def test_text_output_parses_to_the_same_graph(tmp_path):
    from google.protobuf import text_format
    fixture = load_fixture("mlp_ref")
    binary = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs="y", output=tmp_path / "a.pb")
    text = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs="y", as_text=True)
    try:
        assert text.output_path == fixture.folder / "model.frozen.pbtxt"
        parsed = text_format.Parse(text.output_path.read_text(), graph_pb2.GraphDef())
        assert parsed == binary.graph_def
    finally:
        text.output_path.unlink()


def test_keep_devices(tmp_path):
    fixture = load_fixture("devices")
    result = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs="y", keep_devices=True,
                                  output=tmp_path / "kept.pb")
    devices = {n.name: n.device for n in result.graph_def.node}
    assert devices["w"] == "/job:ps/task:0" and devices["y"] == "/device:CPU:0"


def test_session_engine_writes_the_same_bytes(frozen, tmp_path):
    fixture, path = frozen
    result = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs=fixture.outputs,
                                  output=tmp_path / "session.pb", engine="session", **fixture.api_options())
    assert result.output_path.read_bytes() == path.read_bytes()
