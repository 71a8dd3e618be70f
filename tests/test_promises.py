"""The README's promises: no input becomes the output, the output's mode is the user's, an
unreadable graph is one `Error:` line, Ctrl-C is one line and exit code 130."""

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from cli_runs import freeze
from fixture_models import FIXTURES
from hostile import Run, assert_one_error

REPO = Path(__file__).resolve().parents[1]


def assert_refused(result, output: Path, input_file: Path) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == (f"Error: The output path {output} is the input file {input_file}; "
                             "choose another path with -o.\n")


def test_output_may_not_overwrite_a_state_file_naming_a_checkpoint_elsewhere(mlp, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for part in (mlp / "ckpt").glob("model-0.*"):
        part.rename(elsewhere / part.name)
    state = mlp / "ckpt/checkpoint"
    state.write_text(f'model_checkpoint_path: "{elsewhere / "model-0"}"\n')
    before = state.read_bytes()
    assert_refused(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", state), state, state)
    assert state.read_bytes() == before


def _symlink(target: Path, place: Path) -> Path:
    place.symlink_to(target)
    return place


def _hard_link(target: Path, place: Path) -> Path:
    os.link(target, place)
    return place


def _through_dot_dot(target: Path, place: Path) -> Path:
    (target.parent / "sub").mkdir()
    return target.parent / "sub" / ".." / target.name


@pytest.mark.parametrize("spelling", [_symlink, _hard_link, _through_dot_dot])
@pytest.mark.parametrize("input_name", ["model.pbtxt", "ckpt/checkpoint", "ckpt/model-0.index",
                                        "ckpt/model-0.data-00000-of-00001"])
def test_output_may_not_be_an_input_under_another_spelling(mlp, tmp_path, spelling, input_name):
    input_file = mlp / input_name
    before = input_file.read_bytes()
    output = spelling(input_file, tmp_path / "out.pb")
    assert_refused(freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", output), output, input_file)
    assert input_file.read_bytes() == before
    assert output.exists() and os.path.samefile(output, input_file)  # the link itself is kept too


def test_a_new_output_gets_the_mode_the_umask_gives(mlp):
    umask = os.umask(0o027)
    try:
        result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", mlp / "out.pb")
    finally:
        os.umask(umask)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((mlp / "out.pb").stat().st_mode) == 0o640


def test_an_existing_output_keeps_its_mode(mlp):
    output = mlp / "out.pb"
    output.write_bytes(b"previous result")
    output.chmod(0o600)
    result = freeze(mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", output)
    assert result.exit_code == 0, result.output
    assert output.read_bytes() != b"previous result"
    assert stat.S_IMODE(output.stat().st_mode) == 0o600


# ---- a graph the user may not read --------------------------------------------------------------

def _unprivileged() -> list[str]:
    """A command prefix that runs the rest as an unprivileged user: root reads a chmod 000 file."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv (util-linux) to drop root's rights")
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _run_unprivileged(*args) -> Run:
    command = [*_unprivileged(), sys.executable, "-m", "freezer", "freeze", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd="/",
                          env={**os.environ, "PYTHONPATH": str(REPO)}, stdin=subprocess.DEVNULL)
    return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def shared_folder():
    """A folder an unprivileged user may enter (pytest's tmp_path is root's alone)."""
    probe = subprocess.run([*_unprivileged(), sys.executable, "-c", "import freezer.cli"], cwd="/",
                           env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True)
    if probe.returncode != 0:
        pytest.skip("an unprivileged user cannot run freezer from this checkout")
    folder = Path(tempfile.mkdtemp(prefix="freezer-promises-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755)
    shutil.rmtree(folder)


def test_an_unreadable_graph_is_one_error_line(shared_folder):
    graph = shared_folder / "model.pbtxt"
    shutil.copy(FIXTURES / "mlp_ref/model.pbtxt", graph)
    graph.chmod(0)
    run = _run_unprivileged(graph, "--outputs", "y", "-o", shared_folder / "out.pb")
    assert_one_error(run, contains=f"{graph}: Permission denied", output=shared_folder / "out.pb")


def test_a_graph_in_a_folder_that_may_not_be_searched_is_one_error_line(shared_folder):
    folder = shared_folder / "locked"
    folder.mkdir()
    graph = folder / "model.pbtxt"
    shutil.copy(FIXTURES / "mlp_ref/model.pbtxt", graph)
    folder.chmod(0o700)  # its owner, root, may search it; nobody may not
    run = _run_unprivileged(graph, "--outputs", "y", "-o", shared_folder / "out.pb")
    assert_one_error(run, contains=f"{graph}: Permission denied", output=shared_folder / "out.pb")


# ---- Ctrl-C ---------------------------------------------------------------------------------------

# Runs an entry point as its console script or `python -m` runs it. SIGINT is ignored until the
# entry point installs its own handler, so a signal that lands while Python itself starts (no
# freezer code can run then) is not counted against freezer; "ready" tells the test when to start
# its clock.
_STARTER = """
import runpy, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
how, target, *args = sys.argv[1:]
sys.argv = [target, *args]
print("ready", flush=True)
if how == "script":
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


def _start(how: str, target: str, args: list) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", _STARTER, how, target, *map(str, args)], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                             env={**os.environ, "PYTHONPATH": str(REPO)})
    assert child.stdout.readline() == "ready\n"
    return child


def _interrupt_after(delay: float, how: str, target: str, args: list) -> subprocess.CompletedProcess:
    child = _start(how, target, args)
    time.sleep(delay)
    child.send_signal(signal.SIGINT)  # harmless if it has just finished: it is not reaped yet
    stdout, stderr = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)


_SCRIPTS = Path(sys.executable).parent
ENTRY_POINTS = {"freeze": ("script", str(_SCRIPTS / "freeze"), []),
                "freezer": ("script", str(_SCRIPTS / "freezer"), ["freeze"]),
                "python -m freezer": ("module", "freezer", ["freeze"])}


@pytest.mark.parametrize("entry_point", ENTRY_POINTS)
def test_ctrl_c_at_any_moment_is_one_line_and_exit_code_130(mlp, entry_point):
    how, target, command = ENTRY_POINTS[entry_point]
    output = mlp / "out.pb"
    args = [*command, mlp / "model.pbtxt", mlp / "ckpt", "--outputs", "y", "-o", output]
    started = time.perf_counter()
    child = _start(how, target, args)
    _, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    whole_run = time.perf_counter() - started
    output.unlink()
    interrupted = 0
    for fraction in (0.0, 0.1, 0.25, 0.45, 0.7, 0.95):  # most of a run is imports
        done = _interrupt_after(whole_run * fraction, how, target, args)
        assert "Traceback" not in done.stderr, done.stderr
        assert done.returncode in (0, 130), (fraction, done.returncode, done.stderr)
        if done.returncode == 130:
            interrupted += 1
            assert done.stderr == "Interrupted.\n"
        else:
            assert output.is_file()
        assert not list(mlp.glob(".*.tmp")), "an interrupted write left its temp file"
        output.unlink(missing_ok=True)
    assert interrupted, "no run was interrupted; the test needs earlier signals"
