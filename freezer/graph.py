"""A read-only index over a GraphDef, TensorFlow's tensor-name grammar, and where values flow.

Names in a GraphDef's `input` lists take three shapes: `node` (output 0), `node:port`, and `^node`
(a control dependency). Everything here parses them one way, in one place.

A variable reaches its readers through pass-through ops: `v/read` (`Identity`), and v1 control flow
(`Switch` into a cond branch, `Enter` into a while loop, ...). Once the variable is a `Const`,
every op down such a chain is fed a value where it expected a handle or a reference; `ConstFlow`
finds the Const behind such an input, for the passes that rewrite those ops and the checks.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, KeysView, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING

from tensorboard.compat.proto import graph_pb2, node_def_pb2, types_pb2

from freezer.errors import GraphError
from freezer.ops import MERGE_OPS, PASS_THROUGH_OPS, SWITCH_OPS
from freezer.tensors import REF_OFFSET

if TYPE_CHECKING:
    from freezer.io.pbtxt import NodeFields


@dataclasses.dataclass(frozen=True)
class InputRef:
    """One entry of a node's `input` list, parsed."""

    node: str
    port: int = 0
    control: bool = False

    def __str__(self) -> str:
        if self.control:
            return f"^{self.node}"
        return self.node if self.port == 0 else f"{self.node}:{self.port}"


def parse_input(name: str) -> InputRef:
    """Parse `node`, `node:port` or `^node` as written in a NodeDef's input list."""
    if name.startswith("^"):
        return InputRef(name[1:], 0, control=True)
    node, sep, port = name.rpartition(":")
    if sep and port.isascii() and port.isdigit():  # not '²', which isdigit() but int() refuses
        return InputRef(node, int(port))
    return InputRef(name)


def input_node_name(name: str) -> str:
    """The node an input entry refers to, without `^` or `:port` (`parse_input(name).node`, without
    building an `InputRef`: walks over every input of a graph ask this of each)."""
    if name.startswith("^"):
        return name[1:]
    if ":" not in name:  # most entries: a plain node name
        return name
    node, _, port = name.rpartition(":")
    return node if port.isascii() and port.isdigit() else name


@dataclasses.dataclass(frozen=True)
class Edges:
    """Every input entry of a graph parsed once, by node name (the first node of each name, as in
    `GraphIndex`); entries naming no node of the graph are left out.

    `inputs[name]`: the nodes `name` reads, its data inputs first, then its `^control` inputs (the
    same list as `data_inputs[name]` when it has none). `consumers[name]`: the nodes reading
    `name`, once per entry (a node reading two outputs of `name` is there twice). Read them, never
    change them.
    """

    inputs: dict[str, list[str]]
    data_inputs: dict[str, list[str]]
    consumers: dict[str, list[str]]

    @classmethod
    def of(cls, entries: dict[str, list[str]]) -> Edges:
        """From each node's input entries (`GraphIndex.entries`)."""
        inputs, data_inputs = {}, {}
        consumers: dict[str, list[str]] = {name: [] for name in entries}
        is_node = consumers.__contains__
        for name, node_entries in entries.items():  # every input entry of the graph: kept to plain steps
            if all(map(is_node, node_entries)):  # most nodes: data inputs, each a node's name as it is
                for source in node_entries:
                    consumers[source].append(name)
                inputs[name] = data_inputs[name] = node_entries
                continue
            data, controls = [], None
            for entry in node_entries:
                # Most entries name a node as it is; the others are `node:port` or `^node`.
                source = entry if entry in consumers else input_node_name(entry)
                readers = consumers.get(source)
                if readers is None:
                    continue
                readers.append(name)
                if entry[:1] != "^":
                    data.append(source)
                elif controls is None:
                    controls = [source]
                else:
                    controls.append(source)
            data_inputs[name] = data
            inputs[name] = data + controls if controls else data
        return cls(inputs, data_inputs, consumers)


