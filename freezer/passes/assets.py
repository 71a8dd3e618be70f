"""Asset files: a lookup table a SavedModel fills from `assets/vocab.txt` is filled from constants.

`InitializeTableFromTextFile(V2)` reads the file its input 1 names when the init op runs; in a
SavedModel that name is a tensor TensorFlow's loader feeds with the asset's path (`asset_file_def`),
so a frozen graph would read a path that exists only where it was frozen. Three passes make the
`.pb` self-contained:

- `inline_init_op_calls` (prepare): TF2 fills its tables inside the function the SavedModel's init
  op calls, so those calls are inlined with the outputs' calls and their initializers become
  graph nodes, which `keep_initializers` then keeps behind the one init op.
- `bind_asset_files` (prepare): each initializer of a table the outputs use reads its file name
  straight from the asset tensor behind it — through `Identity`s and, in TF2, the resource
  variable the init op assigns the path to — so that variable is no longer needed.
- `embed_asset_files` (read values): each initializer reading an asset gets the file's keys and
  values (`freezer.io.text_tables`, TensorFlow's semantics) as Consts and becomes its
  `LookupTableImport(V2)` twin. Initializers reading another path keep it, with a note.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from tensorboard.compat.proto import node_def_pb2

from freezer.errors import GraphError
from freezer.graph import GraphIndex, InputRef, parse_input, reachable
from freezer.io.text_tables import TextFileFormat, read_text_table
from freezer.ops import INITIALIZABLE_TABLE_OPS, TABLE_INIT_OPS, TEXT_FILE_TABLE_INIT_AS, WHOLE_ASSIGN_OPS
from freezer.passes.base import PassContext, PassResult
from freezer.passes.functions.inline import inline_calls
from freezer.passes.rewrite import replace_op, type_attr, unique_name, value_tensor

_SHOWN_PATH = 80  # characters of a file path a note quotes


def inline_init_op_calls(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Inline the calls the outputs and the SavedModel's init op reach, when a library function fills
    a table (TF2's initializers run only there); otherwise leave inlining to `inline_calls`."""
    init_op = ctx.load_init_op
    functions = index.graph_def.library.function
    if (init_op is None or init_op not in index or ctx.options.keep_calls
            or not any(node.op in TABLE_INIT_OPS for function in functions for node in function.node_def)):
        return PassResult(index.graph_def, changed=False)
    return inline_calls(index, dataclasses.replace(ctx, outputs=[*ctx.outputs, init_op]))


