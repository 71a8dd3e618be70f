"""The entry points: `python -m freezer` (the `freezer` command group), and the `freeze` and
`freezer` commands (pyproject's scripts).

Ctrl-C at any moment, even while the command line and its libraries are still being imported,
ends in one line, `Interrupted.`, on stderr and exit code 130, never a traceback. That is why the
entry points live here: this module imports only `signal` and `sys`, installs the handler first,
and only then imports the command line.
"""

import signal
import sys

INTERRUPTED_EXIT_CODE = 130  # 128 + SIGINT, what shells report for a command ended by Ctrl-C


class Interrupted(BaseException):
    """Ctrl-C. Not a KeyboardInterrupt, which typer would turn into a silent exit."""


def freeze_main() -> None:
    """The `freeze` command."""
    _run("freeze_app", "freeze")


def freezer_main() -> None:
    """The `freezer` command group (`freezer freeze ...`)."""
    _run("freezer_app", "freezer")


def _run(app_name: str, prog_name: str) -> None:
    signal.signal(signal.SIGINT, _raise_interrupted)
    try:
        try:
            from freezer import cli
            getattr(cli, app_name)(prog_name=prog_name)
        finally:
            # The run is over (typer ends it with SystemExit): a Ctrl-C now would only turn its
            # exit into a traceback.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (Interrupted, KeyboardInterrupt):  # KeyboardInterrupt: in case a library restored the default
        print("Interrupted.", file=sys.stderr)
        sys.exit(INTERRUPTED_EXIT_CODE)


def _raise_interrupted(signum, frame) -> None:
    raise Interrupted


if __name__ == "__main__":
    _run("freezer_app", "python -m freezer")
