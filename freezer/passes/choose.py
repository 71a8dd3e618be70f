"""Choose what to freeze: the variables the user keeps, what must initialize them, and the rest.

`choose_kept_variables` decides which of the variables the outputs reach stay variables
(`--keep-variables`, `--only-variables`); `keep_initializers` keeps what fills the lookup tables the
outputs use and what initializes each kept variable, behind one init op that becomes an output too;
`describe_frozen_variables` lists the others with their checkpoint keys, for the read-values stage.
"""

from __future__ import annotations

from freezer.errors import OptionError
from freezer.graph import GraphIndex, format_suggestions, nearest, reachable
from freezer.initializers import (
    ensure_init_op,
    table_initializers,
    variable_initializers,
)
from freezer.ops import VARIABLE_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.variables import describe_with_keys, is_variable


def choose_kept_variables(index: GraphIndex, ctx: PassContext) -> PassResult:
    """The variables the outputs reach that the options say to leave as variables."""
    opts = ctx.options
    if opts.only_variables is not None and not opts.only_variables:
        raise OptionError("--only-variables names no variable; give the variables to freeze, e.g. "
                          "--only-variables dense/kernel,dense/bias.")
    both = set(opts.keep_variables) & set(opts.only_variables or ())
    if both:
        raise OptionError(f"{sorted(both)[0]} is both kept (--keep-variables) and frozen (--only-variables); "
                          "name it in one of them.")
    for option, names in (("--keep-variables", opts.keep_variables), ("--only-variables", opts.only_variables or ())):
        for name in names:
            if name not in index or not is_variable(index[name]):
                raise OptionError(f"{option} {name}: no variable {name!r} in the graph; give variable node "
                                  "names as the graph has them."
                                  f"{format_suggestions(nearest(name, variable_names(index)))}")
    if not opts.keep_variables and opts.only_variables is None:
        return PassResult(index.graph_def, changed=False)  # every variable is frozen
    needed_variables = set(variable_names(index)) & reachable(index, ctx.outputs)
    ctx.kept = needed_variables & set(opts.keep_variables)
    if opts.only_variables is not None:
        ctx.kept |= needed_variables - set(opts.only_variables)
    return PassResult(index.graph_def, changed=False)


def keep_initializers(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Keep the initializers of the tables the outputs use and of kept variables behind one init op.

    An `--init-op` naming one of those initializers chose it; the other `--init-op`s are run before
    values are read, which needs TensorFlow.
    """
    graph = index.graph_def
    tables = table_initializers(index, reachable(index, ctx.outputs))
    in_graph_order = [name for name in index.nodes if name in ctx.kept] if ctx.kept else []
    variables = variable_initializers(index, in_graph_order, declared=ctx.declared_initializers,
                                      chosen=ctx.options.init_ops)
    ctx.ops_to_run = [name for name in ctx.options.init_ops if name not in variables]
    if ctx.ops_to_run and ctx.options.engine != "session":
        raise OptionError("--init-op runs ops of the graph, which needs TensorFlow; add --engine session.")
    if not tables and not variables:
        return PassResult(graph, changed=False)
    nodes_before = len(graph.node)
    ctx.init_op = ensure_init_op(index, tables + variables)
    ctx.outputs = [*ctx.outputs, ctx.init_op]
    what = (["the lookup tables"] if tables else []) + ([f"the kept variables ({', '.join(sorted(ctx.kept))})"]
                                                         if variables else [])
    ctx.notes.append(f"Run {ctx.init_op!r} once before the outputs: it initializes {' and '.join(what)}.")
    return PassResult(graph, changed=len(graph.node) != nodes_before)


def describe_frozen_variables(index: GraphIndex, ctx: PassContext) -> PassResult:
    """The variables left to freeze, keyed by the restore mapping of the graph as given (found before
    the passes began, `PassContext.variable_keys`)."""
    names = [name for name in variable_names(index) if name not in ctx.kept]
    ctx.variables = describe_with_keys(index, names, ctx.variable_keys)
    if not ctx.variables:
        ctx.notes.append("The outputs need no variables; the graph was only pruned.")
    return PassResult(index.graph_def, changed=False)


def variable_names(index: GraphIndex) -> list[str]:
    """The graph's variable nodes, in graph order."""
    return [name for name, op in index.ops.items() if op in VARIABLE_OPS]
