"""What must run once before the outputs: initializers of lookup tables and of kept variables.

Lookup tables are not variables, so they stay, and so must whatever fills them: a table op
(`HashTableV2`, ...) the outputs use keeps its initializers (`InitializeTableV2`,
`InitializeTableFromTextFileV2`, `LookupTableImportV2`, ...). Variables the user keeps
(`--keep-variables`) keep the assign that gives them their initial value. One op runs them all —
the graph's own group op (`init_all_tables`) when it runs exactly these initializers, else a `NoOp`
added here — and a consumer of the frozen graph runs it once before the outputs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from tensorboard.compat.proto import node_def_pb2

from freezer.errors import GraphError, OptionError
from freezer.graph import GraphIndex, parse_input
from freezer.ops import RESTORE_OPS, TABLE_INIT_OPS, VARIABLE_OPS, WHOLE_ASSIGN_OPS


def table_initializers(index: GraphIndex, needed: Collection[str]) -> list[str]:
    """Names of the initializers of the tables among the `needed` nodes, in graph order."""
    return [node.name for node in index.nodes_by_op(TABLE_INIT_OPS)
            if node.input and parse_input(node.input[0]).node in needed]


def variable_initializers(index: GraphIndex, variables: Collection[str], *,
                          declared: Mapping[str, str], chosen: Collection[str] = ()) -> list[str]:
    """The one op that gives each of `variables` its initial value, in the order of `variables`.

    That is the op TensorFlow's `global_variables_initializer` would run for it: the one its
    `VariableDef.initializer_name` names (`declared`, from a MetaGraphDef), else an assign the
    user `chosen` (`--init-op`), else `<name>/Assign` or the only assign whose value reads no
    variable and no restore op. Assigns that update a variable while the graph runs (`v.assign(v +
    other)`) are never initializers: running them in the init op would change the outputs.
    """
    if not variables:
        return []
    assigns: dict[str, list[node_def_pb2.NodeDef]] = {}
    for node in index.nodes_by_op(WHOLE_ASSIGN_OPS):
        if len(node.input) > 1:
            assigns.setdefault(parse_input(node.input[0]).node, []).append(node)
    reads_state = _ReadsState(index)
    return [_initializer_of(index, name, assigns.get(name, []), declared.get(name), set(chosen), reads_state)
            for name in variables]


def _initializer_of(index: GraphIndex, variable: str, assigns: list[node_def_pb2.NodeDef], declared: str | None,
                    chosen: set[str], reads_state: _ReadsState) -> str:
    if declared is not None:
        if declared not in index:
            raise GraphError(f"The MetaGraphDef names {declared!r} as the initializer of variable {variable}, "
                             "but the graph has no such op; re-export the graph with TensorFlow.")
        return declared
    picked = [node.name for node in assigns if node.name in chosen]
    if len(picked) == 1:
        return picked[0]
    candidates = [node for node in assigns if not reads_state(node.input[1])]
    default = next((node for node in candidates if node.name == f"{variable}/Assign"), None)
    if not picked and default is not None:
        return default.name
    if not picked and len(candidates) == 1:
        return candidates[0].name
    if not assigns:
        raise OptionError(f"Variable {variable} is kept (--keep-variables/--only-variables) but no op in the "
                          "graph assigns it an initial value; freeze it instead, or keep a graph that "
                          "initializes it.")
    names = ", ".join(node.name for node in assigns)
    raise OptionError(f"Variable {variable} is kept but its initializer is ambiguous: {names} assign it; name "
                      f"the one that gives its initial value with --init-op, e.g. --init-op {assigns[0].name}.")


def ensure_init_op(index: GraphIndex, initializers: list[str]) -> str:
    """The name of an op that runs every initializer: an existing group op, or a NoOp added to the
    graph here (the index is then out of date)."""
    wanted = set(initializers)
    graph_def = index.graph_def
    for node in graph_def.node:
        controls = {parse_input(i).node for i in node.input if i.startswith("^")}
        if node.op == "NoOp" and controls == wanted:  # a superset would keep tables the outputs never use
            return node.name
    name = "init_all_tables" if all(index[n].op in TABLE_INIT_OPS for n in initializers) else "init"
    while name in index:
        name = "freezer/" + name
    graph_def.node.append(node_def_pb2.NodeDef(name=name, op="NoOp", input=[f"^{i}" for i in initializers]))
    return name


class _ReadsState:
    """Whether a tensor depends (through data inputs) on a variable or a restore op, memoized over
    the whole graph so that asking it of every assign stays linear in the graph's size."""

    def __init__(self, index: GraphIndex):
        self._index = index
        self._memo: dict[str, bool] = {}

    def __call__(self, input_name: str) -> bool:
        start = parse_input(input_name).node
        visiting: set[str] = set()
        stack = [(start, False)]  # (node, its inputs already pushed): a post-order walk without recursion
        while stack:
            name, expanded = stack.pop()
            if name in self._memo:
                continue
            node = self._index.nodes.get(name)
            if node is None or node.op in VARIABLE_OPS or node.op in RESTORE_OPS:
                self._memo[name] = node is not None
            elif expanded:
                self._memo[name] = any(self._memo.get(source, False) for source in _data_sources(node))
            elif name not in visiting:  # a node seen again before it is decided closes a loop: skip it
                visiting.add(name)
                stack.append((name, True))
                stack.extend((source, False) for source in _data_sources(node))
        return self._memo[start]


def _data_sources(node: node_def_pb2.NodeDef) -> list[str]:
    return [ref.node for ref in map(parse_input, node.input) if not ref.control]