def bind_asset_files(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Point each text-file initializer of a needed table at the asset tensor its file name comes from."""
    if not ctx.assets:
        return PassResult(index.graph_def, changed=False)
    needed = reachable(index, ctx.outputs)
    changed = False
    paths = _AssetPaths(index, ctx.assets)
    for node in index.graph_def.node:
        if node.op in TEXT_FILE_TABLE_INIT_AS and len(node.input) > 1 and parse_input(node.input[0]).node in needed:
            asset = paths.behind(node.input[1])
            if asset is not None and asset != node.input[1]:
                node.input[1] = asset
                changed = True
    return PassResult(index.graph_def, changed=changed)


class _AssetPaths:
    """Which asset tensor a file-name input carries: following `Identity`s, and a `ReadVariableOp`
    back to the one assign of its variable (TF2 keeps an asset's path in a variable the init op
    assigns it to). Every walk stops at a node it has seen."""

    def __init__(self, index: GraphIndex, assets):
        self._index = index
        self._assets = assets
        self._assigns: dict[str, list[node_def_pb2.NodeDef]] = {}
        for node in index.graph_def.node:
            if node.op in WHOLE_ASSIGN_OPS and len(node.input) > 1:
                self._assigns.setdefault(parse_input(node.input[0]).node, []).append(node)

    def behind(self, input_name: str) -> str | None:
        ref, seen = parse_input(input_name), set()
        while not ref.control and ref.node not in seen:
            if str(ref) in self._assets:
                return str(ref)
            seen.add(ref.node)
            ref = self._source(ref)
            if ref is None:
                return None
        return None

    def _source(self, ref: InputRef) -> InputRef | None:
        node = self._index.nodes.get(ref.node)
        if node is None or not node.input:
            return None
        if node.op == "Identity":
            return parse_input(node.input[0])
        if node.op == "ReadVariableOp":
            assigns = self._assigns.get(parse_input(node.input[0]).node, [])
            return parse_input(assigns[0].input[1]) if len(assigns) == 1 else None
        return None


def embed_asset_files(index: GraphIndex, ctx: PassContext) -> PassResult:
    """Fill each table an asset file fills from Consts of the file's keys and values."""
    graph_def = index.graph_def
    if not index.op_set & TEXT_FILE_TABLE_INIT_AS.keys():
        return PassResult(graph_def, changed=False)
    taken = set(index.nodes)
    added: list[node_def_pb2.NodeDef] = []
    for node in list(graph_def.node):
        if node.op not in TEXT_FILE_TABLE_INIT_AS or len(node.input) < 2:
            continue
        asset = ctx.assets.get(str(parse_input(node.input[1])))
        if asset is None:
            ctx.notes.append(f"Table initializer {node.name} reads {_file_named(index, node.input[1])} when the "
                             "init op runs; that file must exist where the frozen graph runs.")
            continue
        added += _import_from_constants(index, node, asset, taken, ctx.deferred)
        ctx.notes.append(f"Embedded {asset} in the graph: table initializer {node.name} reads no file.")
    graph_def.node.extend(added)
    return PassResult(graph_def, changed=bool(added))


def _import_from_constants(index: GraphIndex, node: node_def_pb2.NodeDef, asset, taken: set[str],
                           deferred: dict[str, np.ndarray]) -> list[node_def_pb2.NodeDef]:
    """Make `node` its LookupTableImport twin fed Consts of the file's keys and values (returned)."""
    table = index.producer(node.input[0])
    if table is None or table.op not in INITIALIZABLE_TABLE_OPS:
        raise GraphError(f"Table initializer {node.name} fills {node.input[0]!r}, which is not a hash table "
                         "TensorFlow can initialize; export the model again.")
    key_dtype, value_dtype = table.attr["key_dtype"].type, table.attr["value_dtype"].type
    attrs = node.attr
    fmt = TextFileFormat(key_index=attrs["key_index"].i, value_index=attrs["value_index"].i, key_dtype=key_dtype,
                         value_dtype=value_dtype, delimiter=attrs["delimiter"].s if "delimiter" in attrs else b"\t",
                         vocab_size=attrs["vocab_size"].i if "vocab_size" in attrs else -1,
                         offset=attrs["offset"].i if "offset" in attrs else 0)
    keys, values = read_text_table(asset, fmt, owner=f"table initializer {node.name}")
    constants = []
    for part, array, dtype in (("keys", keys, key_dtype), ("values", values, value_dtype)):
        name = unique_name(f"{node.name}/{part}", taken)
        taken.add(name)
        constants.append(_const(name, array, dtype, deferred))
    controls = [name for name in node.input if name.startswith("^")]
    replace_op(node, TEXT_FILE_TABLE_INIT_AS[node.op], {"Tin": type_attr(key_dtype), "Tout": type_attr(value_dtype)})
    del node.input[1:]
    node.input.extend([constant.name for constant in constants] + controls)
    return constants


def _const(name: str, array: np.ndarray, dtype: int, deferred: dict[str, np.ndarray]) -> node_def_pb2.NodeDef:
    """A Const of `array`; numbers wait in `deferred` for the writer, as folded variables do."""
    node = node_def_pb2.NodeDef(name=name, op="Const")
    node.attr["dtype"].type = dtype
    node.attr["value"].tensor.CopyFrom(value_tensor(name, array, dtype, deferred))
    return node


def _file_named(index: GraphIndex, input_name: str) -> str:
    """'the file /path/vocab.txt' when a Const names it, else 'the file tensor X names'."""
    source = index.producer(input_name)
    names = source.attr["value"].tensor.string_val if source is not None and source.op == "Const" else []
    if len(names) != 1:
        return f"the file tensor {input_name} names"
    path = names[0].decode("utf-8", "replace")
    return f"the file {path if len(path) <= _SHOWN_PATH else path[:_SHOWN_PATH] + '...'}"