@dataclasses.dataclass(frozen=True)
class AttrScan:
    """What one read of every attr of a graph's nodes found, for the passes and checks that look for
    it (reading every attr of every node is one of the slowest walks over a graph)."""

    # Node name → {attr: the resource and reference types it holds}, for the nodes that have any.
    handle_types: dict[str, dict[str, list[int]]]
    colocation: dict[str, list[bytes]]  # node name → its `_class` (colocation) entries, for the nodes with one

    @classmethod
    def of(cls, nodes: Iterable[tuple[str, node_def_pb2.NodeDef]]) -> AttrScan:
        # Each attr entry is judged on its own (its key and value, nothing else of the node): what
        # `finds_in` tells of an entry, which the text parser asks once per distinct entry, holds for
        # every node holding it.
        found: dict[str, dict[str, list[int]]] = {}
        colocation = {}
        for name, node in nodes:
            attrs = node.attr
            for key in attrs:  # not .items(): protobuf's maps give that in Python, at twice the cost
                value = attrs[key]
                kind = value.WhichOneof("value")
                if kind == "type":
                    dtype = value.type
                    if dtype == types_pb2.DT_RESOURCE or dtype > REF_OFFSET:
                        found.setdefault(name, {})[key] = [dtype]
                elif kind == "list":
                    if key == "_class":
                        colocation[name] = list(value.list.s)
                    if value.list.type:
                        handles = [t for t in value.list.type if t == types_pb2.DT_RESOURCE or t > REF_OFFSET]
                        if handles:
                            found.setdefault(name, {})[key] = handles
        return cls(found, colocation)

    @staticmethod
    def finds_in(attr_entry: bytes) -> bool:
        """Whether a scan finds anything in a NodeDef holding only this attr entry (its wire bytes).
        A scan finds something in a node only if it does in one of the node's entries, so the scan
        of a graph need read only the nodes holding an entry this is true of."""
        found = AttrScan.of([("", node_def_pb2.NodeDef.FromString(attr_entry))])
        return bool(found.handle_types or found.colocation)

    def rescanned(self, nodes: dict[str, node_def_pb2.NodeDef]) -> AttrScan:
        """This scan with `nodes` (name → node) read again."""
        again = AttrScan.of(nodes.items())
        return AttrScan({**{name: types for name, types in self.handle_types.items() if name not in nodes},
                         **again.handle_types},
                        {**{name: entries for name, entries in self.colocation.items() if name not in nodes},
                         **again.colocation})

    def without(self, dropped: AbstractSet[str]) -> AttrScan:
        """This scan, less the nodes in `dropped`."""
        return AttrScan({name: types for name, types in self.handle_types.items() if name not in dropped},
                        {name: entries for name, entries in self.colocation.items() if name not in dropped})


class NodeTable(Mapping[str, node_def_pb2.NodeDef]):
    """Node name → its NodeDef, read from the graph when asked for, in graph order.

    The table holds each node's position in `graph_def.node`, not a Python object per node: on a
    graph of 300k nodes those would take more memory than the table and cost their making. Valid
    while the graph's nodes stay where they were: appending nodes is fine, deleting or reordering
    them needs a new table (`GraphIndex.pruned` makes one).
    """

    def __init__(self, graph_def: graph_pb2.GraphDef, positions: dict[str, int]):
        self._nodes = graph_def.node
        self.positions = positions  # name → position of its (first) node, in graph order
        self.unique_names = len(positions) == len(self._nodes)

    def __getitem__(self, name: str) -> node_def_pb2.NodeDef:
        return self._nodes[self.positions[name]]

    def get(self, name: str, default: node_def_pb2.NodeDef | None = None) -> node_def_pb2.NodeDef | None:
        position = self.positions.get(name)
        return default if position is None else self._nodes[position]

    def __contains__(self, name: object) -> bool:
        return name in self.positions

    def __iter__(self) -> Iterator[str]:
        return iter(self.positions)

    def __len__(self) -> int:
        return len(self.positions)

    def keys(self) -> KeysView[str]:
        return self.positions.keys()

    def values(self) -> Iterator[node_def_pb2.NodeDef]:  # type: ignore[override]
        if self.unique_names:  # every node, in order: protobuf's own iterator (nodes appended since left out)
            return itertools.islice(self._nodes, len(self.positions))
        return map(self._nodes.__getitem__, self.positions.values())

    def items(self) -> Iterator[tuple[str, node_def_pb2.NodeDef]]:  # type: ignore[override]
        return zip(self.positions, self.values())


