"""The default engine: reads the TensorBundle checkpoint itself, no TensorFlow involved.

Values come back as read-only views of the memory-mapped data files (crc32c-checked), so nothing
is copied until the frozen graph is written.
"""

from __future__ import annotations

import numpy as np

from freezer.io.bundle import BundleReader
from freezer.variables import Variable


class NativeCheckpoint:
    def __init__(self, prefix: str):
        self._reader = BundleReader(prefix)

    def contents(self) -> dict[str, tuple[int, tuple[int, ...]]]:
        return self._reader.contents()

    def read_all(self, variables: list[Variable]) -> dict[str, np.ndarray]:
        return {v.name: self._reader.read(v.key, v.slice_spec) for v in variables}


def open_checkpoint(prefix: str) -> NativeCheckpoint:
    return NativeCheckpoint(prefix)
