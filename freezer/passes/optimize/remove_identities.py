"""Identity removal (`--optimize`): `Identity`, `StopGradient`, `CheckNumerics`, `PreventGradient`
and `Snapshot` nodes forward their input unchanged at inference (CheckNumerics only checks it for
NaN and infinities, a debugging aid), and an `IdentityN` forwards each of its inputs as the output
of the same number (a custom gradient's forward values, as in Keras's swish; what keeps an inlined
call's name), so their readers are rewired to read those inputs directly and the nodes go. OpenCV
dnn has no IdentityN layer.

A removed node's `^control` inputs move to its readers (they still wait for what it waited for),
and a `^control` input on it becomes one on each node it read — dropped when that is a Const
without inputs, which never changes anything, or when the reader reads that node's data anyway.
Chains go at once.

Never removed:
* a node an output names (its name is the output's; a signature output is a node named by its key);
* nodes in v1 control flow (`regions.v1_control_flow_nodes`): an Identity of a Switch output decides
  which nodes run, one in a while loop is part of its frame;
* an Identity reading a variable kept as a variable (`v/read` turns its reference into a value);
* nodes in function bodies (only the top-level graph is looked at);
* a node read at an output it has no input for (`Identity:1`): TensorFlow refuses that graph, and
  says why.

Dropout needs nothing of its own here: with `keras_learning_phase` pinned (`--set
keras_learning_phase=0`), branch folding leaves tf-keras's `dropout/cond` as a chain of Identities
(the switch, the branch's identity, the merge), which this pass removes like any other.

Counted in `ctx.optimized` as "removed identity nodes".
"""

from __future__ import annotations

from collections.abc import Container, Iterable

from tensorboard.compat.proto import node_def_pb2

from freezer.graph import GraphIndex, InputRef, cycle_error, input_node_name, parse_input
from freezer.ops import IDENTITY_OPS, VARIABLE_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.optimize.regions import controls, needed_controls, v1_control_flow_nodes
from freezer.passes.prune import delete_nodes

REMOVED = "removed identity nodes"  # the ctx.optimized key
_REMOVED_OPS = IDENTITY_OPS | {"IdentityN"}


