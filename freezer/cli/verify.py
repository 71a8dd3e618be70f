"""The command line of verification: `freeze ... --verify` and `freezer verify FROZEN ORIGINAL`.

`freeze`'s own command takes the options defined here. Options are parsed here; the work is
`freezer.verify`'s.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from freezer.cli.common import (
    CheckpointArgument,
    DebugOption,
    RunOption,
    SignatureOption,
    TagOption,
    describe_shape,
    errors_as_one_line,
    parse_assignments,
)
from freezer.errors import FreezerError, OptionError

if TYPE_CHECKING:
    import numpy as np

    from freezer.api import FreezeResult
    from freezer.verify import Verification

VerifyOption = Annotated[bool, typer.Option(
    "--verify", metavar="", help="After writing, run the frozen graph and the original (restored from the "
                                 "checkpoint) on the same inputs and compare every output; needs TensorFlow.",
    show_default=False)]
FeedOption = Annotated[Optional[list[str]], typer.Option(
    "--feed", metavar="NAME=FILE.npy", help="Verify with this value (saved by numpy.save) for input NAME "
                                            "(repeatable); other inputs are generated.", show_default=False)]
InputShapeOption = Annotated[Optional[list[str]], typer.Option(
    "--input-shape", metavar="NAME=D,D,…", help="The shape of a generated input, e.g. image=1,224,224,3 "
                                              "(repeatable; unknown dimensions are 1 by default).",
    show_default=False)]
RtolOption = Annotated[Optional[float], typer.Option(
    "--rtol", metavar="RTOL", help="Relative tolerance for float outputs (default 1e-5); each may also be off by "
                                   "RTOL times the output's largest magnitude. Integers, bools and strings must "
                                   "be equal.", show_default=False)]
FrozenArgument = Annotated[Path, typer.Argument(
    metavar="FROZEN", readable=False, help="The frozen graph (.pb or .pbtxt).", show_default=False)]
OriginalArgument = Annotated[Path, typer.Argument(
    metavar="ORIGINAL", readable=False, help="The graph it was frozen from: GraphDef, .meta, events file or log "
                                             "folder, or SavedModel folder.", show_default=False)]
CompareOutputsOption = Annotated[Optional[list[str]], typer.Option(
    "--outputs", metavar="NAME[,NAME…]", help="Outputs of the frozen graph to compare, comma-separated or "
                                             "repeated (default: its nodes nothing consumes).", show_default=False)]
PinnedOption = Annotated[Optional[list[str]], typer.Option(
    "--set", metavar="NAME=VALUE", help="A placeholder pinned when freezing and its value, as given to freeze "
                                        "(repeatable); the original is fed it.", show_default=False)]


@dataclasses.dataclass
class VerifyRequest:
    """What `--verify` was asked, checked before anything is frozen."""

    feeds: dict[str, np.ndarray]  # input name → the array its --feed file holds
    input_shapes: dict[str, tuple[int, ...]]
    rtol: float


def plan_verification(verify: bool, feed: list[str] | None, input_shape: list[str] | None, rtol: float | None,
                      command: str = "--verify") -> VerifyRequest | None:
    """The verification asked for (None without --verify), its files read and TensorFlow found:
    bad verify options fail before anything is written. `command` names what needs TensorFlow; `rtol`
    None is the default."""
    if not verify:
        if feed or input_shape or rtol is not None:
            raise OptionError("--feed, --input-shape and --rtol go with --verify; add --verify.")
        return None
    from freezer.verify import DEFAULT_RTOL, check_rtol
    rtol = DEFAULT_RTOL if rtol is None else rtol
    check_rtol(rtol)
    request = VerifyRequest(parse_feeds(feed or []), parse_input_shapes(input_shape or []), rtol)
    if importlib.util.find_spec("tensorflow") is None:
        raise FreezerError(f"{command} needs TensorFlow to run the frozen graph and the original; install it "
                           "with pip install 'tf-freezer[tf]'.")
    return request


def parse_feeds(items: list[str]) -> dict[str, np.ndarray]:
    """["x=x.npy"] → {"x": the array in x.npy}."""
    from freezer.verify import load_npy
    feeds = {}
    for item in items:
        name, sep, path = (part.strip() for part in item.partition("="))
        if not sep or not name or not path:
            raise OptionError(f"--feed {item}: expected NAME=FILE.npy, e.g. --feed x=x.npy.")
        if name in feeds:
            raise OptionError(f"--feed {name} is given twice; give each input once.")
        feeds[name] = load_npy(path, f"--feed {item}")
    return feeds


def parse_input_shapes(items: list[str]) -> dict[str, tuple[int, ...]]:
    """["image=1,224,224,3"] → {"image": (1, 224, 224, 3)}."""
    shapes = {}
    for item in items:
        name, sep, dims = (part.strip() for part in item.partition("="))
        try:
            shape = tuple(int(dim) for dim in dims.split(","))
            if not sep or not name or any(dim < 0 for dim in shape):
                raise ValueError
        except ValueError:
            raise OptionError(f"--input-shape {item}: expected NAME=D,D,..., e.g. --input-shape "
                              "image=1,224,224,3.") from None
        if name in shapes:
            raise OptionError(f"--input-shape {name} is given twice; give each input once.")
        shapes[name] = shape
    return shapes


def report_verification(request: VerifyRequest | None, result: FreezeResult, graph: Path, checkpoint: str | None,
                        *, outputs: list[str] | None, tag: str | None, signature: str | None,
                        pin: dict[str, str], run: str | None, quiet: bool, debug: bool) -> None:
    """After a freeze: verify the written graph against the original, print what was compared, or
    one error line saying the file is unverified (exit code 1; the file stays)."""
    if request is None:
        return
    from freezer.outputs import split_names
    from freezer.restoring import load_original
    from freezer.verify import VerificationError, verify_outputs
    keys = result.signature_outputs
    compared = keys + [name for name in split_names(outputs or []) if name not in keys]
    with errors_as_one_line(debug):
        try:
            original = load_original(graph, checkpoint, tag=tag, signature=signature, run=run)
            verification = verify_outputs(result.graph_def, original, outputs=compared, feeds=request.feeds,
                                          input_shapes=request.input_shapes, rtol=request.rtol, pin=pin,
                                          init_op=result.init_op)
        except VerificationError as error:
            raise VerificationError(f"{error.reason}; {result.output_path} was written but is unverified") from None
        except FreezerError as error:
            raise FreezerError(f"{error} {result.output_path} was written but is unverified.") from None
    if not quiet:
        print_verification(verification, request.rtol)


def verify_command(frozen: FrozenArgument, original: OriginalArgument, checkpoint: CheckpointArgument = None, *,
                   outputs: CompareOutputsOption = None, feed: FeedOption = None, input_shape: InputShapeOption = None,
                   rtol: RtolOption = None, tag: TagOption = None, signature: SignatureOption = None,
                   set_: PinnedOption = None, run: RunOption = None, debug: DebugOption = False) -> None:
    """Check FROZEN, then run it and ORIGINAL (with CHECKPOINT) on the same inputs and compare them."""
    with errors_as_one_line(debug):
        from freezer.io.graphdef import read_graph
        from freezer.restoring import load_original
        from freezer.verify import check_structure, verify_outputs
        frozen_graph = read_graph(frozen).graph_def
        check_structure(frozen_graph, label=str(frozen))
        request = plan_verification(True, feed, input_shape, rtol, command="freezer verify")
        verification = verify_outputs(frozen_graph, load_original(original, checkpoint, tag=tag, signature=signature,
                                                                  run=run),
                                      outputs=outputs, feeds=request.feeds, input_shapes=request.input_shapes,
                                      rtol=request.rtol, pin=parse_assignments(set_ or []))
    typer.echo("Structure: every input resolves; no variable, assign or reference op; no resource edge but "
               "lookup tables.")
    print_verification(verification, request.rtol)


def print_verification(verification: Verification, rtol: float) -> None:
    for fed in verification.inputs:
        typer.echo(f"Fed {fed.name}:0 {fed.dtype} {describe_shape(fed.shape)} "
                   f"({'generated' if fed.generated else 'from --feed'})")
    for comparison in verification.comparisons:
        difference = "equal" if comparison.largest_difference is None else \
            f"max abs diff {comparison.largest_difference:.3g}"
        typer.echo(f"Compared {comparison.output} {comparison.dtype} {describe_shape(comparison.shape)}: {difference}")
    count = len(verification.comparisons)
    typer.echo(f"Verified: {count} output{'s match' if count != 1 else ' matches'} the original (rtol {rtol:g}).")
