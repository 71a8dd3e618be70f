"""Progress bars: shown for big reads and writes on a terminal, never in pipes or with --quiet."""

import contextlib
import io

import pytest
from rich.console import Console

import freezer
from fixture_models import load_fixture
from freezer.cli.freeze import progress_for
from freezer.io import frozen
from freezer.progress import NO_PROGRESS, Progress, TerminalProgress


class RecordedProgress(Progress):
    """Records each step: [label, total, bytes reported], instead of drawing it."""

    def __init__(self):
        self.steps = []

    @contextlib.contextmanager
    def step(self, label, total):
        record = [label, total, 0]
        self.steps.append(record)

        def advance(done):
            record[2] += done
        yield advance


@pytest.mark.parametrize("streamed", [False, True], ids=["copied", "streamed"])
@pytest.mark.parametrize("engine", ["native", "session"])
def test_a_freeze_reports_reading_and_writing_every_byte(tmp_path, engine, streamed, monkeypatch):
    if streamed:  # the writer streams values past a size, and copies smaller ones in
        monkeypatch.setattr(frozen, "_COPIED_AT_MOST", -1)
    fixture = load_fixture("partitioned")  # slices of variables: each read counts its slice
    progress = RecordedProgress()
    result = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs=fixture.outputs,
                                  output=tmp_path / "f.pb", engine=engine, progress=progress)
    (read_label, read_total, read_done), (write_label, write_total, write_done) = progress.steps
    assert (read_label, write_label) == ("Reading values", "Writing")
    assert read_total == read_done == result.variable_bytes
    assert write_total == write_done > 0


def test_the_bar_draws_on_a_terminal_for_big_steps():
    out = io.StringIO()
    progress = TerminalProgress(threshold=10, console=Console(file=out, force_terminal=True, width=80))
    with progress.step("Writing", 1000) as advance:
        advance(500)
        advance(500)
    assert "Writing" in out.getvalue()


def test_no_bar_for_small_steps():
    out = io.StringIO()
    progress = TerminalProgress(threshold=10_000, console=Console(file=out, force_terminal=True, width=80))
    with progress.step("Writing", 1000) as advance:
        advance(1000)
    assert out.getvalue() == ""


def test_bars_only_on_a_terminal_and_never_quiet(monkeypatch):
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    assert isinstance(progress_for(quiet=False), TerminalProgress)
    assert progress_for(quiet=True) is NO_PROGRESS
    monkeypatch.setattr("sys.stderr.isatty", lambda: False)
    assert progress_for(quiet=False) is NO_PROGRESS
