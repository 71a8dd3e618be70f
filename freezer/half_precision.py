"""Which float32 constants `--weights float16` stores as half: shared by the pass that does it
(`passes.optimize.half_weights`) and the size check that suggests it (`check.check_size`)."""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import node_def_pb2, types_pb2

MIN_HALF_BYTES = 1024  # smaller constants (biases, scalars, shapes) would save less than a Cast costs


def worth_halving(const: node_def_pb2.NodeDef, deferred: dict[str, np.ndarray]) -> bool:
    """Whether a Const holds float32 values taking at least `MIN_HALF_BYTES` of the file: waiting in
    `deferred`, or in its proto (one value repeated to fill a shape is stored once, and stays)."""
    if const.op != "Const" or "value" not in const.attr or const.attr["value"].tensor.dtype != types_pb2.DT_FLOAT:
        return False
    if const.name in deferred:
        return deferred[const.name].nbytes >= MIN_HALF_BYTES
    tensor = const.attr["value"].tensor
    return len(tensor.tensor_content) + 4 * len(tensor.float_val) >= MIN_HALF_BYTES


def as_half(value: np.ndarray) -> np.ndarray | None:
    """The value rounded to float16, or None when a finite value would become infinite (beyond
    ±65504): that would be a different graph, not a less precise one."""
    with np.errstate(over="ignore"):  # overflow is what this looks for
        half = value.astype(np.float16)
    if np.count_nonzero(np.isinf(half)) != np.count_nonzero(np.isinf(value)):
        return None
    return half
