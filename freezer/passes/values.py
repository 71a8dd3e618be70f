"""Read values: each variable to freeze gets its value from the checkpoint, through an engine.

The one stage that reads a file. With `--init-op`s to run first, TensorFlow restores every variable
the graph as given can restore, runs them, and then reads the values (`freeze_graph`'s
`initializer_nodes`).
"""

from __future__ import annotations

from freezer.engines.read import read_after_init_ops, read_variables
from freezer.errors import CheckpointError
from freezer.graph import GraphIndex
from freezer.passes.base import PassContext, PassResult
from freezer.passes.choose import variable_names
from freezer.variables import describe_with_keys


def read_values(index: GraphIndex, ctx: PassContext) -> PassResult:
    if not ctx.variables:
        return PassResult(index.graph_def, changed=False)
    if ctx.checkpoint is None:
        names = ", ".join(v.name for v in ctx.variables[:3]) + (", ..." if len(ctx.variables) > 3 else "")
        raise CheckpointError(f"The outputs need {len(ctx.variables)} variable(s) ({names}) but no checkpoint "
                              "was given; pass the checkpoint prefix or folder after the graph.")
    if not ctx.ops_to_run:
        ctx.values = read_variables(ctx.options.engine, ctx.checkpoint, ctx.variables, ctx.notes, ctx.progress)
    else:
        original = ctx.original
        restorable = describe_with_keys(original, variable_names(original), ctx.variable_keys)
        ctx.values = read_after_init_ops(ctx.checkpoint, ctx.variables, original.graph_def, restorable, ctx.ops_to_run)
    return PassResult(index.graph_def, changed=False)