def _first_positions(names: Iterable[str]) -> dict[str, int]:
    """Name → position of the first node with that name (the check refuses a name used twice)."""
    positions: dict[str, int] = {}
    for position, name in enumerate(names):
        positions.setdefault(name, position)
    return positions


class GraphIndex:
    """Name → node lookup and consumer lists for one GraphDef (the top-level graph, not functions).

    The index never modifies the graph; build a new one after a pass changes it (it remembers
    what `producer` and `reachable` found, and `ops` and `edges` once asked for), or, after changes
    it can follow, ask for one (`rewritten`, `pruned`) that keeps what is still true: on a big
    graph, reading every node again is most of a pass's cost.
    """

    def __init__(self, graph_def: graph_pb2.GraphDef, fields: NodeFields | None = None):
        """`fields`: the name, op and inputs of each node as the text parser read them (`parse_text`),
        so that protobuf is not asked for them again, node by node."""
        self.graph_def = graph_def
        names = fields.names if fields is not None else [node.name for node in graph_def.node]
        positions = dict(zip(names, range(len(names))))
        if len(positions) < len(names):  # a name used twice (the check refuses it): the first node has it
            positions = _first_positions(names)
        self.nodes = NodeTable(graph_def, positions)
        self._producers: dict[str, node_def_pb2.NodeDef | None] = {}  # Identity name → its producer
        self._reached: dict[tuple[str, ...], Reached] = {}  # outputs → what `reachable` found
        self._entries: dict[str, list[str]] = {}  # node name → its input entries, those read so far
        # Whether every colocation (`_class: loc:@X`) names a node of the graph, as the clean-up that
        # drops the others found: it runs several times, and the graph is often the same each time.
        self.colocation_clean = False
        # The only nodes whose attrs the attr scan need read (None: every node), as the parser found.
        self._attr_candidates: list[str] | None = None
        if fields is not None and len(positions) == len(names):
            self.ops = dict(zip(names, fields.ops))
            self._entries = dict(zip(names, fields.inputs))
            if fields.noted is not None:
                self._attr_candidates = list(map(names.__getitem__, fields.noted))

    def rewritten(self, names: Iterable[str]) -> GraphIndex:
        """The index of the graph after the nodes `names` were changed in place: their ops and attrs,
        not their names or inputs, and no node added or removed. Input entries, edges and reachable
        sets stay; the ops of `names` are read again, and the rest found again when asked for.
        The two indexes share their node table and input entries, which a later `pruned()` of the
        new one changes in place: use only the index returned."""
        index = self._derived(self.nodes, self._entries, dict(self._reached))
        if "edges" in self.__dict__:
            index.edges = self.edges
        changed = {name: self.nodes[name] for name in names}
        if "ops" in self.__dict__:
            index.ops = {**self.ops, **{name: node.op for name, node in changed.items()}}
        if "attr_scan" in self.__dict__:
            index.attr_scan = self.attr_scan.rescanned(changed)
        elif self._attr_candidates is not None:
            index._attr_candidates = [*self._attr_candidates, *changed]
        return index

    def pruned(self, dropped: AbstractSet[str], outputs: Iterable[str]) -> GraphIndex:
        """The index of the graph after the nodes named in `dropped` (those `outputs` do not reach)
        were deleted from it and the others left in their order.

        This index describes a graph that is gone: its tables move to the new index, less the nodes
        dropped (a pruned graph usually keeps most nodes, and copying the tables of a big graph
        costs time and memory), and this one lets go of what it has left: using it again fails.
        """
        tables = [self._entries, *([self.ops] if "ops" in self.__dict__ else [])]
        for table in tables:
            for name in dropped:
                table.pop(name, None)
        if self.nodes.unique_names:  # the nodes kept, in their order, are now the graph's
            positions = self.nodes.positions  # renumbered in place: a second table would double its memory
            moved_from = min(map(positions.__getitem__, dropped), default=len(positions))
            for name in dropped:
                del positions[name]
            # The names after the first dropped one move up (values changed while iterating the keys: allowed).
            positions.update(zip(itertools.islice(positions, moved_from, None), itertools.count(moved_from)))
        else:
            positions = _first_positions(node.name for node in self.graph_def.node)
        index = self._derived(NodeTable(self.graph_def, positions), self._entries, {})
        index._reached[tuple(outputs)] = Reached.everything(index)  # what the outputs reach is every node now
        if "ops" in self.__dict__:
            index.ops = self.ops
        if "attr_scan" in self.__dict__:
            index.attr_scan = self.attr_scan.without(dropped)
        index._attr_candidates = self._attr_candidates  # those dropped are passed over
        self.__dict__.clear()  # a caller may still hold this index: its tables would outlive the graph
        return index

    def moved(self) -> GraphIndex:
        """This index as a new object, which takes its tables; this one is left empty (using it again
        fails). For a callee that keeps the index it is given, as a freeze does: the caller's
        reference then keeps none of a big graph's tables alive once the passes replace them."""
        index = GraphIndex.__new__(GraphIndex)
        index.__dict__.update(self.__dict__)
        self.__dict__.clear()
        return index

    def _derived(self, nodes: NodeTable, entries: dict[str, list[str]],
                 reached: dict[tuple[str, ...], Reached]) -> GraphIndex:
        index = GraphIndex.__new__(GraphIndex)
        index.graph_def, index.nodes = self.graph_def, nodes
        index._producers, index._entries, index._reached = {}, entries, reached
        index.colocation_clean = False
        index._attr_candidates = None
        return index

    def __contains__(self, name: str) -> bool:
        return name in self.nodes.positions  # the dict itself: the table's `in` is a Python call more

    @functools.cached_property
    def ops(self) -> dict[str, str]:
        """Node name → its op (protobuf fields are slow to read again and again). Each op name is one
        string object however many nodes run it: protobuf returns a new copy each time it is read."""
        ops: dict[str, str] = {}
        one_of_each: dict[str, str] = {}
        for name, node in self.nodes.items():
            op = node.op
            ops[name] = one_of_each.setdefault(op, op)
        return ops

    @functools.cached_property
    def op_set(self) -> frozenset[str]:
        """The ops the graph runs: a pass with nothing to do on a graph without its ops asks this first."""
        return frozenset(self.ops.values())

    @functools.cached_property
    def entries(self) -> dict[str, list[str]]:
        """Node name → its input entries as written (`node`, `node:port`, `^node`), for every node in
        graph order; what `reachable` read already is not read again."""
        read = self._entries
        if len(read) == len(self.nodes):  # every node's read already (by a walk, in another order?)
            if list(read) != list(self.nodes):
                self._entries = {name: read[name] for name in self.nodes}
        else:
            self._entries = {name: read.get(name) or node.input[:] for name, node in self.nodes.items()}
        return self._entries

    @functools.cached_property
    def edges(self) -> Edges:
        """Who reads whom, by name: built on first use, for walks over the whole graph."""
        return Edges.of(self.entries)

    @functools.cached_property
    def attr_scan(self) -> AttrScan:
        """What the attrs of the nodes hold that passes and checks look for: read once an index, of
        every node or, when the text parser told which may hold any, of those (and of the nodes
        changed since, which `rewritten` adds)."""
        candidates, nodes = self._attr_candidates, self.nodes
        # Reading the nodes in turn beats asking for each by position, when most are candidates.
        if candidates is None or 2 * len(candidates) > len(nodes):
            return AttrScan.of(nodes.items())
        return AttrScan.of((name, nodes[name]) for name in candidates if name in nodes)

    @property
    def handle_types(self) -> dict[str, dict[str, list[int]]]:
        """Node name → {attr: the resource and reference types it holds}, for the nodes that have any."""
        return self.attr_scan.handle_types

    def __getitem__(self, name: str) -> node_def_pb2.NodeDef:
        return self.nodes[name]

    def consumers(self, of_ops: Iterable[str] | None = None) -> dict[str, list[tuple[node_def_pb2.NodeDef, InputRef]]]:
        """For every node name, the nodes that take one of its outputs (or it as control input);
        only consumers whose op is in `of_ops`, when given."""
        wanted = None if of_ops is None else frozenset(of_ops)
        result: dict[str, list[tuple[node_def_pb2.NodeDef, InputRef]]] = {}
        for node in self.graph_def.node:
            if wanted is not None and node.op not in wanted:
                continue
            for ref in map(parse_input, node.input):
                result.setdefault(ref.node, []).append((node, ref))
        return result

    def nearest_names(self, name: str, count: int = 5) -> list[str]:
        """Node names that look like `name`, best first (for 'did you mean' messages)."""
        return nearest(name, self.nodes, count)

    def producer(self, input_name: str) -> node_def_pb2.NodeDef | None:
        """The node making the value an input entry reads, looking through `Identity` chains; None
        if it is missing.

        Each Identity's answer is remembered, so asking about every node of a chain costs as much
        as walking it once; an Identity that reads itself through others is a `GraphError`.
        """
        chain: dict[str, None] = {}  # the Identities walked through, in order
        node = self.nodes.get(parse_input(input_name).node)
        while node is not None and _is_identity(node) and node.name not in self._producers:
            if node.name in chain:
                raise cycle_error(list(chain)[list(chain).index(node.name):])
            chain[node.name] = None
            node = self.nodes.get(parse_input(node.input[0]).node)
        if node is not None and node.name in self._producers:
            node = self._producers[node.name]
        self._producers.update(dict.fromkeys(chain, node))
        return node

    def nodes_by_op(self, ops: Iterable[str]) -> Iterator[node_def_pb2.NodeDef]:
        """The nodes running one of `ops`, in graph order."""
        wanted = self.op_set.intersection(ops)
        if not wanted:  # most asks, for ops the graph does not run: no walk over every node
            return iter(())
        return (self.nodes[name] for name, op in self.ops.items() if op in wanted)


