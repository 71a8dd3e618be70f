"""The command line: every user mistake ends in one pinned `Error: ...` line, exit 1, no output.

Each test works on a copy of a committed fixture in tmp_path, so nothing in the repo is touched.
"""

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2, types_pb2
from typer.testing import CliRunner

from checkpoint_files import flip_byte
from cli_runs import assert_error, freeze
from freezer.cli import freeze_app, freezer_app
from fixture_models import FIXTURES


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> bytes:
    """mlp_ref frozen for `y` through the API, to compare the CLI's spellings of the same request."""
    import freezer
    out = tmp_path_factory.mktemp("reference") / "y.pb"
    fixture = FIXTURES / "mlp_ref"
    return freezer.freeze_files(fixture / "model.pbtxt", fixture / "ckpt/model-0", outputs="y",
                                output=out).output_path.read_bytes()


def edit_graph(path: Path, edit) -> None:
    graph_def = text_format.Parse(path.read_text(), graph_pb2.GraphDef())
    edit({node.name: node for node in graph_def.node})
    path.write_text(text_format.MessageToString(graph_def))


def test_success_prints_a_summary(mlp):
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # mlp's graph records no output shapes: the shape of y is unknown.
    assert lines[:3] == ["Inputs: x:0 float [?, 4]", "Outputs: y:0 float [...]",
                         "Froze 6 variable(s) (556 B); nodes 70 -> 22"]
    assert lines[3].startswith(f"Wrote {mlp / 'model.frozen.pb'} (") and lines[3].endswith(" s")
    assert (mlp / "model.frozen.pb").is_file()


@pytest.mark.parametrize("outputs", [["y:0"], [" y , y:0 "], ["y", "--outputs", "y"]])
def test_output_name_forms(mlp, outputs, reference):
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt/model-0", "--outputs", *outputs)
    assert result.exit_code == 0, result.output
    assert (mlp / "model.frozen.pb").read_bytes() == reference


@pytest.mark.parametrize("checkpoint", ["ckpt", "ckpt/model-0", "ckpt/model-0.index",
                                        "ckpt/model-0.data-00000-of-00001"])
def test_checkpoint_forms(mlp, checkpoint, reference):
    result = freeze(mlp / "model.pbtxt", mlp / checkpoint, "--outputs", "y")
    assert result.exit_code == 0, result.output
    assert (mlp / "model.frozen.pb").read_bytes() == reference


def test_meta_finds_its_checkpoint_beside_it(tmp_path):
    folder = tmp_path / "meta"
    shutil.copytree(FIXTURES / "train_meta", folder)
    result = freeze(folder / "model-1000.meta", "--outputs", "y")
    assert result.exit_code == 0, result.output
    assert (folder / "model-1000.frozen.pb").is_file()


def test_graph_without_variables_needs_no_checkpoint(mlp):
    result = freeze(mlp / "model.pbtxt", "--outputs", "x")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Note: The outputs need no variables; the graph was only pruned.\n")


def test_unknown_output_suggests_near_names(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "MatMull"),
                 "Output 'MatMull' is not a node of the graph. Did you mean: MatMul, MatMul_2, MatMul_1?")


def test_several_unknown_outputs_are_all_named(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "yy,zz"),
                 "Output 'yy' is not a node of the graph (also unknown: zz). Did you mean: y?")


def test_unknown_output_is_reported_before_the_checkpoint_is_read(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "missing", "--outputs", "yy"),
                 "Output 'yy' is not a node of the graph. Did you mean: y?")


def test_no_outputs(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", " , "),
                 "No outputs given; name the nodes to keep, e.g. --outputs y.")


def test_missing_graph(tmp_path):
    assert_error(freeze(tmp_path / "nope.pb", "--outputs", "y"), f"Graph file {tmp_path / 'nope.pb'} does not exist; check the path.")