def remove_identities(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if not ctx.options.optimize:
        return PassResult(graph_def, changed=False)
    candidates = {name: index[name] for name, op in index.ops.items() if op in _REMOVED_OPS}
    reads = _reads_of(index, candidates)
    removable = _removable(index, candidates, reads, {*ctx.outputs, ctx.init_op})
    ctx.optimized[REMOVED] = ctx.optimized.get(REMOVED, 0) + len(removable)
    if not removable:
        return PassResult(graph_def, changed=False)
    replacements = _Replacements(index, removable)
    readers = {reader for name in removable for reader, _ in reads.get(name, ())}
    for name in index.nodes:  # in graph order
        if name in readers and name not in removable:
            replacements.rewire(index[name])
    delete_nodes(index, set(removable))
    return PassResult(graph_def, changed=True)


def _removable(index: GraphIndex, candidates: dict[str, node_def_pb2.NodeDef], reads: dict,
               protected: set[str | None]) -> dict[str, node_def_pb2.NodeDef]:
    """The Identity-like nodes among `candidates` that may go: name → node."""
    forwarding = {name: node for name, node in candidates.items()
                  if name not in protected and _forwards_values(index, node)}
    if not forwarding:
        return {}
    in_control_flow = v1_control_flow_nodes(index)
    return {name: node for name, node in forwarding.items()
            if name not in in_control_flow and _read_ports_exist(node, (ref for _, ref in reads.get(name, ())))}


def _reads_of(index: GraphIndex, names: Container[str]) -> dict[str, list[tuple[str, InputRef]]]:
    """The input entries reading one of the nodes `names`, by the node read: (reader, entry parsed)."""
    reads: dict[str, list[tuple[str, InputRef]]] = {}
    if not names:
        return reads
    for reader, entries in index.entries.items():
        for entry in entries:
            source = entry if entry in names else input_node_name(entry)
            if source in names:
                reads.setdefault(source, []).append((reader, parse_input(entry)))
    return reads


def _forwards_values(index: GraphIndex, node: node_def_pb2.NodeDef) -> bool:
    """One data input (any number for an IdentityN), each from a node that exists and is not a variable."""
    data = _data_inputs(node)
    if len(data) != 1 and not (node.op == "IdentityN" and data):
        return False
    sources = [index.nodes.get(parse_input(entry).node) for entry in data]
    return all(source is not None and source.op not in VARIABLE_OPS for source in sources)


def _read_ports_exist(node: node_def_pb2.NodeDef, reads: Iterable[InputRef]) -> bool:
    """Whether every output read has a data input to forward (a read of `Identity:1` has none)."""
    ports = len(_data_inputs(node))
    return all(ref.control or ref.port < ports for ref in reads)


def _data_inputs(node: node_def_pb2.NodeDef) -> list[str]:
    return [entry for entry in node.input if not entry.startswith("^")]


class _Replacements:
    """What reads of removed nodes become: the entry each output forwards (through chains of removed
    nodes), with the control inputs collected on the way."""

    def __init__(self, index: GraphIndex, removable: dict[str, node_def_pb2.NodeDef]):
        self._index = index
        self._removable = removable
        self._resolved: dict[tuple[str, int], tuple[str, list[str]]] = {}  # (removed, port) → (entry, controls)
        self._stand_ins: dict[str, list[str]] = {}  # removed node → the waits `^node` becomes

    def rewire(self, node: node_def_pb2.NodeDef) -> None:
        """Point the node's inputs past removed nodes, if it reads any."""
        if not any(input_node_name(entry) in self._removable for entry in node.input):
            return
        data, waits = [], []
        for entry in node.input:
            ref = parse_input(entry)
            if ref.control or ref.node not in self._removable:
                (waits if ref.control else data).append(entry)
            else:
                forwarded, forwarded_controls = self._resolve(ref.node, ref.port)
                waits += forwarded_controls
                data.append(forwarded)
        # A wait on a removed node (written on this node, or on a removed node it read) stands for
        # what that node read and waited for.
        waits = [stand_in for wait in waits for stand_in in
                 (self._stand_ins_for(wait[1:]) if wait[1:] in self._removable else [wait])]
        read = {input_node_name(entry) for entry in data}  # a node read as data is waited for already
        del node.input[:]
        node.input.extend(data + [wait for wait in needed_controls(waits, self._index) if wait[1:] not in read])

    def _waits_replacing(self, name: str) -> list[str]:
        """What `^name` of a removed node becomes, one step: waits for the nodes it forwards and what
        they waited for, which may name other removed nodes."""
        waits = []
        for port in range(len(_data_inputs(self._removable[name]))):
            forwarded, forwarded_controls = self._resolve(name, port)
            waits += [*forwarded_controls, "^" + parse_input(forwarded).node]
        return waits

    def _stand_ins_for(self, name: str) -> list[str]:
        """What `^name` of a removed node becomes: `_waits_replacing` until no wait names a removed
        node (a depth-first walk without recursion: waits may chain through thousands of nodes);
        remembered. Removed nodes waiting for each other in a circle are a `GraphError`."""
        stack = [(name, iter(self._waits_replacing(name)))]
        collected: dict[str, list[str]] = {name: []}  # the nodes on the stack → their stand-ins so far
        while stack:
            current, pending = stack[-1]
            for wait in pending:
                other = wait[1:]
                if other not in self._removable:
                    collected[current].append(wait)
                elif other in self._stand_ins:
                    collected[current] += self._stand_ins[other]
                elif other in collected:
                    on_stack = [on for on, _ in stack]
                    raise cycle_error(on_stack[on_stack.index(other):])
                else:
                    collected[other] = []
                    stack.append((other, iter(self._waits_replacing(other))))
                    break
            else:
                stack.pop()
                self._stand_ins[current] = collected.pop(current)
                if stack:
                    collected[stack[-1][0]] += self._stand_ins[current]
        return self._stand_ins[name]

    def _resolve(self, name: str, port: int) -> tuple[str, list[str]]:
        """The entry output `port` of removed node `name` forwards, past other removed nodes, and
        their controls."""
        first = link = (name, port)
        chain, seen = [], set()  # chain: outputs of removed nodes, each reading the next
        while link not in self._resolved:
            if link in seen:
                raise cycle_error([node for node, _ in chain[chain.index(link):]])
            seen.add(link)
            node = self._removable[link[0]]
            entry = _data_inputs(node)[link[1]]
            source = parse_input(entry)
            if source.node not in self._removable:
                self._resolved[link] = (entry, controls(node))
                break
            chain.append(link)
            link = (source.node, source.port)
        forwarded, waits = self._resolved[link]
        for earlier in reversed(chain):
            waits = controls(self._removable[earlier[0]]) + waits
            self._resolved[earlier] = (forwarded, waits)
        return self._resolved[first]
