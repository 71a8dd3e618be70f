"""Lower v2 control flow to v1 (`--lower-control-flow`), for consumers that only know v1.

Each `If`/`StatelessIf`, `Case`/`StatelessCase` and `While`/`StatelessWhile` the outputs reach
becomes `Switch`/`Merge` (conds) or `Enter`/`Merge`/`Switch`/`LoopCond`/`NextIteration`/`Exit`
(loops) around copies of the functions it calls, as TensorFlow's own lowering pass builds them;
functional ops inside those copies are lowered too. New nodes are named `<node>/<role>` and the
copied function nodes `<node>/<then|else|branch<b>|cond|body>/<body node>` (`_1`, `_2`, ... on a
clash). A cond:

    pred ─ Switch(pred, pred) ─┬─ :1 pivot_t ─ then body ─┐
    x ─── Switch(x, pred) ─────┤                          ├─ Merge ─ consumers of node:i
                               └─ :0 pivot_f ─ else body ─┘

A `Case` of N branches routes its inputs with one `Switch` per branch, on `index == b` (`b < N-1`)
and on "index out of [0, N-1)" for the last branch, the default TensorFlow runs for an index out of
range: only v1 ops, where TensorFlow's lowering uses its internal `_SwitchN`. A loop:

    x ─ Enter ─ Merge ─┬─ cond ─ LoopCond ─┐
                 ↑     └────────────────── Switch ─ :0 ─ Exit ─ consumers of node:i
                 └─ NextIteration ─ body ─ :1 ─┘

Function nodes that read nothing (a `Const`) wait on the branch's pivot, so they run only in the
branch taken and, in a loop, in the loop's frame; a `^arg` control input waits on the pivot too
(the argument's Switch runs whichever branch is taken), and a `loc:@` colocation naming anything
but a node of the function is dropped. The node's `^control` inputs gate everything the lowered
node starts with. Consumers read the `Merge`s and `Exit`s directly. When something still
names the node — an output, a `^node` input, a `loc:@node` colocation — its name stays as an
`IdentityN` of them (a `NoOp` when there are none) that also waits for the branch taken and the
functions' `control_ret` nodes, so `node:i` can still be fetched and `^node` still waits for
the side effects.

Function-body names `node:output_arg:index` become ports from the op's output arguments
(`freezer.ops.arguments`), or the callee's signature for a direct call of a library function; an
op the table does not know cannot be lowered. The copying is `splice`'s, shared with inlining. Before anything changes the called functions are
followed through the library: a missing function, a function that reaches itself, nesting deeper
than `MAX_NESTING`, or a lowered graph over protobuf's 2 GiB is refused. Calls
(`PartitionedCall`, ...) inside the copied functions are left as they are, for inlining.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
from tensorboard.compat.proto import attr_value_pb2, function_pb2, graph_pb2, node_def_pb2, types_pb2

from freezer.check import PROTO_LIMIT
from freezer.errors import GraphError
from freezer.graph import GraphIndex, parse_input, reachable
from freezer.ops import FUNCTIONAL_CONTROL_FLOW_OPS, IF_OPS, WHILE_OPS
from freezer.ops.calls import CALLS, called
from freezer.passes.base import PassContext, PassResult
from freezer.passes.functions.inline import inline_calls
from freezer.passes.functions.library import prune_library
from freezer.passes.functions.splice import Functions, SplicedBody, keep_needed, keeper_node
from freezer.passes.rewrite import const_node, type_attr
from freezer.tensors import dtype_name

# How deep functional ops may nest inside the functions of others; lowered names grow with it.
MAX_NESTING = 100
# TensorFlow's default for a While node without the attr.
DEFAULT_PARALLEL_ITERATIONS = 10
# About what one node the lowering adds (a Switch, a Merge, ...) takes serialized, for the estimate.
_NODE_BYTES = 64

LEAVE_OUT = "or leave out --lower-control-flow"


def lower_control_flow(index: GraphIndex, ctx: PassContext) -> PassResult:
    """With --lower-control-flow: lower, and inline the calls the lowered bodies hold (unless
    --keep-calls), until neither finds anything: each round takes one level of nesting, and
    nesting is bounded, so the rounds are too."""
    if not ctx.options.lower_control_flow:
        return PassResult(index.graph_def, changed=False)
    changed = False
    while True:
        round_changed = False
        for graph_pass in (lower_functional_ops, inline_calls):
            result = graph_pass(index, ctx)
            if result.changed:
                index, round_changed = GraphIndex(result.graph_def), True
        if not round_changed:
            return PassResult(index.graph_def, changed)
        changed = True


def lower_functional_ops(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Lower every If/Case/While the outputs reach (the bodies' own ones included)."""
    graph_def = index.graph_def
    reached = reachable(index, ctx.outputs)
    roots = [node for node in graph_def.node
             if node.op in FUNCTIONAL_CONTROL_FLOW_OPS and node.name in reached]
    if not roots:
        return PassResult(graph_def, changed=False)
    functions = {function.signature.name: function for function in graph_def.library.function}
    check_expansion(graph_def, roots, functions)
    lowering = Lowering(functions, set(index.nodes))
    nodes = lowering.lower(graph_def.node, {node.name for node in roots}, ctx.outputs)
    del graph_def.node[:]
    graph_def.node.extend(nodes)
    prune_library(graph_def)
    return PassResult(graph_def, changed=True)


