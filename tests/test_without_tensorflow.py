"""freezer installs and freezes where TensorFlow cannot be imported (the native engine's promise)."""

import subprocess
import sys

import pytest

import freezer
from fixture_models import assert_outputs_equal, fixture_names, load_fixture, run_frozen

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


@pytest.fixture
def v1_checkpoint(tmp_path):
    """The mlp_ref variables saved again in the V1 checkpoint format (one file, no .index)."""
    import tensorflow as tf
    fixture = load_fixture("mlp_ref")
    reader = tf.train.load_checkpoint(str(fixture.checkpoint))  # the prefix ckpt/model-0
    keys = sorted(reader.get_variable_to_shape_map())
    prefix = tmp_path / "v1" / "model"
    prefix.parent.mkdir()
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        session.run(tf.raw_ops.Save(filename=str(prefix), tensor_names=keys,
                                    data=[tf.constant(reader.get_tensor(k)) for k in keys]))
    return fixture, prefix


def test_v1_checkpoint_falls_back_to_the_session_engine(v1_checkpoint, tmp_path):
    fixture, prefix = v1_checkpoint
    result = freezer.freeze_files(fixture.graph, prefix, outputs="y", output=tmp_path / "v1.pb")
    assert result.notes == [f"Checkpoint {prefix} is a V1 checkpoint (no .index file), which the native "
                            "reader does not read; read it with the session engine."]
    assert_outputs_equal(run_frozen(result.output_path, fixture.inputs, fixture.fetches), fixture.expected)


def test_v1_checkpoint_without_tensorflow_is_a_clear_error(v1_checkpoint, tmp_path):
    fixture, prefix = v1_checkpoint
    done = freeze_without_tf(fixture.graph, prefix, "--outputs", "y", "-o", tmp_path / "o.pb")
    assert (done.returncode, done.stderr) == (
        1, f"Error: Checkpoint {prefix} is a V1 checkpoint (no .index file), which the native reader "
           "does not read; use --engine session (it needs TensorFlow: pip install 'tf-freezer[tf]').\n")
    assert not (tmp_path / "o.pb").exists()


def test_importing_freezer_does_not_import_tensorflow():
    code = ("import sys, freezer, freezer.cli, freezer.api; freezer.freeze; "
            "print([m for m in sys.modules if m.split('.')[0] == 'tensorflow'])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "[]\n"), done.stderr
