"""Tiny GraphDefs (nodes, attrs, functions) built in code, for unit tests (no TensorFlow needed)."""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, function_pb2, graph_pb2, node_def_pb2, op_def_pb2, types_pb2

from freezer.tensors import NUMPY_DTYPES, make_shape, make_tensor_proto


def node(name: str, op: str, *inputs: str, **attrs) -> node_def_pb2.NodeDef:
    """A NodeDef; attrs given as AttrValue, int dtype (for 'T'/'dtype'), or list of bytes (_class)."""
    result = node_def_pb2.NodeDef(name=name, op=op, input=list(inputs))
    for key, value in attrs.items():
        if isinstance(value, attr_value_pb2.AttrValue):
            result.attr[key].CopyFrom(value)
        elif isinstance(value, int):
            result.attr[key].type = value
        elif isinstance(value, list):
            result.attr[key].list.s.extend(value)
        else:
            raise TypeError(f"unsupported attr {key}={value!r}")
    return result


def variable(name: str, shape=(2,), dtype: int = types_pb2.DT_FLOAT, op: str = "VariableV2") -> node_def_pb2.NodeDef:
    result = node(name, op, dtype=dtype)
    result.attr["shape"].shape.CopyFrom(make_shape(list(shape)))
    return result


def const(name: str, value, dtype: int = types_pb2.DT_FLOAT) -> node_def_pb2.NodeDef:
    array = np.asarray(value, dtype=NUMPY_DTYPES[dtype])
    return node(name, "Const", dtype=dtype,
                value=attr_value_pb2.AttrValue(tensor=make_tensor_proto(array, dtype)))


def graph(*nodes: node_def_pb2.NodeDef) -> graph_pb2.GraphDef:
    return graph_pb2.GraphDef(node=list(nodes))


def types(*dtypes: int) -> attr_value_pb2.AttrValue:
    """A list(type) attr, e.g. Tin/Tout of a call."""
    return attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(type=list(dtypes)))


def func(name: str, **attrs: attr_value_pb2.AttrValue) -> attr_value_pb2.AttrValue:
    """A func attr naming function `name` (with `attrs` for its type parameters)."""
    return attr_value_pb2.AttrValue(func=attr_value_pb2.NameAttrList(name=name, attr=attrs))


def function(name: str, inputs, outputs, nodes=(), ret=None) -> function_pb2.FunctionDef:
    """A FunctionDef: `inputs`/`outputs` are (name, dtype) pairs, `ret` maps output names to body tensors."""
    signature = op_def_pb2.OpDef(
        name=name,
        input_arg=[op_def_pb2.OpDef.ArgDef(name=arg, type=dtype) for arg, dtype in inputs],
        output_arg=[op_def_pb2.OpDef.ArgDef(name=arg, type=dtype) for arg, dtype in outputs])
    return function_pb2.FunctionDef(signature=signature, node_def=list(nodes), ret=ret or {})


def ops_of(graph_def: graph_pb2.GraphDef) -> set[str]:
    return {n.op for n in graph_def.node}


def node_text(attr_value: str) -> bytes:
    """A GraphDef text with one node whose attr "value" is `attr_value`."""
    return b'node { name: "n" op: "Const" attr { key: "value" value { %s } } }' % attr_value.encode()


def nested_lists(levels: int) -> str:
    """An attr value in text format nesting 4 * levels messages: list { func { attr { value { ... } } } }."""
    return 'list { func { name: "f" attr { key: "k" value { ' * levels + "b: true" + " } } } }" * levels


def ref_variable_graph() -> graph_pb2.GraphDef:
    """x (placeholder), v (ref variable) with v/read, Assign/save ops, and y = x * v/read."""
    float_ = types_pb2.DT_FLOAT
    return graph(
        node("x", "Placeholder", dtype=float_),
        variable("v"),
        const("v/initial_value", [1.0, 2.0]),
        node("v/Assign", "Assign", "v", "v/initial_value", T=float_),
        node("v/read", "Identity", "v", T=float_),
        node("y", "Mul", "x", "v/read", T=float_),
        node("init", "NoOp", "^v/Assign"),
    )


def run_passes(graph_def: graph_pb2.GraphDef, ctx, passes) -> graph_pb2.GraphDef:
    """Run a stage (or a tuple of passes) on `graph_def` as a freeze would; the graph they leave."""
    from freezer.graph import GraphIndex
    from freezer.passes import Stage, run_stage
    stage = passes if isinstance(passes, Stage) else Stage("test", tuple(passes))
    return run_stage(stage, GraphIndex(graph_def), ctx).graph_def
