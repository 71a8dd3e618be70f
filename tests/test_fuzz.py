"""Seeded fuzzing of every input freezer reads: the mutated file is frozen, or one error, never worse.

For each input kind (`.index` as bytes and as entries, `.data`, binary `.pb`, `.pbtxt`, `.meta`,
the `checkpoint` state file, `saved_model.pb`, an events file) a small committed fixture is frozen
clean once, then `FREEZER_FUZZ_COUNT` (default 500) mutations of that one file — bit flips, byte
runs, truncations, zeroed, swapped or deleted blocks, appended junk, interesting numbers and
varints, text punctuation — are frozen in turn, each through `freezer.freeze_files` in a worker
child (a process per kind, as many at once as there are cores). The worker runs under an
address-space limit (tests/hostile.py's MEMORY_LIMIT) and each case under a time limit; a case
that hangs past it, crashes the worker or runs out of memory fails, named.

How a case is judged:

* an error is a `FreezerError` (what the CLI prints as one `Error:` line, exit code 1) after which
  the output file does not exist and nothing (no temp file) is left beside it; any other exception,
  a time-out or a `MemoryError` is a failure (the traceback case);
* a frozen graph with the clean run's bytes is fine: the mutation did not matter (a byte nobody
  reads, a node the outputs do not need);
* a frozen graph with other bytes is legitimate only when the mutated file is itself a valid,
  different input, judged by protobuf's own parser: it must accept the mutated file, read a message
  that differs from its reading of the clean file, and freezing that reading (re-serialized as the
  clean file was, binary or text, in its place) must give the same bytes. So freezer's own readers
  (its text parser, its sniffing of text from binary) must agree with protobuf on every mutation
  that changes the graph. Protobuf, not TensorFlow's op registry, is the judge because freezer
  passes ops and attrs it does not know through unchanged (custom ops), as a mutated op name
  is. The `.index`, `.data`, state file and events file have no valid change in these fixtures:
  every table block and record carries a crc32c, every tensor in the data file carries one in the
  index, and the checkpoint folder holds one checkpoint, so any run that does not fail must give
  the clean bytes. To get past the checksums, kind `index_entries` mutates the key or value of one
  `.index` entry and writes the table again with valid block checksums; the graph reads every
  tensor of that checkpoint and each tensor's bytes carry their crc32c, so it too has no valid
  change.

A failure prints the seed and case; rerun one with
`FREEZER_FUZZ_SEED=<seed> FREEZER_FUZZ_CASE=<kind>:<number> python -m pytest tests/test_fuzz.py -k <kind>`.
FREEZER_FUZZ_COUNT=<n> runs more (or fewer) cases per kind. The first error of each kind is also
run through the real command line in a child (`hostile.run_cli`): one `Error:` line, exit code 1.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

import pytest
from google.protobuf import message, text_format
from tensorboard.compat.proto import graph_pb2, meta_graph_pb2

from checkpoint_files import varint
from fixture_models import FIXTURES, ROOT
from freezer.api import freeze_files
from freezer.errors import FreezerError
from freezer.io.bundle import _read_table
from freezer.io.savedmodel import SavedModel
from hostile import MEMORY_LIMIT, assert_one_error, run_cli
from test_hostile_checkpoint import encode_table

SEED = int(os.environ.get("FREEZER_FUZZ_SEED", "20240610"))
COUNT = int(os.environ.get("FREEZER_FUZZ_COUNT", "500"))
ONE_CASE = os.environ.get("FREEZER_FUZZ_CASE")  # "<kind>:<number>": run only that case
CASE_TIME_LIMIT = 10.0  # seconds per case; a clean freeze of these fixtures takes a few milliseconds
WORKER_TIME_LIMIT = 60.0  # seconds per worker, plus a second per case: a hang in C code ignores the alarm


# ---- protobuf's own reading of a file, the judge of "a valid, different input" -------------------

@dataclasses.dataclass(frozen=True)
class ProtobufReading:
    """How protobuf reads (and canonically writes back) a file of one message type, binary or text."""

    message_class: type[message.Message]
    text: bool

    def parse(self, data: bytes) -> message.Message | None:
        """The message protobuf reads from `data`, or None when it refuses the bytes."""
        proto = self.message_class()
        try:
            if self.text:
                text_format.Parse(data.decode("utf-8"), proto)
            else:
                proto.ParseFromString(data)
        except (message.DecodeError, text_format.ParseError, UnicodeDecodeError):
            return None
        return proto

    def write(self, proto: message.Message) -> bytes:
        if self.text:
            return text_format.MessageToString(proto).encode("utf-8")
        return proto.SerializeToString(deterministic=True)


# ---- what is fuzzed ------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Target:
    """One input kind: a fixture, the file of it that is mutated, and how the fixture is frozen."""

    fixture: str  # folder under fixtures/
    mutated: str  # the file mutated, relative to the fixture's folder
    graph: str
    checkpoint: str | None
    outputs: str | None  # None: a SavedModel's signature outputs
    reading: ProtobufReading | None  # None: no mutation is a valid, different input
    entries: bool = False  # mutate one entry of the (table) file and write the table again, checksums valid

    def freeze_arguments(self, folder: Path) -> tuple[Path, Path | None, str | None]:
        return folder / self.graph, folder / self.checkpoint if self.checkpoint else None, self.outputs

    def cli_arguments(self, folder: Path, output: Path) -> list[str | Path]:
        graph, checkpoint, outputs = self.freeze_arguments(folder)
        return [graph, *([checkpoint] if checkpoint else []), *(["--outputs", outputs] if outputs else []),
                "-o", output]


EVENTS_FILE = "logs/train/events.out.tfevents.1700000000.fixture"
TARGETS = {  # the slowest first, so that the workers finish together
    "pbtxt": Target("mlp_ref", "model.pbtxt", "model.pbtxt", "ckpt/model-0", "y",
                    ProtobufReading(graph_pb2.GraphDef, text=True)),
    "saved_model": Target("sm_two_in_two_out", "model/saved_model.pb", "model", None, None,
                          ProtobufReading(SavedModel, text=False)),  # TF's SavedModel over tensorboard's protos
    "events": Target("events_graph", EVENTS_FILE, EVENTS_FILE, "ckpt/model", "y", None),
    "state": Target("mlp_ref", "ckpt/checkpoint", "model.pbtxt", "ckpt", "y", None),
    "index": Target("mlp_ref", "ckpt/model-0.index", "model.pbtxt", "ckpt/model-0", "y", None),
    "index_entries": Target("mlp_ref", "ckpt/model-0.index", "model.pbtxt", "ckpt/model-0", "y", None, entries=True),
    "data": Target("mlp_ref", "ckpt/model-0.data-00000-of-00001", "model.pbtxt", "ckpt/model-0", "y", None),
    "pb": Target("resource_pb", "model.pb", "model.pb", "ckpt", "y",
                 ProtobufReading(graph_pb2.GraphDef, text=False)),
    "meta": Target("saver_map", "model-5.meta", "model-5.meta", None, "y",
                   ProtobufReading(meta_graph_pb2.MetaGraphDef, text=False)),
}


# ---- mutations -----------------------------------------------------------------------------------

INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x20)
INTERESTING_NUMBERS = (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0xFFFF, 2**31 - 1, 2**31, 2**32 - 1, 2**62, 2**63 - 1, 2**64 - 1)
TEXT_BYTES = b'{}[]<>":;\\#\n 0123456789-+.eExn'  # what a text proto's grammar turns on


def _position(data: bytearray, rng: random.Random) -> int:
    return rng.randrange(len(data)) if data else 0


def flip_bits(data: bytearray, rng: random.Random) -> str:
    if not data:
        return "flip no bits (nothing to flip)"
    positions = sorted(rng.randrange(len(data) * 8) for _ in range(rng.choice((1, 1, 2, 4, 8))))
    for bit in positions:
        data[bit // 8] ^= 1 << bit % 8
    return f"flip bits {positions}"


def overwrite_run(data: bytearray, rng: random.Random) -> str:
    start, length = _position(data, rng), rng.randint(1, 64)
    value = rng.choice(INTERESTING_BYTES + (rng.randrange(256),))
    data[start:start + length] = bytes([value]) * len(data[start:start + length])
    return f"overwrite {length} bytes at {start} with {value:#04x}"


def insert_run(data: bytearray, rng: random.Random) -> str:
    start, length = _position(data, rng), rng.choice((1, 2, 7, 100, 4096))
    value = rng.choice(INTERESTING_BYTES)
    data[start:start] = bytes([value]) * length
    return f"insert {length} bytes {value:#04x} at {start}"


def truncate(data: bytearray, rng: random.Random) -> str:
    size = _position(data, rng)
    del data[size:]
    return f"truncate to {size} bytes"


def zero_block(data: bytearray, rng: random.Random) -> str:
    start, length = _position(data, rng), rng.choice((4, 8, 16, 64, 256, 1024))
    data[start:start + length] = bytes(len(data[start:start + length]))
    return f"zero {length} bytes at {start}"


def delete_block(data: bytearray, rng: random.Random) -> str:
    start, length = _position(data, rng), rng.choice((1, 4, 16, 256))
    del data[start:start + length]
    return f"delete {length} bytes at {start}"


def swap_blocks(data: bytearray, rng: random.Random) -> str:
    length = rng.randint(1, max(1, len(data) // 4))
    first, second = sorted(rng.sample(range(max(2, len(data) - length + 1)), 2))
    if second < first + length:  # overlapping: move the second block past the first
        second = first + length
    if second + length > len(data):
        return "swap nothing (file too short)"
    data[first:first + length], data[second:second + length] = data[second:second + length], data[first:first + length]
    return f"swap {length} bytes at {first} and {second}"


def append_junk(data: bytearray, rng: random.Random) -> str:
    if data and rng.random() < 0.3:  # a copy of the file's own bytes: a repeated record, block or node
        start = _position(data, rng)
        junk = bytes(data[start:start + rng.randint(1, 512)])
    else:
        junk = rng.randbytes(rng.randint(1, 512))
    data += junk
    return f"append {len(junk)} bytes"


def write_number(data: bytearray, rng: random.Random) -> str:
    """An interesting number at a random place: little-endian in 1-8 bytes, or as a varint."""
    start, number = _position(data, rng), rng.choice(INTERESTING_NUMBERS)
    if rng.random() < 0.5:
        encoded = varint(number)
        how = "varint"
    else:
        width = rng.choice((1, 2, 4, 8))
        encoded = (number & (1 << 8 * width) - 1).to_bytes(width, "little")
        how = f"{width}-byte"
    data[start:start + len(encoded)] = encoded
    return f"write {how} {number} at {start}"


def text_punctuation(data: bytearray, rng: random.Random) -> str:
    start, value = _position(data, rng), rng.choice(TEXT_BYTES)
    if data:
        data[start] = value
    return f"write {bytes([value])!r} at {start}"


MUTATIONS = (flip_bits, overwrite_run, insert_run, truncate, zero_block, delete_block, swap_blocks, append_junk,
             write_number, text_punctuation)


def mutate(original: bytes, seed: int, kind: str, number: int) -> tuple[bytes, str]:
    """Case `number` of `kind`: the mutated bytes and what was done, the same for the same seed."""
    rng = random.Random(f"{seed}:{kind}:{number}")
    if TARGETS[kind].entries:
        return _mutate_an_entry(original, rng)
    data = bytearray(original)
    mutation = rng.choice(MUTATIONS)(data, rng)
    return bytes(data), mutation


def _mutate_an_entry(table: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Mutate the key or the value of one entry of a table file and encode the table again (the
    tests' own encoder) with valid block checksums: the mutation reaches the entry parser, where a
    mutation of the file's bytes almost always stops at a block's crc32c."""
    entries = {bytes(key): bytes(value) for key, value in _read_table(table)}
    key, part = rng.choice(sorted(entries)), rng.choice(("key", "value"))
    mutated = bytearray(key if part == "key" else entries[key])
    mutation = f"{rng.choice(MUTATIONS)(mutated, rng)} in the {part} of entry {key!r}"
    if part == "key":
        entries[bytes(mutated)] = entries.pop(key)
    else:
        entries[key] = bytes(mutated)
    return encode_table(sorted(entries.items())), mutation


