"""Functional ops and their functions, retyped to pass variable values instead of handles.

A call node (`If`, `While`, `Case`, `PartitionedCall`, their stateless/stateful twins) passes its
inputs from `first_input` on to each called function as its arguments, in order, and lists one
type per argument and per output in type attrs. `retype_call` changes a node's types (and shapes)
where a value replaces a handle; `retype_signature` does the same to a called function's copy and
drops the per-argument attributes that only describe resources. Bodies are rewritten elsewhere.
"""

from __future__ import annotations

import dataclasses

from tensorboard.compat.proto import attr_value_pb2, function_pb2, node_def_pb2, types_pb2

from freezer.errors import CheckError, GraphError
from freezer.passes.functions_ops import Value
from freezer.passes.rewrite import set_output_shape

# Attributes of a resource argument that describe the handle (its variable's dtype and shape).
_HANDLE_ARG_ATTRS = ("_handle_data", "_handle_dtypes", "_handle_shapes")


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


def merge_results(node: node_def_pb2.NodeDef, results: list[dict[int, Value]]) -> dict[int, Value]:
    """The node's outputs that became values: those every called function returns as a value.

    A position some branches return as a value and others as a live handle cannot be typed.
    """
    merged: dict[int, Value] = {}
    for position in sorted({p for result in results for p in result}):
        values = [result.get(position) for result in results]
        dtypes = {value.dtype if value else None for value in values}
        if len(dtypes) > 1:
            raise CheckError(f"{node.op} node {node.name}: its branches return output {position} as "
                             "different variables or types; freezer cannot give it one type.")
        shapes = {value.shape for value in values}
        merged[position] = Value(values[0].dtype, shapes.pop() if len(shapes) == 1 else None)
    return merged


def retype_call(node: node_def_pb2.NodeDef, spec: CallSpec, args: dict[int, Value],
                outputs: dict[int, Value]) -> None:
    """Type the node for values at `args` (argument positions) and `outputs` (output positions)."""
    if spec.is_loop and args != outputs:
        raise CheckError(f"{node.op} node {node.name}: its body does not give back the variables it is "
                         "passed unchanged; freezer cannot freeze a loop that swaps variables.")
    in_types = node.attr[spec.in_types].list.type
    for position, value in args.items():
        in_types[position] = value.dtype
    out_types = node.attr[spec.out_types].list.type
    if outputs and max(outputs) >= len(out_types):
        raise GraphError(f"{node.op} node {node.name} lists {len(out_types)} output types ({spec.out_types}) "
                         f"but its function returns a variable as output {max(outputs)}; the graph is "
                         "inconsistent, re-export it.")
    output_shapes = node.attr["output_shapes"].list.shape if "output_shapes" in node.attr else []
    for position, value in outputs.items():
        out_types[position] = value.dtype
        if position < len(output_shapes):
            output_shapes[position].CopyFrom(value.shape_proto())
        set_output_shape(node, position, value.shape_proto())
    _drop_read_only_inputs(node, {spec.first_input + position for position in args})
    if outputs:
        node.ClearField("experimental_type")  # it typed the handles


def retype_signature(function: function_pb2.FunctionDef, args: dict[int, Value],
                     outputs: dict[int, Value]) -> None:
    """Type a function's arguments and outputs for values where they were resources."""
    signature = function.signature
    for position, value in args.items():
        arg = signature.input_arg[position]
        if arg.type != types_pb2.DT_RESOURCE:
            raise GraphError(f"Function {signature.name} is passed a variable as argument {arg.name}, "
                             "which it does not declare as a resource; the graph is inconsistent.")
        arg.type = value.dtype
        _retype_argument_attrs(function, position, value)
    for position, value in outputs.items():
        signature.output_arg[position].type = value.dtype


def _retype_argument_attrs(function: function_pb2.FunctionDef, position: int, value: Value) -> None:
    if position in function.resource_arg_unique_id:  # resources only: tells aliased handles apart
        del function.resource_arg_unique_id[position]
    if "_input_shapes" in function.attr and position < len(function.attr["_input_shapes"].list.shape):
        function.attr["_input_shapes"].list.shape[position].CopyFrom(value.shape_proto())
    if position not in function.arg_attr:
        return
    attrs = function.arg_attr[position].attr
    for key in _HANDLE_ARG_ATTRS:
        if key in attrs:
            del attrs[key]
    if "_output_shapes" in attrs:  # a handle is a scalar; the value has the variable's shape
        del attrs["_output_shapes"].list.shape[:]
        attrs["_output_shapes"].list.shape.append(value.shape_proto())


def _drop_read_only_inputs(node: node_def_pb2.NodeDef, positions: set[int]) -> None:
    """`_read_only_resource_inputs` lists input indices of handles only read; values are not handles."""
    if "_read_only_resource_inputs" not in node.attr:
        return
    indices = node.attr["_read_only_resource_inputs"].list.i
    kept = [index for index in indices if index not in positions]
    del indices[:]
    indices.extend(kept)
