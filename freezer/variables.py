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
    """A `Variable` for each named variable node, keyed by `known_keys` (a TF2 SavedModel's object
    graph gives them) or else the graph's restore mapping.

    `index` must cover the whole graph (not only the pruned part): the restore ops, and every
    part of a partitioned variable, are needed to find keys and slices.
    """
    keys = {**restore_keys(index, saver_def), **{name: (key, "") for name, key in (known_keys or {}).items()}}
    if any(name not in keys for name in names):  # the others are looked up by name, parts by slice
        keys = {**_part_keys(index), **keys}
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
    readers = _value_readers(index) if restore_ops else {}
    mapping: dict[str, tuple[str, str]] = {}
    for restore in restore_ops:
        for variable, key in _restored_by(index, readers, restore):
            if variable not in mapping or key[0] == variable:
                mapping[variable] = key
    return mapping


def _value_readers(index: GraphIndex) -> dict[str, list[tuple[node_def_pb2.NodeDef, int, str]]]:
    """Node name → (reader, position, input entry) for each entry of an Identity or whole assign
    naming it: the only ops a restored value flows through to its variable. The entries are parsed
    later, only those a restore op reaches (a graph has an assign per variable for its initializer
    too)."""
    readers: dict[str, list[tuple[node_def_pb2.NodeDef, int, str]]] = {}
    for node in index.nodes_by_op(WHOLE_ASSIGN_OPS | {"Identity"}):
        for position, entry in enumerate(node.input):
            readers.setdefault(input_node_name(entry), []).append((node, position, entry))
    return readers


def _restored_by(index, readers, restore: node_def_pb2.NodeDef):
    """Pairs (variable name, (key, slice)) that one restore op feeds."""
    names = _const_strings(index, restore.input[1]) if len(restore.input) > 1 else None
    slices = _const_strings(index, restore.input[2]) if len(restore.input) > 2 else None
    if names is None:
        return
    if slices is not None and len(slices) != len(names):
        slices = None
    for variable, port in _assigned_variables(index, readers, restore.name):
        if port < len(names):
            yield variable, (names[port], "" if slices is None else slices[port])


def _assigned_variables(index, readers, restore_name: str):
    """(variable, restore op output port) for each assign the restore op feeds, through Identities.

    One walk over the restore op's readers: a saver of 6000 variables has 6000 of them.
    """
    pending: list[tuple[str, int | None]] = [(restore_name, None)]  # (node, restore port it carries)
    seen: set[tuple[str, int | None]] = set()
    while pending:
        name, carried = pending.pop()
        if (name, carried) in seen:  # Identities that feed each other, or one fed twice
            continue
        seen.add((name, carried))
        for reader, position, entry in readers.get(name, []):
            ref = parse_input(entry)
            if ref.control or (carried is not None and ref.port != 0):
                continue
            port = ref.port if carried is None else carried
            if reader.op == "Identity":
                pending.append((reader.name, port))
            elif position == 1:  # the value an assign writes (input 0 is what it writes to)
                target = input_node_name(reader.input[0])
                if target in index and is_variable(index[target]):
                    yield target, port


def _part_keys(index: GraphIndex) -> dict[str, tuple[str, str]]:
    """The keys a default saver uses for parts: `x/part_N` → (`x`, its slice of `x`), for every
    part of a variable split along one axis. One walk over the graph, however many parts."""
    parts: dict[str, dict[int, node_def_pb2.NodeDef]] = {}
    for node in index.graph_def.node:
        match = _PART_NAME.fullmatch(node.name)
        if match and is_variable(node):
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