def test_garbled_text_graph_names_the_line(tmp_path):
    path = tmp_path / "bad.pbtxt"
    path.write_text('node {\n  name: "a"\n  op: "Const"\n  colour: 1\n}\n')
    assert_error(freeze(path, "--outputs", "a"),
                 f'{path} is not a valid text GraphDef (line 4: Message type "tensorflow.NodeDef" has no '
                 'field named "colour"); check the file is complete and was written by TensorFlow.')


def test_truncated_text_graph(mlp):
    path = mlp / "model.pbtxt"
    text = path.read_text()
    path.write_text(text[: len(text) // 2])
    result = freeze(path, mlp / "ckpt", "--outputs", "y")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path} is not a valid text GraphDef (line ")


def test_truncated_binary_graph(tmp_path):
    source = FIXTURES / "resource_pb" / "model.pb"
    path = tmp_path / "model.pb"
    path.write_bytes(source.read_bytes()[:-7])
    assert_error(freeze(path, "--outputs", "y"), f"{path} is not a valid binary GraphDef; the file may be "
                                                 "truncated or not a TensorFlow graph.")


def test_binary_garbage(tmp_path):
    path = tmp_path / "noise.pb"
    path.write_bytes(bytes(range(256)) * 4)
    result = freeze(path, "--outputs", "y")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path} ") and "not a TensorFlow graph" in result.stderr


def test_checkpoint_not_found(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt/model-9", "--outputs", "y"),
                 f"Checkpoint {mlp / 'ckpt/model-9'} not found (looked for {mlp / 'ckpt/model-9.index'}); "
                 "give a checkpoint prefix, its .index file, or the folder holding it.")


def test_empty_checkpoint_folder(mlp):
    (mlp / "empty").mkdir()
    assert_error(freeze(mlp / "model.pbtxt", mlp / "empty", "--outputs", "y"),
                 f"No checkpoint in folder {mlp / 'empty'} (no 'checkpoint' file and no *.index file); "
                 "give the checkpoint prefix, e.g. ckpt/model-1000.")


def test_variables_need_a_checkpoint(mlp):
    assert_error(freeze(mlp / "model.pbtxt", "--outputs", "y"),
                 "The outputs need 6 variable(s) (layer0/w, layer0/b, layer1/w, ...) but no checkpoint was "
                 "given; pass the checkpoint prefix or folder after the graph.")


def test_variable_missing_from_checkpoint(mlp):
    edit_graph(mlp / "model.pbtxt", lambda nodes: None)
    assert_error(freeze(mlp / "model.pbtxt", FIXTURES / "devices/ckpt", "--outputs", "y", "-o", mlp / "o.pb"),
                 f"Variable layer0/w is not in checkpoint {FIXTURES / 'devices/ckpt/model'}. Did you mean: w? "
                 "Check the checkpoint belongs to this graph.")


def test_shape_mismatch_names_both_sides(mlp):
    def widen(nodes):
        nodes["layer1/b"].attr["shape"].shape.dim[0].size = 9
    edit_graph(mlp / "model.pbtxt", widen)
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y"),
                 f"Variable layer1/b has shape [9] in the graph but [8] in checkpoint {mlp / 'ckpt/model-0'}.")


def test_dtype_mismatch_names_both_sides(mlp):
    def to_double(nodes):
        nodes["layer2/w"].attr["dtype"].type = types_pb2.DT_DOUBLE
    edit_graph(mlp / "model.pbtxt", to_double)
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y"),
                 f"Variable layer2/w is double in the graph but float in checkpoint {mlp / 'ckpt/model-0'}.")


def test_corrupt_checkpoint_data(mlp):
    data = mlp / "ckpt/model-0.data-00000-of-00001"
    flip_byte(data, 10)
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y"),
                 f"Checkpoint data file {data} is corrupt: 'layer0/b' fails its crc32c check; "
                 "save the checkpoint again.")
    assert not (mlp / "model.frozen.pb").exists()


