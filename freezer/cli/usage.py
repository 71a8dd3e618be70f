"""How freezer's commands read their command line, beyond what typer does by default.

- A usage error (a missing argument, an unknown option, a bad value) is one line, `Error: ...`,
  then `Try 'freeze --help'.`, and exit code 2; typer would draw a framed box under a usage line.
- `freeze` also understands the flags of TensorFlow's `freeze_graph` that mean the same as one of its
  own (`--input_graph`, `--output_node_names`, ...), without showing them in the help: a build script
  written for `freeze_graph` works by changing the command's name.
"""

from __future__ import annotations

import difflib
import sys

import typer
from typer.core import TyperCommand, TyperGroup

USAGE_ERROR_EXIT_CODE = 2
# click's UsageError. typer exports only its subclass BadParameter, and keeps click in a module of its
# own from 0.2x on (earlier releases use the click package).
UsageError = typer.BadParameter.__base__

# freeze_graph's flag → freeze's option of the same meaning.
_FREEZE_GRAPH_OPTIONS = {
    "--output_node_names": "--outputs",
    "--output_graph": "--output",
    "--initializer_nodes": "--init-op",
    "--variable_names_whitelist": "--only-variables",
    "--variable_names_blacklist": "--keep-variables",
    "--saved_model_tags": "--tag",
}
# freeze_graph's flags for what freeze takes as arguments: GRAPH is argument 0, CHECKPOINT argument 1.
_FREEZE_GRAPH_ARGUMENTS = {"--input_graph": 0, "--input_meta_graph": 0, "--input_saved_model_dir": 0,
                           "--input_checkpoint": 1}
# freeze_graph's boolean flags (`--flag`, `--flag=false`, `--flag false`) and the option each means when
# given this value; None: nothing to do (freeze tells text from binary by content, and clears devices
# unless told to keep them).
_FREEZE_GRAPH_SWITCHES = {"--input_binary": {True: None, False: None},
                          "--clear_devices": {True: None, False: "--keep-devices"}}
_BOOLEAN_WORDS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class _HelpIsAFlag:
    """Show `-h, --help` as the flag it is: typer 0.29 prints "<bool>" after it."""

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class _OneLineUsageErrors:
    """Usage errors as `Error: <what>` and `Try '<command> --help'.` on stderr, exit code 2."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            # Not standalone: typer would print its own box for a usage error; exits are ours to make.
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except UsageError as error:
            if not standalone_mode:
                raise
            _show_usage_error(error)
            sys.exit(USAGE_ERROR_EXIT_CODE)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


def _show_usage_error(error) -> None:
    if type(error).__name__ == "NoArgsIsHelpError":  # the help, already printed, is the answer
        return
    command = error.ctx.command_path if error.ctx is not None else "freeze"
    typer.echo(f"Error: {_usage_message(error)}", err=True)
    typer.echo(f"Try '{command} --help'.", err=True)


def _usage_message(error) -> str:
    """click's message on one line; for an unknown option, the nearest one it has, if any is near."""
    if not hasattr(error, "possibilities"):  # only click's NoSuchOption has them
        return " ".join(error.format_message().split())
    option = error.option_name
    nearest = difflib.get_close_matches(option, error.possibilities or [], n=1)
    return f"No such option: {option}" + (f"; did you mean {nearest[0]}?" if nearest else ".")


class Command(_OneLineUsageErrors, _HelpIsAFlag, TyperCommand):
    pass


class Group(_OneLineUsageErrors, _HelpIsAFlag, TyperGroup):
    pass


class FreezeCommand(Command):
    """The freeze command, which also takes freeze_graph's spellings of its options."""

    def parse_args(self, ctx, args):
        try:
            args = translate_freeze_graph_flags(list(args))
        except FlagError as error:
            raise UsageError(str(error), ctx) from None
        return super().parse_args(ctx, args)


class FlagError(ValueError):
    """A freeze_graph flag freeze cannot translate."""


def translate_freeze_graph_flags(args: list[str]) -> list[str]:
    """freeze_graph's flags as freeze's: `--input_graph g.pb --output_node_names y` → `g.pb --outputs y`.
    Arguments given by flag go where freeze expects them; anything else is left as it was."""
    arguments: dict[int, str] = {}
    translated: list[str] = []
    while args:
        arg = args.pop(0)
        flag, has_value, value = arg.partition("=")
        if arg == "--":  # what follows are arguments, whatever they look like
            translated += [arg, *args]
            break
        if flag in _FREEZE_GRAPH_OPTIONS:
            translated += [_FREEZE_GRAPH_OPTIONS[flag], value if has_value else _next_value(flag, args)]
        elif flag in _FREEZE_GRAPH_ARGUMENTS:
            position = _FREEZE_GRAPH_ARGUMENTS[flag]
            if position in arguments:
                raise FlagError(f"{flag} gives the {'graph' if position == 0 else 'checkpoint'} a second time; "
                                "give it once.")
            arguments[position] = value if has_value else _next_value(flag, args)
        elif flag in _FREEZE_GRAPH_SWITCHES:
            option = _FREEZE_GRAPH_SWITCHES[flag][_switch_value(flag, value if has_value else None, args)]
            translated += [option] if option else []
        else:
            translated.append(arg)
    if 0 not in arguments:  # GRAPH is given as an argument: a checkpoint by flag comes after it
        return translated + [arguments[1]] if 1 in arguments else translated
    return [arguments[position] for position in sorted(arguments)] + translated


def _next_value(flag: str, args: list[str]) -> str:
    if not args:
        raise FlagError(f"Option '{flag}' requires an argument.")
    return args.pop(0)


def _switch_value(flag: str, given: str | None, args: list[str]) -> bool:
    """A freeze_graph boolean: `--flag` alone is true; its value may follow after `=` or as the next word."""
    if given is None and args and args[0].lower() in _BOOLEAN_WORDS:
        given = args.pop(0)
    if given is None:
        return True
    if given.lower() not in _BOOLEAN_WORDS:
        raise FlagError(f"{flag}={given}: expected true or false.")
    return _BOOLEAN_WORDS[given.lower()]
