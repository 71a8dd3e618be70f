"""Print, as a Markdown table for BENCHMARKS.md, what `--optimize` does to real Keras models.

MobileNetV2 and EfficientNetB0 (tests/keras_apps.py: 64x64 inputs, 10 classes, seeded weights with
calibrated batch norms), each as a TF1 GraphDef + checkpoint and as a SavedModel, are frozen without
and with `--optimize`; the table gives their node counts, file sizes and the summary's `Optimized:`
line. The models are built once, with TensorFlow, into the work folder and reused after that:

    python scripts/optimize_counts.py                  # builds into /tmp/freezer-optimize-counts
    python scripts/optimize_counts.py --workdir DIR --rebuild
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the models are the consumer tests' own

from fixture_models import build_in_child  # noqa: E402
from freezer import freeze_files  # noqa: E402
from keras_apps import APPS, KerasApp, load_app  # noqa: E402

WORKDIR = Path("/tmp/freezer-optimize-counts")


def built_app(name: str, workdir: Path, rebuild: bool) -> KerasApp:
    folder = workdir / name
    if rebuild or not (folder / "app.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        build_in_child(ROOT / "tests" / "keras_apps.py", folder, timeout=900)
    return load_app(folder)


def freeze_app(app: KerasApp, output: Path, optimize: bool):
    return freeze_files(app.model, app.checkpoint, outputs=app.output_nodes or None, output=output,
                        optimize=optimize)


def table_row(app: KerasApp, scratch: Path) -> str:
    plain = freeze_app(app, scratch / "plain.pb", optimize=False)
    optimized = freeze_app(app, scratch / "optimized.pb", optimize=True)
    architecture, _ = APPS[app.name]
    saved_as = "SavedModel" if app.checkpoint is None else "GraphDef + checkpoint"
    summary = ", ".join(f"{what} {count}" for what, count in optimized.optimized.items())
    return (f"| {architecture} | {saved_as} | {plain.nodes_after} | {optimized.nodes_after} | "
            f"{megabytes(scratch / 'plain.pb')} | {megabytes(scratch / 'optimized.pb')} | {summary} |")


def megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 2 ** 20:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=WORKDIR, help="where the models are built and kept")
    parser.add_argument("--rebuild", action="store_true", help="build the models again")
    args = parser.parse_args()
    print("| model | saved as | nodes frozen | nodes --optimize | MiB frozen | MiB --optimize | Optimized: |")
    print("|---|---|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for name in APPS:
            print(table_row(built_app(name, args.workdir, args.rebuild), Path(scratch)), flush=True)


if __name__ == "__main__":
    main()
