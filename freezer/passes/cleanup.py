"""Clean-ups that keep consumers from rejecting the frozen graph: colocation and devices."""

from __future__ import annotations

from tensorboard.compat.proto import graph_pb2

from freezer.passes.base import PassContext, PassResult

_COLOCATION_PREFIX = b"loc:@"


def drop_dangling_colocation(graph_def: graph_pb2.GraphDef, ctx: PassContext) -> PassResult:
    """Remove `_class: loc:@X` entries naming nodes that are gone (TF refuses to import those)."""
    names = {node.name for node in graph_def.node}
    changed = False
    for node in graph_def.node:
        if "_class" not in node.attr:
            continue
        entries = list(node.attr["_class"].list.s)
        kept = [e for e in entries if not e.startswith(_COLOCATION_PREFIX)
                or e[len(_COLOCATION_PREFIX):].decode("utf-8", "replace") in names]
        if kept == entries:
            continue
        changed = True
        if kept:
            del node.attr["_class"].list.s[:]
            node.attr["_class"].list.s.extend(kept)
        else:
            del node.attr["_class"]
    return PassResult(graph_def, changed)


def clear_devices(graph_def: graph_pb2.GraphDef, ctx: PassContext) -> PassResult:
    """Clear every node's device (unless kept): `/job:ps` or `/device:GPU:0` rarely exist where it runs."""
    if ctx.keep_devices:
        return PassResult(graph_def, changed=False)
    changed = False
    for node in graph_def.node:
        if node.device:
            node.device = ""
            changed = True
    return PassResult(graph_def, changed)
