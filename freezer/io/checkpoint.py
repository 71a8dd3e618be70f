"""Turning what a user types as CHECKPOINT into a TensorBundle prefix.

Accepted: a prefix (`ckpt/model-1000`, whose `.index` sits beside it), a `.index` or `.data-*` file,
a V1 checkpoint file, or a folder (the prefix its `checkpoint` state file names, else its only prefix). With no argument, a
`.meta` graph's own prefix is used when the checkpoint sits beside it (`model-1000.meta`).
"""

from __future__ import annotations

import contextlib
import functools
import glob
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from freezer.errors import CheckpointError
from freezer.io.files import NotRegularFile, file_kind, open_regular_file

_STATE_FILE = "checkpoint"
_STATE_FILE_LIMIT = 1 << 20  # bytes; TF's state files hold a few lines (one per kept checkpoint)
_TABLE_MAGIC = (0xDB4775248B80FB57).to_bytes(8, "little")
_DATA_SUFFIX = re.compile(r"\.data-\d{5}-of-\d{5}$")


def resolve_checkpoint(argument: str | Path | None, graph_path: Path) -> str | None:
    """The checkpoint prefix to read, or None when none was given and none sits beside the graph."""
    prefix = _resolve(argument, graph_path)
    if prefix is not None:
        _require_regular_files(prefix)
    return prefix


@contextlib.contextmanager
def open_checkpoint_file(path: str | Path, what: str) -> Iterator[tuple[BinaryIO, int]]:
    """`files.open_regular_file` for a checkpoint's files: yield (file, size); anything but a
    regular file is a CheckpointError calling it `what`. Other failures raise OSError."""
    try:
        with open_regular_file(path) as opened:
            yield opened
    except NotRegularFile as error:
        raise CheckpointError(_not_regular(path, what, error.kind)) from None


def _not_regular(path: str | Path, what: str, kind: str) -> str:
    return (f"{what} {path} is {kind}, not a regular file; give a checkpoint whose files are "
            "regular files.")


def _require_regular_files(prefix: str) -> None:
    """Refuse a checkpoint whose .index or .data-* path is a FIFO or a device, before either engine
    opens it (TensorFlow would block on it too)."""
    data_files = glob.glob(glob.escape(prefix) + ".data-*")
    for path, what in [(str(_index_of(prefix)), "Checkpoint index"),
                       *((data, "Checkpoint data file") for data in data_files)]:
        try:
            mode = os.stat(path).st_mode
        except OSError:
            continue  # a missing or unreadable file: the engine reading it says which
        if not stat.S_ISREG(mode):
            raise CheckpointError(_not_regular(path, what, file_kind(mode)))


def _resolve(argument: str | Path | None, graph_path: Path) -> str | None:
    if argument is None:
        beside = graph_path.with_suffix("") if graph_path.suffix == ".meta" else None
        return str(beside) if beside is not None and _is_checkpoint(str(beside)) else None
    text = str(argument)
    path = Path(text)
    if path.is_dir():
        return _prefix_in_folder(path)
    prefix = _strip_file_suffix(text)
    if _index_of(prefix).exists():
        return prefix
    if path.is_file():
        if not _readable_table(path, text):
            raise CheckpointError(f"{text} is not a TensorFlow checkpoint; give the checkpoint prefix "
                                  "(ckpt/model-1000), its .index file, or the folder holding it.")
        return text  # a V1 checkpoint: one table file with no .index; the engines decide about it
    if path.exists():
        raise CheckpointError(_not_regular(text, "Checkpoint", file_kind(path.stat().st_mode)))
    raise CheckpointError(f"Checkpoint {text} not found (looked for {_index_of(prefix)}); "
                          "give a checkpoint prefix, its .index file, or the folder holding it.")


