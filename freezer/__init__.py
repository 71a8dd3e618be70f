"""freezer: freeze TensorFlow graphs without TensorFlow's freeze_graph.

A GraphDef or MetaGraphDef plus a checkpoint in; one standalone GraphDef out, in which every
variable the outputs need is a Const and everything else is pruned. Importing this package never
imports TensorFlow, and loads the rest of freezer only when one of its names is first used (so
`freeze --help` starts in a blink).
"""

from __future__ import annotations

import importlib

__all__ = ["FreezeResult", "FreezerError", "freeze", "freeze_files", "freeze_saved_model", "restore"]
__version__ = "0.1.0"

_HOMES = {"FreezeResult": "freezer.api", "freeze": "freezer.api", "freeze_files": "freezer.api",
          "freeze_saved_model": "freezer.api", "restore": "freezer.restoring",
          "FreezerError": "freezer.errors"}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'freezer' has no attribute {name!r}")
