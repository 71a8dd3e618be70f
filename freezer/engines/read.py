"""Reading variables with an engine: check each against the checkpoint, then read (see the package)."""

from __future__ import annotations

import importlib
import importlib.util
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from freezer.errors import CheckpointError, UnsupportedCheckpoint
from freezer.graph import format_suggestions, nearest
from freezer.io.bundle import parse_slice_spec
from freezer.progress import Progress
from freezer.tensors import ITEM_SIZES, dtype_name
from freezer.variables import Variable

if TYPE_CHECKING:
    import numpy as np


def read_variables(engine: str, prefix: str, variables: list[Variable], notes: list[str],
                   progress: Progress) -> Mapping[str, np.ndarray]:
    """Each variable's value from the checkpoint at `prefix`, after checking key, dtype and shape."""
    try:
        return _read_with(engine, prefix, variables, progress)
    except UnsupportedCheckpoint as error:
        if engine != "native" or importlib.util.find_spec("tensorflow") is None:
            raise
        notes.append(f"{error.reason}, which the native reader does not read; read it with the session engine.")
        return _read_with("session", prefix, variables, progress)


def read_after_init_ops(prefix: str, variables: list[Variable], graph_def,
                        restorable: list[Variable], init_ops: list[str]) -> Mapping[str, np.ndarray]:
    """Values of `variables` after restoring every restorable variable into the graph and running
    `init_ops` (TF freeze_graph's `initializer_nodes`): only TensorFlow (the session engine) can."""
    reader = importlib.import_module("freezer.engines.session").open_checkpoint(prefix)
    contents = reader.contents()
    for variable in variables:
        check_variable(variable, contents, prefix)
    return reader.read_after_init_ops(variables, graph_def, [v for v in restorable if v.key in contents], init_ops)


def _read_with(engine: str, prefix: str, variables: list[Variable], progress: Progress) -> Mapping[str, np.ndarray]:
    reader = importlib.import_module(f"freezer.engines.{engine}").open_checkpoint(prefix)
    contents = reader.contents()
    for variable in variables:
        check_variable(variable, contents, prefix)
    sizes = {variable.name: _stored_bytes(variable, contents[variable.key]) for variable in variables}
    with progress.step("Reading values", sum(sizes.values())) as advance:
        return reader.read_all(variables, lambda variable: advance(sizes[variable.name]))


def _stored_bytes(variable: Variable, stored: tuple[int, tuple[int, ...]]) -> int:
    """About how many bytes reading the variable takes (strings count one byte each: their length
    is not in the index)."""
    dtype, shape = stored
    if variable.slice_spec:
        shape = slice_shapes(variable)[1]
    itemsize = ITEM_SIZES.get(dtype, 1)
    return math.prod(shape) * itemsize


def check_variable(variable: Variable, contents: Mapping[str, tuple[int, tuple[int, ...]]], prefix: str) -> None:
    """Raise CheckpointError unless the checkpoint holds `variable` with its dtype and shape."""
    if variable.key not in contents:
        raise CheckpointError(f"Variable {variable.description} is not in checkpoint {prefix}."
                              f"{_nearest_keys(variable.key, contents)} "
                              "Check the checkpoint belongs to this graph.")
    dtype, shape = contents[variable.key]
    if dtype != variable.dtype:
        raise CheckpointError(f"Variable {variable.description} is {dtype_name(variable.dtype)} in the graph "
                              f"but {dtype_name(dtype)} in checkpoint {prefix}.")
    expected = shape
    if variable.slice_spec:
        full, expected = slice_shapes(variable)
        if full != tuple(shape):
            raise CheckpointError(f"Variable {variable.description} is a slice of a {list(full)} tensor in the "
                                  f"graph but {variable.key!r} is {list(shape)} in checkpoint {prefix}.")
    if variable.shape is not None and tuple(variable.shape) != tuple(expected):
        raise CheckpointError(f"Variable {variable.description} has shape {list(variable.shape)} in the graph "
                              f"but {list(expected)} in checkpoint {prefix}.")


def _nearest_keys(key: str, contents: Mapping[str, object]) -> str:
    close = nearest(key, contents)
    if close:
        return format_suggestions(close)
    keys = sorted(contents)
    return f" It holds {len(keys)} key(s): {', '.join(keys[:5])}{', ...' if len(keys) > 5 else ''}."


def slice_shapes(variable: Variable) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(full shape, slice shape) of the variable's "full shape + slice" spec: "10 4 0,5:-" → (10, 4), (5, 4)."""
    try:
        full, extents = parse_slice_spec(variable.slice_spec)
    except ValueError as error:
        raise CheckpointError(f"The graph's restore op gives variable {variable.name} the malformed slice "
                              f"{variable.slice_spec!r} ({error}); fix or re-export the graph.") from None
    return full, tuple(dim if length == -1 else length for dim, (_, length) in zip(full, extents))
