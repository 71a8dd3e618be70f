"""Is the frozen graph right? A structural check without TensorFlow, and a run of both graphs with it.

`check_structure` needs no TensorFlow: the checks `freeze` runs before writing (`freezer.check`:
every input resolves, no variable, assign or reference op, no resource edge but tables' ...).

`verify_outputs` runs the frozen graph and the original one (restored from its checkpoint by
`freezer.restoring`) on the same inputs — the user's, or generated from a seeded generator in each
input's dtype and shape — and compares every output: integers, bools and strings exactly, floats
within `rtol`. Near zero a relative tolerance means nothing (one rounding of a sum that cancels
moves 1e-9 by 100 %), so each float element may also be off by `rtol` times the largest magnitude
in that output:

    |frozen - original| <= rtol * |original| + rtol * max(|original|)

NaNs match NaNs at the same places. A mismatch raises `VerificationError` naming the output and its
largest difference.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Collection, Iterable, Mapping

import numpy as np
from tensorboard.compat.proto import graph_pb2, types_pb2

from freezer.check import check_frozen
from freezer.engines.session import without_devices
from freezer.errors import CheckError, FreezerError, OptionError
from freezer.graph import GraphIndex, format_suggestions, nearest, parse_input, reachable
from freezer.initializers import table_initializers
from freezer.io.frozen import FrozenGraph
from freezer.ops import PLACEHOLDER_OPS
from freezer.outputs import resolve_outputs, split_names
from freezer.passes.pin import parse_value
from freezer.restoring import OriginalGraph, describe_op_error, restore_original, tensorflow
from freezer.tensors import dtype_name

DEFAULT_RTOL = 1e-5
SEED = 0  # generated inputs are the same in every run
_SMALL_INTS = 3  # generated integers are 0, 1 or 2: valid indices and counts for most models
_LISTED = 10  # names an error lists at most
_UNCOMPARABLE = (types_pb2.DT_RESOURCE, types_pb2.DT_VARIANT)  # handles, not values


class VerificationError(FreezerError):
    """The frozen graph and the original disagree, or one of them failed to run. `reason` is the
    message without its final period, for the CLI to add what happened to the written file."""

    def __init__(self, reason: str):
        super().__init__(reason + ".")
        self.reason = reason


@dataclasses.dataclass(frozen=True)
class Comparison:
    """One output compared: its name in the frozen graph, dtype, shape and largest difference
    (None for bools and strings, which are equal or not)."""

    output: str
    dtype: str
    shape: tuple[int, ...]
    largest_difference: float | None


@dataclasses.dataclass(frozen=True)
class FedInput:
    """One input both graphs were fed: its name in the frozen graph, dtype, shape, and whether the
    value was generated (else the user gave it)."""

    name: str
    dtype: str
    shape: tuple[int, ...]
    generated: bool


@dataclasses.dataclass(frozen=True)
class Verification:
    """What `verify_outputs` fed both graphs and how each output compared."""

    inputs: list[FedInput]
    comparisons: list[Comparison]


@dataclasses.dataclass(frozen=True)
class FrozenInput:
    """A placeholder of the frozen graph, and the tensor of the original fed the same value."""

    name: str
    dtype: int
    shape: tuple[int | None, ...] | None  # None when even the rank is unknown
    original: str
    required: bool  # a Placeholder, not a PlaceholderWithDefault


def check_structure(graph_def: graph_pb2.GraphDef, label: str = "The frozen graph") -> None:
    """The checks a frozen graph passed before `freeze` wrote it; raises `CheckError` (its message
    starting with `label`)."""
    try:
        check_frozen(FrozenGraph(graph_def))
    except CheckError as error:
        raise CheckError(f"{label} fails the checks of a frozen graph: {error}") from None


def verify_outputs(frozen: graph_pb2.GraphDef, original: OriginalGraph, *, outputs: Iterable[str] | None = None,
                   feeds: Mapping[str, np.ndarray] | None = None,
                   input_shapes: Mapping[str, Iterable[int]] | None = None, rtol: float = DEFAULT_RTOL,
                   pin: Mapping[str, str] | None = None, init_op: str | None = None) -> Verification:
    """Run both graphs on the same inputs and compare `outputs` (names in the frozen graph: `y`,
    `y:1`, a signature key; default: its nodes nothing consumes): `y` stands for every output of y.

    `feeds` gives inputs by name (`load_npy` reads a `.npy` file); the other required inputs are
    generated, their unknown dimensions 1 or as `input_shapes` says. `pin` (placeholder → value as text) feeds
    the original the placeholders `--set` pinned when freezing. `init_op` runs in the frozen graph
    before the outputs (default: its table initializers). Raises `VerificationError` on a
    mismatch, `OptionError` for feeds and shapes that do not fit the inputs.
    """
    check_rtol(rtol)
    tensorflow("Verifying")  # before any work: without it, nothing can be verified
    frozen_index, original_index = GraphIndex(frozen), GraphIndex(original.graph_def)
    output_names = split_names(outputs or ()) or _sinks(frozen_index)
    resolve_outputs(frozen_index, output_names)  # unknown names and ports: the same errors as freeze's
    inputs = frozen_inputs(frozen_index, original, original_index)
    values = input_values(inputs, feeds or {}, input_shapes or {})
    original_feeds = {inputs[name].original: value for name, value in values.items()}
    original_feeds.update(_pinned_values(original_index, pin or {}, inputs))
    original_nodes = [parse_input(_original_tensor(original, name)).node for name in output_names]
    _check_original_fed(original_index, original_nodes, inputs, original_feeds)
    targets = [init_op] if init_op else table_initializers(frozen_index, set(frozen_index.nodes))
    pairs, frozen_values = _run_frozen(frozen, targets, values, original, original_index, output_names)
    session, _ = restore_original(original, needed_by=original_nodes)
    with session:
        original_values = _run(session, [], [tensor for _, tensor in pairs], original_feeds, "the original graph")
    fed = [FedInput(name, _value_dtype_name(value), value.shape, name not in (feeds or {}))
           for name, value in values.items()]
    return Verification(fed, [compare(name, got, want, rtol)
                              for (name, _), got, want in zip(pairs, frozen_values, original_values)])


def check_rtol(rtol: float) -> None:
    if not rtol >= 0:  # NaN too
        raise OptionError(f"--rtol {rtol:g}: give a tolerance of 0 or more, e.g. --rtol 1e-5.")


# ---- inputs ------------------------------------------------------------------------------------

def frozen_inputs(frozen: GraphIndex, original: OriginalGraph, original_index: GraphIndex) -> dict[str, FrozenInput]:
    """The frozen graph's placeholders by name, each with the original tensor it stands for (a
    signature input key's tensor, else the same name)."""
    inputs = {}
    for node in frozen.graph_def.node:
        if node.op not in PLACEHOLDER_OPS:
            continue
        counterpart = original.tensor_name(node.name) if node.name in original.signature_inputs else f"{node.name}:0"
        spec = FrozenInput(node.name, node.attr["dtype"].type, _declared_shape(node), counterpart,
                           node.op == "Placeholder")
        _check_counterpart(spec, original_index.nodes.get(parse_input(counterpart).node))
        inputs[node.name] = spec
    return inputs


