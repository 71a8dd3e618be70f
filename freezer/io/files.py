"""Opening the files a user names for reading: regular files only, never read past their size.

A FIFO blocks open() and read() forever, a device such as /dev/zero reads without end, and a folder
cannot be read at all. `open_regular_file` opens without blocking (O_NONBLOCK), checks that what it
opened (after symlinks) is a regular file, and gives the size the file has then: reading at most
that, a file that grows while it is read cannot make the read endless. Each reader turns
`NotRegularFile` and `OSError` into its own message, which names the file as the user knows it.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from typing import BinaryIO

_FILE_KINDS = {stat.S_ISDIR: "a folder", stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a character device",
               stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket"}
# O_NONBLOCK: opening a FIFO must not wait for a writer. O_NOCTTY: a terminal never becomes ours.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


class NotRegularFile(Exception):
    """The path opened is not a regular file; `kind` says what it is instead ("a FIFO", ...)."""

    def __init__(self, path: str | os.PathLike, mode: int):
        self.path = path
        self.kind = file_kind(mode)
        super().__init__(f"{path} is {self.kind}, not a regular file")


def file_kind(mode: int) -> str:
    """What a file of this `st_mode` is, for a message: "a folder", "a FIFO", ..."""
    return next((name for is_kind, name in _FILE_KINDS.items() if is_kind(mode)), "a special file")


@contextlib.contextmanager
def open_regular_file(path: str | os.PathLike) -> Iterator[tuple[BinaryIO, int]]:
    """Open `path` for binary reading and yield (file, its size when opened); read at most that size.

    Raises `NotRegularFile` unless it is a regular file (after symlinks); other failures raise
    OSError, as open() does.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)  # before open(): it refuses a folder's fd with an OSError of its own
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(path, info.st_mode)
    except BaseException:
        os.close(fd)
        raise
    with open(fd, "rb") as file:
        yield file, info.st_size


def read_regular_file(path: str | os.PathLike) -> bytes:
    """The bytes of the regular file `path`, at most as many as it holds when opened.

    Raises `NotRegularFile` or OSError as `open_regular_file` does (and OSError when a read fails).
    """
    with open_regular_file(path) as (file, size):
        return file.read(size)

