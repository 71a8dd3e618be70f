"""`freeze GRAPH [CHECKPOINT] --outputs NAMES` and `freeze SAVED_MODEL_DIR`: options, the call to
`freezer.api.freeze_files`, and the summary printed after it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from freezer.cli.common import (NAMES, CheckpointArgument, DebugOption, GraphArgument, RunOption, SignatureOption,
                                TagOption, VersionOption, describe_dtype, describe_shape, errors_as_one_line,
                                human_size, parse_assignments)
from freezer.cli.verify import (FeedOption, InputShapeOption, RtolOption, VerifyOption, plan_verification,
                                report_verification)
from freezer.engines import DEFAULT_ENGINE
from freezer.progress import NO_PROGRESS, Progress, TerminalProgress

if TYPE_CHECKING:
    from freezer.api import FreezeResult

OutputsOption = Annotated[Optional[list[str]], typer.Option(
    "--outputs", metavar=NAMES, help="Output node names, comma-separated or repeated; 'y' and 'y:0' both work. "
                                     "For a SavedModel: its signature's output keys or graph nodes (default: "
                                     "every output of the signature).", show_default=False)]
KeepCallsOption = Annotated[bool, typer.Option(
    "--keep-calls", metavar="", help="Keep function calls (PartitionedCall, StatefulPartitionedCall) instead of "
                                     "inlining them.", show_default=False)]
LowerControlFlowOption = Annotated[bool, typer.Option(
    "--lower-control-flow", metavar="", help="Lower If/While/Case to v1 control flow (Switch, Merge, Enter, ...) "
                                             "for consumers that know only those.", show_default=False)]
OutputOption = Annotated[Optional[str], typer.Option(  # str: a trailing "/" must reach the API
    "--output", "-o", metavar="FILE",
    help="Where to write the frozen graph (default: <graph stem>.frozen.pb beside the graph; from logs, "
         "<folder name>.frozen.pb in the log folder).", show_default=False)]
TextOption = Annotated[bool, typer.Option(
    "--text", metavar="", help="Write a text GraphDef (.pbtxt) instead of binary.", show_default=False)]
KeepDevicesOption = Annotated[bool, typer.Option(
    "--keep-devices", metavar="", help="Keep node device placements (cleared by default).", show_default=False)]
EngineOption = Annotated[str, typer.Option(
    "--engine", metavar="native|session",
    help="How to read the checkpoint: 'native' reads it directly (no TensorFlow needed); "
         "'session' has TensorFlow restore it.")]
SetOption = Annotated[Optional[list[str]], typer.Option(
    "--set", metavar="NAME=VALUE", help="Pin a placeholder to a constant, e.g. --set is_training=false (repeatable); "
                                        "branches it rules out are pruned.", show_default=False)]
KeepVariablesOption = Annotated[Optional[list[str]], typer.Option(
    "--keep-variables", metavar=NAMES, help="Variables to leave as variables (with their initializers), "
                                            "comma-separated or repeated.", show_default=False)]
OnlyVariablesOption = Annotated[Optional[list[str]], typer.Option(
    "--only-variables", metavar=NAMES, help="Freeze only these variables; the others stay variables.",
    show_default=False)]
InitOpOption = Annotated[Optional[list[str]], typer.Option(
    "--init-op", metavar=NAMES, help="Ops to run after restoring and before reading values, like freeze_graph's "
                                     "initializer_nodes (session engine).", show_default=False)]
OptimizeOption = Annotated[bool, typer.Option(
    "--optimize", metavar="", help="Also optimize for inference (for OpenCV dnn, TFLite, tf2onnx): fold "
                                   "constants and batch norms, drop Identity nodes.", show_default=False)]
WeightsOption = Annotated[str, typer.Option(
    "--weights", metavar="float32|float16", help="How float32 constants are stored: float16 halves the file "
                                                 "(cast back to float32 where they are used).")]
ReportOption = Annotated[Optional[Path], typer.Option(
    "--report", metavar="FILE.json", help="Also write a JSON record of the freeze: inputs and their sha256, "
                                          "outputs, variables, repairs, timings.", show_default=False)]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", metavar="", help="Print only errors.", show_default=False)]

def freeze_command(ctx: typer.Context, graph: GraphArgument, checkpoint: CheckpointArgument = None, *,
                   outputs: OutputsOption = None, output: OutputOption = None, text: TextOption = False,
                   tag: TagOption = None, signature: SignatureOption = None, keep_calls: KeepCallsOption = False,
                   lower_control_flow: LowerControlFlowOption = False,
                   keep_devices: KeepDevicesOption = False, set_: SetOption = None,
                   keep_variables: KeepVariablesOption = None, only_variables: OnlyVariablesOption = None,
                   init_op: InitOpOption = None, engine: EngineOption = DEFAULT_ENGINE,
                   run: RunOption = None, optimize: OptimizeOption = False, weights: WeightsOption = "float32",
                   report: ReportOption = None, quiet: QuietOption = False,
                   verify: VerifyOption = False, feed: FeedOption = None, input_shape: InputShapeOption = None,
                   rtol: RtolOption = None, debug: DebugOption = False, version: VersionOption = None) -> None:
    """Freeze GRAPH with CHECKPOINT: variables the outputs need become constants, the rest is pruned."""
    from freezer.api import freeze_files  # here, so that --help need not load numpy
    from freezer.outputs import split_names
    with errors_as_one_line(debug):
        verification = plan_verification(verify, feed, input_shape, rtol)  # bad options fail before writing
        if report is not None:
            from freezer.report import ensure_report_path
            ensure_report_path(report, graph, output)
        result = freeze_files(graph, checkpoint, outputs=outputs, output=output, as_text=text, tag=tag,
                              signature=signature, keep_calls=keep_calls, lower_control_flow=lower_control_flow,
                              keep_devices=keep_devices, pin=parse_assignments(set_ or []),
                              keep_variables=split_names(keep_variables or []),
                              only_variables=None if only_variables is None else split_names(only_variables),
                              init_ops=split_names(init_op or []), engine=engine, run=run, optimize=optimize,
                              weights=weights,
                              progress=progress_for(quiet))
        if report is not None:
            from freezer.report import write_report
            write_report(report, result, command=[ctx.find_root().info_name, *sys.argv[1:]])
    if not quiet:
        print_summary(result)
    report_verification(verification, result, graph, checkpoint, outputs=outputs, tag=tag, signature=signature,
                        pin=parse_assignments(set_ or []), run=run, quiet=quiet, debug=debug)


def progress_for(quiet: bool) -> Progress:
    """A bar for big reads and writes, on a terminal only: never in a pipe, a CI log or with --quiet."""
    return TerminalProgress() if not quiet and sys.stderr.isatty() else NO_PROGRESS


def print_summary(result: FreezeResult) -> None:
    for note in result.notes:
        typer.echo(f"Note: {note}")
    for kind, tensors in (("Inputs", result.inputs), ("Outputs", result.outputs)):
        if tensors:
            typer.echo(f"{kind}: " + ", ".join(f"{key}:0 {describe_dtype(tensor.dtype)} {describe_shape(tensor.shape)}"
                                               for key, tensor in tensors.items()))
    if result.optimized:
        typer.echo("Optimized: " + ", ".join(f"{what} {count}" for what, count in result.optimized.items()))
    typer.echo(f"Froze {len(result.variables)} variable(s) ({human_size(result.variable_bytes)}); "
               f"nodes {result.nodes_before} -> {result.nodes_after}")
    typer.echo(f"Wrote {result.output_path} ({human_size(result.output_bytes or 0)}) "
               f"in {result.seconds:.2f} s")
