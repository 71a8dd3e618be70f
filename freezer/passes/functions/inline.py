"""Inline function calls: the frozen graph becomes one flat GraphDef.

Each `PartitionedCall`/`StatefulPartitionedCall` the outputs reach — and each node whose op is the
name of a library function (a direct call) — is replaced by the nodes of the function it calls,
named `<call>/<body node>`, `_1`, `_2`, ... on a clash; calls in an inlined body are inlined too.
`If`, `While` and `Case` stay functional, and calls inside their bodies are left alone.

A body names tensors `node:output_arg:index` and arguments by name; inlined, `arg` becomes the
call's data input at its position and `node:output_arg:index` the node's port, from its op's
output arguments (`freezer.ops.arguments`) or, for a direct call, from the callee's signature;
`^arg` and `loc:@arg` name the node passing the argument. Consumers of the call's output i read the
tensor its function returns there. A node that only runs after the call's `^control` inputs would
not wait for them any more: the nodes whose inputs come from outside the body get a `^control`
input from one `NoOp` holding the call's. The copying is `splice`'s, shared with lowering; a
malformed body is one error naming the function and the call.

A call still needed by name — an output, a `^call` input, a `loc:@call` colocation — stays as an
`IdentityN` of what it returned (a `NoOp` when it returns nothing) that also waits for the
function's `control_ret` nodes, so whatever waited for the call's side effects still does.
Polymorphic functions get their attrs (`AttrValue.placeholder`) from the call. Last, library
functions nothing calls any more are dropped.

Before anything changes, the calls are followed through the library: a function that calls itself,
nesting deeper than `MAX_NESTING`, or a flat graph over protobuf's 2 GiB is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from tensorboard.compat.proto import function_pb2, graph_pb2, node_def_pb2

from freezer.check import PROTO_LIMIT
from freezer.errors import GraphError
from freezer.graph import (
    GraphIndex,
    InputRef,
    cycle_error,
    input_node_name,
    parse_input,
    reachable,
)
from freezer.ops import FUNCTION_CALL_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.functions.library import prune_library
from freezer.passes.functions.splice import COLOCATION_PREFIX, Functions, SplicedBody, keep_needed, keeper_node
from freezer.passes.rewrite import unique_name

# How deep calls may nest inside called functions; the names of inlined nodes grow with it.
MAX_NESTING = 100

KEEP_CALLS = "--keep-calls keeps the calls as they are"


def inline_calls(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if ctx.options.keep_calls:
        return PassResult(graph_def, changed=False)
    functions = {function.signature.name: function for function in graph_def.library.function}
    calling_ops = index.op_set & (FUNCTION_CALL_OPS | functions.keys())
    if not calling_ops:  # most graphs: walking them would find nothing to inline
        return PassResult(graph_def, changed=False)
    reached = reachable(index, ctx.outputs)
    calls = {node.name: name for node in index.nodes_by_op(calling_ops)
             if node.name in reached and (name := called_function(node, functions)) is not None}
    if not calls:
        return PassResult(graph_def, changed=False)
    check_expansion(graph_def, list(calls.values()), functions)
    inliner = Inliner(functions, set(index.nodes))
    nodes = inliner.inline(graph_def.node, calls, ctx.outputs)
    del graph_def.node[:]
    graph_def.node.extend(nodes)
    prune_library(graph_def)
    return PassResult(graph_def, changed=True)


def called_function(node: node_def_pb2.NodeDef, functions: Functions) -> str | None:
    """The library function the node calls and inlining replaces it with; None if it is no call."""
    if node.op in FUNCTION_CALL_OPS:
        name = node.attr["f"].func.name
        if name not in functions:
            raise GraphError(f"{node.op} node {node.name} calls function {name!r}, which the graph's "
                             "library does not define; re-export the graph.")
        return name
    return node.op if node.op in functions else None


# ------------------------------------------------------------------------ the calls, followed first

def check_expansion(graph_def: graph_pb2.GraphDef, roots: list[str], functions: Functions) -> None:
    """Refuse recursion, nesting past MAX_NESTING and a flat graph over 2 GiB before inlining.

    Depth first through the functions the roots call, without recursion; each function is visited
    once and its inlined size (its own and its callees', in serialized bytes) remembered.
    """
    sizes: dict[str, int] = {}  # function → bytes it adds once inlined with everything it calls
    for root in dict.fromkeys(roots):
        if root in sizes:
            continue
        stack = [(root, _callees(functions[root], functions))]
        while stack:
            name, callees = stack[-1]
            callee = next((c for c in callees if c not in sizes), None)
            if callee is None:
                sizes[name] = min(PROTO_LIMIT, functions[name].ByteSize()
                                  + sum(sizes[c] for c in _callees(functions[name], functions)))
                stack.pop()
                continue
            chain = [entry for entry, _ in stack]
            if callee in chain:
                shown = " -> ".join(chain[chain.index(callee):] + [callee])
                raise GraphError(f"Function {callee} calls itself ({shown}), so its calls cannot be "
                                 f"inlined; choose outputs that do not need it (or {KEEP_CALLS}).")
            if len(stack) >= MAX_NESTING:
                raise GraphError(f"Function calls nest more than {MAX_NESTING} deep ({chain[0]} -> ... -> "
                                 f"{callee}); freezer does not inline deeper calls ({KEEP_CALLS}).")
            stack.append((callee, _callees(functions[callee], functions)))
    total = graph_def.ByteSize() + sum(sizes[root] for root in roots)
    if total >= PROTO_LIMIT:
        raise GraphError("Inlining the function calls would make a graph over protobuf's 2 GiB limit "
                         f"(functions calling functions many times over); {KEEP_CALLS}.")


def _callees(function: function_pb2.FunctionDef, functions: Functions) -> Iterator[str]:
    for node in function.node_def:
        name = _body_call(node, functions, function)
        if name is not None:
            yield name


def _body_call(node: node_def_pb2.NodeDef, functions: Functions, function: function_pb2.FunctionDef) -> str | None:
    try:
        return called_function(node, functions)
    except GraphError as error:
        raise GraphError(f"In function {function.signature.name}: {error}") from None


# ------------------------------------------------------------------------------------- inlining

class Inliner:
    """Replaces calls by their functions' nodes, and rewires what read the calls' outputs."""

    def __init__(self, functions: Functions, names: set[str]):
        self.functions = functions
        self.taken = names  # every node name in use, the calls' own included
        self.returned: dict[str, list[str]] = {}  # call → the graph tensors it returned, in order
        self.keepers: dict[str, list[node_def_pb2.NodeDef]] = {}  # call → [what stands for it, if needed]
        self._resolved: dict[InputRef, InputRef] = {}

    def inline(self, nodes: Iterable[node_def_pb2.NodeDef], calls: Mapping[str, str],
               outputs: list[str]) -> list[node_def_pb2.NodeDef]:
        """The graph's nodes with each call in `calls` (and each call inside those) inlined in place."""
        result: list[node_def_pb2.NodeDef] = []
        stack: list[Iterator[node_def_pb2.NodeDef]] = [iter(nodes)]  # the graph, then inlined bodies
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                continue
            inside_body = len(stack) > 1  # where every call is inlined, not only those reached
            function = called_function(node, self.functions) if inside_body else calls.get(node.name)
            if function is None:
                result.append(node)
            else:
                stack.append(iter(self._inline_call(node, self.functions[function])))
        for node in result:
            self._rewire(node)
        kept, needed = keep_needed(result, outputs, self.keepers)
        for name in needed - set(outputs):
            _wait_only(self.keepers[name][0])
        return kept

    def _inline_call(self, call: node_def_pb2.NodeDef,
                     function: function_pb2.FunctionDef) -> list[node_def_pb2.NodeDef]:
        """The nodes replacing `call`: maybe a NoOp for its controls, the body, and its keeper."""
        body = CalledBody(call, function, self.functions, self.taken)
        self.returned[call.name] = body.returned()
        keeper = body.keeper(self.returned[call.name])
        self.keepers[call.name] = [keeper]
        return [*body.nodes, keeper]

    def _rewire(self, node: node_def_pb2.NodeDef) -> None:
        """Make the node read what the calls it read returned."""
        for i, name in enumerate(node.input):
            ref = parse_input(name)
            if not ref.control and ref.node in self.returned:
                node.input[i] = str(self._resolve(ref, node))

    def _resolve(self, ref: InputRef, reader: node_def_pb2.NodeDef) -> InputRef:
        """The tensor behind a call's output, through calls returning other calls' outputs."""
        chain: dict[InputRef, None] = {}  # in order, and quick to ask
        while ref.node in self.returned and ref not in self._resolved:
            if ref in chain:
                entries = list(chain)
                raise cycle_error([entry.node for entry in entries[entries.index(ref):]])
            chain[ref] = None
            returned = self.returned[ref.node]
            if ref.port >= len(returned):
                raise GraphError(f"Node {reader.name} reads output {ref.port} of call {ref.node}, whose "
                                 f"function returns {len(returned)} tensor(s); re-export the graph.")
            ref = parse_input(returned[ref.port])
        ref = self._resolved.get(ref, ref)
        self._resolved.update(dict.fromkeys(chain, ref))
        return ref


def _wait_only(keeper: node_def_pb2.NodeDef) -> None:
    """A keeper only waited on (`^call`, colocation) need not pass values on: a NoOp after them.
    Consumers that know no IdentityN (OpenCV, converters) load a NoOp."""
    waits_for = dict.fromkeys(f"^{parse_input(name).node}" for name in keeper.input)
    keeper.op = "NoOp"
    del keeper.input[:]
    keeper.input.extend(waits_for)
    for key in ("T", "_output_shapes"):
        if key in keeper.attr:
            del keeper.attr[key]


class CalledBody(SplicedBody):
    """One call's function, its nodes named `<call>/<body node>` and rewired into the graph."""

    def __init__(self, call: node_def_pb2.NodeDef, function: function_pb2.FunctionDef,
                 functions: Functions, taken: set[str]):
        self.call = call
        self._taken = taken
        where = f"function {function.signature.name} (called by {call.op} node {call.name})"
        attrs = call.attr["f"].func.attr if call.op in FUNCTION_CALL_OPS else call.attr
        arguments = [name for name in call.input if not name.startswith("^")]
        super().__init__(function, attrs, arguments, functions, lambda reason: _cannot_inline(where, reason))
        controls = [name for name in call.input if name.startswith("^")]
        self.control_node = self._control_node(controls) if controls else None
        self.nodes = [*([self.control_node] if self.control_node else []), *self.wired()]

    def _take(self, base: str) -> str:
        name = unique_name(base, self._taken)
        self._taken.add(name)
        return name

    def _copy_name(self, original_name: str) -> str:
        return self._take(f"{self.call.name}/{original_name}")

    def _control_node(self, controls: list[str]) -> node_def_pb2.NodeDef:
        """A NoOp after the call's `^control` inputs, for the body's nodes to wait on."""
        return node_def_pb2.NodeDef(name=self._take(f"{self.call.name}/input_control_node"), op="NoOp",
                                    input=controls)

    def _waits_on(self, original: node_def_pb2.NodeDef) -> str | None:
        """A node reading nothing of the body waits for the call's controls; the others wait through it."""
        if self.control_node and not any(_body_node_name(name) in self._copies for name in original.input):
            return self.control_node.name
        return None

    def _argument_control(self, argument: str) -> str:
        return input_node_name(self._arguments[argument])  # the node passing the argument

    def _colocated_outside(self, entry: bytes, target: str | None) -> bytes | None:
        """`loc:@argument` names the node passing the argument; other entries stay as they are."""
        if target in self._arguments:
            return COLOCATION_PREFIX + input_node_name(self._arguments[target]).encode()
        return entry

    def keeper(self, returned: list[str]) -> node_def_pb2.NodeDef:
        """What stands for the call when something names it: an IdentityN of what it returned (a
        NoOp when nothing) that waits for the function's side effects and the call's controls."""
        control = [self.control_node.name] if self.control_node else []
        return keeper_node(self.call, returned, self._output_types(), [*self.control_outputs(), *control])

    def _output_types(self) -> list[int]:
        types = []
        for arg in self.function.signature.output_arg:
            if arg.type_attr:
                if arg.type_attr not in self._attrs:
                    raise self.refuse(f"its output {arg.name!r} takes its type from attr {arg.type_attr!r}, "
                                      "which the caller does not set")
                types.append(self._attrs[arg.type_attr].type)
            else:
                types.append(arg.type)
        return types


def _cannot_inline(where: str, reason: str) -> GraphError:
    return GraphError(f"Cannot inline {where}: {reason}; re-export the graph, or {KEEP_CALLS}.")


def _body_node_name(name: str) -> str:
    """The node (or argument) a body input entry names."""
    return name.lstrip("^").split(":", 1)[0]
