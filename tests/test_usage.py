"""The command line's usage: one-line usage errors (exit code 2), freeze_graph's flag spellings,
--version and --quiet."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from cli_runs import assert_error, freeze
from freezer import __version__
from freezer.cli import freeze_app, freezer_app


def assert_usage_error(result, message: str, command: str = "freeze") -> None:
    """`Error: <message>` and the hint, on stderr; exit code 2; nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert result.stderr == f"Error: {message}\nTry '{command} --help'.\n"
    assert result.stdout == ""


def test_an_unknown_option_suggests_the_nearest(mlp):
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--ouputs", "y")
    assert_usage_error(result, "No such option: --ouputs; did you mean --outputs?")
    assert not (mlp / "model.frozen.pb").exists()


def test_an_unknown_option_far_from_all(mlp):
    assert_usage_error(freeze(mlp / "model.pbtxt", "--zzzz"), "No such option: --zzzz.")


def test_a_missing_argument():
    assert_usage_error(freeze(), "Missing argument 'GRAPH'.")


def test_a_missing_value(mlp):
    assert_usage_error(freeze(mlp / "model.pbtxt", "--outputs"), "Option '--outputs' requires an argument.")


def test_usage_errors_name_the_subcommand():
    result = CliRunner().invoke(freezer_app, ["freeze"], prog_name="freezer")
    assert_usage_error(result, "Missing argument 'GRAPH'.", command="freezer freeze")
    result = CliRunner().invoke(freezer_app, ["frobnicate"], prog_name="freezer")
    assert_usage_error(result, "No such command 'frobnicate'.", command="freezer")


def test_a_usage_error_from_the_installed_command(mlp):
    """The real entry point, not the test runner: the same two lines and exit code 2."""
    done = subprocess.run([sys.executable, "-m", "freezer", "freeze", str(mlp / "model.pbtxt"), "--output-node"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr == ("Error: No such option: --output-node; did you mean --output?\n"
                           "Try 'python -m freezer freeze --help'.\n")


@pytest.mark.parametrize("app,args", [(freeze_app, []), (freezer_app, []), (freezer_app, ["freeze"])])
def test_version(app, args):
    result = CliRunner().invoke(app, [*args, "--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"freezer {__version__}\n"


def test_quiet_prints_nothing_on_success(mlp):
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "--quiet")
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and result.stderr == ""
    assert (mlp / "model.frozen.pb").is_file()


def test_quiet_still_prints_errors(mlp):
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "nope", "-q"),
                 "Output 'nope' is not a node of the graph. Give node names as the graph has them.")


# freeze_graph's spellings, as a build script written for it passes them.
FREEZE_GRAPH_STYLE = [
    ["--input_graph={g}", "--input_checkpoint={c}", "--output_node_names=y", "--output_graph={o}"],
    ["--input_graph", "{g}", "--input_checkpoint", "{c}", "--output_node_names", "y", "--output_graph", "{o}",
     "--input_binary=false"],
    ["--input_checkpoint={c}", "--input_binary", "--output_graph={o}", "--input_graph={g}", "--output_node_names=y"],
    ["--input_binary", "true", "--input_graph={g}", "--input_checkpoint={c}", "--output_node_names=y", "-o", "{o}"],
    ["{g}", "--input_checkpoint={c}", "--output_node_names=y", "--clear_devices", "--output_graph={o}"],
]


@pytest.mark.parametrize("args", FREEZE_GRAPH_STYLE)
def test_freeze_graph_flags_work(mlp, tmp_path, args):
    expected = tmp_path / "expected.pb"
    assert freeze(mlp / "model.pbtxt", mlp / "ckpt/model-0", "--outputs", "y", "-o", expected).exit_code == 0
    out = tmp_path / "out.pb"
    given = [arg.format(g=mlp / "model.pbtxt", c=mlp / "ckpt/model-0", o=out) for arg in args]
    result = freeze(*given)
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == expected.read_bytes()


def test_freeze_graph_flags_for_other_options(tmp_path):
    """--initializer_nodes, --variable_names_blacklist/whitelist, --clear_devices=false and
    --input_meta_graph mean --init-op, --keep-variables/--only-variables, --keep-devices and GRAPH."""
    from freezer.cli.usage import translate_freeze_graph_flags
    assert translate_freeze_graph_flags(["--input_meta_graph=m.meta", "--initializer_nodes", "init",
                                         "--variable_names_blacklist=a,b", "--variable_names_whitelist=c",
                                         "--clear_devices=false", "--saved_model_tags=serve"]) == \
        ["m.meta", "--init-op", "init", "--keep-variables", "a,b", "--only-variables", "c", "--keep-devices",
         "--tag", "serve"]


def test_freeze_graph_flags_are_hidden():
    help_text = CliRunner().invoke(freeze_app, ["--help"]).stdout
    assert "--output_node_names" not in help_text and "--input_graph" not in help_text


@pytest.mark.parametrize("args,message", [
    (["--input_graph=a.pb", "--input_meta_graph=b.meta"], "--input_meta_graph gives the graph a second time; give it once."),
    (["--input_graph=a.pb", "--output_node_names"], "Option '--output_node_names' requires an argument."),
    (["--input_graph=a.pb", "--input_binary=maybe"], "--input_binary=maybe: expected true or false."),
])
def test_bad_freeze_graph_flags(args, message):
    assert_usage_error(freeze(*args), message)
