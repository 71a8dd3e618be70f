"""Functional ops and their functions, retyped to pass variable values instead of handles.

Where a call node keeps its arguments and types is `freezer.ops.calls`' `CallSpec`. `retype_call`
changes a node's types (and shapes) where a value replaces a handle; `retype_signature` does the
same to a called function's copy and drops the per-argument attributes that only describe
resources. Bodies are rewritten elsewhere.
"""

from __future__ import annotations

from tensorboard.compat.proto import function_pb2, node_def_pb2, types_pb2

from freezer.errors import CheckError, GraphError
from freezer.ops.calls import CallSpec
from freezer.passes.functions.handle_reads import Value
from freezer.passes.rewrite import set_output_shape

# Attributes of a resource argument that describe the handle (its variable's dtype and shape).
_HANDLE_ARG_ATTRS = ("_handle_data", "_handle_dtypes", "_handle_shapes")


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