def checkpoint_files(prefix: str) -> list[Path]:
    """The files of a checkpoint (a V1 file, `.index`, data, the folder's state file) to keep an
    output from overwriting them."""
    index = _index_of(prefix)
    return [Path(prefix), index, index.parent / _STATE_FILE,
            *sorted(index.parent.glob(Path(prefix).name + ".data-*"))]


def is_v1_checkpoint(prefix: str) -> bool:
    """Whether `prefix` names a V1 checkpoint: one (regular) file at the prefix itself, with no
    `.index` beside it (a V2 checkpoint's prefix names no file)."""
    return not _index_of(prefix).exists() and Path(prefix).is_file()


def _is_checkpoint(prefix: str) -> bool:
    try:
        return _index_of(prefix).exists() or is_v1_checkpoint(prefix)
    except OSError:  # a name the system will not even look up (longer than it allows) names no checkpoint
        return False


def _v1_checkpoints_in(folder: Path) -> list[str]:
    """The V1 checkpoint files in a folder: table files that are no part of a V2 checkpoint."""
    found = []
    for path in folder.iterdir():
        if path.suffix == ".index" or _DATA_SUFFIX.search(path.name) or not is_v1_checkpoint(str(path)):
            continue
        with contextlib.suppress(OSError):  # a file we cannot read is not the checkpoint meant
            if _is_table(path):
                found.append(str(path))
    return found


def _readable_table(path: Path, text: str) -> bool:
    try:
        return _is_table(path)
    except OSError as error:
        raise CheckpointError(f"Cannot read checkpoint {text} ({error.strerror}); check the file's "
                              "permissions.") from None


def _is_table(path: Path) -> bool:
    """Whether the file is a regular file ending with the magic number of TensorFlow's table format
    (checkpoints use it)."""
    try:
        with open_regular_file(path) as (file, size):
            if size < len(_TABLE_MAGIC):
                return False
            file.seek(size - len(_TABLE_MAGIC))
            return file.read(len(_TABLE_MAGIC)) == _TABLE_MAGIC
    except NotRegularFile:
        return False


def _index_of(prefix: str) -> Path:
    return Path(prefix + ".index")


def _strip_file_suffix(text: str) -> str:
    if text.endswith(".index"):
        return text[: -len(".index")]
    return _DATA_SUFFIX.sub("", text)


def _prefix_in_folder(folder: Path) -> str:
    state = folder / _STATE_FILE
    latest = _latest_in_state_file(state)
    if latest is not None:
        candidates = _named_candidates(folder, latest, state)
        for candidate in candidates:
            if _is_checkpoint(str(candidate)):
                return str(candidate)
        looked = ", ".join(_shown(str(_index_of(str(candidate)))) for candidate in candidates)
        raise CheckpointError(f"{state} names checkpoint {_shown(latest)}, but "
                              f"{_shown(Path(latest).name)}.index is not in {folder} (looked for "
                              f"{looked}); give the checkpoint prefix explicitly.")
    prefixes = sorted([str(p)[: -len(".index")] for p in folder.glob("*.index")] + _v1_checkpoints_in(folder))
    if len(prefixes) == 1:
        return prefixes[0]
    if not prefixes:
        raise CheckpointError(f"No checkpoint in folder {folder} (no 'checkpoint' file and no "
                              "*.index file); give the checkpoint prefix, e.g. ckpt/model-1000.")
    names = ", ".join(Path(p).name for p in prefixes)
    raise CheckpointError(f"Folder {folder} holds several checkpoints ({names}) and no 'checkpoint' "
                          "file to pick one; give the prefix of the one to use.")


