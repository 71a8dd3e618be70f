"""Checks that a frozen graph will load in its consumers: pure functions raising `CheckError`.

Each `check_*` looks at the graph and nothing else. `check_frozen` runs them all; it is the last
step before writing, so a graph that fails here is never written. A freeze runs them in two steps:
`check_graph` as its last pass, and `check_size`, which serializes the graph, once the passes'
index is gone (on a big graph each takes tens of MB).
"""

from __future__ import annotations

import itertools
import operator
from collections import Counter
from collections.abc import Collection

from tensorboard.compat.proto import graph_pb2, types_pb2

from freezer.errors import CheckError
from freezer.graph import ConstFlow, GraphIndex, input_node_name, parse_input
from freezer.half_precision import as_half, worth_halving
from freezer.io.frozen import FrozenGraph
from freezer.ops import BACK_EDGE_OPS, TRAINING_OPS, VARIABLE_ACCESS_OPS
from freezer.ops.calls import CALLS, handle_arguments
from freezer.tensors import REF_OFFSET, dtype_name, tensor_proto_to_numpy

PROTO_LIMIT = 2**31 - 1  # protobuf refuses to parse a message of 2 GiB or more
_MAX_PORT = 2**31 - 1  # TensorFlow parses an input's port as an int32
_LARGEST_SHOWN = 5  # constants an over-size error names
_CAST_BYTES = 80  # what a half Const's name and its Cast node add, besides the constant's name


def check_frozen(frozen: FrozenGraph, kept: Collection[str] = frozenset()) -> None:
    """Run every check; `kept` names variables (and their reads/initializers) kept on purpose."""
    check_graph(GraphIndex(frozen.graph_def), kept)
    check_size(frozen)


def check_graph(index: GraphIndex, kept: Collection[str] = frozenset()) -> None:
    """Every check but the size's, on the graph's index (the checks share what it has read)."""
    check_unique_names(index)
    check_names_are_not_tensor_names(index)
    # Most graphs: every entry names an earlier node as it is. Then every input resolves (no port,
    # no control) and no cycle can close, which one pass over the entries tells.
    if not _plain_entries_come_first(index.nodes.positions, index.entries.values()):
        check_inputs_resolve(index)
        check_acyclic(index)
    check_no_training_ops(index, kept)
    check_no_ref_types(index)
    check_no_folded_resources(index)
    if not kept:
        check_library_has_no_variables(index.graph_def)


def check_unique_names(index: GraphIndex) -> None:
    if len(index.nodes) == len(index.graph_def.node):  # the index keeps the first node of each name
        return
    repeated = [name for name, count in Counter(n.name for n in index.graph_def.node).items() if count > 1]
    raise CheckError(f"Node names appear more than once: {', '.join(repeated[:5])}; "
                     "the graph cannot be imported.")


def check_names_are_not_tensor_names(index: GraphIndex) -> None:
    """No node name holds a ':' or starts with '^': TensorFlow would read an input naming it as another
    node's port or a control input (and so do freezer's walks, which take an entry naming a node as
    that node)."""
    joined = "\n".join(index.nodes)  # one scan in C: almost every graph passes here
    if ":" not in joined and not joined.startswith("^") and "\n^" not in joined:
        return
    for name in index.nodes:
        if ":" in name or name.startswith("^"):
            raise CheckError(f"Node name {name!r} has a ':' or starts with '^', which TensorFlow reads as part "
                             "of a tensor name; the graph cannot be imported, re-export it.")


def check_inputs_resolve(index: GraphIndex) -> None:
    """Every input names a node, at a port TensorFlow can parse (an int32), data before `^controls`.
    The names are unique (`check_unique_names`)."""
    names = index.nodes.positions  # a dict: `in` is asked of every entry
    # Entries that are not plain names of nodes: `node:port`, `^node`, or wrong. Most graphs have few,
    # and only the nodes reading one need a closer look (and a graph without any, none).
    other = set(itertools.filterfalse(names.__contains__, itertools.chain.from_iterable(index.entries.values())))
    if not other:
        return
    for name, entries in index.entries.items():
        if other.isdisjoint(entries):
            continue
        after_control = False
        for entry in entries:
            if entry in names and not after_control:  # most entries: a data input naming a node
                continue
            if entry not in names and input_node_name(entry) not in names:
                raise CheckError(f"Node {name} takes input {entry!r}, which is not in the graph; "
                                 "the graph file is incomplete or was edited, re-export it.")
            if ":" in entry and parse_input(entry).port > _MAX_PORT:  # only `node:port` has a port
                raise CheckError(f"Node {name} takes input {entry!r}, whose port is out of range; "
                                 "the graph file is damaged, re-export it.")
            control = entry.startswith("^")
            if after_control and not control:
                raise CheckError(f"Node {name} takes the data input {entry!r} after a control input; "
                                 "TensorFlow cannot import it, re-export the graph.")
            after_control = control


