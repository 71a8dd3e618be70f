"""The command line: `freeze GRAPH [CHECKPOINT] --outputs NAMES`, `freeze SAVED_MODEL_DIR`, and the
`freezer` command group.

This module only parses options, calls `freezer.api`, and turns the result or a `FreezerError` into
what the user reads: a short summary on stdout, or one `Error: ...` line on stderr and exit code 1.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from freezer import __version__
from freezer.cli_usage import Command, FreezeCommand, Group
from freezer.engines import DEFAULT_ENGINE
from freezer.errors import FreezerError, OptionError
from freezer.progress import NO_PROGRESS, Progress, TerminalProgress

if TYPE_CHECKING:
    from freezer.api import FreezeResult

# Help shows each value as the user types it: a flag takes none (metavar ""; typer would print
# "<bool>"), and a list option takes names, comma-separated or repeated (not "<list[str]>").
NAMES = "NAME[,NAME…]"
GraphArgument = Annotated[Path, typer.Argument(
    # readable=False: freezer reads the file itself, so an unreadable one is one `Error:` line
    # (exit 1) like every other bad file, not a usage error from the argument parser.
    metavar="GRAPH", readable=False,
    help="GraphDef (.pbtxt text or .pb binary), MetaGraphDef (.meta), a SavedModel folder, or a TensorBoard "
         "events file or log folder (the last graph written to it).", show_default=False)]
CheckpointArgument = Annotated[Optional[str], typer.Argument(
    metavar="CHECKPOINT",
    help="Checkpoint prefix (ckpt/model-1000), its .index file, or its folder. "
         "Optional for a .meta whose checkpoint sits beside it.", show_default=False)]
OutputsOption = Annotated[Optional[list[str]], typer.Option(
    "--outputs", metavar=NAMES, help="Output node names, comma-separated or repeated; 'y' and 'y:0' both work. "
                                     "For a SavedModel: its signature's output keys or graph nodes (default: "
                                     "every output of the signature).", show_default=False)]
TagOption = Annotated[Optional[str], typer.Option(
    "--tag", metavar="TAG[,TAG…]", help="SavedModel: the tag set of the MetaGraph to freeze (default: serve, or "
                                        "the only one; \"\" for one saved without tags).", show_default=False)]
SignatureOption = Annotated[Optional[str], typer.Option(
    "--signature", metavar="NAME", help="SavedModel: the signature to freeze (default: serving_default, or the "
                                        "only one).", show_default=False)]
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
RunOption = Annotated[Optional[str], typer.Option(
    "--run", metavar="NAME", help="The run of a log folder to read the graph from (its subfolder, as "
                                  "TensorBoard names it), when several runs hold graphs.", show_default=False)]
ReportOption = Annotated[Optional[Path], typer.Option(
    "--report", metavar="FILE.json", help="Also write a JSON record of the freeze: inputs and their sha256, "
                                          "outputs, variables, repairs, timings.", show_default=False)]
QuietOption = Annotated[bool, typer.Option(
    "--quiet", "-q", metavar="", help="Print only errors.", show_default=False)]
DebugOption = Annotated[bool, typer.Option(
    "--debug", metavar="", help="Show the traceback of an error.", show_default=False)]


def _print_version(wanted: bool) -> None:
    if wanted:
        typer.echo(f"freezer {__version__}")
        raise typer.Exit()


VersionOption = Annotated[Optional[bool], typer.Option(
    "--version", metavar="", callback=_print_version, is_eager=True, help="Print freezer's version and exit.",
    show_default=False)]


def freeze_command(ctx: typer.Context, graph: GraphArgument, checkpoint: CheckpointArgument = None, *,
                   outputs: OutputsOption = None, output: OutputOption = None, text: TextOption = False,
                   tag: TagOption = None, signature: SignatureOption = None, keep_calls: KeepCallsOption = False,
                   lower_control_flow: LowerControlFlowOption = False,
                   keep_devices: KeepDevicesOption = False, set_: SetOption = None,
                   keep_variables: KeepVariablesOption = None, only_variables: OnlyVariablesOption = None,
                   init_op: InitOpOption = None, engine: EngineOption = DEFAULT_ENGINE,
                   run: RunOption = None, report: ReportOption = None, quiet: QuietOption = False,
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
                              init_ops=split_names(init_op or []), engine=engine, run=run,
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


@contextlib.contextmanager
def errors_as_one_line(debug: bool) -> Iterator[None]:
    """Any error inside becomes `Error: ...` on stderr and exit code 1 (with --debug: its traceback)."""
    try:
        yield
    except Exception as error:
        if debug:
            raise
        typer.echo(f"Error: {describe_error(error)}", err=True)
        raise typer.Exit(1) from None


def describe_error(error: Exception) -> str:
    """One line for the user: a FreezerError's own message; anything else is freezer's fault."""
    if isinstance(error, FreezerError):
        message = str(error)
    elif isinstance(error, OSError) and error.filename is not None:
        message = f"Cannot use {error.filename}: {error.strerror}; check the path."
    else:
        message = (f"freezer failed unexpectedly ({type(error).__name__}: {error}); rerun with --debug "
                   "to see where, and please report it with the graph that caused it.")
    return " ".join(message.split())


def parse_assignments(items: list[str]) -> dict[str, str]:
    """["is_training=false"] → {"is_training": "false"}."""
    pins = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OptionError(f"--set {item}: expected NAME=VALUE, e.g. --set is_training=false.")
        pins[name.strip()] = value.strip()
    return pins


def print_summary(result: FreezeResult) -> None:
    for note in result.notes:
        typer.echo(f"Note: {note}")
    for kind, tensors in (("Inputs", result.inputs), ("Outputs", result.outputs)):
        if tensors:
            typer.echo(f"{kind}: " + ", ".join(f"{key}:0 {describe_dtype(tensor.dtype)} {describe_shape(tensor.shape)}"
                                               for key, tensor in tensors.items()))
    typer.echo(f"Froze {len(result.variables)} variable(s) ({human_size(result.variable_bytes)}); "
               f"nodes {result.nodes_before} -> {result.nodes_after}")
    typer.echo(f"Wrote {result.output_path} ({human_size(result.output_bytes or 0)}) "
               f"in {result.seconds:.2f} s")


def describe_dtype(dtype: int) -> str:
    """`float`, or `?` where the graph does not say."""
    from freezer.tensors import dtype_name  # here, so that --help need not load numpy
    return dtype_name(dtype) if dtype else "?"


def describe_shape(shape: tuple[int | None, ...] | None) -> str:
    """`[?, 224, 224, 3]`, or `[...]` when even the rank is unknown."""
    return "[...]" if shape is None else "[" + ", ".join("?" if dim is None else str(dim) for dim in shape) + "]"


def human_size(size: int) -> str:
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.2f} GiB"


# `-h` works like `--help` (the freezer group's context passes it on to `freezer freeze`).
_CONTEXT = {"help_option_names": ["-h", "--help"]}
freeze_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, context_settings=_CONTEXT)
freeze_app.command(cls=FreezeCommand)(freeze_command)

freezer_app = typer.Typer(add_completion=False, pretty_exceptions_enable=False, no_args_is_help=True,
                          context_settings=_CONTEXT, cls=Group)
freezer_app.command("freeze", cls=FreezeCommand)(freeze_command)


@freezer_app.callback()
def freezer_group(version: VersionOption = None) -> None:
    """freezer: turn TensorFlow graphs plus checkpoints into standalone frozen graphs."""


from freezer.cli_verify import (  # noqa: E402  (it imports this module's options)
    FeedOption,
    InputShapeOption,
    RtolOption,
    VerifyOption,
    plan_verification,
    report_verification,
    verify_command,
)

freezer_app.command("verify", cls=Command)(verify_command)

from freezer.cli_inspect import inspect_command  # noqa: E402  (needs Command above)
freezer_app.command("inspect", cls=Command)(inspect_command)