def _check_counterpart(spec: FrozenInput, node) -> None:
    """The original must have the input, as a placeholder of the same dtype and shape, if it is one."""
    again = "verify the frozen graph against the graph it was frozen from."
    if node is None:
        raise OptionError(f"Input {spec.name} of the frozen graph is not in the original graph; {again}")
    if node.op in PLACEHOLDER_OPS and (node.attr["dtype"].type, _declared_shape(node)) != (spec.dtype, spec.shape):
        raise OptionError(f"Input {spec.name} is {dtype_name(spec.dtype)} {_shape_text(spec.shape)} in the frozen "
                          f"graph but {dtype_name(node.attr['dtype'].type)} {_shape_text(_declared_shape(node))} "
                          f"in the original; {again}")


def _declared_shape(node) -> tuple[int | None, ...] | None:
    shape = node.attr["shape"].shape if "shape" in node.attr else None
    if shape is None or shape.unknown_rank:
        return None
    return tuple(None if dim.size < 0 else dim.size for dim in shape.dim)


def input_values(inputs: Mapping[str, FrozenInput], feeds: Mapping[str, np.ndarray],
                 input_shapes: Mapping[str, Iterable[int]]) -> dict[str, np.ndarray]:
    """A value for every required input and every fed one: fed values as given, the others
    generated (seeded) in the input's dtype and shape."""
    for option, names in (("--feed", feeds), ("--input-shape", input_shapes)):
        for name in names:
            _check_input_name(option, name, inputs)
    both = sorted(set(feeds) & set(input_shapes))
    if both:
        raise OptionError(f"--feed and --input-shape both give input {both[0]}; give its value or its shape, "
                          "not both.")
    generator = np.random.default_rng(SEED)
    values = {}
    for name, spec in inputs.items():
        if name in feeds:
            values[name] = _fed_value(spec, feeds[name])
        elif spec.required or name in input_shapes:
            shape = _shape_to_generate(spec, input_shapes.get(name))
            values[name] = generated_value(generator, spec.dtype, shape)
    return values