def test_truncated_checkpoint_data(mlp):
    data = mlp / "ckpt/model-0.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:100])
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: Checkpoint data file {data} is truncated: ")


def test_corrupt_checkpoint_index(mlp):
    index = mlp / "ckpt/model-0.index"
    flip_byte(index, 20)
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: Checkpoint index {index} is corrupt")


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_damaged_checkpoint_with_the_session_engine(mlp, damage):
    data = mlp / "ckpt/model-0.data-00000-of-00001"
    if damage == "flip":
        flip_byte(data, 10)
    else:
        data.write_bytes(data.read_bytes()[:100])
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "--engine", "session")
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert result.stderr.startswith(f"Error: Cannot read checkpoint {mlp / 'ckpt/model-0'}: ")
    assert result.stderr.endswith("save the checkpoint again.\n")


def test_unknown_engine(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "--engine", "turbo"),
                 "Unknown engine 'turbo'; choose one of: native, session.")


def test_output_may_not_overwrite_the_graph(mlp):
    before = (mlp / "model.pbtxt").read_bytes()
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", mlp / "model.pbtxt"),
                 f"The output path {mlp / 'model.pbtxt'} is the input file {mlp / 'model.pbtxt'}; "
                 "choose another path with -o.")
    assert (mlp / "model.pbtxt").read_bytes() == before


def test_output_may_not_overwrite_the_checkpoint(mlp):
    index = mlp / "ckpt/model-0.index"
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", index),
                 f"The output path {index} is the input file {index}; choose another path with -o.")


def test_failed_run_keeps_an_existing_output(mlp):
    out = mlp / "model.frozen.pb"
    out.write_bytes(b"previous result")
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "nope")
    assert result.exit_code == 1
    assert out.read_bytes() == b"previous result"
    assert sorted(p.name for p in mlp.iterdir()) == ["ckpt", "fixture.json", "io.npz", "model.frozen.pb", "model.pbtxt"]


def test_debug_shows_the_traceback(mlp):
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "nope", "--debug")
    assert result.exit_code == 1
    assert type(result.exception).__name__ == "OutputNameError"


def test_freezer_group_has_the_freeze_command(mlp):
    result = CliRunner().invoke(freezer_app, ["freeze", str(mlp / "model.pbtxt"), "--outputs", "nope"])
    assert_error(result, "Output 'nope' is not a node of the graph. Give node names as the graph has them.")


def test_python_dash_m_and_console_script_in_a_real_process(mlp):
    for command in ([sys.executable, "-m", "freezer", "freeze"], [str(Path(sys.executable).with_name("freeze"))]):
        done = subprocess.run([*command, mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "yy"],
                              capture_output=True, text=True)
        assert (done.returncode, done.stderr) == (1, "Error: Output 'yy' is not a node of the graph. Did you mean: y?\n")


def test_an_unexpected_failure_is_still_one_line(mlp, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError("attr\nmissing")
    monkeypatch.setattr("freezer.api._freeze", broken)
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y"),
                 "freezer failed unexpectedly (KeyError: 'attr\\nmissing'); rerun with --debug to see where, "
                 "and please report it with the graph that caused it.")


def test_options_are_checked_even_when_no_variable_is_read(mlp):
    assert_error(freeze(mlp / "model.pbtxt", "--outputs", "x", "--engine", "turbo"),
                 "Unknown engine 'turbo'; choose one of: native, session.")
    assert_error(freeze(mlp / "model.pbtxt", "--outputs", "x", "--engine", "session", "--init-op", "nosuch"),
                 "--init-op nosuch: no op 'nosuch' in the graph; give op names as the graph has them.")


def test_binary_meta_graph_under_another_suffix(tmp_path):
    folder = tmp_path / "meta"
    shutil.copytree(FIXTURES / "train_meta", folder)
    (folder / "model-1000.meta").rename(folder / "exported.pb")
    result = freeze(folder / "exported.pb", folder / "model-1000", "--outputs", "y")
    assert result.exit_code == 0, result.output


