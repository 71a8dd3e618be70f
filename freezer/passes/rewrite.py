"""Helpers for the passes that rewrite the readers of folded variables.

A variable reaches its readers through pass-through ops: `v/read` (`Identity`), and v1 control flow
(`Switch` into a cond branch, `Enter` into a while loop, ...). Once the variable is a `Const`,
every op down such a chain is fed a value where it expected a handle or a reference; `ConstFlow`
finds the Const behind such an input, so each pass can rewrite what it is responsible for.
Nothing here changes a graph except `replace_op`, which rewrites one node in place.
"""

from __future__ import annotations

from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2

from freezer.graph import GraphIndex, parse_input

# Ops whose output is (one of) their data inputs, unchanged; the Ref* twins forward references.
PASS_THROUGH_OPS = frozenset({
    "Identity", "Enter", "Exit", "NextIteration", "Switch", "Merge",
    "RefIdentity", "RefEnter", "RefExit", "RefNextIteration", "RefSwitch", "RefMerge",
})
_MERGE_OPS = frozenset({"Merge", "RefMerge"})  # forward whichever of their inputs arrives
_SWITCH_OPS = frozenset({"Switch", "RefSwitch"})  # forward their input 0 on both outputs
_KEPT_ATTRS = ("_class",)


class ConstFlow:
    """Which Const's value reaches an input, following pass-through ops back from it.

    Built once per pass and asked only about the nodes the pass rewrites, so a graph without
    any costs one index; the walk is iterative, and v1 while loops (cycles) end it.
    """

    def __init__(self, graph_def: graph_pb2.GraphDef):
        self._index = GraphIndex(graph_def)

    def source(self, input_name: str) -> node_def_pb2.NodeDef | None:
        """The Const whose value the input entry (`node`, `node:1`) carries, if any."""
        pending, seen = [parse_input(input_name)], set()
        while pending:
            ref = pending.pop()
            if ref.control or ref in seen or ref.node not in self._index:
                continue
            seen.add(ref)
            node = self._index[ref.node]
            if node.op == "Const":
                return node
            if node.op in PASS_THROUGH_OPS and ref.port in _forwarding_ports(node.op):
                pending.extend(map(parse_input, _forwarded_inputs(node)))
        return None

    def feeds(self, node: node_def_pb2.NodeDef) -> node_def_pb2.NodeDef | None:
        """The Const feeding the input `node` forwards or reads (input 0; any of a merge's), if any."""
        for name in _forwarded_inputs(node):
            const = self.source(name)
            if const is not None:
                return const
        return None


def value_dtype(const: node_def_pb2.NodeDef) -> int:
    return const.attr["dtype"].type


def replace_op(node: node_def_pb2.NodeDef, op: str, attrs: dict[str, attr_value_pb2.AttrValue]) -> None:
    """Turn `node` into `op` with `attrs`, keeping its name, inputs, device and colocation."""
    kept = {key: node.attr[key] for key in _KEPT_ATTRS if key in node.attr}
    node.op = op
    node.ClearField("attr")
    node.ClearField("experimental_type")  # typed for the old op, not the new one
    for key, value in {**attrs, **kept}.items():
        node.attr[key].CopyFrom(value)


def type_attr(dtype: int) -> attr_value_pb2.AttrValue:
    return attr_value_pb2.AttrValue(type=dtype)


def _forwarding_ports(op: str) -> tuple[int, ...]:
    return (0, 1) if op in _SWITCH_OPS else (0,)  # a merge's output 1 is the index of the input taken


def _forwarded_inputs(node: node_def_pb2.NodeDef) -> list[str]:
    data = [name for name in node.input if not name.startswith("^")]
    return data if node.op in _MERGE_OPS else data[:1]