def reachable(index: GraphIndex, outputs: list[str]) -> Reached:
    """Names of the nodes the outputs depend on (the outputs included), a set to read, never to
    change; iterative, cycle-safe.

    Remembered by the index: the passes of a stage that leave the graph as it is ask it of the
    same index again and again. The input entries it reads stay in the index, for the checks.
    """
    key = tuple(outputs)
    if key not in index._reached:
        index._reached[key] = _walk_inputs(index, key)
    return index._reached[key]


def _walk_inputs(index: GraphIndex, outputs: Iterable[str]) -> Reached:
    """Follow inputs back from the outputs, by node position: a flag per node, and one lookup of
    each entry read (a walk by name asks several tables for each node, and on a graph of a million
    nodes each lookup in a table that big costs a trip to memory)."""
    positions = index.nodes.positions
    names_at = _names_by_position(index)
    entries_at = _entries_by_position(index, names_at)
    reached = bytearray(len(names_at))
    pending = [positions[name] for name in outputs if name in positions]
    while pending:  # one step per node reached: kept to plain steps
        at = pending.pop()
        if reached[at]:
            continue
        reached[at] = 1
        for entry in entries_at(at):
            source = positions.get(entry)  # most entries: a node's name as it is
            if source is None:
                source = positions.get(input_node_name(entry))
                if source is None:
                    continue
            if not reached[source]:
                pending.append(source)
    return Reached(positions, reached, names_at)


