"""The default engine: reads the checkpoint files itself, no TensorFlow involved.

A V2 checkpoint (`.index` + `.data-*`) is read by `freezer.io.bundle`: values come back as
read-only views of the memory-mapped data files (crc32c-checked), so nothing is copied until the
frozen graph is written. A V1 checkpoint (one table file at the prefix itself) is read by
`freezer.io.v1_checkpoint`, which decodes each stored slice's values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from freezer.io.bundle import BundleReader
from freezer.io.checkpoint import is_v1_checkpoint
from freezer.io.v1_checkpoint import V1CheckpointReader
from freezer.variables import Variable

if TYPE_CHECKING:
    import numpy as np


class NativeCheckpoint:
    def __init__(self, prefix: str):
        self._reader = V1CheckpointReader(prefix) if is_v1_checkpoint(prefix) else BundleReader(prefix)

    def contents(self) -> dict[str, tuple[int, tuple[int, ...]]]:
        return self._reader.contents()

    def read_all(self, variables: list[Variable], on_read: Callable[[Variable], None]) -> dict[str, np.ndarray]:
        values = {}
        for variable in variables:
            values[variable.name] = self._reader.read(variable.key, variable.slice_spec)
            on_read(variable)
        return values


def open_checkpoint(prefix: str) -> NativeCheckpoint:
    return NativeCheckpoint(prefix)
