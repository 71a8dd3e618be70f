"""The graph a training run wrote to its TensorBoard events file, read without TensorFlow.

An events file (`events.out.tfevents.<time>.<host>`, written by `tf.compat.v1.summary.FileWriter`,
`tf.summary.create_file_writer` or Keras' TensorBoard callback) is a sequence of TFRecords
(tsl/lib/io/record_writer.cc):

    uint64 length (little-endian) | uint32 masked crc32c of those 8 bytes | record | uint32 masked crc32c of it

Each record is an `Event` (tensorboard/compat/proto/event.proto); the writer's first one holds only
`file_version: "brain.Event:2"`. Of an Event only these fields are decoded: step (2), file_version
(3), graph_def (4: a serialized GraphDef) and meta_graph_def (9: a serialized MetaGraphDef). A
summary (5) is looked into, for its plugin names, only in a record holding the bytes
"graph_run_metadata": a TF2 trace's plugin. It and every other field pass through the crc32c and
are dropped, in pieces, so memory stays bounded by the graph however large the log.

A log folder is read as TensorBoard reads it: every folder under it (itself included) holding files
whose name contains "tfevents" is a run, named by its path relative to the log folder.
"""

from __future__ import annotations

import dataclasses
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import crc32c

from freezer.errors import GraphError, OptionError
from freezer.io.bundle import _unmask
from freezer.io.files import NotRegularFile, open_regular_file
from freezer.io.wire import LENGTH_DELIMITED

_HEADER = struct.Struct("<QI")  # record length, masked crc32c of the length's 8 bytes
_FOOTER = 4  # masked crc32c of the record
_PIECE = 1 << 20  # bytes read at a time from a field nobody keeps
_VARINT, _FIXED64, _FIXED32 = 0, 1, 5
_MAX_VARINT = 10
_EVENT_STEP, _EVENT_FILE_VERSION, _EVENT_GRAPH_DEF, _EVENT_SUMMARY, _EVENT_META_GRAPH_DEF = 2, 3, 4, 5, 9
# Summary.value → Value.metadata → SummaryMetadata.plugin_data → PluginData.plugin_name
_PLUGIN_NAME_PATH = (1, 9, 1, 1)
_MAX_SHORT_STRING = 256  # file_version and plugin names are a few bytes; longer ones are not read
_FILE_VERSION_PREFIX = b"brain.Event:"
_MAX_FIRST_RECORD = 4096  # bytes; the writer's first record holds only the file_version
# tf.summary.trace_export writes the traced function graphs as summaries of these plugins.
_TRACE_PLUGINS = (b"graph_run_metadata_graph", b"graph_run_metadata")
_TRACE_MARK = b"graph_run_metadata"  # in both: a record without it holds no trace
_EVENTS_NAME_PART = "tfevents"  # what TensorBoard looks for in a file name
_NO_GRAPH_HINT = ("was the FileWriter given the graph? Write it with "
                  "tf.compat.v1.summary.FileWriter(logdir, session.graph) or writer.add_graph(graph), "
                  "or give the graph file (.pb, .pbtxt or .meta).")
_TRACE_HINT = ("its function graph takes the variables as captured placeholders, not variables, so it "
               "cannot be frozen with a checkpoint; give the model's SavedModel instead (tf.saved_model.save).")
_CORRUPT_HINT = "give an intact copy of the file, or the graph file (.pb, .pbtxt or .meta)."


@dataclasses.dataclass
class EventsGraph:
    """The graph chosen from a run's events files: serialized, and where it was found."""

    data: bytes | bytearray  # a serialized GraphDef, or MetaGraphDef when `is_meta`
    is_meta: bool
    step: int
    path: Path  # the events file it was read from
    files_read: list[Path]  # every events file read to choose it, `path` included
    notes: list[str]  # things the user should know (a record cut short)

    @property
    def description(self) -> str:
        kind = "MetaGraphDef" if self.is_meta else "graph"
        return f"the {kind} at step {self.step} of events file {self.path}"


class _Malformed(ValueError):
    """A record whose crc32c holds but that is no Event; turned into a GraphError naming the file."""


class _CutShort(Exception):
    """The file ended (or shrank) in the middle of a record."""


# ---- one record, read in pieces -----------------------------------------------------------------


