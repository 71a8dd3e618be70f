"""Freeze v2 control flow and function calls: pass variables' values into functions, not handles.

A v2 `If`/`While`/`Case`/`(Stateful)PartitionedCall` (and their stateless twins) takes variables
as `DT_RESOURCE` arguments; once `fold_variables` has made each variable a `Const`, such a node
is fed a value where it expects a handle. This pass types each such argument for the value, in
the node (`Tin`/`T`, and `Tout`/`output_shapes` where the handle comes back out, as a while loop
variable does) and in a copy of every function it calls, renamed `<name>_frozen` (`_1`, `_2`, ...
on a clash): the original may be called elsewhere with a live handle, and one copy serves every
call passing the same values. In a copy, what used the handle uses the value: `ReadVariableOp` →
`Identity`, `ResourceGather` → `GatherV2`, `ResourceGatherNd` → `GatherNd`, `VariableShape` →
`Shape`, nested calls recursively; any other use of a handle there is an error. Last, the library
is pruned to the functions kept nodes call.

Never touched: original functions (only dropped when nothing calls them any more), handles that
are not frozen variables (lookup tables, variables kept on purpose), and graph-level readers of
folded variables (`fold_variables` and the resource passes own those).
"""

from __future__ import annotations

from tensorboard.compat.proto import function_pb2, node_def_pb2, types_pb2

from freezer.errors import CheckError, GraphError
from freezer.graph import GraphIndex, cycle_error
from freezer.ops.calls import CALLS, called, handle_arguments
from freezer.passes.base import PassContext, PassResult
from freezer.passes.functions.body import FunctionBody, GraphBody, Tensor
from freezer.passes.functions.calls import merge_results, retype_call, retype_signature
from freezer.passes.functions.handle_reads import HANDLE_READ_REWRITES, Value, retype_identity
from freezer.passes.functions.library import prune_library
from freezer.passes.rewrite import unique_name

# How deep calls passing a variable may nest (each level is a few Python frames while freezing).
MAX_NESTING = 50

# Every use of a handle rewritten in a function body (in the graph: only calls and Identities).
_READERS = {"Identity": retype_identity, **HANDLE_READ_REWRITES}


def freeze_functions(index: GraphIndex, ctx: PassContext) -> PassResult:
    graph_def = index.graph_def
    if not index.op_set & CALLS.keys():  # no call to pass values: the Identities were fold_variables'
        return PassResult(graph_def, changed=prune_library(graph_def))
    copies = FrozenCopies(graph_def.library)
    rewriter = Rewriter(GraphBody(graph_def), copies)
    rewriter.run()
    pruned = prune_library(graph_def)
    return PassResult(graph_def, changed=rewriter.changed or pruned)


class FrozenCopies:
    """Copies of library functions that take values where the original takes variable handles."""

    def __init__(self, library: function_pb2.FunctionDefLibrary):
        self.library = library
        self._originals = {function.signature.name: function for function in library.function}
        self._taken = set(self._originals)
        self._copies_made: dict[str, int] = {}  # original name → how many copies were made of it
        self._making: list[str] = []  # the functions whose copies are being made, outermost first
        # (original name, frozen arguments) → (copy's name, outputs that became values)
        self._copies: dict[tuple, tuple[str, dict[int, Value]]] = {}

    def copy_for(self, name: str, args: dict[int, Value]) -> tuple[str, dict[int, Value]]:
        """The name of `name`'s copy taking values at `args`, and which of its outputs are values."""
        key = (name, tuple(sorted(args.items())))
        if key not in self._copies:
            self._check_nesting(name)
            self._making.append(name)
            self._copies[key] = self._make_copy(name, args)
            self._making.pop()
        return self._copies[key]

    def _copy_base_name(self, name: str) -> str:
        """`f_frozen` for the first copy of `f`, `f_frozen_N` for the next: n copies cost n names tried."""
        number = self._copies_made.get(name, 0)
        self._copies_made[name] = number + 1
        return f"{name}_frozen" if number == 0 else f"{name}_frozen_{number}"

    def _check_nesting(self, name: str) -> None:
        """Copies are made inside the copies of their callers: refuse recursion and endless depth."""
        if name in self._making:
            chain = " -> ".join(self._making[self._making.index(name):] + [name])
            raise GraphError(f"Function {name} calls itself ({chain}) and is passed a variable; freezer "
                             "cannot freeze a recursive function. Choose outputs that do not need it.")
        if len(self._making) >= MAX_NESTING:
            raise GraphError(f"Functions passing variables on are nested more than {MAX_NESTING} deep "
                             f"({self._making[0]} -> ... -> {name}); freezer does not freeze deeper calls.")

    def _make_copy(self, name: str, args: dict[int, Value]) -> tuple[str, dict[int, Value]]:
        if name not in self._originals:
            raise GraphError(f"A node calls function {name}, which the graph's library does not define.")
        arguments = len(self._originals[name].signature.input_arg)
        if max(args) >= arguments:
            raise GraphError(f"Function {name} is passed a variable as argument {max(args)}, but it takes "
                             f"{arguments} arguments; the graph is inconsistent, re-export it.")
        function = function_pb2.FunctionDef()
        function.CopyFrom(self._originals[name])
        function.signature.name = unique_name(self._copy_base_name(name), self._taken)
        self._taken.add(function.signature.name)
        body = FunctionBody(function, args, name)
        rewriter = Rewriter(body, self)
        rewriter.run()
        outputs = rewriter.returned_values()
        retype_signature(function, args, outputs)
        body.finish()
        self.library.function.add().CopyFrom(function)
        return function.signature.name, outputs


