"""`freeze --verify` and `freezer verify`: both graphs run on the same inputs, every output compared;
a frozen graph that differs is caught and named; bad options are one `Error:` line each."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2, types_pb2
from typer.testing import CliRunner

from affine_model import build_affine_model
from cli_runs import assert_error, freeze
from fixture_models import FIXTURES, fixture_names, load_fixture
from freezer.cli import freezer_app
from freezer.tensors import make_tensor_proto
from freezer.verify import VerificationError, compare
from test_without_tensorflow import WITHOUT_TF

MLP = [FIXTURES / "mlp_ref" / "model.pbtxt", FIXTURES / "mlp_ref" / "ckpt" / "model-0", "--outputs", "y"]


def verify(*args):
    """`freezer verify ARGS...`, whatever its outcome."""
    return CliRunner().invoke(freezer_app, ["verify", *map(str, args)])


def assert_unverified(result, message: str, output) -> None:
    """The freeze wrote `output` (and said so), then verifying failed: one error line, exit code 1."""
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {message} {output} was written but is unverified.\n"
    assert f"Wrote {output} " in result.stdout
    assert output.is_file()


def compared_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("Compared ")]


@pytest.mark.parametrize("name", fixture_names())
def test_every_fixture_freezes_and_verifies(name, tmp_path, tf):
    """`freeze --verify` on generated inputs, then `freezer verify` of the file on the fixture's own."""
    fixture = load_fixture(name)
    frozen = tmp_path / "frozen.pb"
    done = freeze(*fixture.cli_args(), "-o", frozen, "--verify")
    assert done.exit_code == 0, done.output
    count = len(fixture.expected)
    assert done.stdout.endswith(f"Verified: {count} output{'s match' if count > 1 else ' matches'} the original "
                                "(rtol 1e-05).\n")
    assert [line.split()[1] for line in compared_lines(done.stdout)] == fixture.fetches

    feeds = []
    for number, (tensor, value) in enumerate(fixture.frozen_inputs.items()):
        np.save(tmp_path / f"{number}.npy", value)
        feeds += ["--feed", f"{tensor.rsplit(':', 1)[0]}={tmp_path / f'{number}.npy'}"]
    checkpoint = [fixture.checkpoint] if fixture.checkpoint else []
    done = verify(frozen, fixture.graph, *checkpoint, *feeds, *fixture.freeze_args)
    assert done.exit_code == 0, done.output
    shapes = [re.fullmatch(r"Compared \S+ \S+ (\[.*\]): .*", line).group(1) for line in compared_lines(done.stdout)]
    assert shapes == [str(list(value.shape)) for value in fixture.expected.values()]


@pytest.fixture(scope="module")
def affine(tmp_path_factory, tf):
    return build_affine_model(tmp_path_factory.mktemp("affine"), tf)


@pytest.fixture
def x_file(tmp_path):
    path = tmp_path / "x.npy"
    np.save(path, np.array([[1.0, 2.0]], np.float32))
    return path


def test_verify_prints_what_it_fed_and_compared(affine, x_file, tmp_path):
    done = freeze(affine / "model.pbtxt", affine / "ckpt", "--outputs", "y", "-o", tmp_path / "y.pb", "--verify",
                  "--feed", f"x={x_file}")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-3:] == ["Fed x:0 float [1, 2] (from --feed)",
                                             "Compared y:0 float [1, 2]: max abs diff 0",
                                             "Verified: 1 output matches the original (rtol 1e-05)."]


def test_input_shapes_choose_the_generated_shape(tmp_path, tf):
    done = freeze(*MLP, "-o", tmp_path / "y.pb", "--verify", "--input-shape", "x=5,4")
    assert done.exit_code == 0, done.output
    assert done.stdout.splitlines()[-3:-1] == ["Fed x:0 float [5, 4] (generated)",
                                               "Compared y:0 float [5, 3]: max abs diff 0"]


def test_quiet_verify_prints_nothing(tmp_path, tf):
    done = freeze(*MLP, "-o", tmp_path / "y.pb", "--verify", "--quiet")
    assert (done.exit_code, done.stdout) == (0, "")


def test_values_changed_after_restoring_are_caught_and_the_file_kept(affine, x_file, tmp_path):
    """--init-op w/Assign runs w's initializer ([1, 1]) before values are read: the frozen graph is
    not the checkpoint's model ([2, 3]), and verify says so."""
    output = tmp_path / "y.pb"
    done = freeze(affine / "model.pbtxt", affine / "ckpt", "--outputs", "y", "-o", output, "--engine", "session",
                  "--init-op", "w/Assign", "--verify", "--feed", f"x={x_file}")
    assert done.exit_code == 1
    assert done.stderr == ("Error: Output y:0 differs: largest difference 4 at [0, 1] (frozen 2.5, original 6.5); "
                           f"2 of 2 element(s) do not match within rtol 1e-05; {output} was written but is "
                           "unverified.\n")
    assert output.is_file()


