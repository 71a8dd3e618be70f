"""Which variables a graph has, and under which checkpoint key (and slice) each one is saved.

The graph's own restore subgraph is the authority on keys: a `RestoreV2` op lists `tensor_names` and
`shape_and_slices`, and its output `i` flows (maybe through `Identity`s) into the `Assign` or
`AssignVariableOp` of the variable it restores. A variable no restore op reaches is looked up under
its own node name, which is what every TensorFlow saver uses by default.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

from tensorboard.compat.proto import node_def_pb2, saver_pb2, types_pb2

from freezer.errors import GraphError
from freezer.graph import GraphIndex, input_node_name, parse_input
from freezer.ops import RESTORE_OPS, VARIABLE_OPS, WHOLE_ASSIGN_OPS
from freezer.tensors import element_count

_PART_NAME = re.compile(r"(.+)/part_(\d+)")


@dataclasses.dataclass(frozen=True)
class Variable:
    """A variable node and where its value lives in the checkpoint."""

    name: str
    dtype: int  # the value type (DT_FLOAT for a float_ref variable)
    shape: tuple[int, ...] | None  # None when the graph does not say
    key: str  # checkpoint key
    slice_spec: str = ""  # TensorFlow's "full shape and slice" string; "" for the whole tensor

    @property
    def description(self) -> str:
        """How to name this variable in a message: `w` or `w (saved as 'old/w')`."""
        return self.name if self.key == self.name and not self.slice_spec else f"{self.name} (saved as {self.key!r})"


def is_variable(node: node_def_pb2.NodeDef) -> bool:
    return node.op in VARIABLE_OPS


def describe_variables(index: GraphIndex, names: list[str], saver_def: saver_pb2.SaverDef | None,
                       known_keys: Mapping[str, str] | None = None) -> list[Variable]:
    """A `Variable` for each named variable node, keyed as `variable_keys` finds."""
    return describe_with_keys(index, names, variable_keys(index, saver_def, known_keys))


def variable_keys(index: GraphIndex, saver_def: saver_pb2.SaverDef | None,
                  known_keys: Mapping[str, str] | None = None) -> dict[str, tuple[str, str]]:
    """Variable node name → (checkpoint key, slice spec), for the variables the graph says something
    about: `known_keys` (a TF2 SavedModel's object graph gives them), else the graph's restore
    mapping, else a part's key and slice. The others are saved under their own name.

    `index` must cover the whole graph (not only the pruned part): the restore ops, and every
    part of a partitioned variable, are needed to find keys and slices.
    """
    return {**_part_keys(index), **restore_keys(index, saver_def),
            **{name: (key, "") for name, key in (known_keys or {}).items()}}


def describe_with_keys(index: GraphIndex, names: list[str], keys: Mapping[str, tuple[str, str]]) -> list[Variable]:
    """A `Variable` for each named variable node, keyed by `keys` (`variable_keys`) or its name."""
    return [_describe(index[name], keys.get(name) or (name, "")) for name in names]


def restore_keys(index: GraphIndex, saver_def: saver_pb2.SaverDef | None) -> dict[str, tuple[str, str]]:
    """Variable node name → (checkpoint key, slice spec), from the graph's restore ops.

    With a SaverDef only the restore ops of that saver count; without one, every restore op in
    the graph does, and a variable restored under its own name wins over other mappings.
    """
    restore_ops = list(index.nodes_by_op(RESTORE_OPS))
    if saver_def is not None and saver_def.restore_op_name:
        prefix = saver_def.restore_op_name.rsplit("/", 1)[0] + "/"
        restore_ops = [op for op in restore_ops if op.name.startswith(prefix)] or restore_ops
    if not restore_ops:
        return {}
    assigned = _assigned_variables(index, {op.name for op in restore_ops})
    mapping: dict[str, tuple[str, str]] = {}
    for restore in restore_ops:
        for variable, key in _restored_by(index, restore, assigned.get(restore.name, [])):
            if variable not in mapping or key[0] == variable:
                mapping[variable] = key
    return mapping


def _restored_by(index: GraphIndex, restore: node_def_pb2.NodeDef, assigned: list[tuple[str, int]]):
    """Pairs (variable name, (key, slice)) that one restore op feeds; `assigned` are its (variable,
    output port) pairs."""
    names = _const_strings(index, restore.input[1]) if len(restore.input) > 1 else None
    slices = _const_strings(index, restore.input[2]) if len(restore.input) > 2 else None
    if names is None:
        return
    if slices is not None and len(slices) != len(names):
        slices = None
    for variable, port in assigned:
        if port < len(names):
            yield variable, (names[port], "" if slices is None else slices[port])


def _assigned_variables(index: GraphIndex, restore_ops: set[str]) -> dict[str, list[tuple[str, int]]]:
    """Restore op → (variable, its output port) for each whole assign of a variable whose value is
    that output, maybe through Identities.

    Followed back from the assigns (a saver of 6000 variables has 6000 of them, and the graph has an
    assign per variable for its initializer too), so the rest of the graph, however big, is not read.
    """
    assigned: dict[str, list[tuple[str, int]]] = {}
    ops = index.ops
    for assign in index.nodes_by_op(WHOLE_ASSIGN_OPS):
        entries = assign.input[:2]  # input 0 is what it writes to, input 1 the value
        if len(entries) < 2 or ops.get(input_node_name(entries[0])) not in VARIABLE_OPS:
            continue
        target = input_node_name(entries[0])
        source = _restore_output(index, entries[1], restore_ops)
        if source is not None:
            assigned.setdefault(source[0], []).append((target, source[1]))
    return assigned


def _restore_output(index: GraphIndex, entry: str, restore_ops: set[str]) -> tuple[str, int] | None:
    """(restore op, port) whose output the input entry reads, through Identities (output 0 of
    each); None when it reads anything else."""
    walked: set[str] = set()  # Identities that feed each other
    ref = parse_input(entry)
    while not ref.control and ref.node not in walked:
        if ref.node in restore_ops:
            return ref.node, ref.port
        node = index.nodes.get(ref.node)
        if node is None or node.op != "Identity" or ref.port != 0 or not node.input:
            return None
        walked.add(ref.node)
        ref = parse_input(node.input[0])
    return None


def _part_keys(index: GraphIndex) -> dict[str, tuple[str, str]]:
    """The keys a default saver uses for parts: `x/part_N` → (`x`, its slice of `x`), for every
    part of a variable split along one axis. One walk over the graph, however many parts."""
    parts: dict[str, dict[int, node_def_pb2.NodeDef]] = {}
    for node in index.nodes_by_op(VARIABLE_OPS):
        match = _PART_NAME.fullmatch(node.name)
        if match:
            parts.setdefault(match.group(1), {})[int(match.group(2))] = node
    keys = {}
    for whole, numbered in parts.items():
        shapes = [_shape_of(numbered[n]) for n in sorted(numbered)]
        if sorted(numbered) != list(range(len(numbered))) or None in shapes \
                or len({len(shape) for shape in shapes}) != 1 or not shapes[0]:
            continue  # not parts of one tensor split along an axis (missing, unknown, scalar, mixed ranks)
        for number, spec in enumerate(_part_slice_specs(shapes)):
            keys[numbered[number].name] = (whole, spec)
    return keys


def _part_slice_specs(shapes: list[tuple[int, ...]]) -> list[str]:
    """TF's "full shape + slice" string of each part of a variable split along one axis.

    The axis is the one where the parts' shapes differ; parts of equal shape are split along
    axis 0, as TensorFlow's partitioners do by default.
    """
    rank = len(shapes[0])
    differing = [axis for axis in range(rank) if len({shape[axis] for shape in shapes}) > 1]
    axis = differing[0] if differing else 0
    full = list(shapes[0])
    full[axis] = sum(shape[axis] for shape in shapes)
    specs, start = [], 0
    for shape in shapes:
        extents = ["-" if d != axis else f"{start},{shape[axis]}" for d in range(rank)]
        specs.append(" ".join(map(str, full)) + " " + ":".join(extents))
        start += shape[axis]
    return specs


def _const_strings(index: GraphIndex, input_name: str) -> _ConstStrings | None:
    """The strings a restore op's names or slices input holds, when it is a string Const."""
    node = index.nodes.get(parse_input(input_name).node)
    if node is None or node.op != "Const" or node.attr["dtype"].type != types_pb2.DT_STRING:
        return None
    tensor = node.attr["value"].tensor
    count = element_count(tensor, f"Const {node.name}")
    if tensor.dtype != types_pb2.DT_STRING or len(tensor.string_val) not in (count, 1):
        raise GraphError(f"Const {node.name}, which a restore op reads its tensor names or slices from, "
                         "is malformed; re-export the graph with TensorFlow.")
    return _ConstStrings(tensor.string_val, count)


class _ConstStrings:
    """A string Const's values, decoded one at a time when asked for: TF may store a repeated
    value once, and a few bytes may claim a billion of them."""

    def __init__(self, values, count: int):
        self._values = values
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, position: int) -> str:
        value = self._values[position if len(self._values) > 1 else 0]
        return value.decode("utf-8", errors="replace")


def _describe(node: node_def_pb2.NodeDef, key: tuple[str, str]) -> Variable:
    dtype = node.attr.get("dtype")
    if dtype is None:
        raise GraphError(f"Variable {node.name} ({node.op}) has no dtype attr; the graph is malformed, "
                         "re-export it with TensorFlow.")
    return Variable(node.name, dtype.type, _shape_of(node), key[0], key[1])


def _shape_of(node: node_def_pb2.NodeDef) -> tuple[int, ...] | None:
    """The variable's static shape, or None when the graph leaves it (partly) unknown."""
    attr = node.attr.get("shape")
    if attr is None or attr.shape.unknown_rank:
        return None
    dims = tuple(dim.size for dim in attr.shape.dim)
    return None if any(size < 0 for size in dims) else dims
