"""Optimize for inference (`--optimize`, `--weights float16`): after the freeze, make the graph
simpler for picky consumers (OpenCV dnn, TFLite, tf2onnx) without changing an output's name, dtype,
shape or value.

    fold_constants     a node whose inputs are all constants, of an op numpy can evaluate exactly as
                       TensorFlow does (kernels.py), becomes a Const of its value
    fold_batch_norms   FusedBatchNorm (inference) and the unfused mul/add after Conv2D,
                       DepthwiseConv2dNative or MatMul (+ BiasAdd) folded into the weights and a bias
    remove_identities  Identity, StopGradient, CheckNumerics, IdentityN outside control flow, and
                       no-op dropout
    leftovers          NoOps that order nothing any more (a SavedModel's ordered variable reads),
                       then everything the outputs no longer need, pruned
    half_weights       float32 constants stored as float16, cast back where they are used

and `cleanup.drop_dangling_colocation` where it is needed (see `OPTIMIZE`), not after each pass.
Each pass does nothing unless its option is given, and counts what it did in `ctx.optimized`
("folded constant subgraphs" → 53), which the summary and `--report` show. Const values may wait in
`ctx.deferred` for the writer: read them with `passes.rewrite.const_value`, and give new Consts theirs
with `value_tensor`.
"""

from freezer.passes.base import Stage
from freezer.passes.cleanup import drop_dangling_colocation
from freezer.passes.optimize.fold_batch_norms import fold_batch_norms
from freezer.passes.optimize.fold_constants import fold_constants
from freezer.passes.optimize.half_weights import store_half_weights
from freezer.passes.optimize.leftovers import prune_leftovers, remove_noops
from freezer.passes.optimize.remove_identities import remove_identities

# `loc:@` entries naming nodes a pass removed are dropped before a pass that names new nodes (a new
# node could take a removed one's name and the entry would name it) and at the end.
OPTIMIZE = Stage("optimize", (
    fold_constants,  # first: batch norm parameters arrive as constant subgraphs (Sqrt(var + eps), ...)
    drop_dangling_colocation,
    fold_batch_norms,  # names `<norm>/bias` Consts
    remove_identities,
    fold_constants,  # what batch norm folding and identity removal left foldable
    remove_noops,  # what the Identities' removal and folding left waiting for nothing
    prune_leftovers,  # what no output needs any more, whichever pass left it
    drop_dangling_colocation,
    store_half_weights,  # every constant is final; names `<const>/float16` Consts
    drop_dangling_colocation,
))