# ---- the worker: one kind's cases in a child under limits ----------------------------------------

class CaseTooSlow(BaseException):
    """Raised by the alarm in a case that runs past CASE_TIME_LIMIT (a BaseException, so that no
    `except Exception` in freezer can swallow it)."""


class CaseFailed(Exception):
    """A case ended in something else than the clean bytes, one error or a valid different graph."""


def _raise_too_slow(signum, frame):
    raise CaseTooSlow()


class Worker:
    """Freezes one fixture clean, then each mutation of one of its files, and judges the outcome."""

    def __init__(self, kind: str, seed: int, folder: Path):
        self.kind, self.seed, self.target = kind, seed, TARGETS[kind]
        shutil.copytree(FIXTURES / self.target.fixture, folder / "in")
        self.folder, self.out_folder = folder / "in", folder / "out"
        self.out_folder.mkdir()
        self.output = self.out_folder / "frozen.pb"
        self.path = self.folder / self.target.mutated
        self.original = self.path.read_bytes()
        self.reading = self.target.reading
        self.clean = self._freeze()
        self.output.unlink()

    def judge(self, number: int) -> str:
        """The outcome of case `number`: `same`, `error` or `different`; raises CaseFailed otherwise."""
        data, mutation = mutate(self.original, self.seed, self.kind, number)
        self._put(data)
        try:
            return self._outcome(data)
        except CaseFailed as failure:
            raise CaseFailed(f"{mutation}: {failure}") from None
        finally:
            self._put(self.original)
            for path in self.out_folder.iterdir():  # whatever a failed case left, the next starts clean
                path.unlink()

    def mutation(self, number: int) -> str:
        return mutate(self.original, self.seed, self.kind, number)[1]

    def _outcome(self, data: bytes) -> str:
        try:
            frozen = self._freeze()
        except FreezerError as error:
            self._expect_no_output(error)
            return "error"
        self.output.unlink()
        if frozen == self.clean:
            return "same"
        self._expect_a_valid_different_input(data, frozen)
        return "different"

    def _expect_no_output(self, error: Exception) -> None:
        left = sorted(path.name for path in self.out_folder.iterdir())
        if left:
            raise CaseFailed(f"the error ({error}) left {left} in the output folder")
        if not str(error).strip():
            raise CaseFailed(f"{type(error).__name__} with an empty message")

    def _expect_a_valid_different_input(self, data: bytes, frozen: bytes) -> None:
        if self.reading is None:
            raise CaseFailed(f"wrote a different graph without an error, and no {self.kind} of this fixture "
                             "can be changed validly")
        mutated = self.reading.parse(data)
        if mutated is None:
            raise CaseFailed("wrote a different graph without an error from a file protobuf refuses")
        if mutated == self.reading.parse(self.original):
            raise CaseFailed("wrote a different graph without an error from a file protobuf reads as the clean one")
        self._put(self.reading.write(mutated))
        try:
            as_protobuf_reads_it = self._freeze()
        except FreezerError as error:
            raise CaseFailed(f"froze the mutated file, but freezing protobuf's reading of it fails: {error}") from None
        self.output.unlink()
        if as_protobuf_reads_it != frozen:
            raise CaseFailed("froze the mutated file to other bytes than protobuf's reading of it")

    def _freeze(self) -> bytes:
        graph, checkpoint, outputs = self.target.freeze_arguments(self.folder)
        signal.setitimer(signal.ITIMER_REAL, CASE_TIME_LIMIT)
        try:
            freeze_files(graph, checkpoint, outputs=outputs, output=self.output)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        return self.output.read_bytes()

    def _put(self, data: bytes) -> None:
        """Replace the mutated file by a new one (a new inode: no reader's mmap of the old one changes)."""
        temp = self.path.with_name(self.path.name + ".fuzz")
        temp.write_bytes(data)
        os.replace(temp, self.path)


