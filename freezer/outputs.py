"""Which nodes the user asks for: `--outputs y`, `y:0`, `a, b`, or a SavedModel signature's keys.

Every name is checked before any work is done: an unknown node is an error that suggests the nearest
names, a control input (`^y`) is not an output, and a port must be one the node has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from tensorboard.compat.proto import node_def_pb2

from freezer.errors import OutputNameError
from freezer.graph import GraphIndex, InputRef, format_suggestions, parse_input
from freezer.io.savedmodel import SignatureTensor, dims
from freezer.ops import PLACEHOLDER_OPS
from freezer.ops.arguments import output_count

# The attrs an op keeps its output's dtype in, most telling first (Placeholder and Const: dtype; most
# math: T; Shape and friends: out_type; Cast: DstT).
_DTYPE_ATTRS = ("dtype", "T", "out_type", "DstT", "output_type")


def resolve_outputs(index: GraphIndex, outputs: str | Iterable[str]) -> list[str]:
    """Node names for `outputs` (`y`, `y:0`, `a,b`, lists of those). Unknown or malformed names,
    control inputs (`^y`) and ports a node does not have raise."""
    names = split_names(outputs)
    if not names:
        raise OutputNameError("No outputs given; name the nodes to keep, e.g. --outputs y.")
    refs = {name: _parse_output(index, name) for name in names}
    nodes = list(dict.fromkeys(ref.node for ref in refs.values()))
    unknown = [node for node in nodes if node not in index]
    if unknown:
        first = unknown[0]
        others = f" (also unknown: {', '.join(unknown[1:])})" if len(unknown) > 1 else ""
        hint = format_suggestions(index.nearest_names(first)) or " Give node names as the graph has them."
        raise OutputNameError(f"Output {first!r} is not a node of the graph{others}.{hint}")
    functions = {function.signature.name: function for function in index.graph_def.library.function}
    for name, ref in refs.items():
        if name != ref.node:  # a port was given: the node must have it
            _check_port(index[ref.node], name, ref.port, functions)
    return nodes


def _parse_output(index: GraphIndex, name: str) -> InputRef:
    """`y` or `y:N`; a control input, or a name that is neither a node nor node:port, raises."""
    ref = parse_input(name)
    if ref.control:
        raise OutputNameError(f"Output {name!r} is a control input, not an output; name the node itself: "
                              f"--outputs {ref.node}.")
    if ref.node in index:
        return ref
    if any(char.isspace() for char in name):
        raise OutputNameError(f"Output {name!r} is not a node of the graph, and node names have no spaces; "
                              f"separate several outputs with commas: --outputs {','.join(name.split())}.")
    node, colon, _ = name.rpartition(":")
    if colon:  # the part after the last ':' is not a number, or nothing comes before it
        example = node if node in index else "y"
        raise OutputNameError(f"Output {name!r} is neither a node name nor node:port; write e.g. {example} "
                              f"or {example}:0.")
    return ref


def _check_port(node: node_def_pb2.NodeDef, name: str, port: int, functions: Mapping) -> None:
    count = _output_count(node, functions)
    if count is None or port < count:
        return
    if count == 0:
        raise OutputNameError(f"Output {name!r} does not exist: {node.name} ({node.op}) has no outputs; to keep "
                              f"the op, name it without a port: --outputs {node.name}.")
    ports = ", ".join(f"{node.name}:{i}" for i in range(count)) if count <= 4 else \
        f"{node.name}:0 to {node.name}:{count - 1}"
    raise OutputNameError(f"Output {name!r} does not exist: {node.name} ({node.op}) has "
                          f"{'one output' if count == 1 else f'{count} outputs'}, {ports}.")


def _output_count(node: node_def_pb2.NodeDef, functions: Mapping) -> int | None:
    """How many outputs the node has, where the graph tells: the library function it calls, its op
    in the op table, or the `_output_shapes` TensorFlow recorded (one per output); else None."""
    if node.op in functions:
        outputs = functions[node.op].signature.output_arg
        # a list argument's length comes from the calling node's attrs: not counted here
        return None if any(arg.number_attr or arg.type_list_attr for arg in outputs) else len(outputs)
    count = output_count(node)
    if count is None and "_output_shapes" in node.attr:
        count = len(node.attr["_output_shapes"].list.shape)
    return count


def split_names(outputs: str | Iterable[str]) -> list[str]:
    """`"a, b:0"` or `["a,b", "c"]` → `["a", "b:0", "c"]`."""
    items = [outputs] if isinstance(outputs, str) else list(outputs)
    return [name.strip() for item in items for name in item.split(",") if name.strip()]



@dataclasses.dataclass(frozen=True)
class Signature:
    """A SavedModel signature's tensors by key (`input_1`, `predictions`): the names a deployer uses.

    Each maps a key to the graph tensor (`node:port`) and its dtype (a `types_pb2` number).
    """

    name: str
    inputs: Mapping[str, tuple[str, int]]
    outputs: Mapping[str, tuple[str, int]]


def requested_outputs(index: GraphIndex, outputs: str | Iterable[str] | None,
                      signature: Signature | None) -> tuple[list[str], list[str]]:
    """(signature output keys, graph node names) the user asks for. With a signature, a name that is
    an output key means that output, and no names mean all of them; other names are graph nodes."""
    names = split_names(outputs or ())
    if signature is None:
        return [], resolve_outputs(index, names)
    if not names:
        if not signature.outputs:
            raise OutputNameError("The signature has no outputs; name the nodes to keep with --outputs.")
        return list(signature.outputs), []
    keys = [name for name in names if name in signature.outputs]
    others = [name for name in names if name not in signature.outputs]
    unknown = [name for name in others if parse_input(name).node not in index]
    if unknown:
        listed = ", ".join(signature.outputs) or "none"
        hint = format_suggestions(index.nearest_names(parse_input(unknown[0]).node))
        raise OutputNameError(f"Output {unknown[0]!r} is neither an output of signature {signature.name!r} "
                              f"(its outputs: {listed}) nor a node of the graph.{hint}")
    return keys, resolve_outputs(index, others) if others else []


def graph_inputs(index: GraphIndex) -> dict[str, SignatureTensor]:
    """A graph's placeholders, by node name, as the graph describes them."""
    return {node.name: described_tensor(node, 0) for node in index.nodes_by_op(PLACEHOLDER_OPS)
            if node.op == "Placeholder"}


def described_tensor(node: node_def_pb2.NodeDef, port: int) -> SignatureTensor:
    """What the graph says of one output of a node: its dtype (0 when no attr tells) and its shape
    (a placeholder's `shape`, or the `_output_shapes` TensorFlow recorded; None when neither does)."""
    dtype = next((node.attr[name].type for name in _DTYPE_ATTRS if name in node.attr and node.attr[name].type), 0)
    recorded = node.attr["_output_shapes"].list.shape if "_output_shapes" in node.attr else ()
    if node.op in PLACEHOLDER_OPS and "shape" in node.attr:
        shape = dims(node.attr["shape"].shape)
    else:
        shape = dims(recorded[port]) if port < len(recorded) else None
    return SignatureTensor(f"{node.name}:{port}", dtype, shape)