def called_functions(node: node_def_pb2.NodeDef, functions: Functions) -> list[str]:
    """The library functions a functional op calls (If: then, else; Case: the branches; While:
    cond, body), each checked to be in the library."""
    spec = CALLS[node.op]
    names = []
    for attr in spec.functions:
        refs = called(node, attr) if attr in node.attr else []
        if not refs:
            raise _error(node, f"it names no function in its attr {attr!r}")
        for ref in refs:
            if ref.name not in functions:
                raise _error(node, f"it calls function {ref.name!r}, which the graph's library does not define")
            names.append(ref.name)
    return names


def _error(node: node_def_pb2.NodeDef, reason: str) -> GraphError:
    return _cannot_lower(f"{node.op} node {node.name}", reason)


def _cannot_lower(what: str, reason: str) -> GraphError:
    return GraphError(f"--lower-control-flow cannot lower {what}: {reason}; re-export the graph, {LEAVE_OUT}.")


# ----------------------------------------------------------------- the functions, followed first

def check_expansion(graph_def: graph_pb2.GraphDef, roots: list[node_def_pb2.NodeDef], functions: Functions) -> None:
    """Refuse missing functions, recursion, nesting past MAX_NESTING and a lowered graph over 2 GiB.

    Depth first through the functions the roots call, without recursion; each function is visited
    once and its lowered size (its own serialized bytes and its nested lowerings') remembered.
    """
    sizes: dict[str, int] = {}  # function → about the bytes it adds once lowered, nested ops included
    for root in roots:
        for name in called_functions(root, functions):
            if name not in sizes:
                _size_functions(name, functions, sizes)
    total = graph_def.ByteSize() + sum(_lowered_size(root, functions, sizes) for root in roots)
    if total >= PROTO_LIMIT:
        raise GraphError(f"Lowering the control flow would make a graph of over {total / 2**30:.2f} GiB, "
                         f"past protobuf's 2 GiB limit; choose outputs that need less of it, {LEAVE_OUT}.")


def _size_functions(root: str, functions: Functions, sizes: dict[str, int]) -> None:
    stack = [(root, _callees(functions[root], functions))]
    while stack:
        name, callees = stack[-1]
        callee = next((c for c in callees if c not in sizes), None)
        if callee is None:
            function = functions[name]
            nested = sum(_lowered_size(node, functions, sizes)
                         for node in function.node_def if node.op in FUNCTIONAL_CONTROL_FLOW_OPS)
            sizes[name] = min(PROTO_LIMIT, function.ByteSize() + nested)
            stack.pop()
            continue
        chain = [entry for entry, _ in stack]
        if callee in chain:
            shown = " -> ".join(chain[chain.index(callee):] + [callee])
            raise GraphError(f"Function {callee} runs itself through If/Case/While ({shown}), so "
                             f"--lower-control-flow cannot lower it: choose outputs that do not need it, "
                             f"{LEAVE_OUT}.")
        if len(stack) >= MAX_NESTING:
            raise GraphError(f"If/Case/While nest more than {MAX_NESTING} deep in functions ({chain[0]} -> ... "
                             f"-> {callee}); --lower-control-flow does not lower deeper ones. Choose outputs "
                             f"that do not need them, {LEAVE_OUT}.")
        stack.append((callee, _callees(functions[callee], functions)))


