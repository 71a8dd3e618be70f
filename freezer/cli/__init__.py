"""The command line: `freeze` (one command) and `freezer` (the group: freeze, inspect, verify).

Each command has its module (`freeze`, `inspect`, `verify`), which only parses options, calls the
library, and turns the result or a `FreezerError` into what the user reads: a short summary on
stdout, or one `Error: ...` line on stderr and exit code 1. `common` holds what they share; `usage`
makes usage errors one line (exit code 2) and lets `freeze` take freeze_graph's flags.
"""

import typer

from freezer.cli.common import VersionOption
from freezer.cli.freeze import freeze_command
from freezer.cli.inspect import inspect_command
from freezer.cli.usage import Command, FreezeCommand, Group
from freezer.cli.verify import verify_command

# `-h` works like `--help` (the freezer group's context passes it on to its commands).
_CONTEXT = {"help_option_names": ["-h", "--help"]}
freeze_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, context_settings=_CONTEXT)
freeze_app.command(cls=FreezeCommand)(freeze_command)

freezer_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                          context_settings=_CONTEXT, cls=Group)
freezer_app.command("freeze", cls=FreezeCommand)(freeze_command)
freezer_app.command("inspect", cls=Command)(inspect_command)
freezer_app.command("verify", cls=Command)(verify_command)


@freezer_app.callback()
def freezer_group(version: VersionOption = None) -> None:
    """freezer: turn TensorFlow graphs plus checkpoints into standalone frozen graphs."""
