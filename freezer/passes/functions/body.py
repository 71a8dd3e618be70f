"""The two places nodes live — the graph and a function body — behind one interface.

They differ in how an input entry names a tensor (`node:port` in a graph; `arg` or
`node:output_arg:index` in a function, see `names`), in where a variable's value comes
from (a folded `Const` in the graph; an argument the caller now passes as a value in a function)
and in what is an error: in a function every use of a variable's handle must be rewritten, while
in the graph other passes deal with the handles that do not go into a function.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from tensorboard.compat.proto import function_pb2, graph_pb2, node_def_pb2, types_pb2

from freezer.errors import GraphError
from freezer.graph import parse_input
from freezer.passes.functions.handle_reads import Value
from freezer.passes.functions.names import FunctionInput, parse_function_input
from freezer.passes.rewrite import const_node, unique_name


@dataclasses.dataclass(frozen=True)
class Tensor:
    """The tensor an input entry names: output `index` of a node, or an argument."""

    name: str
    index: int = 0
    is_argument: bool = False


class GraphBody:
    """The graph's own nodes; a variable's value is a `Const` (a folded variable) feeding a handle input.

    Here only calls and the Identities around them are rewritten (`retype_identity` needs nothing
    of its body); the graph's other readers of handles are `resources`'.
    """

    strict = False

    def __init__(self, graph_def: graph_pb2.GraphDef):
        self.graph_def = graph_def
        self._nodes = {node.name: node for node in graph_def.node}

    @property
    def description(self) -> str:
        return "the graph"

    def nodes(self) -> list[node_def_pb2.NodeDef]:
        return list(self.graph_def.node)

    def node(self, name: str) -> node_def_pb2.NodeDef | None:
        return self._nodes.get(name)

    def tensor(self, input_name: str) -> Tensor | None:
        ref = parse_input(input_name)
        return None if ref.control else Tensor(ref.node, ref.port)

    def argument_value(self, name: str) -> Value | None:
        return None

    def const_value(self, node: node_def_pb2.NodeDef) -> Value | None:
        return Value.of_const(node)


class FunctionBody:
    """A function's nodes; variables' values arrive as the arguments in `args` (position → value)."""

    strict = True

    def __init__(self, function: function_pb2.FunctionDef, args: dict[int, Value], original_name: str):
        self.function = function
        self.original_name = original_name
        self._nodes = {node.name: node for node in function.node_def}
        arguments = function.signature.input_arg
        self._taken = {arg.name for arg in arguments} | set(self._nodes)  # names a new node must avoid
        self._values = {arguments[position].name: value for position, value in args.items()}
        self._renamed: dict[tuple[str, str], str] = {}  # (node, old output arg) → new output arg

    @property
    def description(self) -> str:
        return f"function {self.original_name}"

    def nodes(self) -> list[node_def_pb2.NodeDef]:
        return list(self.function.node_def)

    def node(self, name: str) -> node_def_pb2.NodeDef | None:
        return self._nodes.get(name)

    def tensor(self, input_name: str) -> Tensor | None:
        ref = self._parse(input_name)
        if ref.control:
            return None
        return Tensor(ref.node, is_argument=True) if ref.is_argument else Tensor(ref.node, ref.index)

    def _parse(self, input_name: str) -> FunctionInput:
        try:
            return parse_function_input(input_name)
        except ValueError as error:
            raise GraphError(f"Function {self.original_name}: {error}; the graph is malformed, re-export it.") from None

    def argument_value(self, name: str) -> Value | None:
        return self._values.get(name)

    def const_value(self, node: node_def_pb2.NodeDef) -> Value | None:
        return None  # a Const inside a function is a constant of the function, never a variable

    def add_int32_const(self, base_name: str, value: int, frame_of: str) -> str:
        name = unique_name(base_name, self._taken)
        self._taken.add(name)
        node = self.function.node_def.add()
        node.CopyFrom(const_node(name, np.int32(value), types_pb2.DT_INT32))
        self._nodes[name] = node
        return f"{name}:output:0"

    def rename_output(self, node_name: str, old: str, new: str) -> None:
        self._renamed[(node_name, old)] = new

    def finish(self) -> None:
        """Make inputs and `ret` name the renamed output arguments (`read:value:0` → `read:output:0`)."""
        if not self._renamed:
            return
        for node in self.function.node_def:
            for i, name in enumerate(node.input):
                node.input[i] = self._renamed_input(name)
        for key, name in self.function.ret.items():
            self.function.ret[key] = self._renamed_input(name)

    def _renamed_input(self, name: str) -> str:
        ref = self._parse(name)
        new = self._renamed.get((ref.node, ref.output))
        return name if new is None else str(dataclasses.replace(ref, output=new))
