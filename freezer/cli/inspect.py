"""`freezer inspect GRAPH|SAVED_MODEL [CHECKPOINT]`: what a graph holds, as text or `--json`.

The command builds `freezer.inspect.inspect_path`'s result and prints it; a `FreezerError` is one
`Error: ...` line on stderr and exit code 1, as for `freeze`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import typer

from freezer.cli.common import (CheckpointArgument, DebugOption, GraphArgument, RunOption, SignatureOption,
                                TagOption, describe_shape, errors_as_one_line, human_size)

if TYPE_CHECKING:
    from freezer.inspect import CheckpointReport, FreezePreview, Inspection, Tensor

JsonOption = Annotated[bool, typer.Option(
    "--json", metavar="", help="Print one JSON document (keys listed in the README) instead of text.",
    show_default=False)]
_OUTPUTS_SHOWN = 10  # candidate outputs listed in the text
_OPS_SHOWN = 10  # op types in the text's histogram
_KEYS_SHOWN = 10  # missing variables, unused keys, ... listed in the text


def inspect_command(graph: GraphArgument, checkpoint: CheckpointArgument = None, *, json_: JsonOption = False,
                    tag: TagOption = None, signature: SignatureOption = None, run: RunOption = None,
                    debug: DebugOption = False) -> None:
    """Show GRAPH's inputs, likely outputs (with a freeze command to copy), variables and CHECKPOINT."""
    from freezer.inspect import inspect_path  # here, so that --help need not load numpy
    with errors_as_one_line(debug):
        report = inspect_path(graph, checkpoint, tag=tag, signature=signature, run=run)
    if json_:
        typer.echo(json.dumps(report.to_json(), indent=2))
    else:
        typer.echo("\n".join(render(report)))


def render(report: Inspection) -> list[str]:
    """The text `freezer inspect` prints, as lines."""
    lines = [f"Note: {note}" for note in report.notes]
    where = f" ({report.read_from})" if report.read_from else ""
    lines.append(f"{report.path}{where}: {report.nodes} nodes, {report.functions} functions")
    if report.saved_model is not None:
        lines += _saved_model_lines(report)
    lines += ["", "Inputs:"] + (_input_lines(report) or ["  none"])
    lines += ["", "Outputs, best guess first:" if report.saved_model is None
              else f"Outputs of signature {report.saved_model.signature!r}:"]
    lines += _output_lines(report) or ["  none found"]
    lines += ["", "To freeze:", f"  {report.freeze_command}", "", _variables_line(report)]
    if report.checkpoint is not None:
        lines += _checkpoint_lines(report.checkpoint)
    lines += _preview_lines(report.freeze)
    shown = list(report.op_counts.items())[:_OPS_SHOWN]
    more = len(report.op_counts) - len(shown)
    lines += ["", f"Ops ({sum(report.op_counts.values())} nodes, graph and functions): "
              + ", ".join(f"{op} {count}" for op, count in shown) + (f", and {more} more" if more > 0 else "")]
    return lines


def _tensor_text(tensor: Tensor) -> str:
    return f"{tensor.dtype or '?'} {describe_shape(tensor.shape)}"


def _saved_model_lines(report: Inspection) -> list[str]:
    info = report.saved_model
    lines = [f"Tag sets: {'; '.join(info.tag_sets)} (inspected: {info.tags})", "Signatures:"]
    for signature in info.signatures:
        marker = "*" if signature.name == info.signature else " "
        lines.append(f" {marker}{signature.name}")
        for side in ("inputs", "outputs"):
            for tensor in getattr(signature, side):
                lines.append(f"    {side[:-1]:6} {tensor.name}: {_tensor_text(tensor)} "
                             f"({signature.tensors[f'{side}/{tensor.name}']})")
    return lines


def _input_lines(report: Inspection) -> list[str]:
    lines = []
    for tensor in report.inputs:
        default = f", default {tensor.default} (pin with --set {tensor.name}=VALUE)" if tensor.default else ""
        unused = "" if tensor.needed else "; the likely outputs do not read it"
        lines.append(f"  {tensor.name}: {_tensor_text(tensor)} ({tensor.op}{default}){unused}")
    return lines


def _output_lines(report: Inspection) -> list[str]:
    lines = []
    for tensor in report.outputs[:_OUTPUTS_SHOWN]:
        reason = f"; {tensor.reason}" if tensor.reason else ""
        source = f", {tensor.tensor}" if tensor.tensor else ""
        lines.append(f"  {tensor.name}: {_tensor_text(tensor)} ({tensor.op}{source}{reason})")
    if len(report.outputs) > _OUTPUTS_SHOWN:
        lines.append(f"  ... and {len(report.outputs) - _OUTPUTS_SHOWN} more (--json lists them all)")
    return lines


def _variables_line(report: Inspection) -> str:
    variables = report.variables
    if not variables.count:
        return "Variables: none"
    unknown = f", {variables.unknown_size} of unknown size" if variables.unknown_size else ""
    dtypes = ", ".join(f"{dtype} {count}" for dtype, count in variables.dtypes.items())
    return f"Variables: {variables.count} ({human_size(variables.bytes)}{unknown}): {dtypes}"


def _checkpoint_lines(checkpoint: CheckpointReport) -> list[str]:
    lines = [f"Checkpoint {checkpoint.prefix}: {checkpoint.keys} keys"]
    if not (checkpoint.missing or checkpoint.mismatched or checkpoint.unused_keys):
        return [lines[0] + "; it holds every variable, and every key is used."]
    if checkpoint.missing:
        lines.append("  missing: " + _listing(name if name == key else f"{name} (saved as {key!r})"
                                              for name, key in checkpoint.missing))
    for mismatch in checkpoint.mismatched[:_KEYS_SHOWN]:
        lines.append(f"  differs: {mismatch.variable} is {_tensor_text(mismatch.graph)} in the graph, "
                     f"{_tensor_text(mismatch.checkpoint)} in the checkpoint ({mismatch.key!r})")
    if checkpoint.unused_keys:
        lines.append("  unused keys: " + _listing(checkpoint.unused_keys))
    return lines


def _listing(names: Iterable[str]) -> str:
    names = list(names)
    more = f", ... ({len(names)} in all)" if len(names) > _KEYS_SHOWN else ""
    return ", ".join(names[:_KEYS_SHOWN]) + more


def _preview_lines(preview: FreezePreview) -> list[str]:
    findings = [
        (f"freeze {preview.variables} variable(s) into constants", None),
        ("repair ref ops", preview.repaired), ("drop resource assigns", preview.dropped),
        ("keep lookup tables, with their initializers behind one init op", preview.tables),
        ("keep v1 control flow", preview.v1_control_flow),
        ("keep v2 control flow (--lower-control-flow lowers it)", preview.v2_control_flow),
        ("inline function calls (--keep-calls keeps them)", preview.function_calls),
    ]
    lines = ["", "A freeze of these outputs would:"]
    for what, ops in findings:
        if ops is None and preview.variables:
            lines.append(f"  {what}")
        elif ops:
            lines.append(f"  {what}: " + ", ".join(f"{op} {count}" for op, count in ops.items()))
    return lines if len(lines) > 2 else lines[:1] + ["A freeze of these outputs would only prune the graph."]
