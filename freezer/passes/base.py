"""The pass contract: a pass is `(index, ctx) -> PassResult(graph_def, changed)`, run in stages.

A pass gets the current `GraphIndex` (over the graph as the passes before it left it) and may modify
`index.graph_def` in place; it returns that GraphDef (or a new one) and says whether anything
changed. `run_stage` builds a new index only after a pass that changed the graph, so a pass must
say so whenever it added, removed or rewired a node, or changed a node's op or attrs (the index
keeps what it read of them; what the text parser found lets it read only some nodes' attrs).
Passes never talk to the user: what they did that the user should hear about goes into `ctx.notes`. Only the read-values stage reads a file (the
checkpoint, and a SavedModel's asset files that fill lookup tables). A pass that changed the graph
may return the index of what it left (`PassResult.index`), derived from the one it was given.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from tensorboard.compat.proto import graph_pb2, saver_pb2

from freezer.errors import FreezerError
from freezer.graph import GraphIndex
from freezer.options import FreezeOptions
from freezer.outputs import Signature
from freezer.progress import Progress
from freezer.variables import Variable


@dataclasses.dataclass
class PassContext:
    """One freeze as it goes: what it was asked, and what the stages found so far."""

    outputs: list[str]  # node names the frozen graph must compute (the init op joins them)
    options: FreezeOptions = dataclasses.field(default_factory=FreezeOptions)
    # The graph as given, when --init-op needs TensorFlow to run it (the passes change the other).
    original: GraphIndex | None = None
    # Variable → (checkpoint key, slice spec), from the graph as given (`freezer.variables.variable_keys`).
    variable_keys: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)
    saver_def: saver_pb2.SaverDef | None = None  # a MetaGraphDef's saver: whose restore ops give the keys
    declared_initializers: Mapping[str, str] = dataclasses.field(default_factory=dict)  # variable → its op
    checkpoint: str | None = None  # the prefix values are read from
    signature: Signature | None = None  # a SavedModel's: its tensors get their keys as names
    load_init_op: str | None = None  # a SavedModel's init op, which TF's loader runs after restoring
    assets: Mapping[str, Path] = dataclasses.field(default_factory=dict)  # tensor fed an asset's path → file
    output_keys: list[str] = dataclasses.field(default_factory=list)  # the signature outputs asked for
    key_nodes: dict[str, str] = dataclasses.field(default_factory=dict)  # output key → node holding it
    kept: set[str] = dataclasses.field(default_factory=set)  # variables left as variables
    init_op: str | None = None  # what a consumer runs once before the outputs
    ops_to_run: list[str] = dataclasses.field(default_factory=list)  # --init-op ops run before reading
    variables: list[Variable] = dataclasses.field(default_factory=list)  # those to freeze
    values: Mapping[str, np.ndarray] = dataclasses.field(default_factory=dict)  # variable name → value
    # Const name → value not yet copied into the graph (see freezer.io.frozen); the writer splices it in.
    deferred: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    repairs: dict[str, int] = dataclasses.field(default_factory=dict)  # "RefSwitch → Switch" → how many
    optimized: dict[str, int] = dataclasses.field(default_factory=dict)  # "folded batch norms" → how many
    progress: Progress = dataclasses.field(default_factory=Progress)  # where long steps report
    notes: list[str] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class PassResult:
    graph_def: graph_pb2.GraphDef
    changed: bool
    # The index of the graph the pass left, when it could tell the old one what changed
    # (`GraphIndex.rewritten`, `pruned`); else a new one is built.
    index: GraphIndex | None = None


Pass = Callable[[GraphIndex, PassContext], PassResult]


@dataclasses.dataclass(frozen=True)
class Stage:
    """A step a user would name ("rewrite"), made of passes that run in this order."""

    name: str
    passes: tuple[Pass, ...]


def run_stage(stage: Stage, index: GraphIndex, ctx: PassContext) -> GraphIndex:
    """Run the stage's passes in turn; returns the index of the graph they leave.

    A failure inside a pass that is not the user's (`FreezerError`) is reported with its name.
    """
    for graph_pass in stage.passes:
        try:
            result = graph_pass(index, ctx)
        except FreezerError:
            raise
        except Exception as error:
            raise RuntimeError(f"freezer pass {graph_pass.__name__} ({stage.name}) failed: {error}") from error
        if result.index is not None:
            index = result.index
        elif result.changed or result.graph_def is not index.graph_def:
            index = GraphIndex(result.graph_def)
    return index