def _latest_in_state_file(state: Path) -> str | None:
    """The `model_checkpoint_path` a folder's `checkpoint` file names; None without the file or
    the field. The file is a text-format CheckpointState, written by TF as UTF-8 with C escapes."""
    from google.protobuf import text_format

    try:
        with open_checkpoint_file(state, "Checkpoint state file") as (file, size):
            if size > _STATE_FILE_LIMIT:
                raise CheckpointError(f"Checkpoint state file {state} is {size} bytes, more than a "
                                      f"state file holds ({_STATE_FILE_LIMIT}); give the checkpoint "
                                      "prefix explicitly.")
            text = file.read(size).decode("utf-8")
        latest = text_format.Parse(text, _checkpoint_state_class()()).model_checkpoint_path
    except FileNotFoundError:
        return None
    except OSError as error:
        raise CheckpointError(f"Cannot read checkpoint state file {state} ({error.strerror}); "
                              "check its permissions or give the checkpoint prefix explicitly.") from None
    except (UnicodeDecodeError, text_format.ParseError) as error:
        reason = " ".join(str(error).split())[:200]  # one line, even if it quotes the file
        raise CheckpointError(f"Checkpoint state file {state} is not a valid CheckpointState "
                              f"({reason}); fix it or give the checkpoint prefix explicitly.") from None
    return latest or None


@functools.cache
def _checkpoint_state_class():
    """The CheckpointState message (tensorflow/core/protobuf/checkpoint_state.proto), built from
    its descriptor in a private pool: tensorboard's protos do not include it."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    proto = descriptor_pb2.FileDescriptorProto(name="freezer/checkpoint_state.proto",
                                               package="tensorflow", syntax="proto3")
    message = proto.message_type.add(name="CheckpointState")
    for number, (name, kind, label) in enumerate([
            ("model_checkpoint_path", field.TYPE_STRING, field.LABEL_OPTIONAL),
            ("all_model_checkpoint_paths", field.TYPE_STRING, field.LABEL_REPEATED),
            ("all_model_checkpoint_timestamps", field.TYPE_DOUBLE, field.LABEL_REPEATED),
            ("last_preserved_timestamp", field.TYPE_DOUBLE, field.LABEL_OPTIONAL)], start=1):
        message.field.add(name=name, number=number, type=kind, label=label)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.CheckpointState"))


def _named_candidates(folder: Path, latest: str, state: Path) -> list[Path]:
    """Where to look for the checkpoint a state file names, best first.

    A relative name resolves against the folder, as in TF, and must stay inside it. An absolute
    name inside the folder is used as it is. An absolute name elsewhere is usually from the machine
    that trained the model (TF1's Saver writes absolute paths): the checkpoint of that name beside
    the state file comes first, and the absolute path only if its files are there."""
    named = Path(latest)
    if "\0" in latest or named.name in ("", ".", ".."):
        raise CheckpointError(f"{state} names checkpoint {latest!r}, which is not a checkpoint "
                              "prefix; give the checkpoint prefix explicitly.")
    beside = folder / named.name
    if not named.is_absolute():
        if os.path.normpath(named).split(os.sep)[0] == os.pardir:
            raise CheckpointError(f"{state} names checkpoint {_shown(latest)}, outside its folder {folder}; "
                                  "a relative name must stay inside the folder. Give the checkpoint "
                                  "prefix explicitly.")
        return list(dict.fromkeys([folder / named, beside]))
    if Path(os.path.realpath(named)).is_relative_to(os.path.realpath(folder)):
        return list(dict.fromkeys([named, beside]))
    return [beside, named]


def _shown(name: str) -> str:
    """A name from a file, fit for a one-line message: quoted with escapes if it holds control
    characters (a state file may name "model-0\\x04")."""
    return name if name.isprintable() else repr(name)


def checkpoint_files_read(argument: str | Path | None, prefix: str | None) -> list[Path]:
    """Every file freezer reads for the checkpoint `argument` resolved to `prefix`: the state file
    of a folder argument (it may name a checkpoint elsewhere), and the checkpoint's own files. The
    output may be none of them."""
    state = [Path(argument) / _STATE_FILE] if argument is not None and Path(argument).is_dir() else []
    return state + ([] if prefix is None else checkpoint_files(prefix))
