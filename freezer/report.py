"""`freeze --report FILE.json`: a record of one freeze for model registries and build systems.

Everything in it comes from the `FreezeResult` the summary is printed from. The keys are stable
(the README lists them); a new fact gets a new key, an existing key keeps its meaning.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from freezer import __version__
from freezer.api import FreezeResult
from freezer.errors import OptionError
from freezer.io.graphdef import ensure_writable_output, write_atomically
from freezer.io.savedmodel import SignatureTensor
from freezer.tensors import dtype_name

REPORT_FORMAT = 1  # bumped only if a key changes meaning


def ensure_report_path(report: Path, graph: Path, output: str | os.PathLike | None) -> None:
    """Before any work: the report can be written, and is neither the graph nor the frozen graph."""
    if output is not None and Path(output).resolve() == report.resolve():
        raise OptionError(f"--report {report} is also the output file; give the report its own path.")
    ensure_writable_output(report, [graph])


def build_report(result: FreezeResult, command: list[str]) -> dict:
    """The report as a JSON-ready dict."""
    return {
        "format": REPORT_FORMAT,
        "freezer_version": __version__,
        "command": command,
        "input_files": [_file_record(path) for path in result.input_files],
        "output_file": _file_record(result.output_path) if result.output_path else None,
        "inputs": _tensor_records(result.inputs),
        "outputs": _tensor_records(result.outputs),
        "variables": [{"name": variable.name, "checkpoint_key": variable.key, "slice": variable.slice_spec,
                       "dtype": dtype_name(variable.dtype), "shape": _listed(variable.shape),
                       "bytes": result.variable_sizes.get(variable.name)} for variable in result.variables],
        "variable_bytes": result.variable_bytes,
        "kept_variables": result.kept_variables,
        "repairs": result.repairs,
        "optimized": result.optimized,
        "init_op": result.init_op,
        "notes": result.notes,
        "nodes_before": result.nodes_before,
        "nodes_after": result.nodes_after,
        "seconds": {"total": round(result.seconds, 4),
                    **{name.replace(" ", "_"): round(seconds, 4) for name, seconds in result.timings.items()}},
    }


def write_report(path: Path, result: FreezeResult, command: list[str]) -> None:
    """Write the report for `result`, made by `command` (the command line as the user typed it)."""
    _refuse_overwriting(path, result)
    report = build_report(result, command)
    text = json.dumps(report, indent=2, ensure_ascii=False) + "\n"
    try:
        write_atomically(path, lambda file: file.write(text.encode()))
    except OSError as error:
        raise OptionError(f"Cannot write the report {path}: {error.strerror}; the frozen graph {result.output_path} "
                          "was written; choose another path with --report.") from None


def _refuse_overwriting(path: Path, result: FreezeResult) -> None:
    """The report is no file the freeze read or wrote: checked again now that all of them are known
    (the checkpoint's files, the default output path)."""
    for other in [*result.input_files, result.output_path]:
        if other is not None and path.exists() and other.exists() and os.path.samefile(path, other):
            raise OptionError(f"--report {path} would overwrite {other}, which this freeze read or wrote; the "
                              f"frozen graph {result.output_path} was written; give the report its own path.")


def _file_record(path: Path) -> dict:
    return {"path": os.fspath(path), "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tensor_records(tensors: dict[str, SignatureTensor]) -> list[dict]:
    """Each tensor as the frozen graph names it (`x:0`), with dtype and shape where known (else null)."""
    return [{"name": f"{key}:0", "dtype": dtype_name(tensor.dtype) if tensor.dtype else None,
             "shape": _listed(tensor.shape)} for key, tensor in tensors.items()]


def _listed(shape: tuple | None) -> list | None:
    return None if shape is None else list(shape)