def test_output_folder_is_refused_before_any_work(mlp):
    (mlp / "out").mkdir()
    assert_error(freeze(mlp / "model.pbtxt", mlp / "missing", "--outputs", "y", "-o", mlp / "out"),
                 f"The output path {mlp / 'out'} is a folder; give a file name with -o.")


def test_output_may_not_overwrite_the_checkpoint_state_file(mlp):
    state = mlp / "ckpt/checkpoint"
    before = state.read_bytes()
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", state),
                 f"The output path {state} is the input file {state}; choose another path with -o.")
    assert state.read_bytes() == before


def test_output_may_not_be_a_special_file(mlp):
    fifo = mlp / "fifo"
    os.mkfifo(fifo)
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", fifo),
                 f"The output path {fifo} is not a regular file; give a file name with -o.")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_output_naming_a_folder_with_a_slash(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", f"{mlp}/new/"),
                 f"The output path {mlp}/new/ is a folder; give a file name with -o.")
    assert not (mlp / "new").exists()


def test_a_file_that_is_no_checkpoint(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "model.pbtxt", "--outputs", "y", "-o", mlp / "o.pb"),
                 f"{mlp / 'model.pbtxt'} is not a TensorFlow checkpoint; give the checkpoint prefix "
                 "(ckpt/model-1000), its .index file, or the folder holding it.")


def test_a_path_the_system_refuses_is_one_line(mlp):
    long_name = mlp / ("o" * 300 + ".pb")
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", long_name),
                 f"Cannot use {long_name}: File name too long; check the path.")


# ---- a new user's first hour ----------------------------------------------------------------------

def test_a_port_the_output_does_not_have_is_an_error(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y:5"),
                 "Output 'y:5' does not exist: y (Identity) has one output, y:0.")


def test_a_control_input_is_not_an_output(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "^y"),
                 "Output '^y' is a control input, not an output; name the node itself: --outputs y.")


def test_an_output_name_with_a_space_says_to_use_commas(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y MatMul"),
                 "Output 'y MatMul' is not a node of the graph, and node names have no spaces; separate "
                 "several outputs with commas: --outputs y,MatMul.")


@pytest.mark.parametrize("name, example", [("y:a", "y"), ("y:", "y"), ("y:-1", "y"), (":0", "y")])
def test_an_output_name_with_a_malformed_port(mlp, name, example):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", name),
                 f"Output {name!r} is neither a node name nor node:port; write e.g. {example} or {example}:0.")


def _output_error(graph_def, name: str) -> str:
    from freezer.api import resolve_outputs
    from freezer.errors import OutputNameError
    from freezer.graph import GraphIndex
    with pytest.raises(OutputNameError) as raised:
        resolve_outputs(GraphIndex(graph_def), name)
    return str(raised.value)


