"""Print the sha256 of every committed fixture and bench workload frozen by this checkout.

A refactor that must not change what users get is checked by running this before and after it and
diffing the two outputs:

    python scripts/frozen_digests.py > before.txt
    ... change the code ...
    python scripts/frozen_digests.py > after.txt && diff before.txt after.txt

`--freeze-args '--optimize'` adds arguments to every freeze (to check the optimize stage's output).

Each fixture is frozen through the CLI as tests/fixture_models.py describes it (its `fixture.json`),
once per engine (`session` only when TensorFlow is installed); each bench workload already built in
the bench's work folder (scripts/bench.py builds them) once with the native engine.
"""

import argparse
import hashlib
import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BENCH_WORKDIR = Path("/tmp/freezer-bench")


def fixture_commands() -> dict[str, list[str]]:
    """Label → freeze arguments (without -o and --engine) for every committed fixture."""
    commands = {}
    for spec_path in sorted(FIXTURES.glob("*/fixture.json")):
        spec, folder = json.loads(spec_path.read_text()), spec_path.parent
        checkpoint = [str(folder / spec["checkpoint"])] if spec["checkpoint"] else []
        commands[folder.name] = [str(folder / spec["graph"]), *checkpoint, "--outputs", ",".join(spec["outputs"]),
                                 *spec.get("freeze_args", [])]
    return commands


def workload_commands(workdir: Path) -> dict[str, list[str]]:
    """Label → freeze arguments for every finished bench workload, freezing what the bench freezes."""
    return {f"bench/{folder.name}": workload_arguments(folder)
            for folder in sorted(workdir.glob("*")) if (folder / "workload.json").exists()}


def workload_arguments(folder: Path) -> list[str]:
    if (folder / "saved_model").is_dir():  # resnet_sm: the signature's outputs
        return [str(folder / "saved_model")]
    if (folder / "model.pb").exists():  # binary GraphDefs: resnet_graph names its output, the others use y
        output = json.loads((folder / "workload.json").read_text()).get("output", "y")
        return [str(folder / "model.pb"), str(folder / "ckpt" / "model"), "--outputs", output]
    return [str(folder / "model.pbtxt"), str(folder / "ckpt" / "model"), "--outputs", "y"]


def digest(arguments: list[str], engine: str, scratch: Path, extra: list[str]) -> str:
    out = scratch / "frozen.pb"
    done = subprocess.run([sys.executable, "-m", "freezer", "freeze", *arguments, "-o", str(out),
                           "--engine", engine, *extra], capture_output=True, text=True)
    if done.returncode != 0:
        return f"failed: {done.stderr.strip()}"
    data = out.read_bytes()
    out.unlink()
    return hashlib.sha256(data).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-workdir", type=Path, default=BENCH_WORKDIR)
    parser.add_argument("--freeze-args", default="", help="more arguments for every freeze, e.g. '--optimize'")
    args = parser.parse_args()
    extra = args.freeze_args.split()
    engines = ["native"] + (["session"] if importlib.util.find_spec("tensorflow") else [])
    with tempfile.TemporaryDirectory() as scratch:
        for label, arguments in fixture_commands().items():
            for engine in engines:
                print(f"{label} {engine} {digest(arguments, engine, Path(scratch), extra)}", flush=True)
        for label, arguments in workload_commands(args.bench_workdir).items():
            print(f"{label} native {digest(arguments, 'native', Path(scratch), extra)}", flush=True)


if __name__ == "__main__":
    main()