def work(kind: str, seed: int, numbers: list[int], report: Path) -> None:
    """The worker child: judge the cases, one JSON line per event in `report` (written as it goes,
    so that the parent knows which case a crash or a hang happened in)."""
    signal.signal(signal.SIGALRM, _raise_too_slow)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    with report.open("w", buffering=1) as out, tempfile.TemporaryDirectory(dir=_memory_folder()) as folder:
        def say(**event):
            out.write(json.dumps(event) + "\n")
        try:
            worker = Worker(kind, seed, Path(folder))
        except BaseException:
            say(setup_failure=traceback.format_exc())
            return
        for number in numbers:
            say(started=number)
            try:
                say(case=number, outcome=worker.judge(number))
            except CaseFailed as failure:
                say(case=number, failure=str(failure))
            except CaseTooSlow:
                say(case=number, failure=f"{worker.mutation(number)}: ran longer than {CASE_TIME_LIMIT} s")
            except MemoryError:
                say(case=number, failure=f"{worker.mutation(number)}: needed more than the {MEMORY_LIMIT} bytes of "
                                         f"address space it may use\n{traceback.format_exc(limit=-8)}")
            except BaseException:
                say(case=number, failure=f"{worker.mutation(number)}: {traceback.format_exc(limit=-8)}")