class _RecordBody:
    """The `length` bytes of one record, read once from `file` front to back in pieces of at most
    _PIECE bytes: every byte passes through the crc32c, and only what `take` returns is kept."""

    def __init__(self, file: BinaryIO, length: int):
        self._file = file
        self.length = length
        self._unread = length  # bytes not yet read from the file
        self._data = b""  # bytes read; those from _pos on are not yet handed out or skipped
        self._pos = 0
        self._base = 0  # offset in the record of _data[0]
        self.crc = 0
        self._fill(0)
        # The whole record when one piece holds it (most records), for a quick look for a marker.
        self.whole = self._data if not self._unread else None

    @property
    def consumed(self) -> int:
        """Bytes of the record handed out or skipped."""
        return self._base + self._pos

    def varint(self) -> int:
        if len(self._data) - self._pos < _MAX_VARINT and self._unread:
            self._fill(_MAX_VARINT)
        data, pos = self._data, self._pos
        result = shift = 0
        for index in range(pos, min(pos + _MAX_VARINT, len(data))):
            byte = data[index]
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                self._pos = index + 1
                return result
            shift += 7
        raise _Malformed(f"a varint at byte {self.consumed} of the record does not end")

    def take(self, count: int) -> bytes | bytearray:
        """The next `count` bytes, copied once."""
        self._check(count)
        data, pos = self._data, self._pos
        available = len(data) - pos
        if count <= available:
            self._pos = pos + count
            return data[pos:pos + count]
        out = bytearray(count)
        out[:available] = data[pos:]
        self._read_into(memoryview(out)[available:])
        self._drop_buffer(count - available)
        return out

    def skip(self, count: int) -> None:
        self._check(count)
        available = len(self._data) - self._pos
        if count <= available:
            self._pos += count
            return
        left = count - available
        while left:
            piece = min(left, _PIECE)
            self._read_into(memoryview(bytearray(piece)))
            left -= piece
        self._drop_buffer(count - available)

    def skip_rest(self) -> None:
        self.skip(self.length - self.consumed)

    def _check(self, count: int) -> None:
        if count > self.length - self.consumed:
            raise _Malformed(f"a field at byte {self.consumed} of the record runs past its end")

    def _drop_buffer(self, read_past_it: int) -> None:
        """All of the buffer, and `read_past_it` bytes read after it, have been handed out."""
        self._base += len(self._data) + read_past_it
        self._data, self._pos = b"", 0

    def _fill(self, count: int) -> None:
        """Buffer at least `count` bytes (a piece if more are left), or all that is left."""
        kept = self._data[self._pos:]
        wanted = min(self._unread, max(count, _PIECE) - len(kept))
        piece = self._file.read(wanted)
        if len(piece) != wanted:
            raise _CutShort
        self._unread -= wanted
        self.crc = crc32c.crc32c(piece, self.crc)
        self._base += self._pos
        self._data, self._pos = kept + piece, 0

    def _read_into(self, view: memoryview) -> None:
        if self._file.readinto(view) != len(view):
            raise _CutShort
        self._unread -= len(view)
        self.crc = crc32c.crc32c(view, self.crc)


def _fields(body: _RecordBody, end: int) -> Iterator[tuple[int, int, int]]:
    """(field number, wire type, value) of each field of the message ending at byte `end` of the
    record: a varint's value, or a length-delimited field's length, whose bytes the caller may read.
    What the caller leaves unread, and fixed-width fields, are skipped."""
    while body.consumed < end:
        key = body.varint()
        field, wire = key >> 3, key & 7
        if field == 0:
            raise _Malformed(f"field number 0 at byte {body.consumed} of the record")
        if wire == _VARINT:
            yield field, wire, body.varint()
        elif wire == LENGTH_DELIMITED:
            length = body.varint()
            field_end = body.consumed + length
            if field_end > end:
                raise _Malformed(f"field {field} at byte {body.consumed} of the record runs past its message")
            yield field, wire, length
            body.skip(field_end - body.consumed)
        elif wire in (_FIXED64, _FIXED32):
            body.skip(8 if wire == _FIXED64 else 4)
        else:
            raise _Malformed(f"wire type {wire} at byte {body.consumed} of the record")
    if body.consumed != end:
        raise _Malformed(f"a field runs past its message at byte {end} of the record")


def _short_strings(body: _RecordBody, end: int, path: tuple[int, ...]) -> Iterator[bytes]:
    """The strings at `path` (field numbers, outermost first) in the message ending at `end`."""
    head, rest = path[0], path[1:]
    for field, wire, value in _fields(body, end):
        if field != head or wire != LENGTH_DELIMITED:
            continue
        if rest:
            yield from _short_strings(body, body.consumed + value, rest)
        elif value <= _MAX_SHORT_STRING:
            yield bytes(body.take(value))


