"""Run the CLI on a hostile input in a child process that cannot hang or eat the machine.

A regression in a hostile-input test must fail, not hang CI or swap it to death: the child gets a
wall-clock limit and an address-space limit (`resource.setrlimit`), and whatever it does is judged
from outside by `assert_one_error`.
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


def run_cli(*args: str | os.PathLike, time_limit: float = TIME_LIMIT, memory_limit: int = MEMORY_LIMIT,
            cwd: str | os.PathLike | None = None) -> Run:
    """`python -m freezer freeze ARGS...` under the limits; a time-out fails the calling test."""
    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    command = [sys.executable, "-m", "freezer", "freeze", *map(str, args)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=time_limit,
                              preexec_fn=limit_memory, cwd=cwd, env=env, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"freeze {' '.join(map(str, args))} ran longer than {time_limit} s") from None
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