def _callees(function: function_pb2.FunctionDef, functions: Functions) -> Iterator[str]:
    for node in function.node_def:
        if node.op in FUNCTIONAL_CONTROL_FLOW_OPS:
            try:
                yield from called_functions(node, functions)
            except GraphError as error:
                raise GraphError(f"In function {function.signature.name}: {error}") from None


def _lowered_size(node: node_def_pb2.NodeDef, functions: Functions, sizes: dict[str, int]) -> int:
    """About the bytes lowering `node` adds: its functions lowered, and a few nodes per input and
    function (a Case routes each input to each branch)."""
    names = called_functions(node, functions)
    added = _NODE_BYTES * (len(node.input) + 2) * (len(names) + 2)
    return min(PROTO_LIMIT, added + sum(sizes[name] for name in names))


# ------------------------------------------------------------------------------------- lowering

class Lowering:
    """Replaces functional control flow by v1 control flow, and rewires what read its outputs."""

    def __init__(self, functions: Functions, names: set[str]):
        self.functions = functions
        self.taken = names  # every node name in use, the lowered nodes' own included
        self.outputs: dict[str, list[str]] = {}  # lowered node → the graph tensors of its outputs
        self.keepers: dict[str, list[node_def_pb2.NodeDef]] = {}  # lowered node → what keeps its name

    def lower(self, nodes: Iterable[node_def_pb2.NodeDef], roots: set[str],
              outputs: list[str]) -> list[node_def_pb2.NodeDef]:
        """The graph's nodes with each of `roots` (and each functional op in their functions) lowered."""
        result: list[node_def_pb2.NodeDef] = []
        stack: list[Iterator[node_def_pb2.NodeDef]] = [iter(nodes)]  # the graph, then copied functions
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                continue
            in_function = len(stack) > 1  # where every functional op is lowered, not only those reached
            if node.op in FUNCTIONAL_CONTROL_FLOW_OPS and (in_function or node.name in roots):
                stack.append(iter(self._lower(node)))
            else:
                result.append(node)
        for node in result:
            self._rewire(node)
        kept, _ = keep_needed(result, outputs, self.keepers)
        return kept

    def _lower(self, node: node_def_pb2.NodeDef) -> list[node_def_pb2.NodeDef]:
        builder = Builder(node, self.functions, self.taken)
        if node.op in WHILE_OPS:
            outputs = lower_while(builder)
        else:
            outputs = lower_cond(builder, IfRouter(builder) if node.op in IF_OPS else CaseRouter(builder))
        self.outputs[node.name] = outputs
        self.keepers[node.name] = builder.keeper
        return builder.nodes

    def _rewire(self, node: node_def_pb2.NodeDef) -> None:
        """Make the node read the Merges and Exits where it read a lowered node's outputs."""
        for i, name in enumerate(node.input):
            ref = parse_input(name)
            if ref.control or ref.node not in self.outputs:
                continue
            outputs = self.outputs[ref.node]
            if ref.port >= len(outputs):
                raise GraphError(f"Node {node.name} reads output {ref.port} of {ref.node}, which has "
                                 f"{len(outputs)} output(s); re-export the graph.")
            node.input[i] = outputs[ref.port]


