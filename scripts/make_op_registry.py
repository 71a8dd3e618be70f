"""Write freezer/ops/registry.py: every op's input and output arguments, from TensorFlow.

Inlining a function call turns the body's tensor names (`node:output_arg:index`) into graph names
(`node:port`), which needs each op's argument lists. They come from the op registry of the
installed TensorFlow (the C API's `TF_GetAllOpList`: every op registered in the process, TF's own
internal and test ops included) and are written as a Python module, so the table ships inside the
package with no package-data setup and is read by `freezer.ops.arguments` without TensorFlow.

Usage::

    python scripts/make_op_registry.py                 # rewrite freezer/ops/registry.py
    python scripts/make_op_registry.py --out FILE      # write it somewhere else

The output depends only on TensorFlow's version: ops sorted by name, arguments in OpDef order.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

TABLE_PATH = Path(__file__).resolve().parent.parent / "freezer" / "ops" / "registry.py"
REGENERATE = "python scripts/make_op_registry.py"
# `freezer.ops.arguments` parses argument entries by these characters, so a name must not hold them.
ARG_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
OP_NAME = re.compile(r"[A-Za-z0-9_>.]+")

HEADER = '''"""Each TensorFlow op's input and output arguments. Generated; do not edit.

Written by `{regenerate}` from the op registry of TensorFlow {version}
({count} ops); read by `freezer.ops.arguments`. A text table in a string, not a dict literal, as that
loads in a few milliseconds even where Python compiles the module afresh.

One line per op, sorted by name: `Op: inputs -> outputs`, each side the op's arguments in OpDef
order, separated by spaces, each argument one of

    name                one tensor
    name*ATTR           a list of ATTR tensors (ATTR an int attr: OpDef number_attr)
    name*[ATTR]         one tensor per entry of ATTR (a list(type) attr: OpDef type_list_attr)

followed by `=COUNT` when ATTR has a default: the count a NodeDef without ATTR means (graphs saved
with default attrs stripped omit it).
"""

TENSORFLOW_VERSION = {version!r}

OPS = """\\
'''


def all_op_defs() -> list:
    """Every OpDef registered in this process, sorted by name."""
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session as c_api

    buffer = c_api.TF_GetAllOpList()
    try:
        op_list = op_def_pb2.OpList.FromString(c_api.TF_GetBuffer(buffer))
    finally:
        c_api.TF_DeleteBuffer(buffer)
    return sorted(op_list.op, key=lambda op: op.name)


def default_counts(op_def) -> dict[str, int]:
    """attr name → the count its default gives, for the int and list(type) attrs with a default."""
    counts = {}
    for attr in op_def.attr:
        if not attr.HasField("default_value"):
            continue
        if attr.type == "int":
            counts[attr.name] = attr.default_value.i
        elif attr.type == "list(type)":
            counts[attr.name] = len(attr.default_value.list.type)
    return counts


def arg_entry(op_name: str, arg, defaults: dict[str, int]) -> str:
    """One argument as the table writes it: `name`, `name*ATTR` or `name*[ATTR]`, maybe `=COUNT`."""
    for name in (arg.name, arg.number_attr or arg.name, arg.type_list_attr or arg.name):
        if not ARG_NAME.fullmatch(name):
            raise SystemExit(f"{op_name}: argument or attr name {name!r} does not fit the table's format")
    if arg.number_attr:
        entry, attr = f"{arg.name}*{arg.number_attr}", arg.number_attr
    elif arg.type_list_attr:
        entry, attr = f"{arg.name}*[{arg.type_list_attr}]", arg.type_list_attr
    else:
        return arg.name
    return f"{entry}={defaults[attr]}" if attr in defaults else entry


def op_line(op_def) -> str:
    if not OP_NAME.fullmatch(op_def.name):
        raise SystemExit(f"op name {op_def.name!r} does not fit the table's format")
    defaults = default_counts(op_def)
    inputs = [arg_entry(op_def.name, arg, defaults) for arg in op_def.input_arg]
    outputs = [arg_entry(op_def.name, arg, defaults) for arg in op_def.output_arg]
    return " ".join([f"{op_def.name}:", *inputs, "->", *outputs]) + "\n"


def table_source() -> str:
    import tensorflow as tf

    op_defs = all_op_defs()
    header = HEADER.format(regenerate=REGENERATE, version=tf.version.VERSION, count=len(op_defs))
    return header + "".join(op_line(op_def) for op_def in op_defs) + '"""\n'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=TABLE_PATH, help=f"where to write (default: {TABLE_PATH})")
    args = parser.parse_args()
    source = table_source()
    args.out.write_text(source, encoding="utf-8")
    print(f"Wrote {args.out} ({len(source.encode())} bytes)")


if __name__ == "__main__":
    main()
