"""Which ports a node's output (and input) arguments occupy, for ops TensorFlow defines.

A function body names a tensor `node:output_arg:index`, a GraphDef `node:port`: the port is the
index plus the sizes of the output arguments before `output_arg`. An argument is one tensor, a list
of N tensors (N an int attr, e.g. `Split`'s `num_split`) or one tensor per entry of a list(type)
attr (e.g. `IdentityN`'s `T`), so the port depends on the node's attrs. The argument lists come
from `freezer/ops/registry.py`, generated from TensorFlow's op registry by
`scripts/make_op_registry.py`; nothing here imports TensorFlow.

An op missing from the table (a newer or custom op, or a call of a library function by name —
callers look those up in the library first), or a node whose attrs do not give a list's length,
is a `GraphError` naming the node and the op. Counts come from the node's attrs, which a hostile
graph sets at will: every answer is a `range`, never a list, and a node with more than
`MAX_PORTS` outputs is refused.
"""

from __future__ import annotations

import dataclasses
import functools

from tensorboard.compat.proto import node_def_pb2

from freezer.errors import GraphError

# TensorFlow numbers ports with an int32 (`node:port`), so no real node has more outputs.
MAX_PORTS = 2**31 - 1
REGENERATE = "python scripts/make_op_registry.py"


@dataclasses.dataclass(frozen=True)
class Arg:
    """One input or output argument of an op, as the table describes it."""

    name: str
    count_attr: str | None = None  # None: one tensor
    type_list: bool = False  # count_attr is a list(type) attr (its length counts), else an int attr
    default: int | None = None  # the count when the node lacks count_attr

    @classmethod
    def parse(cls, entry: str) -> Arg:
        """`name`, `name*ATTR` or `name*[ATTR]`, each maybe followed by `=COUNT` (see the table)."""
        entry, _, default = entry.partition("=")
        name, _, attr = entry.partition("*")
        if not attr:
            return cls(name)
        type_list = attr.startswith("[")
        return cls(name, attr.strip("[]"), type_list, int(default) if default else None)


@dataclasses.dataclass(frozen=True)
class OpArgs:
    """An op's input and output arguments, in OpDef order."""

    inputs: tuple[Arg, ...]
    outputs: tuple[Arg, ...]


@functools.cache
def _ops() -> dict[str, str]:
    """Op name → its table line after the name (`inputs -> outputs`), read on first use."""
    from freezer.ops.registry import OPS  # here, not at the top: `import freezer` stays fast

    return dict(line.split(":", 1) for line in OPS.splitlines())


def table_version() -> str:
    """The TensorFlow version the table was generated from."""
    from freezer.ops.registry import TENSORFLOW_VERSION

    return TENSORFLOW_VERSION


def is_known(op: str) -> bool:
    return op in _ops()


@functools.cache  # at most one entry per op of the table
def _op_args(op: str) -> OpArgs:
    inputs, _, outputs = _ops()[op].partition("->")
    return OpArgs(tuple(map(Arg.parse, inputs.split())), tuple(map(Arg.parse, outputs.split())))


def _args_of(node: node_def_pb2.NodeDef) -> OpArgs:
    if node.op not in _ops():
        raise GraphError(
            f"Node {node.name!r} runs op {node.op!r}, which freezer's op table (from TensorFlow "
            f"{table_version()}) does not know, so its output ports cannot be worked out. If it is "
            f"a TensorFlow op, regenerate the table with a TensorFlow that has it: {REGENERATE}")
    return _op_args(node.op)


def _count(node: node_def_pb2.NodeDef, arg: Arg) -> int:
    """How many tensors `arg` is for this node, from its attrs (or the attr's default)."""
    if arg.count_attr is None:
        return 1
    if arg.count_attr not in node.attr:
        if arg.default is None:
            raise GraphError(
                f"Node {node.name!r} (op {node.op!r}) lacks attr {arg.count_attr!r}, which says how "
                f"many tensors its argument {arg.name!r} has. Re-export the graph from TensorFlow.")
        return arg.default
    value = node.attr[arg.count_attr]
    expected = "list" if arg.type_list else "i"
    if value.WhichOneof("value") != expected:
        kind = "a list of types" if arg.type_list else "an int"
        raise GraphError(f"Attr {arg.count_attr!r} of node {node.name!r} (op {node.op!r}) is not {kind}, "
                         f"so the size of its argument {arg.name!r} is unknown. Re-export the graph.")
    count = len(value.list.type) if arg.type_list else value.i
    if not 0 <= count <= MAX_PORTS:
        raise GraphError(f"Attr {arg.count_attr!r} of node {node.name!r} (op {node.op!r}) is {count}; "
                         f"a list of tensors holds 0 to {MAX_PORTS}.")
    return count


def _ranges(node: node_def_pb2.NodeDef, args: tuple[Arg, ...], what: str) -> dict[str, range]:
    ranges, start = {}, 0
    for arg in args:
        stop = start + _count(node, arg)
        if stop > MAX_PORTS:
            raise GraphError(f"Node {node.name!r} (op {node.op!r}) would have {stop} {what}s; "
                             f"TensorFlow numbers them with an int32 (at most {MAX_PORTS}).")
        ranges[arg.name] = range(start, stop)
        start = stop
    return ranges


def output_ports(node: node_def_pb2.NodeDef) -> dict[str, range]:
    """Each output argument's name → its ports, in OpDef order: `Split` (num_split 3) → {output: 0..3}."""
    return _ranges(node, _args_of(node).outputs, "output")


def input_ports(node: node_def_pb2.NodeDef) -> dict[str, range]:
    """Each input argument's name → its positions among the node's data inputs (not `^control`)."""
    return _ranges(node, _args_of(node).inputs, "input")


def port_of(node: node_def_pb2.NodeDef, arg_name: str, index: int) -> int:
    """The graph port of `node:arg_name:index` in a function body."""
    ports = output_ports(node)
    if arg_name not in ports:
        raise GraphError(f"Node {node.name!r} (op {node.op!r}) has no output {arg_name!r}; "
                         f"its outputs are: {', '.join(ports) or 'none'}.")
    if not 0 <= index < len(ports[arg_name]):
        raise GraphError(f"Output {arg_name!r} of node {node.name!r} (op {node.op!r}) has "
                         f"{len(ports[arg_name])} tensor(s), so it has no index {index}.")
    return ports[arg_name][index]


def output_count(node: node_def_pb2.NodeDef) -> int | None:
    """How many outputs the node has; None when its op is not in the table."""
    if not is_known(node.op):
        return None
    ports = output_ports(node)
    return sum(map(len, ports.values()))
