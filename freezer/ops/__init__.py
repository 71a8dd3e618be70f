"""What freezer knows about TensorFlow op types: the one place that names them.

Every set of op names that a pass, a check, a loader or `inspect` asks about is here, with a line
on why an op belongs to it. Two neighbours hold the rest of the op knowledge: `ops.calls` (where a
functional op keeps its arguments, types and functions) and `ops.arguments` (each op's input and
output arguments, from TensorFlow's op registry, for turning function-body names into ports).
"""

from __future__ import annotations

# ---------------------------------------------------------------------------------------- variables

# Variables held by reference: their output is `float_ref` etc., read through an `Identity`.
REF_VARIABLE_OPS = frozenset({"Variable", "VariableV2"})
# Variables held by handle (`DT_RESOURCE`), read by `ReadVariableOp` and the other handle reads.
RESOURCE_VARIABLE_OPS = frozenset({"VarHandleOp"})
VARIABLE_OPS = REF_VARIABLE_OPS | RESOURCE_VARIABLE_OPS

# Give a variable a whole new value (input 0 the variable, input 1 the value): what a saver's
# restore and an initializer do.
WHOLE_ASSIGN_OPS = frozenset({"Assign", "AssignVariableOp"})
# A ref assign returns the variable's new value; repaired into the op computing that value.
REF_ASSIGN_AS = {"Assign": "Identity", "AssignAdd": "Add", "AssignSub": "Sub"}
# Resource assigns have no outputs: only control edges reach them, so they can simply go.
RESOURCE_ASSIGN_OPS = frozenset({"AssignVariableOp", "AssignAddVariableOp", "AssignSubVariableOp"})
ASSIGN_OPS = frozenset(REF_ASSIGN_AS) | RESOURCE_ASSIGN_OPS

# Each takes the checkpoint prefix, then tensor names (input 1), then slice specs (input 2, if any).
RESTORE_OPS = frozenset({"RestoreV2", "Restore", "RestoreSlice"})
SAVE_OPS = frozenset({"SaveV2", "Save", "SaveSlices"})
# Only make sense while training or saving: a frozen graph must not need any of them.
TRAINING_OPS = VARIABLE_OPS | ASSIGN_OPS | SAVE_OPS | RESTORE_OPS

# Handle reads, and what each becomes once the variable is a value (`passes.functions.handle_reads`).
HANDLE_READ_AS = {"ReadVariableOp": "Identity", "ResourceGather": "GatherV2",
                  "ResourceGatherNd": "GatherNd", "VariableShape": "Shape"}
# "Is the variable initialized?" (resource and ref): a folded variable always is.
INITIALIZED_CHECK_OPS = frozenset({"VarIsInitializedOp", "IsVariableInitialized"})

# --------------------------------------------------------------------------------- v1 control flow

# Ref ops of v1 control flow and their plain twins: fed a value instead of a reference, each
# becomes its twin (same inputs and attrs).
REF_TWINS = {
    "RefSwitch": "Switch", "RefMerge": "Merge", "RefEnter": "Enter", "RefExit": "Exit",
    "RefNextIteration": "NextIteration", "RefIdentity": "Identity",
}
# Output (one of) their data inputs unchanged: a variable's value or handle flows through them.
PASS_THROUGH_OPS = frozenset({"Identity", "Enter", "Exit", "NextIteration", "Switch", "Merge", *REF_TWINS})
SWITCH_OPS = frozenset({"Switch", "RefSwitch"})  # forward input 0 to output 0 (false) or 1 (true)
MERGE_OPS = frozenset({"Merge", "RefMerge"})  # forward whichever data input arrives
BACK_EDGE_OPS = frozenset({"NextIteration", "RefNextIteration"})  # close a v1 while loop's cycle

# Take a variable's handle or reference (besides assigns): none may be fed a folded variable.
VARIABLE_ACCESS_OPS = frozenset({*HANDLE_READ_AS, *INITIALIZED_CHECK_OPS, "RefSelect", *REF_TWINS})

# ------------------------------------------------------------------------- v2 control flow, calls

# Call one function with the node's inputs as its arguments: what captures a TF2 model's variables,
# and what inlining flattens.
FUNCTION_CALL_OPS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})
# Functional conds: `If` chooses by a condition (then_branch, else_branch), `Case` by an index.
IF_OPS = frozenset({"If", "StatelessIf"})
CASE_OPS = frozenset({"Case", "StatelessCase"})
# Functional loops: a `cond` function decides, a `body` function computes the next loop variables.
WHILE_OPS = frozenset({"While", "StatelessWhile"})
# What --lower-control-flow turns into v1 control flow (`passes.functions.lower`).
FUNCTIONAL_CONTROL_FLOW_OPS = IF_OPS | CASE_OPS | WHILE_OPS
# A functional cond on a constant condition is a call of one branch: stateful or not, as it was.
BRANCH_CALL_FOR = {"If": "StatefulPartitionedCall", "StatelessIf": "PartitionedCall",
                   "Case": "StatefulPartitionedCall", "StatelessCase": "PartitionedCall"}

