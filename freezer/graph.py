"""A read-only index over a GraphDef, and TensorFlow's tensor-name grammar.

Names in a GraphDef's `input` lists take three shapes: `node` (output 0), `node:port`, and `^node`
(a control dependency). Everything here parses them one way, in one place.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable, Iterator

from tensorboard.compat.proto import graph_pb2, node_def_pb2

from freezer.errors import GraphError


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
    """The node an input entry refers to, without `^` or `:port`."""
    return parse_input(name).node


class GraphIndex:
    """Name → node lookup and consumer lists for one GraphDef (the top-level graph, not functions).

    The index never modifies the graph; build a new one after a pass changes it (it remembers
    what `source` found).
    """

    def __init__(self, graph_def: graph_pb2.GraphDef):
        self.graph_def = graph_def
        self.nodes: dict[str, node_def_pb2.NodeDef] = {}
        for node in graph_def.node:
            self.nodes.setdefault(node.name, node)
        self._sources: dict[str, node_def_pb2.NodeDef | None] = {}  # Identity name → what it reads

    def __contains__(self, name: str) -> bool:
        return name in self.nodes

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

    def source(self, input_name: str) -> node_def_pb2.NodeDef | None:
        """The node an input entry reads, looking through `Identity` chains; None if it is missing.

        Each Identity's answer is remembered, so asking about every node of a chain costs as much
        as walking it once; an Identity that reads itself through others is a `GraphError`.
        """
        chain: dict[str, None] = {}  # the Identities walked through, in order
        node = self.nodes.get(parse_input(input_name).node)
        while node is not None and _is_identity(node) and node.name not in self._sources:
            if node.name in chain:
                raise cycle_error(list(chain)[list(chain).index(node.name):])
            chain[node.name] = None
            node = self.nodes.get(parse_input(node.input[0]).node)
        if node is not None and node.name in self._sources:
            node = self._sources[node.name]
        self._sources.update(dict.fromkeys(chain, node))
        return node

    def nodes_by_op(self, ops: Iterable[str]) -> Iterator[node_def_pb2.NodeDef]:
        wanted = frozenset(ops)
        return (node for node in self.graph_def.node if node.op in wanted)


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
