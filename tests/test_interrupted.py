"""Interrupted runs (issue 10): a freeze ended while it writes leaves no temp file beside its output,
and never touches the output it was replacing.

Each test runs real `python -m freezer freeze` children on a model whose one variable takes 100 MB
(built once per session by this file run as a script), so an output's temp file lives long enough
to be seen. Once a child's temp file is there, the test stops the child (SIGSTOP) and checks that
the old output is still in place: the signal under test then lands mid-write for certain, not by
luck of timing.

SIGINT and SIGTERM remove the temp file and end the run with one line; SIGKILL cannot, so the temp
file carries the writer's pid and holds a lock, and the next run writing the same output removes
it, but never a live writer's (freezer/io/graphdef.py, `_remove_orphans_of`).
"""

import fcntl
import filecmp
import importlib.util
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fixture_models import build_in_child

REPO = Path(__file__).resolve().parents[1]
WEIGHTS = 25_000_000  # float32 elements of the model's one variable: 100 MB
OLD_OUTPUT = b"the output an earlier run wrote"
CHILD_TIME_LIMIT = 120  # seconds; a run takes a few, the rest is margin for a loaded machine
ATTEMPTS = 5  # runs to stop mid-write before the test gives up; one nearly always does


@pytest.fixture(scope="session")
def big_model(tmp_path_factory) -> Path:
    """model.pbtxt and its checkpoint ckpt/model: y = x * w, w a 100 MB REF variable."""
    if importlib.util.find_spec("tensorflow") is None:  # found, not imported: the build runs in a child
        pytest.skip("TensorFlow builds the model; it is not installed")
    folder = tmp_path_factory.mktemp("big_model")
    build_in_child(__file__, folder)
    return folder


@pytest.fixture(scope="session")
def frozen_reference(big_model, tmp_path_factory) -> Path:
    """What a run nobody interrupts writes: freezer's output is the same bytes every time."""
    reference = tmp_path_factory.mktemp("reference") / "model.pb"
    finished = _freeze(big_model, reference)
    assert finished.returncode == 0, finished.stderr
    return reference


@pytest.fixture
def output(tmp_path) -> Path:
    """The output path, holding what an earlier run wrote there."""
    path = tmp_path / "out.pb"
    path.write_bytes(OLD_OUTPUT)
    return path


def _command(model: Path, output: Path) -> list[str]:
    return [sys.executable, "-m", "freezer", "freeze", str(model / "model.pbtxt"), str(model / "ckpt"),
            "--outputs", "y", "-o", str(output)]


def _freeze(model: Path, output: Path) -> subprocess.CompletedProcess:
    return subprocess.run(_command(model, output), capture_output=True, text=True, timeout=CHILD_TIME_LIMIT,
                          env=_child_env(), stdin=subprocess.DEVNULL)


def _start_freeze(model: Path, output: Path) -> subprocess.Popen:
    return subprocess.Popen(_command(model, output), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_child_env(), stdin=subprocess.DEVNULL)


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def _temp_files(output: Path) -> list[Path]:
    return sorted(output.parent.glob(f".{output.name}.*.tmp"))


def _start_and_stop_mid_write(model: Path, output: Path) -> tuple[subprocess.Popen, Path]:
    """A freeze of `model` to `output`, stopped while it writes: (the child, its temp file)."""
    for _ in range(ATTEMPTS):
        child = _start_freeze(model, output)
        temp = _stop_at_temp_file(child, output)
        if temp is not None and temp.exists():  # stopped before its rename
            assert output.read_bytes() == OLD_OUTPUT
            return child, temp
        # The write was over before the child could be stopped in it (a busy machine): try again.
        child.send_signal(signal.SIGCONT)
        finished = _finish(child)
        assert finished.returncode == 0, finished.stderr
        output.write_bytes(OLD_OUTPUT)
    raise AssertionError(f"no run was stopped while writing in {ATTEMPTS} attempts; the model is too small")


def _stop_at_temp_file(child: subprocess.Popen, output: Path) -> Path | None:
    """Stop the child as soon as its temp file (named after its pid) has bytes in it, and return the
    file; None when the run ends first."""
    prefix = f".{output.name}.{child.pid}."
    deadline = time.monotonic() + CHILD_TIME_LIMIT
    while child.poll() is None:
        found = [entry.path for entry in os.scandir(output.parent)
                 if entry.name.startswith(prefix) and _size(entry) > 0]
        if found:
            child.send_signal(signal.SIGSTOP)
            _wait_until_stopped(child.pid)
            return Path(found[0])
        assert time.monotonic() < deadline, f"the run took longer than {CHILD_TIME_LIMIT} s"
        time.sleep(0.0005)
    return None


