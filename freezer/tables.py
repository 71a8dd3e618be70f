"""Lookup tables: they are not variables, so they stay, and so must whatever fills them.

A table op (`HashTableV2`, ...) is kept when the outputs use it; its initializer ops
(`InitializeTableV2`, `InitializeTableFromTextFileV2`, `LookupTableImportV2`, ...) are kept with it,
and one op that runs them all — the graph's own `init_all_tables` when it has one that covers them,
else a `NoOp` freezer adds — is what a consumer of the frozen graph runs once before the outputs.
"""

from __future__ import annotations

from tensorboard.compat.proto import graph_pb2, node_def_pb2

from freezer.graph import GraphIndex, parse_input

TABLE_INIT_OPS = frozenset({
    "InitializeTable", "InitializeTableV2", "InitializeTableFromTextFile",
    "InitializeTableFromTextFileV2", "LookupTableImport", "LookupTableImportV2",
    "InitializeTableFromDataset",
})
INIT_OP_NAME = "init_all_tables"  # what tf.compat.v1.tables_initializer() calls its op


def table_initializers(graph_def: graph_pb2.GraphDef, needed: set[str]) -> list[str]:
    """Names of the initializers of the tables among the `needed` nodes, in graph order."""
    return [node.name for node in graph_def.node
            if node.op in TABLE_INIT_OPS and node.input and parse_input(node.input[0]).node in needed]


def ensure_init_op(graph_def: graph_pb2.GraphDef, initializers: list[str]) -> str:
    """The name of an op that runs every initializer: an existing group op, or a NoOp added here."""
    wanted = set(initializers)
    index = GraphIndex(graph_def)
    for node in graph_def.node:
        controls = {parse_input(i).node for i in node.input if i.startswith("^")}
        if node.op == "NoOp" and controls and wanted <= controls and _only_initializers(index, controls):
            return node.name
    name = INIT_OP_NAME
    while name in index:
        name = "freezer/" + name
    graph_def.node.append(node_def_pb2.NodeDef(name=name, op="NoOp", input=[f"^{i}" for i in initializers]))
    return name


def _only_initializers(index: GraphIndex, names: set[str]) -> bool:
    """A group op is reusable only if running it does nothing but fill tables."""
    return all(name in index and index[name].op in TABLE_INIT_OPS for name in names)