def frozen_with_b(affine, tmp_path, b) -> str:
    """The affine model frozen, then its constant b replaced by `b`."""
    output = tmp_path / "y.pb"
    assert freeze(affine / "model.pbtxt", affine / "ckpt", "--outputs", "y", "-o", output).exit_code == 0
    graph_def = graph_pb2.GraphDef.FromString(output.read_bytes())
    (constant,) = [node for node in graph_def.node if node.name == "b"]
    constant.attr["value"].tensor.CopyFrom(make_tensor_proto(np.array(b, np.float32), types_pb2.DT_FLOAT))
    output.write_bytes(graph_def.SerializeToString())
    return output


def test_a_changed_constant_fails_verify_naming_the_output(affine, x_file, tmp_path):
    done = verify(frozen_with_b(affine, tmp_path, [0.5, 1.0]), affine / "model.pbtxt", affine / "ckpt",
                  "--feed", f"x={x_file}")
    assert_error(done, "Output y:0 differs: largest difference 0.5 at [0, 1] (frozen 7, original 6.5); "
                       "1 of 2 element(s) do not match within rtol 1e-05.")


def test_rtol_is_relative_to_the_values(affine, x_file, tmp_path):
    frozen = frozen_with_b(affine, tmp_path, [0.5, 0.5 + 2e-6])  # y[1] = 6.5 off by ~2e-6 (3e-7 relative)
    args = [frozen, affine / "model.pbtxt", affine / "ckpt", "--feed", f"x={x_file}"]
    assert verify(*args).exit_code == 0
    assert_error(verify(*args, "--rtol", "1e-8"), "Output y:0 differs: largest difference 1.907349e-06 at [0, 1] "
                                                  "(frozen 6.500002, original 6.5); 1 of 2 element(s) do not match "
                                                  "within rtol 1e-08.")


def test_freezer_verify_checks_the_structure_first(tmp_path):
    graph = FIXTURES / "mlp_ref" / "model.pbtxt"
    assert_error(verify(graph, graph, FIXTURES / "mlp_ref" / "ckpt"),
                 f"{graph} fails the checks of a frozen graph: The outputs still need variable or training ops: "
                 "layer0/w (VariableV2), layer0/w/Assign (Assign), layer0/b (VariableV2), layer0/b/Assign (Assign), "
                 "layer1/w (VariableV2); choose outputs that do not depend on training or saving.")


# ---- comparing -------------------------------------------------------------------------------

def test_floats_near_zero_are_judged_by_the_outputs_largest_magnitude(tf):
    assert compare("y:0", np.array([4e-6, 1.0], np.float32), np.array([0.0, 1.0], np.float32), 1e-5) \
        .largest_difference == pytest.approx(4e-6)
    with pytest.raises(VerificationError) as raised:
        compare("y:0", np.array([4e-5, 1.0], np.float32), np.array([0.0, 1.0], np.float32), 1e-5)
    assert str(raised.value) == ("Output y:0 differs: largest difference 4e-05 at [0] (frozen 4e-05, "
                                 "original 0); 1 of 2 element(s) do not match within rtol 1e-05.")


def test_nans_match_nans_only(tf):
    assert compare("y:0", np.array([np.nan, np.inf]), np.array([np.nan, np.inf]), 0).largest_difference == 0
    with pytest.raises(VerificationError) as raised:
        compare("y:0", np.array([np.nan, 1.0]), np.array([0.0, 1.0]), 1e-5)
    assert str(raised.value) == ("Output y:0 differs: largest difference inf at [0] (frozen nan, original 0); "
                                 "1 of 2 element(s) do not match within rtol 1e-05.")


def test_integers_bools_and_strings_must_be_equal(tf):
    with pytest.raises(VerificationError) as raised:
        compare("i:0", np.array([1, 2], np.int64), np.array([1, 3], np.int64), 1.0)
    assert str(raised.value) == ("Output i:0 differs: largest difference 1 at [1] (frozen 2, original 3); "
                                 "1 of 2 element(s) do not match exactly.")
    with pytest.raises(VerificationError) as raised:
        compare("s:0", np.array([b"a", b"b"], object), np.array([b"a", b"c"], object), 1.0)
    assert str(raised.value) == "Output s:0 differs in 1 of 2 element(s); the first at [1]: frozen b'b', original b'c'."
    assert compare("b:0", np.array(True), np.array(True), 0).largest_difference is None


