"""Inline function calls: the frozen graph becomes one flat GraphDef.

Each `PartitionedCall`/`StatefulPartitionedCall` the outputs reach — and each node whose op is the
name of a library function (a direct call) — is replaced by the nodes of the function it calls,
named `<call>/<body node>`, `_1`, `_2`, ... on a clash; calls in an inlined body are inlined too.
`If`, `While` and `Case` stay functional, and calls inside their bodies are left alone.

A body names tensors `node:output_arg:index` and arguments by name; inlined, `arg` becomes the
call's data input at its position and `node:output_arg:index` the node's port, from its op's
output arguments (`freezer.ops.arguments`) or, for a direct call, from the callee's signature.
Consumers of the call's output i read the tensor its function returns there. A node that only
runs after the call's `^control` inputs would not wait for them any more: the nodes whose inputs
come from outside the body get a `^control` input from one `NoOp` holding the call's.

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

from tensorboard.compat.proto import (
    attr_value_pb2,
    function_pb2,
    graph_pb2,
    node_def_pb2,
)

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
from freezer.ops.arguments import output_ports
from freezer.passes.base import PassContext, PassResult
from freezer.passes.functions.library import prune_library
from freezer.passes.functions.names import parse_function_input
from freezer.passes.rewrite import unique_name

# How deep calls may nest inside called functions; the names of inlined nodes grow with it.
MAX_NESTING = 100

KEEP_CALLS = "--keep-calls keeps the calls as they are"
_COLOCATION_PREFIX = b"loc:@"

Functions = Mapping[str, function_pb2.FunctionDef]


def inline_calls(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if ctx.options.keep_calls:
        return PassResult(graph_def, changed=False)
    functions = {function.signature.name: function for function in graph_def.library.function}
    reached = reachable(index, ctx.outputs)
    calls = {node.name: name for node in graph_def.node
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
        self.keepers: dict[str, node_def_pb2.NodeDef] = {}  # call → what stands for it, if needed
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
        needed = self._needed_keepers(result, outputs)
        unneeded = {id(keeper) for name, keeper in self.keepers.items() if name not in needed}
        for name in needed - set(outputs):
            _wait_only(self.keepers[name])
        return [node for node in result if id(node) not in unneeded]

    def _inline_call(self, call: node_def_pb2.NodeDef,
                     function: function_pb2.FunctionDef) -> list[node_def_pb2.NodeDef]:
        """The nodes replacing `call`: maybe a NoOp for its controls, the body, and its keeper."""
        body = CalledBody(call, function, self.functions, self.taken)
        self.returned[call.name] = body.returned()
        self.keepers[call.name] = body.keeper(self.returned[call.name])
        return [*body.nodes, self.keepers[call.name]]

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

    def _needed_keepers(self, nodes: list[node_def_pb2.NodeDef], outputs: list[str]) -> set[str]:
        """The calls still named by an output, a `^control` input or a colocation, through keepers."""
        keeper_ids = {id(keeper) for keeper in self.keepers.values()}
        pending = [name for node in nodes if id(node) not in keeper_ids for name in _names_needed(node)]
        pending.extend(outputs)
        needed: set[str] = set()
        while pending:
            name = pending.pop()
            if name in needed or name not in self.keepers:
                continue
            needed.add(name)
            pending.extend(_names_needed(self.keepers[name]))
        return needed


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


def _names_needed(node: node_def_pb2.NodeDef) -> Iterator[str]:
    """The nodes this one names other than by reading their outputs: `^controls`, colocations."""
    for name in node.input:
        if name.startswith("^"):
            yield name[1:]
    if "_class" in node.attr:
        for entry in node.attr["_class"].list.s:
            if entry.startswith(_COLOCATION_PREFIX):
                yield entry[len(_COLOCATION_PREFIX):].decode("utf-8", "replace")


class CalledBody:
    """One call's function, its nodes renamed and rewired into the graph."""

    def __init__(self, call: node_def_pb2.NodeDef, function: function_pb2.FunctionDef,
                 functions: Functions, taken: set[str]):
        self.call = call
        self.function = function
        self.name = function.signature.name
        self._functions = functions
        self._taken = taken
        self._attrs = call.attr["f"].func.attr if call.op in FUNCTION_CALL_OPS else call.attr
        self._arguments = self._argument_tensors()
        # Copied and renamed first, inputs translated after: an input may name a later node, and
        # its ports depend on its attrs as resolved.
        self._copies = {original.name: self._copy(original) for original in self._unique_nodes()}
        self._ports: dict[str, dict[str, range]] = {}
        controls = [name for name in call.input if name.startswith("^")]
        self.control_node = self._control_node(controls) if controls else None
        self.nodes = [self.control_node] if self.control_node else []
        for original in function.node_def:
            self.nodes.append(self._wire(original, self._copies[original.name]))

    def _where(self) -> str:
        return f"function {self.name} (called by {self.call.op} node {self.call.name})"

    def _argument_tensors(self) -> dict[str, str]:
        """Argument name → the call's data input at its position."""
        signature = self.function.signature
        _refuse_lists(signature, self.call)
        inputs = [name for name in self.call.input if not name.startswith("^")]
        if len(inputs) != len(signature.input_arg):
            raise GraphError(f"{self.call.op} node {self.call.name} passes {len(inputs)} input(s) to function "
                             f"{self.name}, which takes {len(signature.input_arg)}; re-export the graph.")
        return {arg.name: name for arg, name in zip(signature.input_arg, inputs)}

    def _unique_nodes(self) -> list[node_def_pb2.NodeDef]:
        seen: set[str] = set()
        for node in self.function.node_def:
            if node.name in seen or node.name in self._arguments:
                raise GraphError(f"Two nodes or arguments of {self._where()} are named {node.name!r}; "
                                 "re-export the graph.")
            seen.add(node.name)
        return list(self.function.node_def)

    def _take(self, base: str) -> str:
        name = unique_name(base, self._taken)
        self._taken.add(name)
        return name

    def _copy(self, original: node_def_pb2.NodeDef) -> node_def_pb2.NodeDef:
        node = node_def_pb2.NodeDef()
        node.CopyFrom(original)
        node.name = self._take(f"{self.call.name}/{original.name}")
        self._resolve_placeholders(node, original.name)
        return node

    def _control_node(self, controls: list[str]) -> node_def_pb2.NodeDef:
        """A NoOp after the call's `^control` inputs, for the body's nodes to wait on."""
        return node_def_pb2.NodeDef(name=self._take(f"{self.call.name}/input_control_node"), op="NoOp",
                                    input=controls)

    def _wire(self, original: node_def_pb2.NodeDef, node: node_def_pb2.NodeDef) -> node_def_pb2.NodeDef:
        """Translate the copy's inputs; one reading nothing of the body waits for the call's controls."""
        del node.input[:]
        node.input.extend(self._graph_input(name) for name in original.input)
        if self.control_node and not any(_body_node_name(name) in self._copies for name in original.input):
            node.input.append(f"^{self.control_node.name}")
        self._rename_colocation(node)
        return node

    def _resolve_placeholders(self, node: node_def_pb2.NodeDef, original_name: str) -> None:
        """Give attrs the function leaves open (`placeholder: "T"`) the call's values, nested ones too."""
        pending = [node.attr]
        while pending:
            attrs = pending.pop()
            for key, value in attrs.items():
                if not value.placeholder:
                    pending.extend(func.attr for func in _funcs(value))
                elif value.placeholder in self._attrs:
                    value.CopyFrom(self._attrs[value.placeholder])
                else:
                    raise GraphError(f"Node {original_name} of {self._where()} takes its attr {key!r} from "
                                     f"the call's attr {value.placeholder!r}, which the call does not set; "
                                     "re-export the graph.")

    def _rename_colocation(self, node: node_def_pb2.NodeDef) -> None:
        """`loc:@x` naming a body node names it as inlined; naming an argument, the node passing it."""
        if "_class" not in node.attr:
            return
        entries = node.attr["_class"].list.s
        for i, entry in enumerate(entries):
            if not entry.startswith(_COLOCATION_PREFIX):
                continue
            target = entry[len(_COLOCATION_PREFIX):].decode("utf-8", "replace")
            if target in self._copies:
                entries[i] = _COLOCATION_PREFIX + self._copies[target].name.encode()
            elif target in self._arguments:
                entries[i] = _COLOCATION_PREFIX + input_node_name(self._arguments[target]).encode()

    def _graph_input(self, name: str) -> str:
        """A body input entry (or `ret` value) as the graph names it."""
        try:
            ref = parse_function_input(name)
        except ValueError as error:
            raise GraphError(f"In {self._where()}: {error}; re-export the graph.") from None
        if ref.control:
            if ref.node in self._copies:
                return f"^{self._copies[ref.node].name}"
            if ref.node in self._arguments:
                return f"^{input_node_name(self._arguments[ref.node])}"
        elif ref.is_argument:
            if ref.node in self._arguments:
                return self._arguments[ref.node]
        elif ref.node in self._copies:
            return str(InputRef(self._copies[ref.node].name, self._port(ref.node, ref.output, ref.index)))
        raise GraphError(f"{name!r} in {self._where()} names no argument or node of the function; "
                         "re-export the graph.")

    def _port(self, node_name: str, output: str, index: int) -> int:
        if node_name not in self._ports:
            self._ports[node_name] = self._output_ports(self._copies[node_name])
        ports = self._ports[node_name]
        if output not in ports or not 0 <= index < len(ports[output]):
            raise GraphError(f"{node_name}:{output}:{index} in {self._where()} names an output node "
                             f"{node_name} does not have (it has: {', '.join(ports) or 'none'}); re-export "
                             "the graph.")
        return ports[output][index]

    def _output_ports(self, node: node_def_pb2.NodeDef) -> dict[str, range]:
        """Each output argument of a body node → its ports; the callee's signature for a direct call."""
        if node.op in self._functions:
            signature = self._functions[node.op].signature
            _refuse_lists(signature, node)
            return {arg.name: range(i, i + 1) for i, arg in enumerate(signature.output_arg)}
        try:
            return output_ports(node)
        except GraphError as error:
            raise GraphError(f"In {self._where()}: {str(error).rstrip('.')}; or {KEEP_CALLS}.") from None

    def returned(self) -> list[str]:
        """The graph tensors the function returns, in the order of its outputs."""
        returned = []
        for arg in self.function.signature.output_arg:
            if arg.name not in self.function.ret:
                raise GraphError(f"Output {arg.name!r} of {self._where()} is returned by no node (ret); "
                                 "re-export the graph.")
            tensor = self._graph_input(self.function.ret[arg.name])
            if tensor.startswith("^"):
                raise GraphError(f"Output {arg.name!r} of {self._where()} returns a control input; "
                                 "re-export the graph.")
            returned.append(tensor)
        return returned

    def keeper(self, returned: list[str]) -> node_def_pb2.NodeDef:
        """What stands for the call when something names it: an IdentityN of what it returned (a
        NoOp when nothing) that waits for the function's side effects and the call's controls."""
        keeper = node_def_pb2.NodeDef(name=self.call.name, device=self.call.device)
        for key in ("_class", "_output_shapes"):
            if key in self.call.attr:
                keeper.attr[key].CopyFrom(self.call.attr[key])
        if returned:
            keeper.op = "IdentityN"
            keeper.attr["T"].list.type.extend(self._output_types())
        else:
            keeper.op = "NoOp"
        keeper.input.extend(returned)
        # Sorted: a protobuf map's order changes from one process to the next (upb).
        for name in sorted(self.function.control_ret.values()):
            if name not in self._copies:
                raise GraphError(f"Control output {name!r} of {self._where()} names no node of the "
                                 "function; re-export the graph.")
            keeper.input.append(f"^{self._copies[name].name}")
        if self.control_node:
            keeper.input.append(f"^{self.control_node.name}")
        return keeper

    def _output_types(self) -> list[int]:
        types = []
        for arg in self.function.signature.output_arg:
            if arg.type_attr:
                if arg.type_attr not in self._attrs:
                    raise GraphError(f"Output {arg.name!r} of {self._where()} takes its type from attr "
                                     f"{arg.type_attr!r}, which the call does not set; re-export the graph.")
                types.append(self._attrs[arg.type_attr].type)
            else:
                types.append(arg.type)
        return types


def _refuse_lists(signature, node: node_def_pb2.NodeDef) -> None:
    """Functions whose arguments are lists of tensors (Defun-style `N*T`) are not inlined."""
    for arg in [*signature.input_arg, *signature.output_arg]:
        if arg.number_attr or arg.type_list_attr:
            raise GraphError(f"Node {node.name} calls function {signature.name}, whose argument {arg.name!r} "
                             f"is a list of tensors; freezer does not inline such functions ({KEEP_CALLS}).")


def _body_node_name(name: str) -> str:
    """The node (or argument) a body input entry names."""
    return name.lstrip("^").split(":", 1)[0]


def _funcs(value: attr_value_pb2.AttrValue) -> list[attr_value_pb2.NameAttrList]:
    return [value.func] if value.HasField("func") else list(value.list.func)