def _memory_folder() -> str | None:
    """/dev/shm where there is one: renaming over a file on a disk (each case does, twice) waits
    for the disk on ext4, and would make the waits most of the run."""
    return "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


# ---- the parent: run the workers, judge what they say --------------------------------------------

SETUP = -1  # the case number under which a worker reports that the clean run itself failed


@dataclasses.dataclass
class FuzzRun:
    """What one kind's worker reported: how many cases ended how, and the cases that failed."""

    kind: str
    numbers: list[int]
    outcomes: Counter = dataclasses.field(default_factory=Counter)
    first: dict[str, int] = dataclasses.field(default_factory=dict)  # outcome → the first case that had it
    failures: dict[int, str] = dataclasses.field(default_factory=dict)  # case → what went wrong

    def describe_failures(self, shown: int = 10) -> str:
        lines = [f"{len(self.failures)} of {len(self.numbers)} {self.kind} cases failed (seed {SEED}):"]
        for number, failure in list(self.failures.items())[:shown]:
            if number != SETUP:
                lines.append(f"FREEZER_FUZZ_SEED={SEED} FREEZER_FUZZ_CASE={self.kind}:{number} "
                             f"python -m pytest tests/test_fuzz.py -k {self.kind}")
            lines += [f"    {_clipped(line)}" for line in failure.splitlines()[-30:]]
        return "\n".join(lines)


