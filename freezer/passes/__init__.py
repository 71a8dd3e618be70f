"""The stages of a freeze and their passes: the one place the order of work is decided.

    prepare           a SavedModel signature's outputs, pin placeholders (--set), inline function
                      calls (and those of a SavedModel's init op that fill tables), point tables
                      filled from asset files at the asset, fold the control flow decided by constants
    choose variables  what stays a variable, what initializes it, prune to the outputs
    read values       each variable to freeze, from the checkpoint; each asset file, into Consts
                      its table is filled from
    rewrite           variables → Consts, and everything that took them made to take values; a
                      signature's tensors named by their keys
    optimize          only with --optimize / --weights float16 (see `passes.optimize`): constants and
                      batch norms folded, Identity nodes dropped, weights stored as half
    check             the graph will load in its consumers

`freezer.api.freeze()` loads the graph (outputs and options checked against it) and runs `STAGES`.
"""

from __future__ import annotations

from freezer.passes.assets import bind_asset_files, embed_asset_files, inline_init_op_calls
from freezer.passes.base import Pass, PassContext, PassResult, Stage, run_stage
from freezer.passes.branches import fold_constant_branches
from freezer.passes.checks import check_loadable
from freezer.passes.choose import choose_kept_variables, describe_frozen_variables, keep_initializers
from freezer.passes.cleanup import clear_devices, drop_dangling_colocation
from freezer.passes.fold import fold_variables
from freezer.passes.functions import freeze_functions, inline_calls, lower_control_flow
from freezer.passes.optimize import OPTIMIZE
from freezer.passes.pin import pin_placeholders
from freezer.passes.prune import prune_to_outputs
from freezer.passes.repair import repair_ref_ops
from freezer.passes.resources import rewrite_resource_reads
from freezer.passes.signature import add_signature_outputs, name_by_signature
from freezer.passes.values import read_values

PREPARE = Stage("prepare", (
    add_signature_outputs,
    pin_placeholders,
    inline_init_op_calls,  # a SavedModel whose init op calls a function filling tables (TF2)
    inline_calls,  # unless --keep-calls: the graph is flat before anything else looks at it
    bind_asset_files,  # tables filled from a SavedModel's asset files read them from the asset tensor
    fold_constant_branches,
    inline_calls,  # again: an If or Case on a pinned condition has become a call of the branch taken
))
CHOOSE_VARIABLES = Stage("choose variables", (
    choose_kept_variables,
    keep_initializers,
    prune_to_outputs,
    describe_frozen_variables,
))
READ_VALUES = Stage("read values", (
    read_values,
    embed_asset_files,  # an asset file's lines become the Consts its table is filled from
))
REWRITE = Stage("rewrite", (
    fold_variables,
    freeze_functions,
    lower_control_flow,  # only with --lower-control-flow
    repair_ref_ops,
    rewrite_resource_reads,
    prune_to_outputs,  # what only the repaired assigns needed falls away
    name_by_signature,
    drop_dangling_colocation,
    clear_devices,
))
CHECK = Stage("check", (
    check_loadable,
))
STAGES: tuple[Stage, ...] = (PREPARE, CHOOSE_VARIABLES, READ_VALUES, REWRITE, OPTIMIZE, CHECK)

__all__ = ["CHECK", "CHOOSE_VARIABLES", "OPTIMIZE", "PREPARE", "READ_VALUES", "REWRITE", "STAGES", "Pass",
           "PassContext", "PassResult", "Stage", "run_stage"]
