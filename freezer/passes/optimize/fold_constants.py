"""Constant folding (`--optimize`): a node whose data inputs are all constants, of an op
`kernels.KERNELS` evaluates as TensorFlow does, becomes a Const of its value.

The Const keeps the node's name — so its readers, and an output that names it, still resolve — and
its dtype and shape are the node's own. Folding is one sweep in dependency order: a node is
evaluated as soon as its last non-constant input has been folded, so a chain folds to its end in
that one sweep. Inputs are read through Identity-like ops (`ops.FORWARDING_OPS`), which stay
for `remove_identities` to remove: that keeps a weight's Const under its own name and never stores
a value twice.

A folded node still waits for what it waited for: the Const gets the node's `^control` inputs and
those of the constants (and forwarding ops) it was computed from, since TensorFlow ran the node after
them — except a control input on a Const with no inputs, which never changes anything.

Never folded:
* nodes in v1 control flow (`regions.v1_control_flow_nodes`), where a Const's control input or a
  Switch decides whether it runs at all; function bodies (only the top-level graph is looked at);
* ops without a kernel: stateful and random ops have none;
* a node whose result would take more than `SMALL_RESULT_BYTES` and more than the constants it is
  computed from take in the file: a `Fill`, `Tile` or broadcast of a few bytes into megabytes
  would grow the frozen graph (and the freeze's memory) for nothing, since consumers compute it as
  fast as they read it. Within that bound every computation on weights folds: a result never takes
  more room than the constants it replaces;
* a node whose inputs freezer cannot read (a damaged Const), or that TensorFlow itself would refuse
  (see `kernels`): it stays, for TensorFlow to judge when the graph runs.

What only folded nodes read is pruned afterwards. Counted in `ctx.optimized` as
"folded constant subgraphs": each connected run of folded nodes once.
"""

from __future__ import annotations

import collections

import numpy as np
from tensorboard.compat.proto import node_def_pb2, tensor_pb2

from freezer.errors import GraphError
from freezer.graph import GraphIndex, input_node_name
from freezer.ops import FORWARDING_OPS, SHAPE_OF_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.optimize.kernels import KERNELS, NotFoldable, evaluate, output_dtype
from freezer.passes.optimize.regions import controls, needed_controls, v1_control_flow_nodes
from freezer.passes.prune import prune_to_outputs
from freezer.passes.rewrite import become_const, const_value, value_tensor
from freezer.tensors import NUMPY_DTYPES, element_count, tensor_shape

SMALL_RESULT_BYTES = 1 << 20  # a result this small always folds (see the module docstring)
FOLDED = "folded constant subgraphs"  # the ctx.optimized key


