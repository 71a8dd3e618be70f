"""freezer installs and freezes where TensorFlow cannot be imported (the native engine's promise)."""

import subprocess
import sys

import pytest

import freezer
from fixture_models import fixture_names, load_fixture

# Run the CLI in a fresh interpreter in which `import tensorflow` raises ImportError.
WITHOUT_TF = """
import sys
sys.modules["tensorflow"] = None
from freezer.cli import freezer_app
freezer_app(sys.argv[1:], prog_name="freezer")
"""


def freeze_without_tf(*args):
    return subprocess.run([sys.executable, "-c", WITHOUT_TF, "freeze", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_freezes_without_tensorflow(name, tmp_path):
    fixture = load_fixture(name)
    done = freeze_without_tf(*fixture.cli_args(), "-o", tmp_path / "frozen.pb")
    assert done.returncode == 0, done.stderr
    with_tf = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs=fixture.outputs,
                                   output=tmp_path / "with_tf.pb", engine="session", **fixture.api_options())
    assert (tmp_path / "frozen.pb").read_bytes() == with_tf.output_path.read_bytes()


def test_the_session_engine_says_tensorflow_is_missing(tmp_path):
    fixture = load_fixture("mlp_ref")
    done = freeze_without_tf(*fixture.cli_args(), "-o", tmp_path / "o.pb", "--engine", "session")
    assert (done.returncode, done.stderr) == (
        1, "Error: The session engine needs TensorFlow; install it with pip install 'tf-freezer[tf]'.\n")


def test_importing_freezer_does_not_import_tensorflow():
    code = ("import sys, freezer, freezer.cli, freezer.api; freezer.freeze; "
            "print([m for m in sys.modules if m.split('.')[0] == 'tensorflow'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr
