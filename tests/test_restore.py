"""freezer.restore (freezer/restoring.py): every variable restored through freeze's own key mapping,
checked against TensorFlow's own restore (the graph's saver, or TF's SavedModel loader) on every fixture."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import freezer
from affine_model import build_affine_model
from fixture_models import fixture_names, load_fixture, run_original
from freezer.errors import CheckpointError, OptionError
from freezer.restoring import load_original, restore


def restore_fixture(name: str):
    """Restore a fixture with freezer and run its outputs on its inputs."""
    fixture = load_fixture(name)
    options = {key: value for key, value in fixture.api_options().items() if key in ("tag", "signature")}
    original = load_original(fixture.graph, fixture.checkpoint, **options)
    session, elements = restore(fixture.graph, fixture.checkpoint, return_elements=fixture.fetches, **options)
    with session:
        feeds = {original.tensor_name(tensor): value for tensor, value in fixture.inputs.items()}
        return fixture, dict(zip(fixture.fetches, session.run(elements, feeds)))


@pytest.mark.parametrize("name", fixture_names())
def test_restore_matches_tensorflows_own_restore_exactly(name, tf):
    fixture, restored = restore_fixture(name)
    for tensor, want in run_original(fixture).items():
        got = np.asarray(restored[tensor])
        assert got.dtype == np.asarray(want).dtype, tensor
        np.testing.assert_array_equal(got, want, err_msg=tensor)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory, tf):
    return build_affine_model(tmp_path_factory.mktemp("tiny"), tf)


def test_every_variable_is_restored_and_training_can_go_on(tiny):
    session, (y, step) = restore(tiny / "model.pbtxt", tiny / "ckpt", return_elements=["y:0", "step"])
    with session:
        np.testing.assert_array_equal(session.run(y, {"x:0": [[1.0, 2.0]]}), [[2.5, 6.5]])
        assert session.run("spare:0") == 7  # restored, though y does not need it
        session.run(step)
        assert session.run("spare:0") == 8


def test_input_map_replaces_an_input(tiny):
    session, (y,) = restore(tiny / "model.pbtxt", tiny / "ckpt", input_map={"x:0": np.array([[2.0, 2.0]], np.float32)},
                            return_elements=["y:0"])
    with session:
        np.testing.assert_array_equal(session.run(y), [[4.5, 6.5]])


def test_a_signature_key_names_its_tensor():
    fixture = load_fixture("sm_two_in_two_out")
    session, (score, total) = restore(fixture.graph, return_elements=["score", "total:0"])
    with session:
        assert (score.name, total.name) == ("StatefulPartitionedCall:0", "StatefulPartitionedCall:1")


def test_a_variable_missing_from_the_checkpoint_is_the_error_freeze_gives(tiny, tmp_path, tf):
    with tf.Graph().as_default():
        w = tf.compat.v1.Variable([2.0, 3.0], name="w", use_resource=False)
        saver = tf.compat.v1.train.Saver([w])
        with tf.compat.v1.Session() as session:
            session.run(w.initializer)
            prefix = saver.save(session, str(tmp_path / "only_w"))
    with pytest.raises(CheckpointError) as raised:
        restore(tiny / "model.pbtxt", prefix)
    assert str(raised.value) == (f"Variable b is not in checkpoint {prefix}. It holds 1 key(s): w. "
                                 "Check the checkpoint belongs to this graph.")
    with pytest.raises(CheckpointError) as frozen:
        freezer.freeze_files(tiny / "model.pbtxt", prefix, outputs="y", output=tmp_path / "y.pb")
    assert str(frozen.value) == str(raised.value)


def test_variables_without_a_checkpoint(tiny):
    with pytest.raises(CheckpointError) as raised:
        restore(tiny / "model.pbtxt")
    assert str(raised.value) == ("The graph has 3 variable(s) (w, b, spare) but no checkpoint was given; pass the "
                                 "checkpoint prefix or folder after the graph.")


def test_a_saved_model_takes_no_checkpoint(tiny):
    fixture = load_fixture("sm_tf1_serve")
    with pytest.raises(OptionError) as raised:
        restore(fixture.graph, tiny / "ckpt")
    assert str(raised.value) == (f"{fixture.graph} is a SavedModel folder, whose variables/ is its checkpoint; "
                                 "leave out the checkpoint.")


def test_tag_and_signature_are_for_saved_models(tiny):
    with pytest.raises(OptionError) as raised:
        restore(tiny / "model.pbtxt", tiny / "ckpt", signature="serving_default")
    assert str(raised.value) == (f"--tag and --signature choose within a SavedModel folder, and {tiny / 'model.pbtxt'} "
                                 "is not one; leave them out.")


def test_without_tensorflow_restore_says_how_to_install_it():
    fixture = load_fixture("mlp_ref")
    code = ("import sys; sys.modules['tensorflow'] = None\n"
            "from freezer.restoring import restore\n"
            f"try:\n    restore({str(fixture.graph)!r}, {str(fixture.checkpoint)!r})\n"
            "except Exception as error:\n    print(type(error).__name__, error)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout == ("FreezerError freezer.restore needs TensorFlow; install it with "
                           "pip install 'tf-freezer[tf]'.\n"), done.stderr