def _size(entry: os.DirEntry) -> int:
    try:
        return entry.stat().st_size
    except FileNotFoundError:  # renamed since the folder was listed
        return 0


def _wait_until_stopped(pid: int) -> None:
    """Until the process is stopped, or has ended (a zombie: it is not reaped yet)."""
    stat = Path(f"/proc/{pid}/stat")
    # The state follows the command name in parentheses, which may itself hold spaces.
    while stat.read_text().rsplit(")", 1)[1].split()[0] not in ("T", "t", "Z"):
        time.sleep(0.001)


def _finish(child: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = child.communicate(timeout=CHILD_TIME_LIMIT)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)


def _dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _orphan_name(output: Path, pid: int) -> Path:
    """A temp file name as a writer with `pid` gives its temp file for `output`."""
    return output.with_name(f".{output.name}.{pid}.{secrets.token_hex(8)}.tmp")


@pytest.mark.parametrize("signum, line, exit_code", [(signal.SIGINT, "Interrupted.", 130),
                                                     (signal.SIGTERM, "Terminated.", 143)])
def test_a_signal_mid_write_removes_the_temp_file_and_ends_in_one_line(big_model, output, signum, line,
                                                                       exit_code):
    child, temp = _start_and_stop_mid_write(big_model, output)
    child.send_signal(signum)
    child.send_signal(signal.SIGCONT)
    ended = _finish(child)
    assert (ended.returncode, ended.stderr, ended.stdout) == (exit_code, f"{line}\n", "")
    assert not temp.exists() and _temp_files(output) == []
    assert output.read_bytes() == OLD_OUTPUT


def test_a_killed_writers_temp_file_is_removed_by_the_next_run(big_model, output, frozen_reference):
    child, temp = _start_and_stop_mid_write(big_model, output)
    child.kill()
    assert _finish(child).returncode == -signal.SIGKILL
    assert temp.exists(), "SIGKILL leaves the temp file: nothing else can remove it"
    assert output.read_bytes() == OLD_OUTPUT

    again = _freeze(big_model, output)
    assert again.returncode == 0, again.stderr
    assert _temp_files(output) == []
    assert filecmp.cmp(output, frozen_reference, shallow=False)


def test_a_live_writers_temp_file_survives_a_second_run_and_both_end_in_one_valid_file(big_model, output,
                                                                                      frozen_reference):
    first, first_temp = _start_and_stop_mid_write(big_model, output)
    second = _freeze(big_model, output)  # the whole run, while the first is stopped mid-write
    assert second.returncode == 0, second.stderr
    assert first_temp.exists(), "the second run removed a live writer's temp file"
    assert filecmp.cmp(output, frozen_reference, shallow=False)

    first.send_signal(signal.SIGCONT)
    finished = _finish(first)
    assert finished.returncode == 0, finished.stderr
    assert _temp_files(output) == []
    assert filecmp.cmp(output, frozen_reference, shallow=False)


def test_concurrent_runs_to_one_output_end_in_one_valid_file(big_model, output, frozen_reference):
    runs = [_start_freeze(big_model, output) for _ in range(3)]
    for finished in map(_finish, runs):
        assert finished.returncode == 0, finished.stderr
    assert _temp_files(output) == []
    assert filecmp.cmp(output, frozen_reference, shallow=False)


def test_only_orphans_of_the_same_output_whose_writer_is_gone_are_removed(mlp, tmp_path):
    output = tmp_path / "out.pb"
    gone = _dead_pid()
    orphan = _orphan_name(output, gone)
    locked = _orphan_name(output, gone)  # a writer whose pid we cannot see (another container) holds its lock
    live = _orphan_name(output, os.getpid())  # a live writer, between creating its temp file and locking it
    other_output = _orphan_name(tmp_path / "other.pb", gone)
    for temp in (orphan, locked, live, other_output):
        temp.write_bytes(b"half a graph")
    with open(locked, "rb+") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        finished = _freeze(mlp, output)
    assert finished.returncode == 0, finished.stderr
    assert (orphan.exists(), locked.exists(), live.exists(), other_output.exists()) == (False, True, True, True)


def _build_big_model(folder: Path) -> None:
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    x = tf.compat.v1.placeholder(tf.float32, [None, WEIGHTS], name="x")
    w = tf.compat.v1.get_variable("w", [WEIGHTS], use_resource=False,
                                  initializer=tf.compat.v1.random_normal_initializer(seed=1))
    tf.identity(x * w, name="y")
    saver = tf.compat.v1.train.Saver()
    with tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        saver.save(session, str(folder / "ckpt" / "model"), write_meta_graph=False)
        tf.io.write_graph(session.graph.as_graph_def(), str(folder), "model.pbtxt", as_text=True)


if __name__ == "__main__":
    _build_big_model(Path(sys.argv[1]))
