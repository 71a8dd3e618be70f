"""The committed fixtures (fixtures/*/fixture.json) and TensorFlow runs of their graphs.

`run_original` restores the original graph from its checkpoint with the graph's own saver and runs
it; `run_frozen` imports a frozen GraphDef and runs it. Tests compare the two (and the values the
fixture script recorded when it trained the model).

A fixture may also carry `freeze_args` (extra CLI options, e.g. `--set is_training=false`, which
`api_options` maps to the API's keyword options) and `init_op` (run after restoring the original
graph, and as a target before the frozen graph's outputs). Placeholders pinned by `--set` are gone
from the frozen graph, so `frozen_inputs` leaves them out; the original graph is still fed them.

A SavedModel fixture (`saved_model` in fixture.json: its tags and signature) has the SavedModel folder
as `graph`, no checkpoint, and `outputs` empty (all of the signature's); `freeze_args` may choose the
signature (`--signature other`). Its `inputs` and `expected` are keyed by the frozen graph's names,
`<key>:0`; `run_original` runs the signature's own tensors in the SavedModel TensorFlow loads.

`run_tf` runs any GraphDef in memory; `build_in_child` runs a test module that builds its graphs
with TensorFlow as a script, in a fresh interpreter.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


@dataclasses.dataclass
class Fixture:
    name: str
    folder: Path
    graph: Path
    checkpoint: Path | None  # as the CLI is given it (prefix or folder), None when it sits beside a .meta
    outputs: list[str]
    inputs: dict[str, np.ndarray]  # tensor name → value
    expected: dict[str, np.ndarray]  # tensor name → value recorded from the original graph
    freeze_args: list[str] = dataclasses.field(default_factory=list)  # extra CLI options to freeze with
    init_op: str | None = None  # run once before the outputs; freezer must report it as the init op
    saved_model: dict | None = None  # a SavedModel's {"tags": [...], "signature": name}; None for a graph

    @property
    def output_nodes(self) -> list[str]:
        """The frozen graph's output nodes: `outputs`, or a SavedModel signature's keys."""
        return self.outputs or [tensor.rsplit(":", 1)[0] for tensor in self.expected]

    @property
    def fetches(self) -> list[str]:
        return list(self.expected)

    @property
    def targets(self) -> list[str]:
        """Ops to run before fetching the outputs."""
        return [self.init_op] if self.init_op else []

    @property
    def pins(self) -> dict[str, str]:
        """The placeholders `--set NAME=VALUE` pins, as `FreezeOptions.pin` takes them."""
        return self.api_options().get("pin", {})

    def api_options(self) -> dict:
        """`freeze_args` as keyword options of `freezer.freeze_files`: `--set NAME=VALUE` (pin),
        `--signature NAME` and `--tag TAGS`."""
        args, options = list(self.freeze_args), {}
        while args:
            option, value = args.pop(0), args.pop(0) if args else None
            if option == "--set" and value is not None and "=" in value:
                name, _, pinned = value.partition("=")
                options.setdefault("pin", {})[name] = pinned
            elif option in ("--signature", "--tag") and value is not None:
                options[option[2:]] = value
            else:
                raise ValueError(f"{self.name}: unsupported freeze_args {self.freeze_args}; only --set NAME=VALUE, "
                                 "--signature NAME and --tag TAGS")
        return options

    @property
    def frozen_inputs(self) -> dict[str, np.ndarray]:
        """The inputs a frozen graph is fed: all but the pinned placeholders."""
        return {tensor: value for tensor, value in self.inputs.items()
                if tensor.rsplit(":", 1)[0] not in self.pins}

    def cli_args(self) -> list[str]:
        args = [str(self.graph)] + ([str(self.checkpoint)] if self.checkpoint else [])
        outputs = ["--outputs", ",".join(self.outputs)] if self.outputs or not self.saved_model else []
        return args + outputs + list(self.freeze_args)


def load_fixture(name: str) -> Fixture:
    folder = FIXTURES / name
    spec = json.loads((folder / "fixture.json").read_text())
    with np.load(folder / "io.npz", allow_pickle=False) as arrays:
        inputs = {tensor: arrays[key] for tensor, key in spec["inputs"].items()}
        expected = {tensor: arrays[key] for tensor, key in spec["expected"].items()}
    checkpoint = folder / spec["checkpoint"] if spec["checkpoint"] else None
    return Fixture(name, folder, folder / spec["graph"], checkpoint, spec["outputs"], inputs, expected,
                   spec.get("freeze_args", []), spec.get("init_op"), spec.get("saved_model"))


def fixture_names() -> list[str]:
    return sorted(p.parent.name for p in FIXTURES.glob("*/fixture.json"))


def run_frozen(graph_path: Path, feeds: dict[str, np.ndarray], fetches: list[str],
               targets: list[str] = ()) -> dict[str, np.ndarray]:
    """Import a frozen GraphDef into a fresh graph and run it in a v1 Session, `targets` first."""
    import tensorflow as tf
    graph_def = tf.compat.v1.GraphDef.FromString(Path(graph_path).read_bytes())
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            if targets:
                session.run(list(targets))
            return dict(zip(fetches, session.run(fetches, feed_dict=feeds)))


def run_tf(graph_def, fetches, feeds=None, targets=(), restore=None) -> list:
    """Import `graph_def` (a GraphDef in memory) into a fresh graph and run it in a v1 Session:
    `restore` (op, filename tensor, prefix) first, then `targets`, then the fetches; their values in
    order. Skips the calling test where TensorFlow is not installed."""
    import pytest
    tf = pytest.importorskip("tensorflow")
    with tf.Graph().as_default() as tf_graph:
        tf.import_graph_def(tf.compat.v1.GraphDef.FromString(graph_def.SerializeToString()), name="")
        with tf.compat.v1.Session(graph=tf_graph) as session:
            if restore:
                op, filename, prefix = restore
                session.run(op, {filename: prefix})
            for target in targets:
                session.run(target)
            return session.run(list(fetches), feeds or {})


def build_in_child(script: str | os.PathLike, folder: Path, timeout: float = 300) -> None:
    """Run `python SCRIPT FOLDER`: a test module that builds its graphs with TensorFlow into `folder`
    when run as a script, in a fresh interpreter because it switches TensorFlow to v1 behaviour for
    the whole process (tf_keras is TensorFlow's Keras there, for `tf.compat.v1.layers`)."""
    env = {**os.environ, "TF_USE_LEGACY_KERAS": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    process = subprocess.run([sys.executable, str(script), str(folder)], env=env, capture_output=True, text=True,
                             timeout=timeout)
    assert process.returncode == 0, process.stderr[-3000:]


def run_original(fixture: Fixture) -> dict[str, np.ndarray]:
    """Run the fixture's original graph with its variables restored by the graph's own saver."""
    import tensorflow as tf
    if fixture.saved_model:
        return run_saved_model(fixture.graph, fixture.saved_model["tags"], fixture.saved_model["signature"],
                               fixture.inputs, fixture.fetches)
    from freezer.io.checkpoint import resolve_checkpoint
    prefix = resolve_checkpoint(fixture.checkpoint, fixture.graph)
    with tf.Graph().as_default() as graph:
        logged = _logged_meta_graph(fixture.graph)
        if fixture.graph.suffix == ".meta" or logged is not None:
            meta = str(fixture.graph) if logged is None else logged
            saver = tf.compat.v1.train.import_meta_graph(meta, clear_devices=True)
            restore_op, filename = saver.saver_def.restore_op_name, saver.saver_def.filename_tensor_name
        else:
            tf.import_graph_def(_without_devices(_read_graph_def(fixture.graph)), name="")
            restore_op, filename = "save/restore_all", "save/Const:0"
        config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
        with tf.compat.v1.Session(graph=graph, config=config) as session:
            session.run(restore_op, feed_dict={filename: prefix})
            if fixture.init_op:
                session.run(fixture.init_op)
            return dict(zip(fixture.fetches, session.run(fixture.fetches, feed_dict=fixture.inputs)))


def _logged_meta_graph(path: Path):
    """The MetaGraphDef TensorBoard's EventAccumulator finds in a log folder (its one events file
    holding one) or events file; None for other graphs."""
    import tensorflow as tf
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    if not (path.is_dir() or "tfevents" in path.name):
        return None
    with_graphs = []
    for events in [path] if path.is_file() else sorted(path.rglob("*tfevents*")):
        accumulator = EventAccumulator(str(events))
        accumulator.Reload()
        if accumulator.Tags()["meta_graph"]:
            with_graphs.append(accumulator.MetaGraph())
    (meta,) = with_graphs
    return tf.compat.v1.MetaGraphDef.FromString(meta.SerializeToString())  # tensorboard's class → TF's


def run_saved_model(folder: Path, tags: list[str], signature: str, inputs: dict[str, np.ndarray],
                    fetches: list[str]) -> dict[str, np.ndarray]:
    """Load the SavedModel as TensorFlow serves it (its variables restored, its init op run) and run
    the signature: `inputs` and `fetches` are keyed `<key>:0`, fed and fetched through the tensors
    the signature names for those keys."""
    import tensorflow as tf
    with tf.Graph().as_default() as graph, tf.compat.v1.Session(graph=graph) as session:
        meta = tf.compat.v1.saved_model.loader.load(session, tags, str(folder))
        chosen = meta.signature_def[signature]
        feeds = {chosen.inputs[_key(tensor)].name: value for tensor, value in inputs.items()}
        tensors = [chosen.outputs[_key(tensor)].name for tensor in fetches]
        return dict(zip(fetches, session.run(tensors, feed_dict=feeds)))


def _key(tensor: str) -> str:
    key, port = tensor.rsplit(":", 1)
    assert port == "0", f"a signature key's frozen tensor is <key>:0, not {tensor}"
    return key


def _read_graph_def(path: Path):
    import tensorflow as tf
    from google.protobuf import text_format
    data = path.read_bytes()
    if path.suffix == ".pbtxt":
        return text_format.Parse(data.decode(), tf.compat.v1.GraphDef())
    return tf.compat.v1.GraphDef.FromString(data)


def _without_devices(graph_def):
    # `/job:ps` placements name no device of this process; the values do not depend on placement.
    for node in graph_def.node:
        node.device = ""
    return graph_def


def assert_outputs_equal(actual: dict[str, np.ndarray], expected: dict[str, np.ndarray], *,
                         recorded: bool = False) -> None:
    """Exact for integer, bool and string tensors; float32 within a few ulps.

    `recorded`: `expected` holds the values the fixture script recorded with the TensorFlow build
    that made the fixture, not a run in this process. Another build of the same release (the
    `tensorflow` and `tensorflow-cpu` wheels, say) may sum a matmul in another order, which moves a
    result that cancels to near zero by an ulp of its largest summand; so there the absolute
    tolerance grows with the output's largest magnitude (staying under one float32 ulp of it). The run in this process is still
    compared at the tight tolerance.
    """
    assert set(actual) == set(expected)
    for name, want in expected.items():
        got = np.asarray(actual[name])
        assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
        if want.dtype.kind in "fc":
            assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
            scale = float(np.max(np.abs(want), initial=1.0)) if recorded else 1.0
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7 * scale, err_msg=name)
        elif want.dtype.kind in "SOU":
            assert [bytes(v) for v in got.reshape(-1)] == [bytes(v) for v in want.reshape(-1)], name
        else:
            assert got.dtype == want.dtype, f"{name}: dtype {got.dtype} != {want.dtype}"
            np.testing.assert_array_equal(got, want, err_msg=name)