def test_shapes_and_dtypes_must_be_equal(tf):
    with pytest.raises(VerificationError) as raised:
        compare("y:0", np.zeros((2, 3), np.float32), np.zeros((2, 4), np.float32), 1e-5)
    assert str(raised.value) == "Output y:0 has shape [2, 3] in the frozen graph but [2, 4] in the original."
    with pytest.raises(VerificationError) as raised:
        compare("y:0", np.zeros(2, np.float32), np.zeros(2, np.float64), 1e-5)
    assert str(raised.value) == "Output y:0 is float32 in the frozen graph but float64 in the original."


# ---- bad input -------------------------------------------------------------------------------

@pytest.fixture
def arrays(tmp_path):
    """Feed files in tmp_path: ok (float32 [2, 4]), f64 (float64 [1, 4]), f32x5 (float32 [1, 5]),
    text (not .npy), objects (a pickled object array), archive (.npz)."""
    np.save(tmp_path / "ok.npy", np.ones((2, 4), np.float32))
    np.save(tmp_path / "f64.npy", np.zeros((1, 4)))
    np.save(tmp_path / "f32x5.npy", np.zeros((1, 5), np.float32))
    (tmp_path / "text.npy").write_text("not an array")
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.savez(tmp_path / "archive.npz", a=np.zeros(2))
    return tmp_path


@pytest.mark.parametrize(("args", "message"), [
    (["--feed", "x={}/missing.npy"], "--feed x={0}/missing.npy: cannot read {0}/missing.npy (No such file or "
                                     "directory); give a .npy file saved with numpy.save."),
    (["--feed", "x={}/text.npy"], "--feed x={0}/text.npy: {0}/text.npy is not a .npy file of numbers, bools or "
                                  "strings (Python objects are not loaded); save the array with numpy.save."),
    (["--feed", "x={}/objects.npy"], "--feed x={0}/objects.npy: {0}/objects.npy is not a .npy file of numbers, "
                                     "bools or strings (Python objects are not loaded); save the array with "
                                     "numpy.save."),
    (["--feed", "x={}/archive.npz"], "--feed x={0}/archive.npz: {0}/archive.npz is an .npz archive, not a .npy "
                                     "file; save one array with numpy.save."),
    (["--feed", "x={}"], "--feed x={0}: {0} is not a regular file; give a .npy file saved with numpy.save."),
    (["--feed", "x.npy"], "--feed x.npy: expected NAME=FILE.npy, e.g. --feed x=x.npy."),
    (["--feed", "=x.npy"], "--feed =x.npy: expected NAME=FILE.npy, e.g. --feed x=x.npy."),
    (["--feed", "x={}/ok.npy", "--feed", "x={}/ok.npy"], "--feed x is given twice; give each input once."),
    (["--input-shape", "x=1,a"], "--input-shape x=1,a: expected NAME=D,D,..., e.g. --input-shape image=1,224,224,3."),
    (["--input-shape", "x=-1,4"], "--input-shape x=-1,4: expected NAME=D,D,..., e.g. --input-shape "
                                  "image=1,224,224,3."),
    (["--input-shape", "x"], "--input-shape x: expected NAME=D,D,..., e.g. --input-shape image=1,224,224,3."),
    (["--rtol", "-1"], "--rtol -1: give a tolerance of 0 or more, e.g. --rtol 1e-5."),
])
def test_bad_verify_options_fail_before_anything_is_written(args, message, arrays, tmp_path):
    args = [arg.replace("{}", str(arrays)) for arg in args]
    output = tmp_path / "y.pb"
    assert_error(freeze(*MLP, "-o", output, "--verify", *args), message.format(arrays))
    assert not output.exists()


