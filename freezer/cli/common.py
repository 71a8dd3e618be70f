"""What freezer's commands share: the arguments and options they have in common, one-line errors,
and how tensors and sizes are written.

Nothing here imports numpy or TensorFlow, so `--help` stays quick.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer

from freezer import __version__
from freezer.errors import FreezerError, OptionError

# Help shows each value as the user types it: a flag takes none (metavar ""; typer would print
# "<bool>"), and a list option takes names, comma-separated or repeated (not "<list[str]>").
NAMES = "NAME[,NAME…]"
GraphArgument = Annotated[Path, typer.Argument(
    # readable=False: freezer reads the file itself, so an unreadable one is one `Error:` line
    # (exit 1) like every other bad file, not a usage error from the argument parser.
    metavar="GRAPH", readable=False,
    help="GraphDef (.pbtxt text or .pb binary), MetaGraphDef (.meta), a SavedModel folder, or a TensorBoard "
         "events file or log folder (the last graph written to it).", show_default=False)]
CheckpointArgument = Annotated[Optional[str], typer.Argument(
    metavar="CHECKPOINT",
    help="Checkpoint prefix (ckpt/model-1000), its .index file, or its folder. "
         "Optional for a .meta whose checkpoint sits beside it.", show_default=False)]
TagOption = Annotated[Optional[str], typer.Option(
    "--tag", metavar="TAG[,TAG…]", help="SavedModel: the tag set of the MetaGraph to freeze (default: serve, or "
                                        "the only one; \"\" for one saved without tags).", show_default=False)]
SignatureOption = Annotated[Optional[str], typer.Option(
    "--signature", metavar="NAME", help="SavedModel: the signature to freeze (default: serving_default, or the "
                                        "only one).", show_default=False)]
RunOption = Annotated[Optional[str], typer.Option(
    "--run", metavar="NAME", help="The run of a log folder to read the graph from (its subfolder, as "
                                  "TensorBoard names it), when several runs hold graphs.", show_default=False)]
DebugOption = Annotated[bool, typer.Option(
    "--debug", metavar="", help="Show the traceback of an error.", show_default=False)]


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"freezer {__version__}")
        raise typer.Exit()


VersionOption = Annotated[Optional[bool], typer.Option(
    "--version", metavar="", callback=_print_version, is_eager=True, help="Print freezer's version and exit.",
    show_default=False)]


@contextlib.contextmanager
def errors_as_one_line(debug: bool) -> Iterator[None]:
    """Any error inside becomes `Error: ...` on stderr and exit code 1 (with --debug: its traceback)."""
    try:
        yield
    except Exception as error:
        if debug:
            raise
        typer.echo(f"Error: {describe_error(error)}", err=True)
        raise typer.Exit(1) from None


def describe_error(error: Exception) -> str:
    """One line for the user: a FreezerError's own message; anything else is freezer's fault."""
    if isinstance(error, FreezerError):
        message = str(error)
    elif isinstance(error, OSError) and error.filename is not None:
        message = f"Cannot use {error.filename}: {error.strerror}; check the path."
    else:
        message = (f"freezer failed unexpectedly ({type(error).__name__}: {error}); rerun with --debug "
                   "to see where, and please report it with the graph that caused it.")
    return " ".join(message.split())


def parse_assignments(items: list[str]) -> dict[str, str]:
    """["is_training=false"] → {"is_training": "false"}."""
    pins = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OptionError(f"--set {item}: expected NAME=VALUE, e.g. --set is_training=false.")
        pins[name.strip()] = value.strip()
    return pins


def describe_dtype(dtype: int) -> str:
    """`float`, or `?` where the graph does not say."""
    from freezer.tensors import dtype_name  # here, so that --help need not load numpy
    return dtype_name(dtype) if dtype else "?"


def describe_shape(shape: tuple[int | None, ...] | None) -> str:
    """`[?, 224, 224, 3]`, or `[...]` when even the rank is unknown."""
    return "[...]" if shape is None else "[" + ", ".join("?" if dim is None else str(dim) for dim in shape) + "]"


def human_size(size: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.2f} GiB"
