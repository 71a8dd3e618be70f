"""The keyword options of `freeze()` and `freeze_files()`, checked when they are made."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from freezer.engines import DEFAULT_ENGINE, ENGINES
from freezer.errors import OptionError

WEIGHT_TYPES = ("float32", "float16")  # how float32 constants are stored (--weights)


@dataclasses.dataclass(frozen=True)
class FreezeOptions:
    """The keyword options of `freeze()` and `freeze_files()`."""

    keep_devices: bool = False  # keep node devices (cleared by default)
    pin: Mapping[str, str] = dataclasses.field(default_factory=dict)  # placeholder → value, as text
    keep_variables: Collection[str] = ()  # variables to leave as variables, with their initializers
    only_variables: Collection[str] | None = None  # freeze only these (the others are kept)
    # Ops the session engine runs after restoring, before reading; an assign of a kept variable named
    # here instead chooses that variable's initializer (when the graph assigns it in several places).
    init_ops: Collection[str] = ()
    engine: str = DEFAULT_ENGINE
    keep_calls: bool = False  # keep PartitionedCall/StatefulPartitionedCall nodes (inlined by default)
    lower_control_flow: bool = False  # lower If/While/Case to v1 Switch/Merge/Enter/Exit/NextIteration
    optimize: bool = False  # fold constants and batch norms, drop Identity nodes (for picky consumers)
    weights: str = "float32"  # "float16": float32 constants stored as half, cast back where they are used

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise OptionError(f"Unknown engine {self.engine!r}; choose one of: {', '.join(ENGINES)}.")
        if self.weights not in WEIGHT_TYPES:
            raise OptionError(f"--weights {self.weights}: choose one of: {', '.join(WEIGHT_TYPES)}.")