def test_verify_options_need_verify(arrays, tmp_path):
    output = tmp_path / "y.pb"
    assert_error(freeze(*MLP, "-o", output, "--feed", f"x={arrays}/ok.npy"),
                 "--feed, --input-shape and --rtol go with --verify; add --verify.")
    assert not output.exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--feed", "x={}/f64.npy"], "--feed x: x takes float [?, 4], not double [1, 4]; give an array of that dtype "
                                 "and shape."),
    (["--feed", "x={}/f32x5.npy"], "--feed x: x takes float [?, 4], not float [1, 5]; give an array of that dtype "
                                   "and shape."),
    (["--feed", "xx={}/ok.npy"], "--feed xx: the frozen graph has no input 'xx'; its inputs are: x. Did you mean: "
                                 "x?"),
    (["--input-shape", "q=1,4"], "--input-shape q: the frozen graph has no input 'q'; its inputs are: x."),
    (["--input-shape", "x=2,4,1"], "--input-shape x=2,4,1: x takes shape [?, 4]; give a shape that fits it, e.g. "
                                   "--input-shape x=1,4."),
    (["--feed", "x={}/ok.npy", "--input-shape", "x=2,4"], "--feed and --input-shape both give input x; give its "
                                                           "value or its shape, not both."),
])
def test_inputs_that_do_not_fit_the_frozen_graph_leave_it_unverified(args, message, arrays, tmp_path, tf):
    args = [arg.replace("{}", str(arrays)) for arg in args]
    output = tmp_path / "y.pb"
    assert_unverified(freeze(*MLP, "-o", output, "--verify", *args), message, output)


@pytest.fixture(scope="module")
def pinned(tmp_path_factory, tf):
    """pinned_bn frozen with --set is_training=false: (frozen file, original graph, checkpoint)."""
    fixture = load_fixture("pinned_bn")
    output = tmp_path_factory.mktemp("pinned") / "bn.pb"
    assert freeze(*fixture.cli_args(), "-o", output).exit_code == 0
    return [output, fixture.graph, fixture.checkpoint]


@pytest.mark.parametrize(("args", "message"), [
    ([], "The original graph's outputs need input is_training, which the frozen graph does not have (pinned with "
         "--set when freezing?); give its value with --set is_training=VALUE."),
    (["--set", "is_trainin=false"], "--set is_trainin: the original graph has no placeholder 'is_trainin'; name the "
                                    "placeholder pinned when freezing. Did you mean: is_training, "
                                    "is_training/input?"),
    (["--set", "is_training=false", "--set", "x=1"], "--set x: x is an input of the frozen graph, so it was not "
                                                     "pinned; give its value with --feed x=FILE.npy."),
    (["--set", "is_training=maybe"], "--set is_training=maybe: 'maybe' is not a bool value; give e.g. false, 3, 0.5 "
                                     "or [1, 2]."),
    (["--set", "is_training=false", "--outputs", "yy"], "Output 'yy' is not a node of the graph. Did you mean: y?"),
])
def test_freezer_verify_errors(args, message, pinned):
    assert_error(verify(*pinned, *args), message)


def test_a_frozen_graph_of_another_model_is_refused(pinned):
    mlp = FIXTURES / "mlp_ref"
    assert_error(verify(pinned[0], mlp / "model.pbtxt", mlp / "ckpt"),
                 "Input x is float [?, 3] in the frozen graph but float [?, 4] in the original; verify the frozen "
                 "graph against the graph it was frozen from.")


def test_an_input_of_unknown_shape_needs_one(affine, tmp_path, tf):
    graph_def = text_format.Parse((affine / "model.pbtxt").read_text(), graph_pb2.GraphDef())
    for node in graph_def.node:
        if node.name == "x":
            del node.attr["shape"]
    (tmp_path / "model.pbtxt").write_text(text_format.MessageToString(graph_def))
    args = [tmp_path / "model.pbtxt", affine / "ckpt", "--outputs", "y", "-o", tmp_path / "y.pb", "--verify"]
    assert_unverified(freeze(*args), "Input x has no known shape; give one with --input-shape x=D,D,... or a value "
                                     "with --feed x=FILE.npy.", tmp_path / "y.pb")
    done = freeze(*args, "--input-shape", "x=4,2")
    assert done.exit_code == 0, done.output
    assert "Compared y:0 float [4, 2]: max abs diff 0" in done.stdout
    assert_unverified(freeze(*args, "--input-shape", "x=3"), "Running the frozen graph failed: Incompatible shapes: "
                                                             "[2] vs. [3] (node 'mul');", tmp_path / "y.pb")


def run_without_tf(*args):
    return subprocess.run([sys.executable, "-c", WITHOUT_TF, *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def test_verify_without_tensorflow_says_how_to_install_it(tmp_path):
    output = tmp_path / "y.pb"
    done = run_without_tf("freeze", *MLP, "-o", output, "--verify")
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "Error: --verify needs TensorFlow to run the frozen graph and the original; install it with "
               "pip install 'tf-freezer[tf]'.\n")
    assert not output.exists()
    assert run_without_tf("freeze", *MLP, "-o", output).returncode == 0
    done = run_without_tf("verify", output, *MLP[:2])
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "Error: freezer verify needs TensorFlow to run the frozen graph and the original; install it with "
               "pip install 'tf-freezer[tf]'.\n")