class Builder:
    """The nodes replacing one functional op, named after it and placed on its device."""

    def __init__(self, node: node_def_pb2.NodeDef, functions: Functions, taken: set[str]):
        self.node = node
        self.functions = functions
        self.taken = taken
        self._next_number: dict[str, int] = {}  # base name → the first number `take` tries
        self.nodes: list[node_def_pb2.NodeDef] = []
        self.added: dict[str, node_def_pb2.NodeDef] = {}  # the new nodes by name, to rewire
        self.keeper: list[node_def_pb2.NodeDef] = []  # what keeps the node's name, and what only it reads
        self.data = [name for name in node.input if not name.startswith("^")]
        controls = [name for name in node.input if name.startswith("^")]
        # One NoOp holds the node's control inputs, for each first node of the lowering to wait on.
        self.gate = [f"^{self.add('control_inputs', 'NoOp', controls)}"] if controls else []

    def error(self, reason: str) -> GraphError:
        return _error(self.node, reason)

    def take(self, base: str) -> str:
        """`base`, else `base_1`, `base_2`, ...: each base remembers its next number, so a loop of
        K variables names its K Switches in K steps, not K²/2."""
        number = self._next_number.get(base, 0)
        name = base if number == 0 else f"{base}_{number}"
        while name in self.taken:
            number += 1
            name = f"{base}_{number}"
        self._next_number[base] = number + 1
        self.taken.add(name)
        return name

    def add(self, role: str, op: str, inputs: Iterable[str], **attrs: attr_value_pb2.AttrValue) -> str:
        """A new node `<node>/<role>`; its name."""
        new = node_def_pb2.NodeDef(name=self.take(f"{self.node.name}/{role}"), op=op, input=list(inputs),
                                   device=self.node.device)
        for key, value in attrs.items():
            new.attr[key].CopyFrom(value)
        self.nodes.append(new)
        self.added[new.name] = new
        return new.name

    def types(self, attr: str, count: int | None = None, what: str = "") -> list[int]:
        """The node's list(type) attr, which must give one type per `what` when `count` is given."""
        types = list(self.node.attr[attr].list.type) if attr in self.node.attr else []
        if count is not None and len(types) != count:
            raise self.error(f"its attr {attr!r} lists {len(types)} type(s) for {count} {what}")
        return types

    def function(self, attr: str) -> attr_value_pb2.NameAttrList:
        return called(self.node, attr)[0]

    def inline(self, call: attr_value_pb2.NameAttrList, arguments: list[str], pivot: str, role: str,
               output_count: int) -> Body:
        """Copy function `call` into the graph with `arguments`; it must return `output_count` tensors."""
        body = Body(self, self.functions[call.name], call, arguments, pivot, role)
        if len(body.outputs) != output_count:
            raise self.error(f"its function {call.name} returns {len(body.outputs)} tensor(s) where the node "
                             f"has {output_count} output(s)")
        return body

    def fetchable(self, outputs: list[str], types: list[int], waits_for: list[str]) -> None:
        """The node's name kept: an IdentityN of its outputs (a NoOp if none), after `waits_for`
        (new nodes only it reads; both are dropped when nothing names the node)."""
        keeper = keeper_node(self.node, outputs, types, waits_for)
        self.nodes.append(keeper)
        self.keeper = [keeper, *(self.added[name] for name in waits_for)]


# ------------------------------------------------------------------------------------ cond, case

class IfRouter:
    """Routes a tensor to the `If`'s branches: output 1 of a Switch on the condition to then, 0 to else."""

    branch_attrs = ("then_branch", "else_branch")
    roles = ("then", "else")
    pivot_type = types_pb2.DT_BOOL  # the pivots forward the condition

    def __init__(self, builder: Builder):
        self.builder = builder
        if not builder.data:
            raise builder.error("it has no condition input")
        self.pred = builder.data[0]
        if "Tcond" in builder.node.attr and builder.node.attr["Tcond"].type != types_pb2.DT_BOOL:
            raise builder.error("its condition is not a bool; only bool conditions lower to a Switch")

    def functions(self) -> list[attr_value_pb2.NameAttrList]:
        return [self.builder.function(attr) for attr in self.branch_attrs]

    def pivot_inputs(self) -> list[str]:
        switch = self.builder.add("switch_pred", "Switch", [self.pred, self.pred, *self.builder.gate],
                                  T=type_attr(types_pb2.DT_BOOL))
        return [f"{switch}:1", f"{switch}:0"]

    def route(self, tensor: str, dtype: int) -> list[str]:
        switch = self.builder.add("switch", "Switch", [tensor, self.pred, *self.builder.gate], T=type_attr(dtype))
        return [f"{switch}:1", f"{switch}:0"]