def _names_by_position(index: GraphIndex) -> list[str | None]:
    """Position in the graph → the name of the node there; None for a node whose name an earlier
    one has (the index knows only the first)."""
    positions = index.nodes.positions
    if index.nodes.unique_names:  # positions 0, 1, ... in the table's order
        return list(positions)
    names_at: list[str | None] = [None] * len(index.graph_def.node)
    for name, at in positions.items():
        names_at[at] = name
    return names_at


def _entries_by_position(index: GraphIndex, names_at: list[str | None]) -> Callable[[int], list[str]]:
    """Position → the input entries of the node there, as the index has them: from a list when it
    has every node's in graph order (the text parser gives them), else read from protobuf the first
    time a node is reached, and kept in the index for the checks."""
    read = index._entries
    if len(read) == len(names_at) and list(read) == names_at:
        return list(read.values()).__getitem__
    nodes, positions = index.graph_def.node, index.nodes.positions

    def entries_at(at: int) -> list[str]:
        name = names_at[at]
        entries = read.get(name)
        if entries is None:
            entries = read[name] = _entries_of(nodes[at], positions, names_at)
        return entries
    return entries_at


def _entries_of(node: node_def_pb2.NodeDef, positions: dict[str, int], names_at: list[str | None]) -> list[str]:
    """The node's input entries, one naming a node as that node's name string of the index: protobuf
    gives a new copy of each, which on a graph of 300k nodes would take 18 MB more."""
    entries = node.input[:]
    for at, entry in enumerate(entries):
        source = positions.get(entry)
        if source is not None:
            entries[at] = names_at[source]
    return entries


