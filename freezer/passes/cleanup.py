"""Clean-ups that keep consumers from rejecting the frozen graph: colocation and devices."""

from __future__ import annotations

from freezer.graph import GraphIndex
from freezer.passes.base import PassContext, PassResult

_COLOCATION_PREFIX = b"loc:@"


def drop_dangling_colocation(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Remove `_class: loc:@X` entries naming nodes that are gone (TF refuses to import those)."""
    graph_def = index.graph_def
    if index.colocation_clean:  # this index's graph was cleaned up, and is as it was then
        return PassResult(graph_def, changed=False)
    names = index.nodes.positions  # a dict: `in` is asked of every entry
    changed = []
    for name, entries in index.attr_scan.colocation.items():  # as the index read them: no node read again
        kept = [e for e in entries if not e.startswith(_COLOCATION_PREFIX)
                or e[len(_COLOCATION_PREFIX):].decode("utf-8", "replace") in names]
        if len(kept) == len(entries):
            continue
        changed.append(name)
        node = index[name]
        if kept:
            del node.attr["_class"].list.s[:]
            node.attr["_class"].list.s.extend(kept)
        else:
            del node.attr["_class"]
    # The index knows which nodes have a `_class`: it reads the changed ones again.
    cleaned = index.rewritten(changed) if changed else index
    cleaned.colocation_clean = True
    return PassResult(graph_def, bool(changed), index=cleaned)


def clear_devices(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Clear every node's device (unless kept): `/job:ps` or `/device:GPU:0` rarely exist where it runs."""
    graph_def = index.graph_def
    if ctx.options.keep_devices:
        return PassResult(graph_def, changed=False)
    changed = False
    for node in graph_def.node:
        if node.device:
            node.device = ""
            changed = True
    return PassResult(graph_def, changed, index=index)  # devices are nothing the index knows
