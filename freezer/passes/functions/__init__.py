"""Functions: v2 control flow and function calls, made to take variables' values.

    freeze        the pass: each call passing a folded variable gets a copy of its function
                  that takes the value (`freeze_functions`)
    body          the graph and a function body behind one interface
    calls         retyping a call node and a function's signature for values
    handle_reads  ReadVariableOp, ResourceGather, ... rewritten as reads of a value (shared with
                  the graph-level `passes.resources`)
    library       which functions are called; pruning the ones nothing calls
    names         the `node:output_arg:index` grammar of function bodies

Inlining calls and lowering functional control flow to v1 (issue 7) will live here too.
"""

from freezer.passes.functions.freeze import freeze_functions

__all__ = ["freeze_functions"]