class Reached(AbstractSet[str]):
    """The names of the nodes a walk reached, as a flag per position in the graph: a set to read,
    never to change. It reads the index's name → position table, so it is valid as long as the
    index is (a `pruned()` index has a new one)."""

    def __init__(self, positions: dict[str, int], flags: bytearray, names_at: list[str | None]):
        self._positions, self._flags, self._names_at = positions, flags, names_at
        self._count = flags.count(1)

    @classmethod
    def everything(cls, index: GraphIndex) -> Reached:
        """Every node of the index reached."""
        names_at = _names_by_position(index)
        if index.nodes.unique_names:
            return cls(index.nodes.positions, bytearray(b"\1") * len(names_at), names_at)
        flags = bytearray(len(names_at))
        for at in index.nodes.positions.values():
            flags[at] = 1
        return cls(index.nodes.positions, flags, names_at)

    @classmethod
    def _from_iterable(cls, names: Iterable[str]) -> set[str]:  # what `&`, `|`, `-` return
        return set(names)

    def __contains__(self, name: object) -> bool:
        at = self._positions.get(name)  # type: ignore[call-overload]
        return at is not None and self._flags[at] == 1

    def __iter__(self) -> Iterator[str]:  # in graph order
        return itertools.compress(self._names_at, self._flags)  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self._count

    def missed(self) -> list[str]:
        """The names of the nodes not reached, in graph order: a scan of the flags, without a
        lookup per node."""
        not_reached = self._flags.translate(_FLIPPED)
        return [name for name in itertools.compress(self._names_at, not_reached) if name is not None]


_FLIPPED = bytes.maketrans(b"\0\1", b"\1\0")