def check_acyclic(index: GraphIndex) -> None:
    """No cycle but a v1 while loop's (closed by a NextIteration edge): TF refuses to import others."""
    if _inputs_come_first(index) or not _has_cycle(index):
        return
    stuck = _unordered(index)
    if stuck:
        cycle = sorted(_one_cycle(stuck))
        raise CheckError(f"The graph has a cycle through {', '.join(cycle[:5])}{', ...' if len(cycle) > 5 else ''} "
                         "that is not a while loop; TensorFlow cannot import it. Check the inputs of those nodes.")


def _inputs_come_first(index: GraphIndex) -> bool:
    """Whether every node comes after the nodes it reads, in graph order, but for a loop's back edges:
    then no cycle can be closed. TensorFlow writes graphs so (in the order their ops were made), and
    one flat loop tells; other graphs are walked (`_has_cycle`)."""
    if not index.nodes.unique_names:  # positions are the graph's, not the index's: walk instead
        return False
    position = index.nodes.positions
    if _plain_entries_come_first(position, index.entries.values()):
        return True
    back = _back_edge_sources(index)
    for at, entries in enumerate(index.entries.values()):  # in graph order, as `position`
        for entry in entries:
            source_at = position.get(entry)  # most entries: a node's name as it is
            if source_at is None:
                source_at = position.get(input_node_name(entry), -1)
            if source_at >= at and input_node_name(entry) not in back:
                return False
    return True


def _plain_entries_come_first(position: dict[str, int], entries: Collection[list[str]]) -> bool:
    """Whether every entry names a node as it is (no `:port`, no `^`) that comes before its reader:
    the answer for most graphs, found in C, by position (a loop over the entries in Python costs
    more than the lookups on a graph of a million nodes)."""
    not_plain = len(position)  # an entry naming no node as it is counts as coming after: not this answer
    sources = map(position.get, itertools.chain.from_iterable(entries), itertools.repeat(not_plain))
    readers = itertools.chain.from_iterable(map(itertools.repeat, itertools.count(), map(len, entries)))
    return not any(map(operator.ge, sources, readers))


def _has_cycle(index: GraphIndex) -> bool:
    """Whether following inputs, but not into a NextIteration (a loop's back edge), ever leads back
    to a node on the way: a depth-first walk, which needs no consumer lists (the question almost
    every graph answers no to; `_unordered` finds the cycle to name)."""
    nodes, entries = index.nodes.positions, index.entries
    back = _back_edge_sources(index)
    done: set[str] = set()
    for root in entries:
        if root in done:
            continue
        path = {root}
        stack = [(root, iter(entries[root]))]
        while stack:
            name, pending = stack[-1]
            for entry in pending:
                source = entry if entry in nodes else input_node_name(entry)
                if source in done or source not in nodes or source in back:
                    continue
                if source in path:
                    return True
                path.add(source)
                stack.append((source, iter(entries[source])))
                break
            else:  # every input of `name` is done
                stack.pop()
                path.discard(name)
                done.add(name)
    return False


def _back_edge_sources(index: GraphIndex) -> set[str]:
    """The NextIteration nodes, whose outputs close v1 while loops."""
    if not index.op_set & BACK_EDGE_OPS:
        return set()
    return {name for name, op in index.ops.items() if op in BACK_EDGE_OPS}


def _unordered(index: GraphIndex) -> dict[str, set[str]]:
    """Kahn's algorithm over the edges less the back edges (those out of a NextIteration): the
    nodes it cannot order, each with its inputs it could not order either; empty for a DAG.

    Counts input entries, as `index.edges` lists them (an input read twice is there twice)."""
    edges = index.edges
    back = _back_edge_sources(index)
    if back:
        waiting = {name: sum(source not in back for source in sources) for name, sources in edges.inputs.items()}
    else:
        waiting = {name: len(sources) for name, sources in edges.inputs.items()}
    ready = [name for name, count in waiting.items() if not count]
    consumers = edges.consumers
    while ready:
        name = ready.pop()
        if name in back:
            continue  # its consumers never waited for it
        for consumer in consumers[name]:
            count = waiting[consumer] - 1
            waiting[consumer] = count
            if not count:
                ready.append(consumer)
    stuck = {name for name, count in waiting.items() if count}
    return {name: {source for source in edges.inputs[name] if source in stuck and source not in back}
            for name in stuck}


def _one_cycle(stuck: dict[str, set[str]]) -> list[str]:
    """The nodes of one cycle among those Kahn's algorithm could not order (which also holds the
    nodes downstream of a cycle): from any of them, inputs left unordered lead back into one."""
    path: dict[str, None] = {}
    name = min(stuck)
    while name not in path:
        path[name] = None
        name = min(stuck[name])  # an unordered node's unordered inputs are all unordered nodes
    names = list(path)
    return names[names.index(name):]