def test_ports_are_counted_where_the_graph_tells():
    from tensorboard.compat.proto import attr_value_pb2
    from freezer.api import resolve_outputs
    from freezer.graph import GraphIndex
    from graphs import graph, node, types

    shapes = attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=[{}, {}]))
    g = graph(node("p", "Placeholder"), node("sw", "Switch", "p", "p"),
              node("split", "Split", "p", "p", num_split=attr_value_pb2.AttrValue(i=3)),
              node("restore", "RestoreV2", "p", "p", "p", dtypes=types(types_pb2.DT_FLOAT, types_pb2.DT_INT32)),
              node("call", "StatefulPartitionedCall", "p", Tout=types(types_pb2.DT_FLOAT)),
              node("init", "NoOp"), node("custom", "MyOp", "p", _output_shapes=shapes), node("unknown", "MyOp"),
              node("fn_call", "fn", "p"))
    function = g.library.function.add()
    function.signature.name = "fn"
    function.signature.output_arg.add(name="a", type=types_pb2.DT_FLOAT)
    function.signature.output_arg.add(name="b", type=types_pb2.DT_FLOAT)
    assert _output_error(g, "sw:2") == "Output 'sw:2' does not exist: sw (Switch) has 2 outputs, sw:0, sw:1."
    assert _output_error(g, "split:3") == ("Output 'split:3' does not exist: split (Split) has 3 outputs, "
                                           "split:0, split:1, split:2.")
    assert _output_error(g, "restore:2").endswith("restore (RestoreV2) has 2 outputs, restore:0, restore:1.")
    assert _output_error(g, "call:1").endswith("call (StatefulPartitionedCall) has one output, call:0.")
    assert _output_error(g, "custom:2").endswith("custom (MyOp) has 2 outputs, custom:0, custom:1.")
    assert _output_error(g, "fn_call:2").endswith("fn_call (fn) has 2 outputs, fn_call:0, fn_call:1.")
    assert _output_error(g, "init:0") == ("Output 'init:0' does not exist: init (NoOp) has no outputs; to keep "
                                          "the op, name it without a port: --outputs init.")
    # A port of an op freezer cannot count is taken on trust; a NoOp named without a port is kept.
    assert resolve_outputs(GraphIndex(g), "sw:1, split:2, restore:1, call:0, custom:1, fn_call:1, unknown:7, "
                                          "init") == ["sw", "split", "restore", "call", "custom", "fn_call",
                                                      "unknown", "init"]


def test_many_ports_are_named_as_a_range():
    from tensorboard.compat.proto import attr_value_pb2
    from graphs import graph, node
    g = graph(node("p", "Placeholder"), node("parts", "Unpack", "p", num=attr_value_pb2.AttrValue(i=100)))
    assert _output_error(g, "parts:100").endswith("parts (Unpack) has 100 outputs, parts:0 to parts:99.")


def _help(app, *args) -> str:
    result = CliRunner().invoke(app, list(args), terminal_width=200)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("app, args", [(freeze_app, []), (freezer_app, []), (freezer_app, ["freeze"])])
def test_dash_h_is_help(app, args):
    assert _help(app, *args, "-h") == _help(app, *args, "--help")


def test_help_shows_flags_as_flags_and_lists_as_names():
    import re
    text = _help(freeze_app, "--help")
    assert "<bool>" not in text and "<list" not in text, text
    for flag, help_text in (("--text", "Write a text"), ("--keep-devices", "Keep node"),
                            ("--debug", "Show the traceback"), ("--help", "Show this message")):
        assert re.search(rf" {flag}( +-h)? +{help_text}", text), flag  # no value between them
    for option in ("--outputs", "--keep-variables", "--only-variables", "--init-op"):
        assert re.search(rf" {option} +NAME\[,NAME…\] ", text), option


def test_a_flag_takes_no_value(mlp):
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "--text", "true")
    assert result.exit_code == 2 and "true" in result.output  # a usage error, like any extra argument
    assert not (mlp / "model.frozen.pbtxt").exists()


def test_install_hints_name_the_distribution():
    """`freezer` on the package index is another project: every hint names tf-freezer."""
    import importlib.metadata
    import re
    import freezer
    assert importlib.metadata.version("tf-freezer") == freezer.__version__
    repo = Path(__file__).resolve().parents[1]
    hints = [(path, hint) for path in [*sorted((repo / "freezer").rglob("*.py")), repo / "README.md"]
             for hint in re.findall(r"pip install ('[^']*'|\S+)", path.read_text())]
    assert hints
    for path, hint in hints:
        assert hint.strip("'`").startswith(("tf-freezer", ".", "-e")), (path, hint)


def test_the_test_extra_installs_one_tensorflow():
    import importlib.metadata
    import re
    requirements = importlib.metadata.requires("tf-freezer")
    for extra in ("test", "tf"):
        names = {re.split(r"[<>=!~ ;\[]", r)[0] for r in requirements if f'extra == "{extra}"' in r}
        assert {name for name in names if name.startswith("tensorflow")} == {"tensorflow"}, (extra, names)
