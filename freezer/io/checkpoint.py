"""Turning what a user types as CHECKPOINT into a TensorBundle prefix.

Accepted: a prefix (`ckpt/model-1000`, whose `.index` sits beside it), a `.index` or `.data-*` file,
a V1 checkpoint file, or a folder (the prefix its `checkpoint` state file names, else its only prefix). With no argument, a
`.meta` graph's own prefix is used when the checkpoint sits beside it (`model-1000.meta`).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from freezer.errors import CheckpointError

_STATE_FILE = "checkpoint"
_TABLE_MAGIC = (0xDB4775248B80FB57).to_bytes(8, "little")
_DATA_SUFFIX = re.compile(r"\.data-\d{5}-of-\d{5}$")
_LATEST = re.compile(r'^model_checkpoint_path:\s*"((?:[^"\\]|\\.)*)"', re.MULTILINE)


def resolve_checkpoint(argument: str | Path | None, graph_path: Path) -> str | None:
    """The checkpoint prefix to read, or None when none was given and none sits beside the graph."""
    if argument is None:
        beside = graph_path.with_suffix("") if graph_path.suffix == ".meta" else None
        return str(beside) if beside is not None and _index_of(str(beside)).exists() else None
    text = str(argument)
    path = Path(text)
    if path.is_dir():
        return _prefix_in_folder(path)
    prefix = _strip_file_suffix(text)
    if _index_of(prefix).exists():
        return prefix
    if path.is_file():
        if not _is_table(path):
            raise CheckpointError(f"{text} is not a TensorFlow checkpoint; give the checkpoint prefix "
                                  "(ckpt/model-1000), its .index file, or the folder holding it.")
        return text  # a V1 checkpoint: one table file with no .index; the engines decide about it
    raise CheckpointError(f"Checkpoint {text} not found (looked for {_index_of(prefix)}); "
                          "give a checkpoint prefix, its .index file, or the folder holding it.")


def checkpoint_files(prefix: str) -> list[Path]:
    """The files of a checkpoint (a V1 file, `.index`, data, the folder's state file) to keep an
    output from overwriting them."""
    index = _index_of(prefix)
    return [Path(prefix), index, index.parent / _STATE_FILE,
            *sorted(index.parent.glob(Path(prefix).name + ".data-*"))]


def _is_table(path: Path) -> bool:
    """Whether the file ends with the magic number of TensorFlow's table format (checkpoints use it)."""
    with open(path, "rb") as file:
        file.seek(0, os.SEEK_END)
        if file.tell() < len(_TABLE_MAGIC):
            return False
        file.seek(-len(_TABLE_MAGIC), os.SEEK_END)
        return file.read() == _TABLE_MAGIC


def _index_of(prefix: str) -> Path:
    return Path(prefix + ".index")


def _strip_file_suffix(text: str) -> str:
    if text.endswith(".index"):
        return text[: -len(".index")]
    return _DATA_SUFFIX.sub("", text)


def _prefix_in_folder(folder: Path) -> str:
    state = folder / _STATE_FILE
    if state.is_file():
        match = _LATEST.search(state.read_text(encoding="utf-8", errors="replace"))
        if match:
            latest = Path(match.group(1).encode().decode("unicode_escape"))
            # The state file may hold absolute paths from the machine that trained the model;
            # the checkpoint beside the state file is the one the user means.
            for candidate in (latest if latest.is_absolute() else folder / latest, folder / latest.name):
                if _index_of(str(candidate)).exists():
                    return str(candidate)
            raise CheckpointError(f"{state} names checkpoint {latest}, but {latest.name}.index is not "
                                  f"in {folder}; give the checkpoint prefix explicitly.")
    prefixes = sorted(str(p)[: -len(".index")] for p in folder.glob("*.index"))
    if len(prefixes) == 1:
        return prefixes[0]
    if not prefixes:
        raise CheckpointError(f"No checkpoint in folder {folder} (no 'checkpoint' file and no "
                              "*.index file); give the checkpoint prefix, e.g. ckpt/model-1000.")
    names = ", ".join(Path(p).name for p in prefixes)
    raise CheckpointError(f"Folder {folder} holds several checkpoints ({names}) and no 'checkpoint' "
                          "file to pick one; give the prefix of the one to use.")


def checkpoint_files_read(argument: str | Path | None, prefix: str | None) -> list[Path]:
    """Every file freezer reads for the checkpoint `argument` resolved to `prefix`: the state file
    of a folder argument (it may name a checkpoint elsewhere), and the checkpoint's own files. The
    output may be none of them."""
    state = [Path(argument) / _STATE_FILE] if argument is not None and Path(argument).is_dir() else []
    return state + ([] if prefix is None else checkpoint_files(prefix))
