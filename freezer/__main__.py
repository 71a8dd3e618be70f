"""The entry points: `python -m freezer` (the `freezer` command group), and the `freeze` and
`freezer` commands (pyproject's scripts).

Ctrl-C at any moment, even while the command line and its libraries are still being imported,
ends in one line, `Interrupted.`, on stderr and exit code 130, never a traceback; SIGTERM (what
`kill`, service managers and CI runners send) ends the same way in `Terminated.` and exit code
143. Both are raised as an exception, so a half-written output's temp file is removed on the way
out. That is why the entry points live here: this module imports only `signal` and `sys`,
installs the handlers first, and only then imports the command line.
"""

import gc
import signal
import sys

INTERRUPTED_EXIT_CODE = 130  # 128 + SIGINT, what shells report for a command ended by Ctrl-C
TERMINATED_EXIT_CODE = 143  # 128 + SIGTERM
# The line each signal ends a run with, and its exit code.
_ENDINGS = {signal.SIGINT: ("Interrupted.", INTERRUPTED_EXIT_CODE),
            signal.SIGTERM: ("Terminated.", TERMINATED_EXIT_CODE)}


class Interrupted(BaseException):
    """Ctrl-C or SIGTERM (`signum`). Not a KeyboardInterrupt, which typer would turn into a silent exit."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def freeze_main() -> None:
    """The `freeze` command."""
    _run("freeze_app", "freeze")


def freezer_main() -> None:
    """The `freezer` command group (`freezer freeze ...`)."""
    _run("freezer_app", "freezer")


def _run(app_name: str, prog_name: str) -> None:
    for signum in _ENDINGS:
        signal.signal(signum, _raise_interrupted)
    # A run makes hundreds of thousands of small objects (a node's names, inputs, attrs) and few
    # cycles: collecting less often saves about 5% of a big graph's CPU time.
    gc.set_threshold(100_000, 50, 100)
    try:
        try:
            from freezer import cli
            getattr(cli, app_name)(prog_name=prog_name)
        finally:
            # The run is over (typer ends it with SystemExit): a signal now would only turn its
            # exit into a traceback.
            for signum in _ENDINGS:
                signal.signal(signum, signal.SIG_IGN)
    except KeyboardInterrupt:  # in case a library restored the default handler
        _end(signal.SIGINT)
    except Interrupted as interrupted:
        _end(interrupted.signum)


def _raise_interrupted(signum, frame) -> None:
    raise Interrupted(signum)


def _end(signum: int) -> None:
    line, exit_code = _ENDINGS[signum]
    print(line, file=sys.stderr)
    sys.exit(exit_code)


if __name__ == "__main__":
    _run("freezer_app", "python -m freezer")