@dataclasses.dataclass
class _Event:
    step: int = 0
    file_version: bytes = b""
    graph: bytes | bytearray | None = None
    is_meta: bool = False
    is_trace: bool = False


def _read_event(body: _RecordBody) -> _Event:
    event = _Event()
    for field, wire, value in _fields(body, body.length):
        if wire == _VARINT:
            if field == _EVENT_STEP:
                event.step = value - (1 << 64) if value >= 1 << 63 else value  # an int64
        elif field in (_EVENT_GRAPH_DEF, _EVENT_META_GRAPH_DEF):
            event.graph, event.is_meta = body.take(value), field == _EVENT_META_GRAPH_DEF
        elif field == _EVENT_FILE_VERSION and value <= _MAX_SHORT_STRING:
            event.file_version = bytes(body.take(value))
        elif field == _EVENT_SUMMARY and (body.whole is None or _TRACE_MARK in body.whole):
            names = _short_strings(body, body.consumed + value, _PLUGIN_NAME_PATH)
            event.is_trace |= any(name in _TRACE_PLUGINS for name in names)
    return event


# ---- one events file ------------------------------------------------------------------------------


@dataclasses.dataclass
class _FileScan:
    """What one pass over an events file found."""

    path: Path
    graph: _Event | None = None  # the event holding the graph chosen so far
    records: int = 0  # complete records read
    cut_at: int | None = None  # offset of a record the file ends inside
    saw_trace: bool = False

    def add(self, event: _Event) -> None:
        self.records += 1
        self.saw_trace |= event.is_trace
        if event.graph is None:
            return
        chosen = self.graph
        if chosen is not None and chosen.is_meta and not event.is_meta and chosen.step == event.step:
            return  # a MetaGraphDef (with its saver) beats the bare graph written at the same step
        self.graph = event

    def cut_note(self) -> str | None:
        if self.cut_at is None:
            return None
        return (f"Events file {self.path} ends inside the record at byte {self.cut_at} (its writer "
                f"stopped mid-write, or is still writing); read the {self.records} complete records before it.")


def is_events_file(path: Path) -> bool:
    """True when `path` is a regular file that starts as every events file does: a record whose
    length passes its crc32c, holding an Event with a file_version ("brain.Event:2")."""
    try:
        with open_regular_file(path) as (file, size):
            header = file.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return False
            length, masked = _HEADER.unpack(header)
            if crc32c.crc32c(header[:8]) != _unmask(masked) or length > min(size, _MAX_FIRST_RECORD):
                return False
            return _read_event(_RecordBody(file, length)).file_version.startswith(_FILE_VERSION_PREFIX)
    except (NotRegularFile, OSError, _Malformed, _CutShort):
        return False


def _scan_file(path: Path) -> _FileScan:
    try:
        with open_regular_file(path) as (file, size):
            return _scan_records(path, file, size)
    except NotRegularFile:
        raise GraphError(f"Events file {path} is not a regular file; give a log folder whose events "
                         "files are regular files, or the events file itself.") from None
    except OSError as error:
        raise GraphError(f"Cannot read events file {path}: {error.strerror}; check the path.") from None


def _scan_records(path: Path, file: BinaryIO, size: int) -> _FileScan:
    """One pass over the records, front to back, keeping only the graph chosen so far."""
    scan = _FileScan(path)
    offset = 0
    while offset < size:
        header = file.read(_HEADER.size)
        if len(header) < _HEADER.size:
            scan.cut_at = offset
            break
        length, masked = _HEADER.unpack(header)
        if crc32c.crc32c(header[:8]) != _unmask(masked):
            raise _corrupt(path, f"the length of the record at byte {offset} fails its crc32c check")
        end = offset + _HEADER.size + length + _FOOTER
        if end > size:
            scan.cut_at = offset
            break
        try:
            event = _read_checked_record(path, file, offset, length)
        except _CutShort:  # the file shrank while it was read
            scan.cut_at = offset
            break
        scan.add(event)
        offset = end
    return scan


def _read_checked_record(path: Path, file: BinaryIO, offset: int, length: int) -> _Event:
    """The record's Event; its crc32c is checked before anything it says is believed."""
    body = _RecordBody(file, length)
    try:
        event, problem = _read_event(body), None
    except _Malformed as error:
        body.skip_rest()
        event, problem = None, str(error)
    stored = file.read(_FOOTER)
    if len(stored) < _FOOTER:
        raise _CutShort
    if body.crc != _unmask(int.from_bytes(stored, "little")):
        raise _corrupt(path, f"the record at byte {offset} fails its crc32c check")
    if problem is not None:
        raise _corrupt(path, f"the record at byte {offset} is no Event ({problem})")
    return event