def _clipped(line: str, width: int = 300) -> str:
    """A line of a failure, cut to `width`: a mutated file name can be thousands of characters."""
    return line if len(line) <= width else f"{line[:width]}... ({len(line) - width} more characters)"


def run_worker(kind: str, numbers: list[int]) -> FuzzRun:
    """Run `kind`'s cases in a child; a worker that dies or hangs fails the case it was in."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.jsonl"
        command = [sys.executable, __file__, kind, str(SEED), ",".join(map(str, numbers)), str(report)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
        time_limit = WORKER_TIME_LIMIT + len(numbers)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=time_limit, cwd=ROOT, env=env,
                                  stdin=subprocess.DEVNULL)
            ending = f"the worker died (exit code {done.returncode}): {done.stderr[-2000:]}"
        except subprocess.TimeoutExpired:
            ending = f"the worker hung: killed after {time_limit} s"
        events = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
    return _collect(FuzzRun(kind, numbers), events, ending)


def _collect(run: FuzzRun, events: list[dict], ending: str) -> FuzzRun:
    in_progress = None
    for event in events:
        if "setup_failure" in event:
            run.failures[SETUP] = f"the clean run failed: {event['setup_failure']}"
        elif "started" in event:
            in_progress = event["started"]
        elif "failure" in event:
            run.failures[event["case"]] = event["failure"]
            in_progress = None
        else:
            run.outcomes[event["outcome"]] += 1
            run.first.setdefault(event["outcome"], event["case"])
            in_progress = None
    if in_progress is not None:
        run.failures[in_progress] = ending
    elif not events:
        run.failures[SETUP] = ending
    return run


def _cases(kind: str) -> list[int] | None:
    """The case numbers to run for `kind`, or None when FREEZER_FUZZ_CASE names another kind."""
    if ONE_CASE is None:
        return list(range(COUNT))
    one_kind, _, number = ONE_CASE.partition(":")
    return [int(number)] if one_kind == kind else None


@pytest.fixture(scope="module")
def fuzz_runs(request) -> dict[str, concurrent.futures.Future]:
    """Every selected kind's worker, started at once (as many running as there are cores), so
    that the kinds' tests wait for results computed side by side."""
    selected = {item.callspec.params.get("kind") for item in request.session.items
                if item.module is request.module and hasattr(item, "callspec")}
    kinds = [kind for kind in TARGETS if kind in selected and _cases(kind)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        yield {kind: pool.submit(run_worker, kind, _cases(kind)) for kind in kinds}


@pytest.mark.parametrize("kind", TARGETS)
def test_every_mutation_freezes_the_same_graph_or_is_one_error(kind, fuzz_runs, tmp_path):
    if _cases(kind) is None:
        pytest.skip(f"FREEZER_FUZZ_CASE={ONE_CASE} runs another kind")
    run = fuzz_runs[kind].result()
    print(f"{kind}: {dict(run.outcomes)} of {len(run.numbers)} cases (seed {SEED})")
    if run.failures:
        pytest.fail(run.describe_failures(), pytrace=False)
    assert sum(run.outcomes.values()) == len(run.numbers)
    if ONE_CASE is None:
        assert run.outcomes["error"] > 0, f"no {kind} mutation reached an error: the fuzzing reaches nothing"
        _assert_the_command_line_agrees(kind, run.first["error"], tmp_path)


def _assert_the_command_line_agrees(kind: str, number: int, tmp_path: Path) -> None:
    """Case `number`, judged an error in the worker, run as `python -m freezer freeze` in a child:
    one `Error:` line, exit code 1, no output."""
    target = TARGETS[kind]
    folder = tmp_path / "in"
    shutil.copytree(FIXTURES / target.fixture, folder)
    original = (folder / target.mutated).read_bytes()
    (folder / target.mutated).write_bytes(mutate(original, SEED, kind, number)[0])
    output = tmp_path / "frozen.pb"
    assert_one_error(run_cli(*target.cli_arguments(folder, output)), output=output)


if __name__ == "__main__":  # the worker: KIND SEED NUMBERS REPORT
    work(sys.argv[1], int(sys.argv[2]), [int(number) for number in sys.argv[3].split(",")], Path(sys.argv[4]))