def _check_input_name(option: str, name: str, inputs: Mapping[str, FrozenInput]) -> None:
    if name in inputs:
        return
    listed = ", ".join(list(inputs)[:_LISTED]) + (", ..." if len(inputs) > _LISTED else "")
    has = f"its inputs are: {listed}" if inputs else "it has no inputs"
    raise OptionError(f"{option} {name}: the frozen graph has no input {name!r}; {has}."
                      f"{format_suggestions(nearest(name, inputs))}")


def _shape_text(shape: Iterable[int | None] | None) -> str:
    return "[...]" if shape is None else "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _fits(shape: tuple[int, ...], declared: tuple[int | None, ...] | None) -> bool:
    return declared is None or (len(shape) == len(declared) and
                                all(want is None or want == got for got, want in zip(shape, declared)))


def _shape_to_generate(spec: FrozenInput, given: Iterable[int] | None) -> tuple[int, ...]:
    if given is not None:
        shape = tuple(given)
        if not _fits(shape, spec.shape):
            example = ",".join("1" if d is None else str(d) for d in spec.shape)
            raise OptionError(f"--input-shape {spec.name}={','.join(map(str, shape))}: {spec.name} takes shape "
                              f"{_shape_text(spec.shape)}; give a shape that fits it, e.g. "
                              f"--input-shape {spec.name}={example}.")
        return shape
    if spec.shape is None:
        raise OptionError(f"Input {spec.name} has no known shape; give one with --input-shape "
                          f"{spec.name}=D,D,... or a value with --feed {spec.name}=FILE.npy.")
    return tuple(1 if dim is None else dim for dim in spec.shape)


def _fed_value(spec: FrozenInput, value: np.ndarray) -> np.ndarray:
    """A fed array, which must have the input's dtype and fit its shape (strings: str or bytes)."""
    if spec.dtype == types_pb2.DT_STRING and value.dtype.kind in "SU":
        value = np.vectorize(_as_bytes, otypes=[object])(value) if value.size else value.astype(object)
    if _numpy_dtype(spec.dtype) != value.dtype or not _fits(value.shape, spec.shape):
        raise OptionError(f"--feed {spec.name}: {spec.name} takes {dtype_name(spec.dtype)} {_shape_text(spec.shape)}, "
                          f"not {_value_dtype_name(value)} {_shape_text(value.shape)}; give an array of that dtype "
                          "and shape.")
    return value


def _as_bytes(item) -> bytes:
    return item.encode("utf-8") if isinstance(item, str) else bytes(item)


def _value_dtype_name(value: np.ndarray) -> str:
    """An array's dtype as freezer names a graph's (`float` for float32), numpy's name if TF has none."""
    if value.dtype.kind in "SUO":
        return "string"
    try:
        return dtype_name(tensorflow("Verifying").dtypes.as_dtype(value.dtype).as_datatype_enum)
    except TypeError:
        return str(value.dtype)


