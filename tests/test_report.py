"""`freeze --report FILE.json`: what the record holds, checked against the files and TensorFlow's
reading of the checkpoint."""

import hashlib
import json
import shutil
import subprocess
import sys

import numpy as np

from cli_runs import assert_error, freeze
from fixture_models import FIXTURES, load_fixture
from freezer import __version__
from test_usage import assert_usage_error

# The README's list of the report's keys; a key may be added, never renamed or dropped.
REPORT_KEYS = {"format", "freezer_version", "command", "input_files", "output_file", "inputs", "outputs",
               "variables", "variable_bytes", "kept_variables", "repairs", "optimized", "init_op", "notes", "nodes_before",
               "nodes_after", "seconds"}


def freeze_with_report(folder, *args) -> dict:
    report = folder / "report.json"
    result = freeze(*args, "--report", report)
    assert result.exit_code == 0, result.output
    return json.loads(report.read_text())


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_report_of_a_graph_freeze(mlp, tf):
    out = mlp / "out.pb"
    report = freeze_with_report(mlp, mlp / "model.pbtxt", mlp / "ckpt/model-0", "--outputs", "y", "-o", out)
    assert set(report) == REPORT_KEYS
    assert report["format"] == 1 and report["freezer_version"] == __version__
    assert report["output_file"] == {"path": str(out), "bytes": out.stat().st_size, "sha256": sha256(out)}
    recorded = {entry["path"]: entry for entry in report["input_files"]}
    for path in [mlp / "model.pbtxt", mlp / "ckpt/model-0.index", mlp / "ckpt/model-0.data-00000-of-00001"]:
        assert recorded[str(path)] == {"path": str(path), "bytes": path.stat().st_size, "sha256": sha256(path)}
    assert report["inputs"] == [{"name": "x:0", "dtype": "float", "shape": [None, 4]}]
    assert report["outputs"] == [{"name": "y:0", "dtype": "float", "shape": None}]
    # Every variable as TensorFlow reads the checkpoint: key, shape and size.
    stored = dict(tf.train.list_variables(str(mlp / "ckpt/model-0")))
    assert sorted(v["checkpoint_key"] for v in report["variables"]) == sorted(stored)
    for variable in report["variables"]:
        assert variable["dtype"] == "float" and variable["slice"] == ""
        assert variable["shape"] == stored[variable["checkpoint_key"]]
        assert variable["bytes"] == 4 * int(np.prod(variable["shape"]))
    assert report["variable_bytes"] == sum(v["bytes"] for v in report["variables"])
    assert report["nodes_before"] == 70 and report["nodes_after"] == 22
    assert report["kept_variables"] == [] and report["repairs"] == {} and report["init_op"] is None
    assert set(report["seconds"]) == {"total", "load", "prepare", "choose_variables", "read_values", "rewrite",
                                      "optimize", "check", "write"}


def test_report_records_the_command_as_typed(mlp):
    args = [str(mlp / "model.pbtxt"), str(mlp / "ckpt"), "--outputs", "y", "--report", str(mlp / "r.json")]
    done = subprocess.run([sys.executable, "-m", "freezer", "freeze", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads((mlp / "r.json").read_text())["command"] == ["python -m freezer", "freeze", *args]


def test_report_names_repairs_and_pins(tmp_path):
    fixture = load_fixture("batch_norm_v1")
    report = freeze_with_report(tmp_path, fixture.graph, fixture.checkpoint, "--outputs", "y",
                                "-o", tmp_path / "bn.pb")
    assert report["repairs"] and all(count > 0 for count in report["repairs"].values())
    assert "RefSwitch → Switch" in report["repairs"]


def test_report_names_the_init_op(tmp_path):
    fixture = load_fixture("tables")
    report = freeze_with_report(tmp_path, fixture.graph, fixture.checkpoint, "--outputs", "y",
                                "-o", tmp_path / "t.pb")
    assert report["init_op"] == "init_all_tables"
    assert report["inputs"][0]["name"] == "words:0" and report["inputs"][0]["dtype"] == "string"


def test_report_lists_kept_variables(mlp):
    report = freeze_with_report(mlp, mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y",
                                "--keep-variables", "layer2/w")
    assert report["kept_variables"] == ["layer2/w"]
    assert "layer2/w" not in {v["name"] for v in report["variables"]}


def test_report_of_a_saved_model(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(FIXTURES / "sm_two_in_two_out" / "model", folder)
    report = freeze_with_report(tmp_path, folder)
    assert report["inputs"] == [{"name": "count:0", "dtype": "int64", "shape": [None]},
                                {"name": "image:0", "dtype": "float", "shape": [None, 3]}]
    assert report["outputs"] == [{"name": "score:0", "dtype": "float", "shape": [None, 2]},
                                 {"name": "total:0", "dtype": "int64", "shape": []}]
    files = {entry["path"] for entry in report["input_files"]}
    assert str(folder / "saved_model.pb") in files
    assert all(v["checkpoint_key"].endswith("/.ATTRIBUTES/VARIABLE_VALUE") for v in report["variables"])


def test_no_report_when_the_freeze_fails(mlp):
    report = mlp / "report.json"
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "nope", "--report", report),
                 "Output 'nope' is not a node of the graph. Give node names as the graph has them.")
    assert not report.exists()


def test_report_may_not_be_the_output(mlp):
    out = mlp / "out.pb"
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", out, "--report", out),
                 f"--report {out} is also the output file; give the report its own path.")
    assert not out.exists()


def test_report_may_not_overwrite_the_graph(mlp):
    graph = mlp / "model.pbtxt"
    before = graph.read_bytes()
    result = freeze(graph, mlp / "ckpt", "--outputs", "y", "--report", graph)
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
    assert graph.read_bytes() == before and not (mlp / "model.frozen.pb").exists()


def test_report_needs_a_file_name(mlp):
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "--report", mlp)
    assert result.exit_code == 1 and result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert not (mlp / "model.frozen.pb").exists()


def test_report_without_a_value_is_a_usage_error(mlp):
    assert_usage_error(freeze(mlp / "model.pbtxt", "--report"), "Option '--report' requires an argument.")


def test_report_may_not_overwrite_the_checkpoint(mlp):
    index = mlp / "ckpt/model-0.index"
    before = index.read_bytes()
    out = mlp / "model.frozen.pb"
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "--report", index),
                 f"--report {index} would overwrite {index}, which this freeze read or wrote; the frozen graph "
                 f"{out} was written; give the report its own path.")
    assert index.read_bytes() == before


def test_report_may_not_overwrite_the_default_output(mlp):
    out = mlp / "model.frozen.pb"
    assert freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y").exit_code == 0
    frozen = out.read_bytes()
    assert_error(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "--report", out),
                 f"--report {out} would overwrite {out}, which this freeze read or wrote; the frozen graph "
                 f"{out} was written; give the report its own path.")
    assert out.read_bytes() == frozen
