"""What the optimize passes share: where v1 control flow gives nodes a meaning beyond their values,
and which control inputs still matter.
"""

from __future__ import annotations

from collections.abc import Iterable

from tensorboard.compat.proto import node_def_pb2

from freezer.graph import GraphIndex
from freezer.ops import FRAME_END_OPS, V1_CONTROL_FLOW_OPS

_FRAME_STARTS = V1_CONTROL_FLOW_OPS - FRAME_END_OPS


def v1_control_flow_nodes(index: GraphIndex) -> set[str]:
    """Names of the nodes inside v1 control flow: everything a Switch, Enter, NextIteration or
    LoopCond reaches through data or control edges, up to and including the Merge or Exit where the
    frame ends. There an `Identity` of a Switch's output decides which nodes run, and a Const's
    control input puts it in a loop's frame: the optimize passes leave all of it as it is."""
    starts = [node.name for node in index.graph_def.node if node.op in _FRAME_STARTS]
    if not starts:
        return set()
    consumers = index.consumers()
    inside, pending = set(starts), list(starts)
    while pending:
        name = pending.pop()
        if index[name].op in FRAME_END_OPS:
            continue
        for consumer, _ in consumers.get(name, ()):
            if consumer.name not in inside:
                inside.add(consumer.name)
                pending.append(consumer.name)
    return inside


def controls(node: node_def_pb2.NodeDef) -> list[str]:
    """The node's `^control` inputs, as written."""
    return [name for name in node.input if name.startswith("^")]


def needed_controls(names: Iterable[str], index: GraphIndex) -> list[str]:
    """`^control` inputs without repeats, and without those on a Const that has no inputs of its own:
    such a Const runs at once, does nothing and is never dead, so waiting for it changes nothing."""
    kept: dict[str, None] = {}
    for name in names:
        source = index.nodes.get(name[1:])
        if source is not None and source.op == "Const" and not source.input:
            continue
        kept[name] = None
    return list(kept)