class CaseRouter:
    """Routes a tensor to the `Case`'s branches: one Switch per branch, on whether it is chosen."""

    pivot_type = types_pb2.DT_INT32  # the pivots forward the index

    def __init__(self, builder: Builder):
        self.builder = builder
        if not builder.data:
            raise builder.error("it has no branch index input")
        self.calls = called(builder.node, "branches")
        self.roles = tuple(f"branch{b}" for b in range(len(self.calls)))
        self._consts: dict[int, str] = {}  # value → its Const
        self.chosen = self._chosen(builder.data[0])

    def functions(self) -> list[attr_value_pb2.NameAttrList]:
        return self.calls

    def _chosen(self, index: str) -> list[str]:
        """Per branch, a bool: `index == b`; for the last, `index < 0 or index >= N-1` (the default)."""
        add = self.builder.add
        index = add("branch_index", "Identity", [index, *self.builder.gate], T=type_attr(types_pb2.DT_INT32))
        last = len(self.calls) - 1
        int32 = {"T": type_attr(types_pb2.DT_INT32)}
        chosen = [add(f"is_branch{b}", "Equal", [index, self._int32(b, index)], **int32) for b in range(last)]
        below = add("below_range", "Less", [index, self._int32(0, index)], **int32)
        above = add("above_range", "GreaterEqual", [index, self._int32(last, index)], **int32)
        return [*chosen, add(f"is_branch{last}", "LogicalOr", [below, above])]

    def _int32(self, value: int, index: str) -> str:
        """A Const after `index`, so it lives where the index does (a loop's frame, a branch)."""
        if value in self._consts:
            return self._consts[value]
        const = const_node(self.builder.take(f"{self.builder.node.name}/const_{value}"), np.int32(value),
                           types_pb2.DT_INT32, [f"^{index}"])
        const.device = self.builder.node.device
        self.builder.nodes.append(const)
        self._consts[value] = const.name
        return const.name

    def pivot_inputs(self) -> list[str]:
        return [f"{switch}:1" for switch in self._switches(self.builder.data[0], types_pb2.DT_INT32)]

    def route(self, tensor: str, dtype: int) -> list[str]:
        return [f"{switch}:1" for switch in self._switches(tensor, dtype)]

    def _switches(self, tensor: str, dtype: int) -> list[str]:
        return [self.builder.add("switch", "Switch", [tensor, chosen], T=type_attr(dtype)) for chosen in self.chosen]


def lower_cond(builder: Builder, router: IfRouter | CaseRouter) -> list[str]:
    """Lower an If or a Case; the graph tensors of its outputs."""
    calls = router.functions()
    arguments = builder.data[1:]
    in_types = builder.types("Tin", len(arguments), "argument input(s)")
    out_types = builder.types("Tout")
    pivot_type = type_attr(router.pivot_type)
    pivots = [builder.add(f"pivot_{role}", "Identity", [tensor], T=pivot_type)
              for role, tensor in zip(router.roles, router.pivot_inputs())]
    routed = [router.route(tensor, dtype) for tensor, dtype in zip(arguments, in_types)]
    bodies = [builder.inline(call, [branches[b] for branches in routed], pivots[b], router.roles[b], len(out_types))
              for b, call in enumerate(calls)]
    merges = [builder.add("output", "Merge", [body.outputs[i] for body in bodies], T=type_attr(dtype),
                          N=attr_value_pb2.AttrValue(i=len(bodies)))
              for i, dtype in enumerate(out_types)]
    # Waits for the branch taken (its pivot) and for the side effects of every branch's function.
    side_effects = [f"^{name}" for body in bodies for name in body.control_outputs()]
    executed = builder.add("branch_executed", "Merge", [*pivots, *side_effects], T=pivot_type,
                           N=attr_value_pb2.AttrValue(i=len(pivots)))
    builder.fetchable(merges, out_types, [executed])
    return merges


# ------------------------------------------------------------------------------------------ while

