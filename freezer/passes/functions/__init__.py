"""Functions: v2 control flow and function calls, made to take variables' values.

    inline        the pass flattening calls: each PartitionedCall/StatefulPartitionedCall the
                  outputs reach becomes its function's nodes (`inline_calls`, unless --keep-calls)
    freeze        the pass: each call passing a folded variable gets a copy of its function
                  that takes the value (`freeze_functions`)
    body          the graph and a function body behind one interface
    calls         retyping a call node and a function's signature for values
    handle_reads  ReadVariableOp, ResourceGather, ... rewritten as reads of a value (shared with
                  the graph-level `passes.resources`)
    library       which functions are called; pruning the ones nothing calls
    names         the `node:output_arg:index` grammar of function bodies

    lower         with --lower-control-flow, If/Case/While become v1 control flow (Switch, Merge,
                  Enter, Exit, NextIteration), their functions inlined (`lower_control_flow`)
    splice        what inline and lower share: a function body copied into the graph, renamed
                  and rewired (`SplicedBody`), and the keeper holding a replaced node's name
"""

from freezer.passes.functions.freeze import freeze_functions
from freezer.passes.functions.inline import inline_calls
from freezer.passes.functions.lower import lower_control_flow

__all__ = ["freeze_functions", "inline_calls", "lower_control_flow"]
