"""The errors freezer raises for anything a user can get wrong.

Every message names the file, node or variable at fault and says what to do about it; the CLI prints
it as one `Error: ...` line. Bugs in freezer itself are not `FreezerError`s and keep their traceback.
"""

from __future__ import annotations


class FreezerError(Exception):
    """Base class: a problem with the user's input or options, explained in the message."""


class GraphError(FreezerError):
    """The graph file is missing, unreadable, or not a GraphDef/MetaGraphDef."""


class OutputNameError(FreezerError):
    """A requested output names no node of the graph."""


class CheckpointError(FreezerError):
    """The checkpoint is missing, corrupt, or does not hold what the graph needs."""


class UnsupportedCheckpoint(CheckpointError):
    """A checkpoint the native reader cannot read (an unknown dtype or format version); the session
    engine (TensorFlow itself) can. `reason` says what it is; the message adds what to do."""

    def __init__(self, reason: str):
        super().__init__(f"{reason}, which the native reader does not read; use --engine session "
                         "(it needs TensorFlow: pip install 'tf-freezer[tf]').")
        self.reason = reason


class CheckError(FreezerError):
    """The frozen graph would not load in a consumer (a check in `freezer.check` failed)."""


class OptionError(FreezerError):
    """Options that contradict each other or the files given (e.g. output path == an input)."""
