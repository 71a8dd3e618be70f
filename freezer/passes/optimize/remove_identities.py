"""Identity removal (`--optimize`): `Identity`, `StopGradient`, `CheckNumerics`, `PreventGradient`
and `Snapshot` nodes forward their input unchanged at inference (CheckNumerics only checks it for
NaN and infinities, a debugging aid), so their readers are rewired to read that input directly and
the nodes go.

A removed node's `^control` inputs move to its readers (they still wait for what it waited for),
and a `^control` input on it becomes one on the node it read — dropped when that is a Const without
inputs, which never changes anything, or when the reader reads that node's data anyway. Chains go
at once.

Never removed:
* a node an output names (its name is the output's; a signature output is a node named by its key);
* nodes in v1 control flow (`regions.v1_control_flow_nodes`): an Identity of a Switch output decides
  which nodes run, one in a while loop is part of its frame;
* an Identity reading a variable kept as a variable (`v/read` turns its reference into a value);
* nodes in function bodies (only the top-level graph is looked at).

Dropout needs nothing of its own here: with `keras_learning_phase` pinned (`--set
keras_learning_phase=0`), branch folding leaves tf-keras's `dropout/cond` as a chain of Identities
(the switch, the branch's identity, the merge), which this pass removes like any other.

Counted in `ctx.optimized` as "removed identity nodes".
"""

from __future__ import annotations

from tensorboard.compat.proto import node_def_pb2

from freezer.graph import GraphIndex, cycle_error, input_node_name, parse_input
from freezer.ops import IDENTITY_OPS, VARIABLE_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.cleanup import drop_dangling_colocation
from freezer.passes.optimize.regions import controls, needed_controls, v1_control_flow_nodes

REMOVED = "removed identity nodes"  # the ctx.optimized key


def remove_identities(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if not ctx.options.optimize:
        return PassResult(graph_def, changed=False)
    removable = _removable(index, {*ctx.outputs, ctx.init_op})
    ctx.optimized[REMOVED] = ctx.optimized.get(REMOVED, 0) + len(removable)
    if not removable:
        return PassResult(graph_def, changed=False)
    replacements = _Replacements(index, removable)
    kept = [node for node in graph_def.node if node.name not in removable]
    for node in kept:
        replacements.rewire(node)
    del graph_def.node[:]
    graph_def.node.extend(kept)
    drop_dangling_colocation(GraphIndex(graph_def), ctx)
    return PassResult(graph_def, changed=True)


def _removable(index: GraphIndex, protected: set[str | None]) -> dict[str, node_def_pb2.NodeDef]:
    """Identity-like nodes that may go: name → node."""
    candidates = {node.name: node for node in index.graph_def.node
                  if node.op in IDENTITY_OPS and node.name not in protected and _forwards_a_value(index, node)}
    if not candidates:
        return {}
    in_control_flow = v1_control_flow_nodes(index)
    return {name: node for name, node in candidates.items() if name not in in_control_flow}


def _forwards_a_value(index: GraphIndex, node: node_def_pb2.NodeDef) -> bool:
    """One data input, from a node that exists and is not a variable."""
    data = [entry for entry in node.input if not entry.startswith("^")]
    if len(data) != 1:
        return False
    source = index.nodes.get(parse_input(data[0]).node)
    return source is not None and source.op not in VARIABLE_OPS


class _Replacements:
    """What reads of removed nodes become: the entry each one forwards (through chains of them),
    with the control inputs collected on the way."""

    def __init__(self, index: GraphIndex, removable: dict[str, node_def_pb2.NodeDef]):
        self._index = index
        self._removable = removable
        self._resolved: dict[str, tuple[str, list[str]]] = {}  # removed node → (entry, controls)

    def rewire(self, node: node_def_pb2.NodeDef) -> None:
        """Point the node's inputs past removed nodes, if it reads any."""
        if not any(input_node_name(entry) in self._removable for entry in node.input):
            return
        data, waits = [], []
        for entry in node.input:
            ref = parse_input(entry)
            if ref.node not in self._removable:
                (waits if ref.control else data).append(entry)
                continue
            forwarded, forwarded_controls = self._resolve(ref.node)
            waits += forwarded_controls
            if ref.control:
                waits.append("^" + parse_input(forwarded).node)
            else:
                data.append(forwarded)
        read = {input_node_name(entry) for entry in data}  # a node read as data is waited for already
        del node.input[:]
        node.input.extend(data + [wait for wait in needed_controls(waits, self._index) if wait[1:] not in read])

    def _resolve(self, name: str) -> tuple[str, list[str]]:
        """The entry removed node `name` forwards, past other removed nodes, and their controls."""
        first, chain, seen = name, [], set()  # chain: removed nodes each reading the next
        while name not in self._resolved:
            if name in seen:
                raise cycle_error(chain[chain.index(name):])
            seen.add(name)
            node = self._removable[name]
            entry = next(entry for entry in node.input if not entry.startswith("^"))
            source = parse_input(entry).node
            if source not in self._removable:
                self._resolved[name] = (entry, controls(node))
                break
            chain.append(name)
            name = source
        forwarded, waits = self._resolved[name]
        for link in reversed(chain):
            waits = controls(self._removable[link]) + waits
            self._resolved[link] = (forwarded, waits)
        return self._resolved[first]