def fold_constants(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if not ctx.options.optimize:
        return PassResult(graph_def, changed=False)
    sweep = _Sweep(index, ctx.deferred)
    folded = sweep.run()
    ctx.optimized[FOLDED] = ctx.optimized.get(FOLDED, 0) + sweep.connected_runs()
    if not folded:
        return PassResult(graph_def, changed=False)
    pruned = prune_to_outputs(GraphIndex(graph_def), ctx)  # what only folded nodes read
    return pruned if pruned.changed else PassResult(graph_def, changed=True)  # folded nodes changed anyway


class _Sweep:
    """One folding sweep over the graph of `index`, rewriting folded nodes in place."""

    def __init__(self, index: GraphIndex, deferred: dict[str, np.ndarray]):
        self._index = index
        self._deferred = deferred
        self._sources: dict[str, tuple[node_def_pb2.NodeDef, list[str]] | None] = {}  # input entry → source
        self._runs: dict[str, str] = {}  # folded node → a folded node it is connected to (union-find)

    def run(self) -> list[str]:
        """Fold what can be folded; the names of the folded nodes, in the order they were folded."""
        excluded = v1_control_flow_nodes(self._index)
        candidates = {node.name: node for node in self._index.graph_def.node
                      if node.op in KERNELS and node.name not in excluded}
        missing: dict[str, int] = {}  # candidate → how many of its inputs are candidates not yet folded
        waiting: dict[str, list[node_def_pb2.NodeDef]] = collections.defaultdict(list)  # candidate → readers
        ready = collections.deque()
        for node in candidates.values():
            pending = self._pending_inputs(node, candidates)
            if pending is None:
                continue
            missing[node.name] = len(pending)
            for source in pending:
                waiting[source].append(node)
            if not pending:
                ready.append(node)
        folded = []
        while ready:
            node = ready.popleft()
            if not self._fold(node):
                continue
            folded.append(node.name)
            for reader in waiting.pop(node.name, ()):
                missing[reader.name] -= 1
                if missing[reader.name] == 0:
                    ready.append(reader)
        return folded

    def connected_runs(self) -> int:
        """How many connected runs of folded nodes the sweep made."""
        return len({self._run_of(name) for name in self._runs})

    def _pending_inputs(self, node: node_def_pb2.NodeDef, candidates) -> list[str] | None:
        """The candidates among the node's data sources (once per input entry); None when a source
        is neither a Const nor a candidate, so the node can never fold."""
        pending = []
        for entry in node.input:
            if entry.startswith("^"):
                continue
            found = self._source(entry)
            if found is None:
                return None
            source = found[0]
            if source.op != "Const":
                if source.name not in candidates:
                    return None
                pending.append(source.name)
        return pending

    def _source(self, entry: str) -> tuple[node_def_pb2.NodeDef, list[str]] | None:
        """The node whose output 0 an input entry reads, through forwarding ops, with those ops'
        control inputs; None for another port, a missing node, or a cycle of forwarding ops."""
        if entry not in self._sources:
            self._sources[entry] = self._walk_forwarding(entry)
        return self._sources[entry]

    def _walk_forwarding(self, entry: str) -> tuple[node_def_pb2.NodeDef, list[str]] | None:
        chain_controls, seen = [], set()
        while True:
            name = input_node_name(entry)
            node = self._index.nodes.get(name)
            if node is None or (entry != name and entry != name + ":0") or name in seen:
                return None  # missing, another output than 0, or forwarding ops in a cycle
            if node.op not in FORWARDING_OPS:
                return node, chain_controls
            seen.add(name)
            data = _data_inputs(node)
            if len(data) != 1:
                return None
            chain_controls += controls(node)
            entry = data[0]

    def _fold(self, node: node_def_pb2.NodeDef) -> bool:
        """Evaluate `node` and make it a Const of the result; False (node untouched) if it cannot."""
        sources = [self._source(entry) for entry in _data_inputs(node)]
        stored = sum(stored_bytes(source, self._deferred) for source, _ in sources)
        limit = max(stored, SMALL_RESULT_BYTES)
        values = [self._value(source, limit, shape_only=node.op in SHAPE_OF_OPS) for source, _ in sources]
        if any(value is None for value in values):
            return False
        try:
            result = evaluate(node, values, limit)
        except NotFoldable:
            return False
        waits = controls(node)
        for source, chain_controls in sources:
            waits += chain_controls + controls(source)
            if source.name in self._runs:
                self._join(node.name, source.name)
        self._runs.setdefault(node.name, node.name)
        become_const(node, value_tensor(node.name, result, output_dtype(node), self._deferred))
        node.ClearField("experimental_debug_info")  # a deferred value is spliced in after `value`
        del node.input[:]
        node.input.extend(needed_controls(waits, self._index))
        return True

    def _value(self, const: node_def_pb2.NodeDef, limit: int, shape_only: bool) -> np.ndarray | None:
        """The Const's value within `limit` (`bounded_value`); for `shape_only`, an array of its
        shape and dtype that takes no room."""
        if not shape_only or const.name in self._deferred:
            return bounded_value(const, self._deferred, limit)
        stored = _stored_tensor(const)
        try:
            return None if stored is None else np.broadcast_to(np.zeros((), stored[1]), tensor_shape(stored[0]))
        except GraphError:  # a damaged Const: left for the checks and TensorFlow to judge
            return None

    def _join(self, name: str, other: str) -> None:
        self._runs.setdefault(name, name)
        self._runs[self._run_of(other)] = self._run_of(name)

    def _run_of(self, name: str) -> str:
        while self._runs[name] != name:
            self._runs[name] = self._runs[self._runs[name]]
            name = self._runs[name]
        return name


def stored_bytes(const: node_def_pb2.NodeDef, deferred: dict[str, np.ndarray]) -> int:
    """What the Const takes in the file (a proto may hold one value for a tensor of millions)."""
    if const.name in deferred:
        return deferred[const.name].nbytes
    return const.attr["value"].tensor.ByteSize() if "value" in const.attr else 0


def bounded_value(const: node_def_pb2.NodeDef, deferred: dict[str, np.ndarray], limit: int) -> np.ndarray | None:
    """The Const's value if it takes at most `limit` bytes, checked on its shape before any array is
    built; None if it is bigger or cannot be read (a damaged Const: left for the checks and
    TensorFlow to judge)."""
    if const.name in deferred:
        return deferred[const.name]
    stored = _stored_tensor(const)
    try:
        if stored is None or element_count(stored[0]) * stored[1].itemsize > limit:
            return None
        return const_value(const, deferred)
    except GraphError:
        return None


def _stored_tensor(const: node_def_pb2.NodeDef) -> tuple[tensor_pb2.TensorProto, np.dtype] | None:
    """The Const's TensorProto and its numpy dtype; None without one of a dtype freezer reads."""
    tensor = const.attr["value"].tensor if "value" in const.attr else None
    dtype = None if tensor is None else NUMPY_DTYPES.get(tensor.dtype)
    return None if dtype is None else (tensor, dtype)


def _data_inputs(node: node_def_pb2.NodeDef) -> list[str]:
    return [entry for entry in node.input if not entry.startswith("^")]
