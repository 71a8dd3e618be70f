"""Names a deployer can use: a SavedModel signature's inputs and outputs named by their keys.

TensorFlow names a signature's tensors after the function that made them — inputs
`serving_default_input_1:0`, outputs `StatefulPartitionedCall:0`, `:1`, ... — while the signature
calls them `input_1` and `predictions`. In the frozen graph each input is the `Placeholder` named by
its key and each output a node named by its key, so `Session::Run({{"input_1:0", x}},
{"predictions:0"}, ...)` works.

`add_signature_outputs` runs first: an `Identity` per requested output key reads the signature's
tensor, under a name of freezer's own, so every later pass (inlining the call that made the tensor,
pruning) sees an ordinary node. `name_by_signature` runs last, once variables are constants: it
gives those Identities and the input placeholders their keys, renaming any other node that holds a
key's name (never the key).
"""

from __future__ import annotations

from tensorboard.compat.proto import node_def_pb2

from freezer.graph import GraphIndex, InputRef, parse_input
from freezer.passes.base import PassContext, PassResult
from freezer.passes.rewrite import type_attr, unique_name

_OUTPUT_PREFIX = "freezer/signature_output/"
_COLOCATION_PREFIX = b"loc:@"


def add_signature_outputs(index: GraphIndex, ctx: PassContext) -> PassResult:
    """An Identity for each requested output key, unless its tensor already is `key:0`."""
    if not ctx.output_keys:  # a graph file, not a signature: no set of every name to make
        return PassResult(index.graph_def, changed=False)
    graph_def, taken, added = index.graph_def, set(index.nodes), False
    for key in ctx.output_keys:
        tensor, dtype = ctx.signature.outputs[key]
        if parse_input(tensor) == InputRef(key) and key in index:
            ctx.key_nodes[key] = key
        else:
            ctx.key_nodes[key] = unique_name(_OUTPUT_PREFIX + key, taken)
            taken.add(ctx.key_nodes[key])
            graph_def.node.append(node_def_pb2.NodeDef(name=ctx.key_nodes[key], op="Identity", input=[tensor],
                                                       attr={"T": type_attr(dtype)}))
            added = True
        ctx.outputs.append(ctx.key_nodes[key])
    return PassResult(graph_def, changed=added)


def name_by_signature(index: GraphIndex, ctx: PassContext) -> PassResult:
    if ctx.signature is None:
        return PassResult(index.graph_def, changed=False)
    wanted = {node: key for key, node in ctx.key_nodes.items()}  # the node holding an output → its key
    for key, (tensor, _) in ctx.signature.inputs.items():
        placeholder = parse_input(tensor).node
        if placeholder in index and index[placeholder].op == "Placeholder":
            wanted.setdefault(placeholder, key)
    wanted = {name: key for name, key in wanted.items() if name != key and name in index}
    renames = _make_way(set(index.nodes), wanted)
    if not renames:
        return PassResult(index.graph_def, changed=False)
    _rename(index, renames)
    ctx.outputs = [renames.get(name, name) for name in ctx.outputs]
    ctx.deferred = {renames.get(name, name): value for name, value in ctx.deferred.items()}
    return PassResult(index.graph_def, changed=True)


def _make_way(names: set[str], wanted: dict[str, str]) -> dict[str, str]:
    """Old name → new name: each node in `wanted` gets its key; a node already holding a key (and
    not itself getting one) moves to a free name like `key_1`."""
    keys = set(wanted.values())
    taken = names | keys
    renames = dict(wanted)
    for name in sorted(keys & names):
        if name not in wanted:
            renames[name] = unique_name(name, taken)
            taken.add(renames[name])
    return renames


def _rename(index: GraphIndex, renames: dict[str, str]) -> None:
    """Rename nodes and every reference to them: inputs, control inputs and colocation."""
    for node in index.graph_def.node:
        if node.name in renames:
            node.name = renames[node.name]
        for position, text in enumerate(node.input):
            ref = parse_input(text)
            if ref.node in renames:
                node.input[position] = str(InputRef(renames[ref.node], ref.port, ref.control))
        if "_class" in node.attr:
            entries = node.attr["_class"].list.s
            for position, entry in enumerate(entries):
                target = entry[len(_COLOCATION_PREFIX):].decode("utf-8", "replace")
                if entry.startswith(_COLOCATION_PREFIX) and target in renames:
                    entries[position] = _COLOCATION_PREFIX + renames[target].encode("utf-8")