def check_no_training_ops(index: GraphIndex, kept: Collection[str] = frozenset()) -> None:
    if not index.op_set & TRAINING_OPS:
        return
    left = [f"{name} ({op})" for name, op in index.ops.items() if op in TRAINING_OPS and name not in kept]
    if left:
        raise CheckError(f"The outputs still need variable or training ops: {', '.join(left[:5])}; "
                         "choose outputs that do not depend on training or saving.")


def check_no_ref_types(index: GraphIndex) -> None:
    typed = index.handle_types
    for name in (name for name in index.nodes if name in typed) if typed else ():  # in graph order
        for key, types in typed[name].items():
            if any(t > REF_OFFSET for t in types):
                raise CheckError(f"Node {name} ({index.ops[name]}) still has a reference type in attr "
                                 f"{key!r}; consumers of a frozen graph cannot feed it.")


def check_no_folded_resources(index: GraphIndex) -> None:
    """No op that takes a resource handle or a reference may be fed a Const (a folded variable),
    directly or through Identity and v1 control flow."""
    typed = index.handle_types
    takers = [index[name] for name, op in index.ops.items() if op in VARIABLE_ACCESS_OPS
              or (name in typed and any(types_pb2.DT_RESOURCE in types for types in typed[name].values()))]
    flow = ConstFlow(index) if takers else None
    for node in takers:
        for const in _consts_at_handle_inputs(flow, node):
            raise CheckError(f"Node {node.name} ({node.op}) expects a variable's handle or reference but "
                             f"is fed the frozen variable {const.name}.")


def _consts_at_handle_inputs(flow: ConstFlow, node) -> list:
    """The Consts feeding the inputs where `node` takes a handle: a call's resource arguments
    (its other arguments are ordinary values), else the input it reads or forwards."""
    spec = CALLS.get(node.op)
    if spec is None:
        const = flow.feeds(node)
        return [const] if const is not None else []
    consts = (flow.const_at(name) for name in handle_arguments(node, spec).values())
    return [const for const in consts if const is not None]


def check_library_has_no_variables(graph_def: graph_pb2.GraphDef) -> None:
    """No library function may still create, read or assign a variable (all were folded)."""
    for function in graph_def.library.function:
        for node in function.node_def:
            if node.op in TRAINING_OPS or node.op in VARIABLE_ACCESS_OPS:
                raise CheckError(f"Function {function.signature.name} still uses a variable: node {node.name} "
                                 f"({node.op}); the outputs reach a variable freezer could not fold there.")


def check_size(frozen: FrozenGraph) -> None:
    """Under protobuf's limit, or an error naming the largest constants and, when storing float32
    constants as half would bring the graph under it, `--weights float16`."""
    if frozen.byte_size_at_most() < PROTO_LIMIT:
        return
    size = frozen.byte_size()
    if size < PROTO_LIMIT:
        return
    consts = [node for node in frozen.graph_def.node if node.op == "Const" and "value" in node.attr]
    sizes = frozen.node_sizes()
    largest = sorted(consts, key=lambda node: sizes[node.name], reverse=True)[:_LARGEST_SHOWN]
    described = ", ".join(_describe_const(node, sizes[node.name]) for node in largest)
    halved = size - sum(_half_saving(node, frozen.deferred) for node in consts)
    advice = (f"with --weights float16 (float32 constants stored as half) it would be about {_size_text(halved)} "
              "and fit" if halved < PROTO_LIMIT else "choose outputs that need fewer of them")
    raise CheckError(f"The frozen graph would be {_size_text(size)}, over protobuf's 2 GiB limit; "
                     f"largest constants: {described}; {advice}.")


def _describe_const(node, size: int) -> str:
    tensor = node.attr["value"].tensor
    shape = ", ".join(str(dim.size) for dim in tensor.tensor_shape.dim)
    return f"{node.name} ({dtype_name(tensor.dtype)} [{shape}], {_size_text(size)})"


def _size_text(size: int) -> str:
    """GiB near the limit, MiB for the constants under it."""
    return f"{size / 2**30:.2f} GiB" if size >= 2**30 else f"{size / 2**20:.1f} MiB"


def _half_saving(node, deferred: dict) -> int:
    """Bytes `--weights float16` would save on a Const: half its float32 values, less the Cast it
    adds; 0 for a Const it leaves as it is (see `freezer.half_precision`)."""
    if not worth_halving(node, deferred):
        return 0
    tensor = node.attr["value"].tensor
    value = deferred[node.name] if node.name in deferred else tensor_proto_to_numpy(tensor, f"Const {node.name}")
    if as_half(value) is None:
        return 0
    return value.nbytes // 2 - (len(node.name) + _CAST_BYTES)