def _corrupt(path: Path, problem: str) -> GraphError:
    return GraphError(f"Events file {path} is corrupt: {problem}; {_CORRUPT_HINT}")


# ---- a run: its events files ----------------------------------------------------------------------


@dataclasses.dataclass
class _RunScan:
    """What reading a run's events files found."""

    graph: EventsGraph | None  # the last graph written, if any
    saw_trace: bool
    notes: list[str]  # one per file that ends inside a record


def _read_run(files: list[Path]) -> _RunScan:
    """Read the events files in name order, which is the order they were written (the name holds
    the time): the last graph written wins."""
    run = _RunScan(None, False, [])
    for path in files:
        scan = _scan_file(path)
        run.saw_trace |= scan.saw_trace
        if (note := scan.cut_note()) is not None:
            run.notes.append(note)
        if scan.graph is not None:
            event = scan.graph
            run.graph = EventsGraph(event.graph, event.is_meta, event.step, path, files, run.notes)
    return run


def _graph_of(files: list[Path], where: str) -> EventsGraph:
    run = _read_run(files)
    if run.graph is None:
        raise _no_graph(where, [run])
    return run.graph


def _no_graph(where: str, runs: list[_RunScan]) -> GraphError:
    if any(run.saw_trace for run in runs):
        return GraphError(f"{where} holds a TF2 trace (tf.summary.trace_export), not a graph: {_TRACE_HINT}")
    cut = " in its complete records" if any(run.notes for run in runs) else ""
    return GraphError(f"{where} holds no graph{cut}; {_NO_GRAPH_HINT}")


def _where(files: list[Path], name: str) -> str:
    """How an error names what was read: the one events file, or the folder and how many."""
    return f"Events file {files[0]}" if len(files) == 1 else f"{name} ({len(files)} events files)"


def read_events_file(path: Path) -> EventsGraph:
    """The last graph written to one events file."""
    return _graph_of([path], f"Events file {path}")


def find_runs(folder: Path) -> dict[str, list[Path]]:
    """The runs under `folder` as TensorBoard sees them: each folder (itself included, named ".")
    holding files whose name contains "tfevents", with those files in name order."""
    runs = {}
    for root, subfolders, names in os.walk(folder):
        subfolders.sort()
        events = sorted(name for name in names if _EVENTS_NAME_PART in name)
        if events:
            runs[Path(os.path.relpath(root, folder)).as_posix()] = [Path(root, name) for name in events]
    return runs


def read_log_folder(folder: Path, run: str | None) -> EventsGraph | None:
    """The graph of the log folder's one run that holds a graph (or of `run`); None when the
    folder holds no events files at all."""
    runs = find_runs(folder)
    if not runs:
        return None
    if run is not None:
        return _read_named_run(folder, runs, run)
    chosen, with_graphs, without_graphs = None, [], []
    for name, files in runs.items():
        scan = _read_run(files)
        if scan.graph is None:
            without_graphs.append(scan)
            continue
        with_graphs.append(name)
        chosen = chosen or scan.graph  # only one graph is held, however many runs have one
    if len(with_graphs) > 1:
        raise GraphError(f"{folder} holds graphs in several runs: {', '.join(with_graphs)}; pick one with "
                         f"--run NAME (e.g. --run {with_graphs[0]}) or give its events file.")
    if chosen is None:
        files = [path for files in runs.values() for path in files]
        raise _no_graph(_where(files, f"Log folder {folder}"), without_graphs)
    return chosen


def _read_named_run(folder: Path, runs: dict[str, list[Path]], run: str) -> EventsGraph:
    name = Path(os.path.normpath(run)).as_posix()
    if name not in runs:
        raise OptionError(f"--run {run}: {folder} has no run {run!r}; its runs are: {', '.join(runs)}.")
    return _graph_of(runs[name], _where(runs[name], f"Run {name} of {folder}"))


def default_output(graph: Path, as_text: bool) -> Path | None:
    """Where a graph read from a log folder or events file is written by default: in the folder
    (the log folder given, or the events file's folder), named after it. Not beside the events
    file under its own name, which holds "tfevents": TensorBoard, and freezer, would read it as
    one. None for a GRAPH that is a file but no events file. (A SavedModel folder is no GRAPH
    for this: freeze_files freezes those before it asks.)"""
    if graph.is_dir():
        folder = graph
    elif is_events_file(graph):
        folder = graph.parent
    else:
        return None
    name = folder.resolve().name or "graph"
    return folder / f"{name}.frozen.{'pbtxt' if as_text else 'pb'}"
