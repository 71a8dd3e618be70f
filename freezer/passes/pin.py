"""Pin placeholders (`--set is_training=false`): each named placeholder becomes a Const of that value.

Only `Placeholder` and `PlaceholderWithDefault` nodes can be pinned; a pinned node keeps its name so
every consumer still resolves. `fold_constant_branches` then removes the branches the constant rules
out. Values are given as text, the way a user types them, and converted to the placeholder's dtype.
"""

from __future__ import annotations

import json

import numpy as np
from tensorboard.compat.proto import types_pb2

from freezer.errors import OptionError
from freezer.graph import GraphIndex, format_suggestions
from freezer.ops import PLACEHOLDER_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import become_const
from freezer.tensors import NUMPY_DTYPES, dtype_name, make_tensor_proto

_TRUE, _FALSE = {"true", "1", "yes"}, {"false", "0", "no"}


def pin_placeholders(index: GraphIndex, ctx: PassContext) -> PassResult:
    pins = ctx.options.pin
    if not pins:
        return PassResult(index.graph_def, changed=False)
    for name, text in pins.items():
        node = _placeholder(index, name)
        dtype = node.attr["dtype"].type
        value = parse_value(text, dtype, name)
        _check_shape(node, value, name, text)
        del node.input[:]  # a PlaceholderWithDefault's default is no longer needed
        become_const(node, make_tensor_proto(value, dtype))
    ctx.notes.append("Pinned " + ", ".join(f"{name}={text}" for name, text in pins.items()) + ".")
    return PassResult(index.graph_def, changed=True)


def parse_value(text: str, dtype: int, name: str) -> np.ndarray:
    """`text` as a value of `dtype`: a scalar (`false`, `3`, `0.5`, `hello`) or a JSON list (`[1, 2]`)."""
    try:
        raw = json.loads(text) if text.lstrip().startswith("[") else text
        return _convert(raw, dtype)
    except (ValueError, TypeError, OverflowError):
        raise OptionError(f"--set {name}={text}: {text!r} is not a {dtype_name(dtype)} value; "
                          "give e.g. false, 3, 0.5 or [1, 2].") from None


def _convert(raw, dtype: int) -> np.ndarray:
    if dtype == types_pb2.DT_STRING:
        array = np.array(raw, dtype=object)
        if not all(isinstance(item, str) for item in array.reshape(-1)):
            raise ValueError("strings only")
        return array
    if dtype == types_pb2.DT_BOOL:
        return np.vectorize(_parse_bool, otypes=[bool])(np.array(raw, dtype=object))
    numpy_dtype = NUMPY_DTYPES.get(dtype)
    if numpy_dtype is None or dtype == types_pb2.DT_BFLOAT16:
        raise ValueError(f"cannot pin a {dtype_name(dtype)} placeholder")
    if numpy_dtype.kind in "iu":  # exact: through int(), never through a float
        return np.vectorize(lambda item: _parse_int(item, numpy_dtype), otypes=[numpy_dtype])(np.array(raw, dtype=object))
    return np.array(raw, dtype=object).astype(numpy_dtype)


def _parse_int(item, dtype: np.dtype) -> int:
    number = int(str(item).strip())
    info = np.iinfo(dtype)
    if not info.min <= number <= info.max:
        raise ValueError(f"{number} is out of range")
    return number


def _parse_bool(item) -> bool:
    word = str(item).strip().lower()
    if word in _TRUE or word in _FALSE:
        return word in _TRUE
    raise ValueError(word)


def _check_shape(node, value: np.ndarray, name: str, text: str) -> None:
    """The value must fit the placeholder's declared shape (unknown dimensions fit anything)."""
    shape = node.attr["shape"].shape if "shape" in node.attr else None
    if shape is None or shape.unknown_rank:
        return
    dims = [d.size for d in shape.dim]
    if len(dims) != value.ndim or any(d >= 0 and d != v for d, v in zip(dims, value.shape)):
        wanted = "a scalar" if not dims else "shape [" + ", ".join("?" if d < 0 else str(d) for d in dims) + "]"
        raise OptionError(f"--set {name}={text}: {name} takes {wanted}, not shape {list(value.shape)}; "
                          "give a value of that shape.")


def _placeholder(index: GraphIndex, name: str):
    if name not in index:
        raise OptionError(f"--set {name}: no node {name!r} in the graph; name a Placeholder or "
                          f"PlaceholderWithDefault.{format_suggestions(index.nearest_names(name))}")
    node = index[name]
    if node.op not in PLACEHOLDER_OPS:
        raise OptionError(f"--set {name}: {name} is a {node.op}, not a placeholder; only placeholders "
                          "can be pinned.")
    return node