def load_npy(path: str | os.PathLike, where: str) -> np.ndarray:
    """The array a `.npy` file holds (never a pickle); `where` names the option in errors."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO or device would block or never end
            raise OptionError(f"{where}: {path} is not a regular file; give a .npy file saved with numpy.save.")
        value = np.load(path, allow_pickle=False)
    except OSError as error:
        raise OptionError(f"{where}: cannot read {path} ({error.strerror or error}); give a .npy file saved "
                          "with numpy.save.") from None
    except ValueError:
        raise OptionError(f"{where}: {path} is not a .npy file of numbers, bools or strings (Python objects "
                          "are not loaded); save the array with numpy.save.") from None
    if not isinstance(value, np.ndarray):  # an .npz archive
        value.close()
        raise OptionError(f"{where}: {path} is an .npz archive, not a .npy file; save one array with numpy.save.")
    return value


def _numpy_dtype(dtype: int) -> np.dtype:
    """The numpy dtype TensorFlow feeds and fetches for a DataType (strings as objects)."""
    tf = tensorflow("Verifying")
    return np.dtype(object) if dtype == types_pb2.DT_STRING else np.dtype(tf.dtypes.as_dtype(dtype).as_numpy_dtype)


def generated_value(generator: np.random.Generator, dtype: int, shape: tuple[int, ...]) -> np.ndarray:
    """A value of `dtype` and `shape`: floats uniform in [-1, 1), integers 0 to 2, bools either way,
    strings of one digit."""
    numpy_dtype = _numpy_dtype(dtype)
    if dtype == types_pb2.DT_STRING:
        digits = generator.integers(0, _SMALL_INTS, size=shape)
        return np.vectorize(lambda digit: str(digit).encode(), otypes=[object])(digits) if digits.size \
            else np.empty(shape, dtype=object)
    if numpy_dtype.kind == "b":
        return generator.random(size=shape) < 0.5
    if numpy_dtype.kind in "iu":
        return generator.integers(0, _SMALL_INTS, size=shape).astype(numpy_dtype)
    if numpy_dtype.kind == "c":
        return (generator.uniform(-1, 1, size=shape) + 1j * generator.uniform(-1, 1, size=shape)).astype(numpy_dtype)
    return generator.uniform(-1, 1, size=shape).astype(numpy_dtype)


def _pinned_values(original: GraphIndex, pin: Mapping[str, str],
                   inputs: Mapping[str, FrozenInput]) -> dict[str, np.ndarray]:
    """`--set` values (as text) for the original's placeholders, each as its tensor's feed."""
    values = {}
    for name, text in pin.items():
        if name in inputs:
            raise OptionError(f"--set {name}: {name} is an input of the frozen graph, so it was not pinned; "
                              f"give its value with --feed {name}=FILE.npy.")
        node = original.nodes.get(name)
        if node is None:
            raise OptionError(f"--set {name}: the original graph has no placeholder {name!r}; name the placeholder "
                              f"pinned when freezing.{format_suggestions(original.nearest_names(name))}")
        if node.op not in PLACEHOLDER_OPS:
            raise OptionError(f"--set {name}: {name} is a {node.op} in the original graph, not a placeholder; name "
                              "the placeholder pinned when freezing.")
        values[f"{name}:0"] = parse_value(text, node.attr["dtype"].type, name)
    return values


def _check_original_fed(index: GraphIndex, output_nodes: list[str], inputs: Mapping[str, FrozenInput],
                        feeds: Mapping[str, np.ndarray]) -> None:
    """Every placeholder the original's outputs reach must be fed, or be one both graphs have
    (a PlaceholderWithDefault then takes its default in both): one the frozen graph lacks was
    pinned when freezing, and its pinned value must be given again."""
    in_frozen = {parse_input(spec.original).node for spec in inputs.values()}
    fed = {parse_input(name).node for name in feeds}
    for name in sorted(reachable(index, output_nodes)):
        if index[name].op in PLACEHOLDER_OPS and name not in fed and name not in in_frozen:
            raise OptionError(f"The original graph's outputs need input {name}, which the frozen graph does not "
                              f"have (pinned with --set when freezing?); give its value with --set {name}=VALUE.")


# ---- outputs -----------------------------------------------------------------------------------

def _sinks(index: GraphIndex) -> list[str]:
    """The nodes nothing consumes: in a frozen graph, its outputs (and its init op)."""
    consumed = set(index.consumers())
    return [node.name for node in index.graph_def.node if node.name not in consumed]


def _output_pairs(graph, original: OriginalGraph, original_index: GraphIndex,
                  names: list[str]) -> list[tuple[str, str]]:
    """(frozen tensor, original tensor) for each output: `y` stands for every output of op y."""
    pairs = []
    for name in names:
        ref = parse_input(name)
        operation = graph.get_operation_by_name(ref.node)
        ports = [ref.port] if ":" in name else range(len(operation.outputs))
        for port in ports:
            tensor = operation.outputs[port]
            if tensor.dtype.as_datatype_enum in _UNCOMPARABLE:
                continue
            counterpart = _original_tensor(original, f"{ref.node}:{port}")
            if parse_input(counterpart).node not in original_index:
                raise OptionError(f"Output {tensor.name} of the frozen graph is not in the original graph."
                                  f"{format_suggestions(original_index.nearest_names(ref.node))} Name outputs both "
                                  "graphs have with --outputs.")
            pairs.append((tensor.name, counterpart))
    if not pairs:
        raise OptionError(f"No output to compare: {', '.join(names[:_LISTED])} give no values; name the outputs "
                          "with --outputs.")
    return pairs


def _original_tensor(original: OriginalGraph, tensor: str) -> str:
    """The original tensor a frozen one (`y`, `y:1`) stands for: a signature output key's tensor
    (`key`, `key:0`), or the tensor of the same name."""
    ref = parse_input(tensor)
    if ref.port == 0 and ref.node in original.signature_outputs:
        return original.signature_outputs[ref.node]
    return f"{ref.node}:{ref.port}"


# ---- running and comparing ---------------------------------------------------------------------

def _run_frozen(frozen: graph_pb2.GraphDef, targets: list[str], feeds: Mapping[str, np.ndarray],
                original: OriginalGraph, original_index: GraphIndex, outputs: list[str]):
    """Import the frozen graph, run `targets`, then fetch its outputs: (output pairs, their values)."""
    tf = tensorflow("Verifying")
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(without_devices(tf, frozen), name="")
    with tf.compat.v1.Session(graph=graph, config=tf.compat.v1.ConfigProto(allow_soft_placement=True)) as session:
        pairs = _output_pairs(graph, original, original_index, outputs)
        return pairs, _run(session, targets, [tensor for tensor, _ in pairs], feeds, "the frozen graph")


def _run(session, targets: Collection[str], fetches: list[str], feeds: Mapping[str, np.ndarray],
         which: str) -> list[np.ndarray]:
    tf = tensorflow("Verifying")
    feed_dict = {(name if ":" in name else f"{name}:0"): value for name, value in feeds.items()}
    try:
        if targets:
            session.run(list(targets))
        return [np.asarray(value) for value in session.run(fetches, feed_dict=feed_dict)]
    except tf.errors.OpError as error:
        raise VerificationError(f"Running {which} failed: {describe_op_error(error)}") from None
    except (TypeError, ValueError) as error:  # a feed TensorFlow refuses before running
        raise VerificationError(f"Running {which} failed: {' '.join(str(error).split())[:400]}") from None


def compare(name: str, frozen: np.ndarray, original: np.ndarray, rtol: float) -> Comparison:
    """Compare one output of both graphs; raise `VerificationError` if they differ."""
    if frozen.dtype != original.dtype:
        raise VerificationError(f"Output {name} is {frozen.dtype} in the frozen graph but {original.dtype} in the "
                                "original")
    if frozen.shape != original.shape:
        raise VerificationError(f"Output {name} has shape {list(frozen.shape)} in the frozen graph but "
                                f"{list(original.shape)} in the original")
    dtype = _value_dtype_name(frozen)
    if frozen.dtype.kind in "SUOb":
        _compare_exactly(name, frozen, original)
        return Comparison(name, dtype, frozen.shape, None)
    return Comparison(name, dtype, frozen.shape, _compare_numbers(name, frozen, original, rtol))


def _compare_exactly(name: str, frozen: np.ndarray, original: np.ndarray) -> None:
    if frozen.dtype.kind == "O":  # strings: TF fetches bytes objects
        differs = np.array([bytes(a) != bytes(b) for a, b in zip(frozen.reshape(-1), original.reshape(-1))],
                           dtype=bool).reshape(frozen.shape)
    else:
        differs = frozen != original
    if differs.any():
        at = tuple(int(i) for i in np.argwhere(differs)[0])
        raise VerificationError(f"Output {name} differs in {int(differs.sum())} of {differs.size} element(s); "
                                f"the first at {list(at)}: frozen {frozen[at]!r}, original {original[at]!r}")


def _compare_numbers(name: str, frozen: np.ndarray, original: np.ndarray, rtol: float) -> float:
    """The largest difference (0 for an empty output); integers must match exactly, floats within
    rtol of each element plus rtol of the output's largest finite magnitude (see the module)."""
    wide = np.complex128 if frozen.dtype.kind == "c" else np.float64
    got, want = frozen.astype(wide), original.astype(wide)
    with np.errstate(invalid="ignore"):
        difference = np.abs(got - want)  # NaN where either side is NaN, or both are the same infinity
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        if frozen.dtype.kind in "iu":
            bad, rule = ~same, "exactly"
        else:
            magnitude = np.abs(want)
            allowed = rtol * magnitude + rtol * float(np.max(magnitude[np.isfinite(magnitude)], initial=0.0))
            bad, rule = ~(same | (difference <= allowed)), f"within rtol {rtol:g}"
    difference = np.where(same, 0.0, np.nan_to_num(difference, nan=np.inf))
    if bad.any():
        at = np.unravel_index(int(np.argmax(np.where(bad, difference, -1.0))), frozen.shape)
        raise VerificationError(f"Output {name} differs: largest difference {_number(difference[at])} at "
                                f"{[int(i) for i in at]} (frozen {_number(frozen[at])}, original "
                                f"{_number(original[at])}); {int(bad.sum())} of {bad.size} element(s) do not "
                                f"match {rule}")
    return float(np.max(difference, initial=0.0))


def _number(value) -> str:
    return f"{value:.7g}" if isinstance(value, (float, np.floating)) else str(value)
