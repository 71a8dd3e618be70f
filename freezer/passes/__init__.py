"""The graph passes, and PIPELINE: the one place their order is decided.

Before the pipeline runs, the graph has been pruned to the outputs and the values of the variables
it still holds have been read; the pipeline turns those variables into constants and tidies up.
"""

from __future__ import annotations

from tensorboard.compat.proto import graph_pb2

from freezer.errors import FreezerError
from freezer.passes.base import Pass, PassContext, PassResult
from freezer.passes.branches import fold_constant_branches
from freezer.passes.cleanup import clear_devices, drop_dangling_colocation
from freezer.passes.fold import fold_variables
from freezer.passes.functions import freeze_functions
from freezer.passes.pin import pin_placeholders
from freezer.passes.prune import prune_to_outputs
from freezer.passes.repair import repair_ref_ops
from freezer.passes.resources import rewrite_resource_reads

# Before the outputs are pruned and values read: what the user pinned, and the branches it rules out.
PREPARE: tuple[Pass, ...] = (
    pin_placeholders,
    fold_constant_branches,
)

PIPELINE: tuple[Pass, ...] = (
    fold_variables,
    freeze_functions,
    repair_ref_ops,
    rewrite_resource_reads,
    prune_to_outputs,  # what only the repaired assigns needed falls away
    drop_dangling_colocation,
    clear_devices,
)


def run_pipeline(graph_def: graph_pb2.GraphDef, ctx: PassContext,
                 passes: tuple[Pass, ...] = PIPELINE) -> graph_pb2.GraphDef:
    """Run each pass in turn; a failure inside a pass is reported with the pass's name."""
    for graph_pass in passes:
        try:
            graph_def = graph_pass(graph_def, ctx).graph_def
        except FreezerError:
            raise
        except Exception as error:
            raise RuntimeError(f"freezer pass {graph_pass.__name__} failed: {error}") from error
    return graph_def


__all__ = ["PIPELINE", "PREPARE", "PassContext", "PassResult", "run_pipeline", "prune_to_outputs"]
