"""Prune the function library to the functions the graph's nodes can call.

A node calls a function through a `func` attr (`f`, `then_branch`, `body`, ...), a list of them
(`Case`'s `branches`), a function attr nested in those, or by using the function's name as its op.
Calls inside kept functions count too, and a kept function keeps its gradient function. Kept
functions stay in their order; nothing else in a function is changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from tensorboard.compat.proto import attr_value_pb2, function_pb2, graph_pb2, node_def_pb2


def prune_library(graph_def: graph_pb2.GraphDef) -> bool:
    """Drop the library functions (and gradients) no node of the graph reaches; True if any went."""
    library = graph_def.library
    kept = reachable_functions(graph_def)
    removed = (_remove(library.function, lambda f: f.signature.name not in kept)
               + _remove(library.gradient, lambda g: g.function_name not in kept)
               + _remove(library.registered_gradients, lambda g: g.gradient_func not in kept))
    if removed and not library.ListFields():
        graph_def.ClearField("library")
    return removed > 0


def reachable_functions(graph_def: graph_pb2.GraphDef) -> set[str]:
    """Names of the library functions the graph's nodes call, directly or through other functions."""
    library = graph_def.library
    if not library.function:  # nothing to call (and no reason to look at every node's attrs)
        return set()
    functions = {f.signature.name: f for f in library.function}
    gradient_of = {g.function_name: g.gradient_func for g in library.gradient}
    seen: set[str] = set()
    pending = list(called_functions(graph_def.node, functions))
    while pending:
        name = pending.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        pending.extend(called_functions(functions[name].node_def, functions))
        pending.extend(called_in_attrs(functions[name].attr))
        if name in gradient_of:
            pending.append(gradient_of[name])
    return seen


def called_functions(nodes: Iterable[node_def_pb2.NodeDef],
                     functions: Mapping[str, function_pb2.FunctionDef]) -> Iterator[str]:
    """The function names the nodes call: in their attrs, or as their op."""
    for node in nodes:
        if node.op in functions:
            yield node.op
        yield from called_in_attrs(node.attr)


def called_in_attrs(attrs: Mapping[str, attr_value_pb2.AttrValue]) -> Iterator[str]:
    """Function names in `func` and `list.func` attr values, including those nested in them."""
    # This runs for every attr of every node: most values are neither a func nor a list, skipped at once.
    pending = [value for value in attrs.values() if value.WhichOneof("value") in ("func", "list")]
    while pending:
        value = pending.pop()
        for func in [value.func] if value.WhichOneof("value") == "func" else value.list.func:
            yield func.name
            pending.extend(func.attr.values())


def _remove(field, unwanted) -> int:
    """Delete the items of a repeated field for which `unwanted` is true; how many went.

    The field is rebuilt once: deleting items one by one would shift the rest each time.
    """
    kept = [item for item in field if not unwanted(item)]
    removed = len(field) - len(kept)
    if removed:
        del field[:]
        field.extend(kept)
    return removed
