"""The pass contract: a pass is `(graph_def, ctx) -> PassResult(graph_def, changed)`.

Passes may modify the GraphDef they are given in place; they return it (or a new one) and say
whether anything changed. They never read files or talk to the user; what they did that the user
should hear about goes into `ctx.notes`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

import numpy as np
from tensorboard.compat.proto import graph_pb2


@dataclasses.dataclass
class PassContext:
    """What the passes share: the outputs to keep, the variable values, the options."""

    outputs: list[str]  # node names the frozen graph must compute
    values: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)  # variable name → value
    # Const name → value not yet copied into the graph (see freezer.io.frozen); the writer splices it in.
    deferred: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    keep_devices: bool = False
    pins: Mapping[str, str] = dataclasses.field(default_factory=dict)  # placeholder → value, as typed
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class PassResult:
    graph_def: graph_pb2.GraphDef
    changed: bool


Pass = Callable[[graph_pb2.GraphDef, PassContext], PassResult]
