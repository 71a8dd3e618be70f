"""What must run once before the outputs: initializers of lookup tables and of kept variables.

Lookup tables are not variables, so they stay, and so must whatever fills them: a table op
(`HashTableV2`, ...) the outputs use keeps its initializers (`InitializeTableV2`,
`InitializeTableFromTextFileV2`, `LookupTableImportV2`, ...). Variables the user keeps
(`--keep-variables`) keep the assign that gives them their initial value. One op runs them all —
the graph's own group op (`init_all_tables`) when it runs exactly these initializers, else a `NoOp`
added here — and a consumer of the frozen graph runs it once before the outputs.
"""

from __future__ import annotations

from collections.abc import Collection

from tensorboard.compat.proto import graph_pb2, node_def_pb2

from freezer.graph import GraphIndex, parse_input
from freezer.variables import RESTORE_OPS

TABLE_INIT_OPS = frozenset({
    "InitializeTable", "InitializeTableV2", "InitializeTableFromTextFile",
    "InitializeTableFromTextFileV2", "LookupTableImport", "LookupTableImportV2",
    "InitializeTableFromDataset",
})
_VARIABLE_INIT_OPS = frozenset({"Assign", "AssignVariableOp"})


def table_initializers(graph_def: graph_pb2.GraphDef, needed: Collection[str]) -> list[str]:
    """Names of the initializers of the tables among the `needed` nodes, in graph order."""
    return [node.name for node in graph_def.node
            if node.op in TABLE_INIT_OPS and node.input and parse_input(node.input[0]).node in needed]


def variable_initializers(graph_def: graph_pb2.GraphDef, variables: Collection[str]) -> list[str]:
    """The assigns that give `variables` their initial values (not the saver's restore assigns)."""
    index = GraphIndex(graph_def)
    return [node.name for node in graph_def.node
            if node.op in _VARIABLE_INIT_OPS and len(node.input) > 1
            and parse_input(node.input[0]).node in variables and not _restored(index, node.input[1])]


def ensure_init_op(graph_def: graph_pb2.GraphDef, initializers: list[str]) -> str:
    """The name of an op that runs every initializer: an existing group op, or a NoOp added here."""
    wanted = set(initializers)
    index = GraphIndex(graph_def)
    for node in graph_def.node:
        controls = {parse_input(i).node for i in node.input if i.startswith("^")}
        if node.op == "NoOp" and controls == wanted:  # a superset would keep tables the outputs never use
            return node.name
    name = "init_all_tables" if all(index[n].op in TABLE_INIT_OPS for n in initializers) else "init"
    while name in index:
        name = "freezer/" + name
    graph_def.node.append(node_def_pb2.NodeDef(name=name, op="NoOp", input=[f"^{i}" for i in initializers]))
    return name


def _restored(index: GraphIndex, value_input: str) -> bool:
    """Whether an assigned value comes from a restore op (maybe through Identities)."""
    node = index.source(value_input)
    return node is not None and node.op in RESTORE_OPS
