"""Splicing a function body into the graph: what inlining a call and lowering If/Case/While share.

A `SplicedBody` copies each node of one function into the graph under a new name, gives the attrs
the function leaves open (`placeholder: "T"`) the caller's values, and turns the body's names —
`arg`, `node:output_arg:index`, `^node` — into the graph's `node:port`, from the op's output
arguments (`freezer.ops.arguments`) or, for a direct call of a library function, the callee's
signature. Its `returned()` tensors and `control_outputs()` stand for the function's outputs and
side effects. Every malformed body is one `refuse(reason)`, the reason worded the same for both
passes; each pass says what it could not do and what to do instead.

What differs between inlining and lowering is left to subclasses: how a copy is named, what a
copy that reads nothing waits on, what a `^control` input on an argument becomes, and what a
colocation naming something outside the body becomes.

When the replaced node is still named — an output, a `^node` input, a `loc:@node` colocation — a
keeper (`keeper_node`) takes its name; `keep_needed` drops the keepers nothing names.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Mapping, Sequence

from tensorboard.compat.proto import attr_value_pb2, function_pb2, node_def_pb2

from freezer.errors import GraphError
from freezer.graph import InputRef
from freezer.ops.arguments import output_ports
from freezer.passes.functions.names import parse_function_input

COLOCATION_PREFIX = b"loc:@"

Functions = Mapping[str, function_pb2.FunctionDef]
Refuse = Callable[[str], GraphError]


class SplicedBody(abc.ABC):
    """One function's nodes copied into the graph, renamed, their inputs as the graph names them.

    The copies exist once constructed (names taken in the function's node order); `wired()`, called
    once, gives them their inputs, which may name copies made after them.
    """

    def __init__(self, function: function_pb2.FunctionDef, attrs: Mapping[str, attr_value_pb2.AttrValue],
                 arguments: list[str], functions: Functions, refuse: Refuse):
        self.function = function
        self.refuse = refuse
        self._attrs = attrs  # the caller's values for the function's attrs
        self._functions = functions
        self._arguments = self._argument_tensors(arguments)
        self._ports: dict[str, dict[str, range]] = {}
        # Copied and renamed first, inputs translated after: an input may name a later node, and
        # its ports depend on its attrs as resolved.
        self._copies = {original.name: self._copy(original) for original in self._unique_nodes()}

    # ------------------------------------------------------------------ what each pass decides

    @abc.abstractmethod
    def _copy_name(self, original_name: str) -> str:
        """A graph name no other node has (and no later one will take) for the copy of a body node."""

    @abc.abstractmethod
    def _waits_on(self, original: node_def_pb2.NodeDef) -> str | None:
        """The node the copy of `original` waits on besides its inputs, if any: nodes reading
        nothing would otherwise run unguarded."""

    @abc.abstractmethod
    def _argument_control(self, argument: str) -> str:
        """The node a `^argument` control input of the body waits on in the graph."""

    @abc.abstractmethod
    def _colocated_outside(self, entry: bytes, target: str | None) -> bytes | None:
        """What a `_class` entry naming no body node becomes (`target`: the node a `loc:@` entry
        names, None for any other entry); None drops it."""

    # ----------------------------------------------------------------------------- the copies

    def _argument_tensors(self, arguments: list[str]) -> dict[str, str]:
        """Argument name → the graph tensor passed for it."""
        signature = self.function.signature
        for arg in [*signature.input_arg, *signature.output_arg]:
            if arg.number_attr or arg.type_list_attr:
                raise self.refuse(f"its argument {arg.name!r} is a list of tensors")
        if len(arguments) != len(signature.input_arg):
            raise self.refuse(f"it takes {len(signature.input_arg)} argument(s) but is passed {len(arguments)}")
        return {arg.name: tensor for arg, tensor in zip(signature.input_arg, arguments)}

    def _unique_nodes(self) -> list[node_def_pb2.NodeDef]:
        seen: set[str] = set()
        for node in self.function.node_def:
            if node.name in seen or node.name in self._arguments:
                raise self.refuse(f"two of its nodes or arguments are named {node.name!r}")
            seen.add(node.name)
        return list(self.function.node_def)

    def _copy(self, original: node_def_pb2.NodeDef) -> node_def_pb2.NodeDef:
        node = node_def_pb2.NodeDef()
        node.CopyFrom(original)
        node.name = self._copy_name(original.name)
        self._resolve_placeholders(node, original.name)
        return node

    def _resolve_placeholders(self, node: node_def_pb2.NodeDef, original_name: str) -> None:
        """Give attrs the function leaves open (`placeholder: "T"`) the caller's values, nested ones too."""
        pending = [node.attr]
        while pending:
            attrs = pending.pop()
            for key, value in attrs.items():
                if not value.placeholder:
                    pending.extend(func.attr for func in _funcs(value))
                elif value.placeholder in self._attrs:
                    value.CopyFrom(self._attrs[value.placeholder])
                else:
                    raise self.refuse(f"its node {original_name} takes attr {key!r} from attr "
                                      f"{value.placeholder!r}, which the caller does not set")

    def wired(self) -> list[node_def_pb2.NodeDef]:
        """The copies, in the function's order, reading what the graph names their inputs."""
        return [self._wire(original, self._copies[original.name]) for original in self.function.node_def]

    def _wire(self, original: node_def_pb2.NodeDef, node: node_def_pb2.NodeDef) -> node_def_pb2.NodeDef:
        del node.input[:]
        node.input.extend(self._graph_input(name) for name in original.input)
        waits_on = self._waits_on(original)
        if waits_on is not None:
            node.input.append(f"^{waits_on}")
        self._colocate(node)
        return node

    def _colocate(self, node: node_def_pb2.NodeDef) -> None:
        """`loc:@x` naming a body node names its copy; the other entries are `_colocated_outside`'s."""
        if "_class" not in node.attr:
            return
        entries = node.attr["_class"].list.s
        kept = []
        for entry in entries:
            target = _colocation_target(entry)
            if target in self._copies:
                kept.append(COLOCATION_PREFIX + self._copies[target].name.encode())
            elif (outside := self._colocated_outside(entry, target)) is not None:
                kept.append(outside)
        del entries[:]
        entries.extend(kept)
        if not kept:
            del node.attr["_class"]

    # ------------------------------------------------------------------------------ the names

    def _graph_input(self, name: str) -> str:
        """A body input entry (or `ret` value) as the graph names it."""
        try:
            ref = parse_function_input(name)
        except ValueError as error:
            raise self.refuse(str(error)) from None
        if ref.control:
            if ref.node in self._copies:
                return f"^{self._copies[ref.node].name}"
            if ref.node in self._arguments:
                return f"^{self._argument_control(ref.node)}"
        elif ref.is_argument:
            if ref.node in self._arguments:
                return self._arguments[ref.node]
        elif ref.node in self._copies:
            return str(InputRef(self._copies[ref.node].name, self._port(ref.node, ref.output, ref.index)))
        raise self.refuse(f"{name!r} names no argument or node of the function")

    def _port(self, node_name: str, output: str, index: int) -> int:
        if node_name not in self._ports:
            self._ports[node_name] = self._output_ports(self._copies[node_name])
        ports = self._ports[node_name]
        if output not in ports or not 0 <= index < len(ports[output]):
            raise self.refuse(f"{node_name}:{output}:{index} names an output node {node_name} does not have "
                              f"(it has: {', '.join(ports) or 'none'})")
        return ports[output][index]

    def _output_ports(self, node: node_def_pb2.NodeDef) -> dict[str, range]:
        """Each output argument of a body node → its ports; the callee's signature for a direct call."""
        if node.op in self._functions:
            signature = self._functions[node.op].signature
            if any(arg.number_attr or arg.type_list_attr for arg in signature.output_arg):
                raise self.refuse(f"its node {node.name} calls function {node.op}, which returns a list of tensors")
            return {arg.name: range(i, i + 1) for i, arg in enumerate(signature.output_arg)}
        try:
            return output_ports(node)
        except GraphError as error:
            raise self.refuse(str(error).rstrip(".")) from None

    # --------------------------------------------------------------------- what it gives back

    def returned(self) -> list[str]:
        """The graph tensors the function returns, in the order of its outputs."""
        returned = []
        for arg in self.function.signature.output_arg:
            if arg.name not in self.function.ret:
                raise self.refuse(f"its output {arg.name!r} is returned by no node (ret)")
            tensor = self._graph_input(self.function.ret[arg.name])
            if tensor.startswith("^"):
                raise self.refuse(f"its output {arg.name!r} returns a control input")
            returned.append(tensor)
        return returned

    def control_outputs(self) -> list[str]:
        """The graph names of the nodes the function must run (`control_ret`): its side effects."""
        names = []
        # Sorted: a protobuf map's order changes from one process to the next (upb).
        for name in sorted(self.function.control_ret.values()):
            if name not in self._copies:
                raise self.refuse(f"its control output {name!r} names no node of the function")
            names.append(self._copies[name].name)
        return names


# ----------------------------------------------------------------------------------- keepers

def keeper_node(replaced: node_def_pb2.NodeDef, outputs: list[str], types: list[int],
                waits_for: list[str]) -> node_def_pb2.NodeDef:
    """What keeps the replaced node's name: an IdentityN of its outputs (a NoOp when none), on its
    device and colocated as it was, after `waits_for`."""
    keeper = node_def_pb2.NodeDef(name=replaced.name, device=replaced.device,
                                  input=[*outputs, *(f"^{name}" for name in waits_for)])
    if outputs:
        keeper.op = "IdentityN"
        keeper.attr["T"].list.type.extend(types)
    else:
        keeper.op = "NoOp"
    for key in ("_class", "_output_shapes"):
        if key in replaced.attr:
            keeper.attr[key].CopyFrom(replaced.attr[key])
    return keeper


def keep_needed(nodes: list[node_def_pb2.NodeDef], outputs: list[str],
                keepers: Mapping[str, Sequence[node_def_pb2.NodeDef]]) -> tuple[list[node_def_pb2.NodeDef], set[str]]:
    """`nodes` without the keepers nothing names, and the replaced nodes whose keepers stay.

    `keepers`: replaced node → its keeper first, then the new nodes only the keeper reads. A replaced
    node is needed when an output, a `^control` input or a colocation names it, directly or through
    a needed keeper; consumers reading only its outputs read the new tensors, and converters
    (OpenCV) trip over an unused keeper.
    """
    keeper_ids = {id(kept) for keeper in keepers.values() for kept in keeper}
    pending = [name for node in nodes if id(node) not in keeper_ids for name in _names_needed(node)]
    pending.extend(outputs)
    needed: set[str] = set()
    while pending:
        name = pending.pop()
        if name in needed or name not in keepers:
            continue
        needed.add(name)
        pending.extend(named for kept in keepers[name] for named in _names_needed(kept))
    unneeded = {id(kept) for name, keeper in keepers.items() if name not in needed for kept in keeper}
    return [node for node in nodes if id(node) not in unneeded], needed


def _names_needed(node: node_def_pb2.NodeDef) -> Iterator[str]:
    """The nodes this one names other than by reading their outputs: `^controls`, colocations."""
    for name in node.input:
        if name.startswith("^"):
            yield name[1:]
    if "_class" in node.attr:
        for entry in node.attr["_class"].list.s:
            target = _colocation_target(entry)
            if target is not None:
                yield target


def _colocation_target(entry: bytes) -> str | None:
    """The node a `_class` entry `loc:@node` names; None for any other entry."""
    if not entry.startswith(COLOCATION_PREFIX):
        return None
    return entry[len(COLOCATION_PREFIX):].decode("utf-8", "replace")


def _funcs(value: attr_value_pb2.AttrValue) -> list[attr_value_pb2.NameAttrList]:
    """The functions an attr value names: its func, or its list's."""
    return [value.func] if value.HasField("func") else list(value.list.func)