class ConstFlow:
    """Which Const's value reaches an input, following pass-through ops back from it.

    Built on the graph as it is before a pass rewrites anything. On the first
    question it follows every Const forward through pass-through ops once, so answering about
    each node of a chain thousands long costs one walk, and cycles (v1 while loops) end it.
    """

    def __init__(self, index: GraphIndex):
        self._index = index
        self._carried: dict[str, node_def_pb2.NodeDef] | None = None  # pass-through node → its Const

    def const_at(self, input_name: str) -> node_def_pb2.NodeDef | None:
        """The Const whose value the input entry (`node`, `node:1`) carries, if any."""
        ref = parse_input(input_name)
        node = self._index.nodes.get(ref.node)
        if ref.control or node is None:
            return None
        if node.op == "Const":
            return node
        if node.op in PASS_THROUGH_OPS and ref.port in _forwarding_ports(node.op):
            return self._carried_values().get(node.name)
        return None

    def feeds(self, node: node_def_pb2.NodeDef) -> node_def_pb2.NodeDef | None:
        """The Const feeding the input `node` forwards or reads (input 0; any of a merge's), if any."""
        for name in _forwarded_inputs(node):
            const = self.const_at(name)
            if const is not None:
                return const
        return None

    def _carried_values(self) -> dict[str, node_def_pb2.NodeDef]:
        """Pass-through node name → the Const it forwards; each node is reached once."""
        if self._carried is None:
            self._carried = {}
            consumers = self._index.consumers(of_ops=PASS_THROUGH_OPS)
            pending = [(node, node) for node in self._index.nodes.values() if node.op == "Const"]
            while pending:
                node, const = pending.pop()
                for consumer, ref in consumers.get(node.name, []):
                    if consumer.name not in self._carried and _forwards(node, ref, consumer):
                        self._carried[consumer.name] = const
                        pending.append((consumer, const))
        return self._carried


def _forwarding_ports(op: str) -> tuple[int, ...]:
    return (0, 1) if op in SWITCH_OPS else (0,)  # a merge's output 1 is the index of the input taken


def _forwards(producer: node_def_pb2.NodeDef, ref: InputRef, consumer: node_def_pb2.NodeDef) -> bool:
    """Whether `consumer` forwards what it reads at `ref` (an output of `producer`)."""
    if ref.control or (producer.op != "Const" and ref.port not in _forwarding_ports(producer.op)):
        return False
    # A merge forwards each data input; other ops their input 0 (data inputs come before controls).
    return consumer.op in MERGE_OPS or parse_input(consumer.input[0]) == ref


def _forwarded_inputs(node: node_def_pb2.NodeDef) -> list[str]:
    data = [name for name in node.input if not name.startswith("^")]
    return data if node.op in MERGE_OPS else data[:1]


def _is_identity(node: node_def_pb2.NodeDef) -> bool:
    return node.op == "Identity" and bool(node.input) and not node.input[0].startswith("^")


def cycle_error(names: list[str]) -> GraphError:
    """The error for a cycle through `names` (in order) that no v1 while loop closes."""
    shown = " -> ".join(names[:10]) + (" -> ..." if len(names) > 10 else "") + f" -> {names[0]}"
    return GraphError(f"The graph has a cycle that is not a while loop: {shown}; TensorFlow cannot run "
                      "it. Check the inputs of those nodes, or re-export the graph.")


def nearest(name: str, candidates: Iterable[str], count: int = 5) -> list[str]:
    """The candidates closest to `name`: difflib's ratio first, then names sharing its last segment."""
    candidates = list(candidates)
    close = difflib.get_close_matches(name, candidates, n=count, cutoff=0.5)
    if len(close) < count:
        leaf = name.rsplit("/", 1)[-1]
        close += [c for c in candidates if c.rsplit("/", 1)[-1] == leaf and c not in close]
    return close[:count]


def format_suggestions(names: list[str]) -> str:
    """' Did you mean: a, b?' or '' when there is nothing to suggest."""
    return f" Did you mean: {', '.join(names)}?" if names else ""
