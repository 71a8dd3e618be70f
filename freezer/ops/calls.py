"""Functional ops: where each keeps its arguments, their types, and the functions it calls.

A call node (`If`, `While`, `Case`, `PartitionedCall`, their stateless/stateful twins) passes its
inputs from `first_input` on to each called function as its arguments, in order, and lists one
type per argument and per output in type attrs.
"""

from __future__ import annotations

import dataclasses

from tensorboard.compat.proto import attr_value_pb2, node_def_pb2, types_pb2

from freezer.errors import GraphError


@dataclasses.dataclass(frozen=True)
class CallSpec:
    """Where a functional op keeps its argument types, output types and functions."""

    first_input: int  # inputs before this one are not arguments (If's cond, Case's branch index)
    in_types: str  # the attr listing argument types
    out_types: str  # the attr listing output types (While: the same list)
    functions: tuple[str, ...]  # attrs naming the called functions (a func, or a list of them)
    results: tuple[str, ...]  # those whose outputs become the node's outputs

    @property
    def is_loop(self) -> bool:
        """Outputs are the loop variables: the body must give back what it is given."""
        return self.in_types == self.out_types


_IF = CallSpec(1, "Tin", "Tout", ("then_branch", "else_branch"), ("then_branch", "else_branch"))
_CASE = CallSpec(1, "Tin", "Tout", ("branches",), ("branches",))
_WHILE = CallSpec(0, "T", "T", ("cond", "body"), ("body",))
_CALL = CallSpec(0, "Tin", "Tout", ("f",), ("f",))
CALLS: dict[str, CallSpec] = {
    "If": _IF, "StatelessIf": _IF, "Case": _CASE, "StatelessCase": _CASE,
    "While": _WHILE, "StatelessWhile": _WHILE, "PartitionedCall": _CALL, "StatefulPartitionedCall": _CALL,
}


def handle_arguments(node: node_def_pb2.NodeDef, spec: CallSpec) -> dict[int, str]:
    """Argument position → input entry, for each argument the node passes as a resource."""
    types = node.attr[spec.in_types].list.type
    arguments = [name for name in node.input[spec.first_input:] if not name.startswith("^")]
    if len(arguments) < len(types):
        raise GraphError(f"{node.op} node {node.name} lists {len(types)} argument types ({spec.in_types}) "
                         f"but has {len(arguments)} argument inputs; the graph is malformed, re-export it.")
    return {i: arguments[i] for i, dtype in enumerate(types) if dtype == types_pb2.DT_RESOURCE}


def called(node: node_def_pb2.NodeDef, attr_name: str) -> list[attr_value_pb2.NameAttrList]:
    """The function references in one of the node's function attrs (editable in place)."""
    attr = node.attr[attr_name]
    return [attr.func] if attr.HasField("func") else list(attr.list.func)