class Rewriter:
    """Finds the tensors of one body (graph or function) that carry a frozen variable's value where
    there was a handle, and rewrites the nodes that take them."""

    def __init__(self, body: GraphBody | FunctionBody, copies: FrozenCopies):
        self.body = body
        self.copies = copies
        self.changed = False
        self._values: dict[Tensor, Value | None] = {}
        # What a tensor carries depends on the op that makes it as it was, not as rewritten (a read
        # that became an Identity does not forward a handle).
        self._original_ops = {node.name: node.op for node in body.nodes()}
        self._call_outputs: dict[str, dict[int, Value]] = {}

    def run(self) -> None:
        """Rewrite every node of the body that takes a frozen variable's value where it took a handle."""
        for node in self.body.nodes():
            if not self.body.strict and not _takes_handle(node):
                continue
            values = {i: v for i, name in enumerate(node.input) if (v := self.value(name)) is not None}
            if not values:
                continue
            if node.op in CALLS:
                self.call_outputs(node)
            elif node.op in _READERS and set(values) == {0}:
                _READERS[node.op](node, values[0], self.body)
                self.changed = True
            else:
                raise self._unsupported(node)

    def value(self, input_name: str) -> Value | None:
        """The frozen variable's value the input entry carries, if it carried that variable's handle."""
        tensor = self.body.tensor(input_name)
        if tensor is None:
            return None
        if tensor not in self._values:
            self._resolve(tensor)
        return self._values[tensor]

    def _resolve(self, tensor: Tensor) -> None:
        """Work out the value of `tensor` after those it depends on, depth first without recursion
        (an Identity chain may be thousands long); a tensor that depends on itself is an error."""
        stack = [(tensor, iter(self._dependencies(tensor)))]
        on_path = {tensor}
        while stack:
            current, dependencies = stack[-1]
            needed = next((dep for dep in dependencies if dep not in self._values), None)
            if needed is None:
                self._values[current] = self._value_of(current)  # its dependencies are known: no recursion
                on_path.discard(current)
                stack.pop()
            elif needed in on_path:
                names = [entry.name for entry, _ in stack]
                raise cycle_error(names[names.index(needed.name):])
            else:
                stack.append((needed, iter(self._dependencies(needed))))
                on_path.add(needed)

    def _dependencies(self, tensor: Tensor) -> list[Tensor]:
        """The tensors whose values `_value_of(tensor)` asks for: an Identity's input, a call's handles."""
        if tensor.is_argument:
            return []
        node, op = self.body.node(tensor.name), self._original_ops.get(tensor.name)
        if op == "Identity" and node.input:
            inputs = node.input[:1]
        elif op in CALLS:
            inputs = handle_arguments(node, CALLS[op]).values()
        else:
            return []
        return [found for name in inputs if (found := self.body.tensor(name)) is not None]

    def returned_values(self) -> dict[int, Value]:
        """Position → value, for the function's resource outputs that now return a value."""
        function = self.body.function
        outputs = {}
        for position, arg in enumerate(function.signature.output_arg):
            if arg.type != types_pb2.DT_RESOURCE or arg.name not in function.ret:
                continue
            value = self.value(function.ret[arg.name])
            if value is not None:
                outputs[position] = value
        return outputs

    def call_outputs(self, node: node_def_pb2.NodeDef) -> dict[int, Value]:
        """Freeze the call once; its output positions that now carry values."""
        if node.name not in self._call_outputs:
            self._call_outputs[node.name] = self._freeze_call(node)
        return self._call_outputs[node.name]

    def _value_of(self, tensor: Tensor) -> Value | None:
        if tensor.is_argument:
            return self.body.argument_value(tensor.name)
        node, op = self.body.node(tensor.name), self._original_ops.get(tensor.name)
        if op == "Const":
            return self.body.const_value(node)
        if op == "Identity":
            return self.value(node.input[0]) if node.input else None
        if op in CALLS:
            return self.call_outputs(node).get(tensor.index)
        return None

    def _freeze_call(self, node: node_def_pb2.NodeDef) -> dict[int, Value]:
        spec = CALLS[node.op]
        args = {position: value for position, name in handle_arguments(node, spec).items()
                if (value := self.value(name)) is not None}
        if not args:
            return {}
        results = []
        for attr_name in spec.functions:
            for function in called(node, attr_name):
                function.name, outputs = self.copies.copy_for(function.name, args)
                if attr_name in spec.results:
                    results.append(outputs)
        outputs = merge_results(node, results)
        retype_call(node, spec, args, outputs)
        self.changed = True
        return outputs

    def _unsupported(self, node: node_def_pb2.NodeDef) -> CheckError:
        return CheckError(f"Node {node.name} ({node.op}) in {self.body.description} uses a variable's "
                          "handle in a way freezer cannot turn into a use of its value (only reads, "
                          "gathers, shapes and function calls); choose outputs that do not need it.")


def _takes_handle(node: node_def_pb2.NodeDef) -> bool:
    """In the graph, the nodes this pass rewrites: calls, and the Identities that carry a handle
    into or out of one (those fed by a Const directly are already retyped by `fold_variables`)."""
    return node.op in CALLS or (node.op == "Identity" and node.attr["T"].type == types_pb2.DT_RESOURCE)
