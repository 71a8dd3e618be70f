"""Run the freeze command in this process (typer's CliRunner) and judge what it printed.

For input that could hang or eat memory, run the CLI in a child under limits instead
(`hostile.run_cli`, `hostile.assert_one_error`).
"""

from __future__ import annotations

from typer.testing import CliRunner, Result

from freezer.cli import freeze_app, freezer_app


def freeze(*args) -> Result:
    """`freeze ARGS...` (the standalone command), whatever its outcome."""
    return CliRunner().invoke(freeze_app, [str(a) for a in args], prog_name="freeze")


def freeze_successfully(*args) -> str:
    """`freezer freeze ARGS...` (the command group's freeze); it must succeed. Returns what it printed."""
    result = CliRunner().invoke(freezer_app, ["freeze", *map(str, args)], prog_name="freezer")
    assert result.exit_code == 0, result.output
    return result.output


def assert_error(result: Result, message: str) -> None:
    """Exactly one line, `Error: <message>`, on stderr; exit code 1; nothing on stdout."""
    assert result.exit_code == 1, result.output
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""