def lower_while(builder: Builder) -> list[str]:
    """Lower a While; the graph tensors of its outputs (its Exits)."""
    node = builder.node
    loop_vars = builder.data
    if not loop_vars:
        raise builder.error("it has no loop variables")
    types = builder.types("T", len(loop_vars), "loop variable(s)")
    iterations = DEFAULT_PARALLEL_ITERATIONS
    if "parallel_iterations" in node.attr:
        iterations = node.attr["parallel_iterations"].i
    if iterations <= 0:
        raise builder.error(f"its parallel_iterations is {iterations}; it must be positive")
    enters = [builder.add("enter", "Enter", [tensor, *builder.gate], T=type_attr(dtype),
                          frame_name=attr_value_pb2.AttrValue(s=node.name.encode()),
                          is_constant=attr_value_pb2.AttrValue(b=False),
                          parallel_iterations=attr_value_pb2.AttrValue(i=iterations))
              for tensor, dtype in zip(loop_vars, types)]
    # Input 1 of each Merge, the back edge, is set to its NextIteration once the body is in place.
    merges = [builder.add("merge", "Merge", [enter, enter], T=type_attr(dtype), N=attr_value_pb2.AttrValue(i=2))
              for enter, dtype in zip(enters, types)]
    cond = builder.inline(builder.function("cond"), merges, merges[0], "cond", 1)
    cond_type = cond.function.signature.output_arg[0].type
    if cond_type not in (types_pb2.DT_BOOL, types_pb2.DT_INVALID):  # DT_INVALID: typed by an attr
        raise builder.error(f"its cond function {cond.function.signature.name} returns a "
                            f"{dtype_name(cond_type)}; only a bool lowers to a LoopCond")
    loop_cond = builder.add("LoopCond", "LoopCond", [cond.outputs[0], *_controls(cond.control_outputs())])
    switches = [builder.add("switch", "Switch", [merge, loop_cond], T=type_attr(dtype))
                for merge, dtype in zip(merges, types)]
    # What in the body reads nothing waits on this, so it runs in the loop's frame, each iteration.
    pivot = builder.add("loop_body_control", "Identity", [f"{switches[0]}:1"], T=type_attr(types[0]))
    body = builder.inline(builder.function("body"), [f"{switch}:1" for switch in switches], pivot, "body",
                          len(types))
    body_effects = body.control_outputs()
    side_effects = ([f"^{builder.add('body_control_outputs', 'NoOp', _controls(body_effects))}"]
                    if body_effects else [])
    for merge, tensor, dtype in zip(merges, body.outputs, types):
        next_iteration = builder.add("next_iteration", "NextIteration", [tensor, *side_effects], T=type_attr(dtype))
        builder.added[merge].input[1] = next_iteration
    exits = [builder.add("exit", "Exit", [f"{switch}:0"], T=type_attr(dtype)) for switch, dtype in zip(switches, types)]
    builder.fetchable(exits, types, [])
    return exits


def _controls(names: Iterable[str]) -> list[str]:
    return [f"^{name}" for name in names]


# ------------------------------------------------------------------------------------- a body

class Body(SplicedBody):
    """One function copied into the graph: nodes renamed `<node>/<role>/<body node>`, arguments
    read from the graph tensors given, what reads nothing made to wait on `pivot`."""

    def __init__(self, builder: Builder, function: function_pb2.FunctionDef, call: attr_value_pb2.NameAttrList,
                 arguments: list[str], pivot: str, role: str):
        self.builder = builder
        self.pivot = pivot
        self.role = role
        node = builder.node
        where = f"function {function.signature.name} ({role} of {node.op} node {node.name})"
        super().__init__(function, call.attr, arguments, builder.functions,
                         lambda reason: _cannot_lower(where, reason))
        builder.nodes.extend(self.wired())
        self.outputs = self.returned()

    def _copy_name(self, original_name: str) -> str:
        return self.builder.take(f"{self.builder.node.name}/{self.role}/{original_name}")

    def _waits_on(self, original: node_def_pb2.NodeDef) -> str | None:
        """A node reading nothing runs after the pivot: only in the branch taken, in a loop in its
        frame. The others run once their inputs do: the branch's Switch outputs, other copies."""
        return None if original.input else self.pivot

    def _argument_control(self, argument: str) -> str:
        # The argument's producer (a Switch) runs whichever branch is taken; the pivot does not.
        return self.pivot

    def _colocated_outside(self, entry: bytes, target: str | None) -> bytes | None:
        return None  # names nothing in the graph: the body's nodes only exist as copies
