"""What the other optimize passes leave behind (`--optimize`): NoOps that order nothing any more, and
nodes no output needs.

A SavedModel's signature function orders its variable reads and its result with `NoOp`s (an
inlined call brings them along, and the output waits on them through a `^control` input). Once the
variables are Consts and the Identities reading them are gone, such a NoOp waits for Consts
without inputs (which run at once, do nothing and are never dead) or for what its reader reads as
data anyway: waiting for it changes nothing. OpenCV dnn takes every NoOp for a training switch and
refuses one without inputs. So `remove_noops` drops each `^` input on a NoOp that waits, directly or
through other NoOps, only for inputless Consts and for nodes the reader reads as data, then removes
the NoOps no output needs any more.

Never bypassed or removed: a NoOp an output names (a freeze's init op among them), one in v1
control flow (where a wait carries a branch's deadness), one in a cycle of NoOps, one that waits for
more than `MAX_WAITS` nodes (a reader rarely reads that many, and collecting them through chains
of NoOps could take time quadratic in the graph).

`prune_leftovers` then prunes to the outputs (`passes.prune`): what folded batch norms and removed
identities no longer read, and the Consts a removed NoOp waited for. Counted in `ctx.optimized` as
"removed no-ops"; pruned nodes are not counted.
"""

from __future__ import annotations

import collections

from tensorboard.compat.proto import graph_pb2, node_def_pb2

from freezer.graph import GraphIndex, input_node_name, parse_input, reachable
from freezer.passes.base import PassContext, PassResult
from freezer.passes.optimize.regions import v1_control_flow_nodes
from freezer.passes.prune import prune_to_outputs

REMOVED = "removed no-ops"  # the ctx.optimized key
MAX_WAITS = 16


def remove_noops(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if not ctx.options.optimize:
        return PassResult(graph_def, changed=False)
    ctx.optimized.setdefault(REMOVED, 0)
    waits = _waits_through_noops(index, {*ctx.outputs, ctx.init_op})
    if not waits or not _drop_waits_that_add_nothing(graph_def, waits):
        return PassResult(graph_def, changed=False)
    needed = reachable(GraphIndex(graph_def), ctx.outputs)
    removed = {name for name in waits if name not in needed}
    ctx.optimized[REMOVED] += len(removed)
    kept = [node for node in graph_def.node if node.name not in removed]
    del graph_def.node[:]
    graph_def.node.extend(kept)
    return PassResult(graph_def, changed=True)


def prune_leftovers(index: GraphIndex, ctx: PassContext) -> PassResult:
    if not ctx.options.optimize:
        return PassResult(index.graph_def, changed=False)
    return prune_to_outputs(index, ctx)


def _drop_waits_that_add_nothing(graph_def: graph_pb2.GraphDef, waits: dict[str, frozenset[str]]) -> bool:
    """Drop every `^noop` input whose NoOp waits only for nodes its reader reads as data; whether any went."""
    dropped = False
    for node in graph_def.node:
        read = {input_node_name(entry) for entry in node.input if not entry.startswith("^")}
        kept = [entry for entry in node.input
                if not (entry.startswith("^") and entry[1:] in waits and waits[entry[1:]] <= read)]
        if len(kept) != len(node.input):
            del node.input[:]
            node.input.extend(kept)
            dropped = True
    return dropped


def _waits_through_noops(index: GraphIndex, protected: set[str | None]) -> dict[str, frozenset[str]]:
    """NoOp → the nodes it waits for, through other NoOps, less inputless Consts; for the NoOps that
    may be bypassed. Found from the NoOps waiting for no other, each NoOp once those it waits for
    are known (a cycle is never known)."""
    in_control_flow = v1_control_flow_nodes(index)
    noops = {node.name: node for node in index.graph_def.node
             if node.op == "NoOp" and node.name not in protected and node.name not in in_control_flow}
    missing: dict[str, int] = {}  # NoOp → how many NoOps it waits for are not known yet
    waiting: dict[str, list[str]] = collections.defaultdict(list)  # NoOp → the NoOps waiting for it
    direct: dict[str, set[str]] = {}  # NoOp → the other nodes it waits for
    awaited: dict[str, list[str]] = {}  # NoOp → the NoOps it waits for
    ready = collections.deque()
    for name, node in noops.items():
        sources = _waited_for(index, node)
        if sources is None:
            continue
        direct[name] = {source for source in sources if source not in noops}
        awaited[name] = [source for source in sources if source in noops]
        missing[name] = len(awaited[name])
        for noop in awaited[name]:
            waiting[noop].append(name)
        if not awaited[name]:
            ready.append(name)
    waits: dict[str, frozenset[str]] = {}
    while ready:
        name = ready.popleft()
        collected = direct[name].union(*(waits[noop] for noop in awaited[name]))
        if len(collected) > MAX_WAITS:
            continue  # stays, and so do the NoOps waiting for it
        waits[name] = frozenset(collected)
        for reader in waiting.pop(name, ()):
            missing[reader] -= 1
            if missing[reader] == 0:
                ready.append(reader)
    return waits


def _waited_for(index: GraphIndex, node: node_def_pb2.NodeDef) -> list[str] | None:
    """The nodes a NoOp waits for, but inputless Consts; None if it reads a value or a missing node."""
    sources = []
    for entry in node.input:
        ref = parse_input(entry)
        source = index.nodes.get(ref.node)
        if not ref.control or source is None:
            return None
        if source.op != "Const" or source.input:
            sources.append(source.name)
    return sources
