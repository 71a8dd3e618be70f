"""Run the CLI on a hostile input in a child process that cannot hang or eat the machine.

A regression in a hostile-input test must fail, not hang CI or swap it to death: the child gets a
wall-clock limit and an address-space limit (`resource.setrlimit`), and whatever it does is judged
from outside by `assert_one_error`. `run_limited` runs any other command (a reader in `python -c`,
say) under the same limits.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import subprocess
import sys
from pathlib import Path

TIME_LIMIT = 20.0  # seconds; a fixed case ends in well under one, the margin is for a loaded CI machine
MEMORY_LIMIT = 2 * 2**30  # bytes of address space; numpy and protobuf need a few hundred MB of it


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str


def run_limited(command: list[str], *, what: str, time_limit: float = TIME_LIMIT, memory_limit: int = MEMORY_LIMIT,
                cwd: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `command` (no stdin, text output captured) under the limits; a time-out fails the
    calling test, saying `what` ran too long. `env` defaults to ours with freezer importable."""
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    if env is None:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=time_limit,
                              preexec_fn=limit_memory, cwd=cwd, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"{what} ran longer than {time_limit} s") from None


def run_cli(*args: str | os.PathLike, time_limit: float = TIME_LIMIT, memory_limit: int = MEMORY_LIMIT,
            cwd: str | os.PathLike | None = None) -> Run:
    """`python -m freezer freeze ARGS...` under the limits; a time-out fails the calling test."""
    command = [sys.executable, "-m", "freezer", "freeze", *map(str, args)]
    done = run_limited(command, what=f"freeze {' '.join(map(str, args))}", time_limit=time_limit,
                       memory_limit=memory_limit, cwd=cwd)
    return Run(done.returncode, done.stdout, done.stderr)


def assert_one_error(run: Run, *, contains: str = "", output: Path | None = None) -> None:
    """One `Error: ...` line on stderr (containing `contains`), exit code 1, nothing on stdout,
    and no file at `output`."""
    assert run.returncode == 1, (run.returncode, run.stdout, run.stderr)
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), run.stderr
    assert "unexpectedly" not in lines[0], lines[0]
    assert contains in lines[0], lines[0]
    assert run.stdout == ""
    if output is not None:
        assert not output.exists()
