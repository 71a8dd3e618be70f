"""Reading graph files (GraphDef or MetaGraphDef, text or binary) and writing frozen GraphDefs.

The format is decided from the content: a binary protobuf almost never decodes as UTF-8 text that
starts with a field name, and a text proto never parses as a binary one that makes sense. A
TensorBoard events file, or a log folder, gives the graph a training run wrote to it (io/events.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import re
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from google.protobuf import message, text_format
from tensorboard.compat.proto import graph_pb2, meta_graph_pb2, saver_pb2, types_pb2

from freezer.errors import GraphError, OptionError
from freezer.graph import AttrScan, GraphIndex
from freezer.io import events
from freezer.io.files import NotRegularFile, read_regular_file
from freezer.io.frozen import FrozenGraph
from freezer.io.metagraph import declared_initializers
from freezer.io.pbtxt import MAX_DEPTH, NestingTooDeep, NodeFields, parse_text
from freezer.progress import NO_PROGRESS, Progress
from freezer.variables import is_variable

_UTF8_BOM = b"\xef\xbb\xbf"  # some editors start text files with it
# A text proto starts (after comments and blank lines) with a field name and then `{` or `:`.
_TEXT_START = re.compile(rb"\A(?:\s*#[^\n]*\n|\s+)*[A-Za-z_][A-Za-z0-9_]*\s*[{:]")
_METAGRAPH_TEXT_FIELDS = ("meta_info_def", "graph_def", "saver_def", "collection_def", "signature_def")


@dataclasses.dataclass
class LoadedGraph:
    """A graph as read from disk: the GraphDef, and what a MetaGraphDef carried besides (if any)."""

    graph_def: graph_pb2.GraphDef
    saver_def: saver_pb2.SaverDef | None
    path: Path
    is_text: bool
    initializers: dict[str, str] = dataclasses.field(default_factory=dict)  # variable → its initializer op
    # Where in `path` the graph was, when that is not the whole file ("the graph at step 0 of events file X").
    description: str | None = None
    files_read: list[Path] = dataclasses.field(default_factory=list)  # besides `path`: a run's other events files
    notes: list[str] = dataclasses.field(default_factory=list)  # things the user should know
    # Each node's name, op and inputs as the text parser read them, for the graph's index (`index()`);
    # None when the parser could not give them all (binary graphs, nodes laid out otherwise).
    node_fields: NodeFields | None = None

    def index(self) -> GraphIndex:
        """The index of the graph as read, built from the node fields (which it then holds: they are
        handed over, so that no second reference keeps them alive while the graph changes)."""
        fields, self.node_fields = self.node_fields, None
        return GraphIndex(self.graph_def, fields)


def read_graph(path: str | os.PathLike, *, run: str | None = None) -> LoadedGraph:
    """Read a `.pbtxt`/`.pb` GraphDef or a `.meta` MetaGraphDef, text or binary; or the last graph
    written to a TensorBoard events file or log folder (of its run `run`, when it has several)."""
    path = Path(path)
    if path.is_dir():
        return _read_log_folder(path, run)
    if run is not None:
        raise OptionError(f"--run {run} picks a run of a log folder, but {path} is a file; give the log "
                          "folder, or leave --run out.")
    if events.is_events_file(path):
        return _from_events(events.read_events_file(path))
    data = _read_bytes(path)
    is_text = looks_like_text(data)
    is_meta = path.suffix == ".meta" or (is_text and _first_field(data) in _METAGRAPH_TEXT_FIELDS)
    proto = meta_graph_pb2.MetaGraphDef() if is_meta else graph_pb2.GraphDef()
    node_fields = None
    if is_text:
        node_fields = _parse_text(data, proto, path)
    elif is_meta:
        _parse_binary(data, proto, path)
    else:
        proto, is_meta = _parse_binary_graph_or_meta(data, path)
    if is_meta:
        saver = proto.saver_def if proto.HasField("saver_def") else None
        return LoadedGraph(proto.graph_def, saver, path, is_text, declared_initializers(proto, path))
    return LoadedGraph(proto, None, path, is_text, node_fields=node_fields)


def _read_log_folder(folder: Path, run: str | None) -> LoadedGraph:
    from freezer.io.savedmodel import is_saved_model  # here: savedmodel imports this module
    found = None if is_saved_model(folder) else events.read_log_folder(folder, run)
    if found is None:
        raise GraphError(f"{folder} is a folder; give the graph file (.pbtxt, .pb or .meta) inside it.")
    return _from_events(found)


def _from_events(found: events.EventsGraph) -> LoadedGraph:
    """Parse the graph an events file held, as a `.meta` or `.pb` of it would be."""
    proto = meta_graph_pb2.MetaGraphDef() if found.is_meta else graph_pb2.GraphDef()
    label = found.description[0].upper() + found.description[1:]
    _parse_binary(found.data, proto, label)
    graph_def = proto.graph_def if found.is_meta else proto
    _refuse_function_graph(graph_def, label)
    others = [path for path in found.files_read if path != found.path]
    loaded = LoadedGraph(graph_def, None, found.path, False, description=found.description,
                         files_read=others, notes=found.notes)
    if found.is_meta:
        loaded.saver_def = proto.saver_def if proto.HasField("saver_def") else None
        loaded.initializers = declared_initializers(proto, found.path)
    return loaded


def _refuse_function_graph(graph_def: graph_pb2.GraphDef, label: str) -> None:
    """A TF2 function graph (what tf.summary.graph and Keras' TensorBoard callback write in TF2)
    takes each variable as a resource placeholder the caller feeds: no checkpoint key leads to it."""
    if any(is_variable(node) for node in graph_def.node):
        return
    captured = [node.name for node in graph_def.node if node.op == "Placeholder" and "dtype" in node.attr
                and node.attr["dtype"].type == types_pb2.DT_RESOURCE]
    if captured:
        shown = ", ".join(captured[:3]) + (", ..." if len(captured) > 3 else "")
        raise GraphError(f"{label} is a TF2 function graph: it takes the variables as captured placeholders "
                         f"({shown}), not variables, so it cannot be frozen with a checkpoint; give the "
                         "model's SavedModel instead (tf.saved_model.save).")


def looks_like_text(data: bytes) -> bool:
    """True when `data` reads as a text-format protobuf (UTF-8, starting with a field)."""
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the 4096 boundary is still text.
        if error.start < 4090:
            return False
    return bool(_TEXT_START.match(data[:4096]))


def _first_field(data: bytes) -> str:
    match = _TEXT_START.match(data[:4096])
    return match.group(0).rstrip(b"{: \t\r\n").split()[-1].decode() if match else ""


def _read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise GraphError(f"{path} is a folder; give the graph file (.pbtxt, .pb or .meta) inside it.")
    try:
        data = read_regular_file(path)
    except FileNotFoundError:
        raise GraphError(f"Graph file {path} does not exist; check the path.") from None
    except NotRegularFile:
        target = os.path.realpath(path)
        named = f"{path} (a link to {target})" if target != os.path.abspath(path) else str(path)
        raise GraphError(f"Graph file {named} is not a regular file; give a .pbtxt, .pb or .meta file.") from None
    except OSError as error:
        raise GraphError(f"Cannot read graph file {path}: {error.strerror}; check the path.") from None
    if not data.strip():
        raise GraphError(f"Graph file {path} is empty; give the GraphDef or MetaGraphDef TensorFlow wrote.")
    return data.removeprefix(_UTF8_BOM)


def _parse_text(data: bytes, proto: message.Message, path: Path) -> NodeFields | None:
    kind = type(proto).__name__
    try:
        return parse_text(data, proto, note_attr=AttrScan.finds_in)
    except NestingTooDeep as error:
        raise GraphError(f"{path} nests messages more than {MAX_DEPTH} deep (line {error.GetLine()}), "
                         "deeper than protobuf and TensorFlow can read; it is no graph TensorFlow "
                         "wrote.") from None
    except text_format.ParseError as error:
        detail = str(error).split(" : ", 1)[-1].replace('"tensorboard.', '"tensorflow.').rstrip(".")
        raise GraphError(f"{path} is not a valid text {kind} (line {error.GetLine()}: {detail}); "
                         "check the file is complete and was written by TensorFlow.") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise GraphError(f"{path} is not a valid text {kind} (line {line}: bytes that are not UTF-8); "
                         "check the file is complete and was written by TensorFlow.") from None


def _parse_binary_graph_or_meta(data: bytes, path: Path) -> tuple[message.Message, bool]:
    """A binary GraphDef, or a MetaGraphDef saved under another suffix: (proto, is_meta)."""
    graph_def = graph_pb2.GraphDef()
    try:
        _parse_binary(data, graph_def, path)
        return graph_def, False
    except GraphError as not_a_graph:
        meta = meta_graph_pb2.MetaGraphDef()
        try:
            _parse_binary(data, meta, path)
        except GraphError:
            raise not_a_graph from None
        return meta, True


def _parse_binary(data: bytes | bytearray, proto: message.Message, path: Path | str) -> None:
    kind = type(proto).__name__
    hint = "the file may be truncated or not a TensorFlow graph"
    try:
        proto.ParseFromString(data)
    except message.DecodeError:
        raise GraphError(f"{path} is not a valid binary {kind}; {hint}.") from None
    graph_def = proto.graph_def if isinstance(proto, meta_graph_pb2.MetaGraphDef) else proto
    if data and not graph_def.node:
        raise GraphError(f"{path} holds no graph nodes; {hint}.")
    if any(not node.name or not node.op for node in graph_def.node):
        raise GraphError(f"{path} has nodes without a name or op; {hint}.")


def write_graph(path: Path, frozen: FrozenGraph, *, as_text: bool, progress: Progress = NO_PROGRESS) -> int:
    """Write the graph deterministically (same graph, same bytes) and atomically; returns the size.
    `progress` hears how writing a binary graph goes."""
    if as_text:
        text = text_format.MessageToString(frozen.materialized()).encode("utf-8")
        return write_atomically(path, lambda out: out.write(text))
    return write_atomically(path, lambda out: frozen.write_binary(out, progress))


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> int:
    """Call `write` on a temp file beside `path`, then rename it over: never a partial or clobbered
    output. A new file gets the mode any new file gets (the umask applies); an existing output
    keeps its mode. Returns the size written.

    Any exception, Ctrl-C and SIGTERM included (the CLI turns both into exceptions), removes the
    temp file. A writer killed outright (SIGKILL, a crash, a power cut) cannot: its temp file is
    named after its pid and locked while it is written, so the next write of the same output
    removes it (_remove_orphans_of)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_orphans_of(path)
    while True:
        temp = _new_temp_path(path)  # named before it exists: whatever ends the write from here on removes it
        try:
            return _write_and_rename(temp, path, write)
        except _TakenByCleaner:
            continue  # the cleaner removes it; take another name
        except BaseException:
            with contextlib.suppress(OSError):  # never created, or in a folder we may not change
                temp.unlink()
            raise


class _TakenByCleaner(Exception):
    """Another run took our new temp file for an orphan before we could lock it."""


def _write_and_rename(temp: Path, path: Path, write: Callable[[BinaryIO], object]) -> int:
    # Mode 0666, so the system applies the umask (and a folder's default ACL) as for any new file;
    # tempfile.mkstemp would make it 0600.
    out = open(temp, "xb")
    # The lock belongs to the open file, not to one descriptor: this copy holds it past closing
    # `out` until the temp file is renamed, so no cleaner can take it in between.
    lock = os.dup(out.fileno())
    try:
        with out:
            _lock_new_temp_file(out.fileno(), temp)
            _keep_mode_of(path, out.fileno())
            write(out)
            size = out.tell()
        os.replace(temp, path)  # after closing: an error closing (NFS reports a full disk there) stops it
    finally:
        os.close(lock)
    return size


def _new_temp_path(path: Path) -> Path:
    """A hidden name beside `path` for a temp file of this process: `.<name>.<pid>.<random>.tmp`."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}.tmp")  # 64 random bits: no clash


def _temp_name_pattern(path: Path) -> re.Pattern:
    """The names _new_temp_path gives `path`'s temp files; the group is the writer's pid."""
    return re.compile(rf"\.{re.escape(path.name)}\.([1-9][0-9]*)\.[0-9a-f]{{16}}\.tmp")


def _lock_new_temp_file(fd: int, temp: Path) -> None:
    """Lock our new temp file for as long as it is open, or raise _TakenByCleaner: a cleaner that
    cannot see our pid (in another PID namespace: a container sharing the folder) may have found
    it unlocked between its creation and now, and holds its lock or has removed it."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise _TakenByCleaner from None
    except OSError:  # a file system without locks: our pid alone keeps cleaners off
        return
    try:
        still_ours = os.path.samestat(os.stat(temp), os.fstat(fd))
    except FileNotFoundError:
        still_ours = False
    if not still_ours:
        raise _TakenByCleaner


def _remove_orphans_of(path: Path) -> None:
    """Remove the temp files that writers of `path` killed outright left beside it.

    A temp file is an orphan when both its writer's pid is not running and nobody holds its lock.
    Either alone could be wrong: the pid may be reused by a new process (then the orphan is merely
    kept until that process ends), or belong to a live writer in another PID namespace, whose lock
    still shows (the kernel drops a lock only when every descriptor of it is closed, which dying
    does). Removing a live writer's temp file would fail its rename, so anything uncertain stays."""
    pattern = _temp_name_pattern(path)
    try:
        names = [entry.name for entry in os.scandir(path.parent) if pattern.fullmatch(entry.name)]
    except OSError:
        return
    for name in names:
        if not _is_running(int(pattern.fullmatch(name).group(1))):
            _remove_if_unlocked(path.with_name(name))


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except (ProcessLookupError, OverflowError):  # OverflowError: beyond any pid the system gives
        return False
    except PermissionError:  # it exists, as another user's process
        pass
    return True


def _remove_if_unlocked(temp: Path) -> None:
    try:
        # For writing: NFS emulates flock with a write lock. Never a symlink, never waiting on a FIFO.
        fd = os.open(temp, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # gone already, not a file to write, or not ours to open: leave it
        return
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            temp.unlink(missing_ok=True)  # while holding the lock: see _lock_new_temp_file
    except OSError:  # locked by a live writer, or no locks here and so no proof: leave it
        pass
    finally:
        os.close(fd)


def _keep_mode_of(path: Path, fd: int) -> None:
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return
    os.fchmod(fd, mode)


def ensure_writable_output(output: Path, inputs: Iterable[Path] = ()) -> None:
    """Refuse an output path that is a folder or a special file, or that is one of the files read
    (`inputs`) under any spelling: a symlink to it, a hard link, a path through `..`.

    Files are told apart by (device, inode) of what the paths name once the system has resolved
    them, so only inputs that exist count, and an output that does not exist yet is no input.
    """
    try:
        target = os.stat(output)
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as error:
        raise OptionError(f"Cannot use {output}: {error.strerror}; check the path.") from None
    if stat.S_ISDIR(target.st_mode):
        raise OptionError(f"The output path {output} is a folder; give a file name with -o.")
    if not stat.S_ISREG(target.st_mode):
        raise OptionError(f"The output path {output} is not a regular file; give a file name with -o.")
    for candidate in inputs:
        if _identity(candidate) == (target.st_dev, target.st_ino):
            raise OptionError(f"The output path {output} is the input file {candidate}; "
                              "choose another path with -o.")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:  # it was not read, or reading it fails with its own message
        return None
    return info.st_dev, info.st_ino
