"""Progress of a freeze's long steps (reading values, writing the output), for a bar on a terminal.

The library reports and the command line shows. `freeze()` and friends take a `Progress`; around a
step that handles `total` bytes they enter `progress.step(label, total)`, which gives a function to
call with each amount done. The default `Progress` shows nothing; `TerminalProgress` draws a rich bar
on stderr, only for steps big enough to be worth watching.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

Advance = Callable[[int], None]  # called with the bytes just done

BAR_THRESHOLD = 100 * 2**20  # a step of fewer bytes is over before a bar would help


class Progress:
    """Reports nowhere."""

    @contextlib.contextmanager
    def step(self, label: str, total: int) -> Iterator[Advance]:
        yield _ignore


def _ignore(done: int) -> None:
    pass


NO_PROGRESS = Progress()


class TerminalProgress(Progress):
    """A bar on stderr for each step of at least `threshold` bytes; it vanishes when the step ends.
    `console` (a rich Console) is for tests; by default rich's console on stderr."""

    def __init__(self, threshold: int = BAR_THRESHOLD, console=None):
        self._threshold = threshold
        self._console = console

    @contextlib.contextmanager
    def step(self, label: str, total: int) -> Iterator[Advance]:
        if total < self._threshold:
            yield _ignore
            return
        from rich.console import Console  # here: rich costs start-up time, and most freezes need no bar
        from rich.progress import BarColumn, DownloadColumn, Progress as Bar, TextColumn, TimeRemainingColumn
        console = self._console or Console(stderr=True)
        columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        with Bar(*columns, console=console, transient=True) as bar:
            task = bar.add_task(label, total=total)
            yield lambda done: bar.advance(task, done)