# ------------------------------------------------------------------------------ tables, placeholders

# Fill a lookup table (input 0 the table): a table is not a variable, so what fills it stays.
TABLE_INIT_OPS = frozenset({
    "InitializeTable", "InitializeTableV2", "InitializeTableFromTextFile",
    "InitializeTableFromTextFileV2", "LookupTableImport", "LookupTableImportV2",
    "InitializeTableFromDataset",
})
# Fill a table from the text file whose path is input 1, read when the init op runs; freezer reads
# a SavedModel's asset file itself and fills the table with its twin from Consts of keys and values.
TEXT_FILE_TABLE_INIT_AS = {"InitializeTableFromTextFileV2": "LookupTableImportV2",
                           "InitializeTableFromTextFile": "LookupTableImport"}
# Tables an initializer can fill (`StaticHashTable`); `key_dtype`/`value_dtype` attrs type them.
INITIALIZABLE_TABLE_OPS = frozenset({"HashTableV2", "HashTable"})
# What a user feeds (`--set` pins one to a constant).
PLACEHOLDER_OPS = frozenset({"Placeholder", "PlaceholderWithDefault"})

# ----------------------------------------------------------------------- what inspect tells apart

# Every op of v1 control flow: what a freeze keeps as it is (unless a `--set` pin folds it).
V1_CONTROL_FLOW_OPS = frozenset({*SWITCH_OPS, *MERGE_OPS, *BACK_EDGE_OPS, "Enter", "Exit", "RefEnter",
                                 "RefExit", "LoopCond"})
# Write summaries for TensorBoard: they only observe a tensor, so a tensor only they read is still
# an output of the model (`freezer inspect` ranks it as one).
SUMMARY_OPS = frozenset({
    "ScalarSummary", "HistogramSummary", "ImageSummary", "AudioSummary", "AudioSummaryV2", "TensorSummary",
    "TensorSummaryV2", "MergeSummary", "WriteSummary", "WriteScalarSummary", "WriteHistogramSummary",
    "WriteImageSummary", "WriteAudioSummary", "WriteRawProtoSummary", "WriteGraphSummary",
    "CreateSummaryFileWriter", "CreateSummaryDbWriter", "FlushSummaryWriter", "CloseSummaryWriter",
    "SummaryWriter",
})
# Optimizer updates (`Apply*`, `ResourceApply*`, their sparse twins): the training step, never an
# output of the model; what only they read (gradients, slots) is training too.
OPTIMIZER_OPS = frozenset({
    f"{prefix}Apply{name}"
    for prefix in ("", "Resource", "Sparse", "ResourceSparse")
    for name in ("Adadelta", "Adagrad", "AdagradDA", "AdagradV2", "CenteredRMSProp", "Ftrl", "FtrlV2", "Momentum",
                 "ProximalAdagrad", "ProximalGradientDescent", "RMSProp")
} | {f"{prefix}Apply{name}" for prefix in ("", "Resource")
     for name in ("AdaMax", "Adam", "AddSign", "GradientDescent", "PowerSign")}
  | {"ResourceApplyAdamWithAmsgrad", "ResourceApplyKerasMomentum", "ResourceSparseApplyKerasMomentum"})
# Give a tensor's shape or a tensor of its shape, not a function of its values: a model's outputs
# compute from the inputs' values, so a dangling one of these is bookkeeping, not an output.
SHAPE_ONLY_OPS = frozenset({"Shape", "ShapeN", "Size", "Rank", "ZerosLike", "OnesLike", "VariableShape"})

# ------------------------------------------------------------------ what --optimize rewrites

# Output their one data input unchanged at inference: what remove_identities removes, and what
# constant folding reads through. CheckNumerics is dropped at inference but checks its input, so
# folding does not read through it (remove_identities goes first, the second folding sees past it).
IDENTITY_OPS = frozenset({"Identity", "StopGradient", "CheckNumerics", "PreventGradient", "Snapshot"})
FORWARDING_OPS = IDENTITY_OPS - {"CheckNumerics"}
# A v1 control-flow frame ends where its values leave it: a loop's Exit, a cond's (or a loop head's) Merge.
FRAME_END_OPS = frozenset({"Exit", "RefExit", *MERGE_OPS})
# Batch norms folded into the layer before them: the fused ones, in inference mode...
FUSED_BATCH_NORM_OPS = frozenset({"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3"})
# ... and the unfused one's last step, x · s + t (or - t), after a Mul by the scale.
BATCH_NORM_SHIFT_OPS = frozenset({"Add", "AddV2", "Sub"})
# The layers a batch norm folds into: each output channel is a sum of products with its filter slice.
FILTERED_LAYER_OPS = frozenset({"Conv2D", "DepthwiseConv2dNative", "MatMul"})
# Need their input's shape, never its values (constant folding can fold them on a known shape).
SHAPE_OF_OPS = frozenset({"Shape", "Size", "Rank"})
