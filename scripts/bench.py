"""Benchmark `freeze` against TensorFlow's own freezing routes and against the I/O floor.

Three public workloads (DESIGN.md, "Performance"), each a text GraphDef with REF variables,
a placeholder `x`, an output node `y` and the Saver's nodes, plus a V2 checkpoint:

* small: 3-layer MLP (64x64), checkpoint of KBs;
* big:   20 dense layers 2048x2048 float32, checkpoint ~336 MB;
* many:  3000 dense layers 8x8 (6000 variables, ~54k nodes, ~24 MB of text), checkpoint ~1 MB.

Three more for graphs that are big in nodes rather than weights (issue 10):

* deep_bin:  4000 dense layers 8x8 (8000 variables), a binary GraphDef;
* chain:     one REF variable of 4 floats read through a chain of 300,000 Identity ops, text;
* chain_bin: the same chain as a binary GraphDef.

`chain_scaling` stands for three chains of 100k, 300k (`chain`) and 1M Identity ops (text), and
the report says how freeze's time grows with the length: linear growth is 3.0x, then 3.33x. Beside
it, how the least work over a graph grows on the same machine: protobuf's own parse and write of
the chain as a binary GraphDef (C++, linear by construction), which costs more per node as the
graph outgrows the CPU's caches.
TF's freeze_graph is not run on the chains: it fails on them (RecursionError), after 78 s at 100k.

Two ResNet50 workloads (issue 7): one model (random weights, ~100 MB of variables) given two
ways, so freezing a SavedModel can be compared with freezing the same model the old way:

* resnet_sm:    Keras 3 `model.export()` SavedModel (functions, resource variables, object graph);
* resnet_graph: tf-keras in TF1 graph mode, binary GraphDef + Saver checkpoint.

They are built once into the work folder (default /tmp/freezer-bench) and reused. For each
workload the bench runs every tool once to warm up (page cache, .pyc files), then `--runs` timed
rounds that alternate the tools, so drift on the machine hits all of them alike (the three chains of
`chain_scaling` alternate as one workload, their growth being the point):

* `freeze` (this project's CLI), one row per engine in `--engines`;
* TensorFlow's route: `python -m tensorflow.python.tools.freeze_graph` for a GraphDef; for the
  SavedModel, which freeze_graph cannot read, the recipe people use instead: load it, take
  `signatures["serving_default"]`, `convert_variables_to_constants_v2`, write the GraphDef;
* I/O floor: `cp` of the checkpoint's data file, the least any freezer must do;
* `freezer inspect` of a GraphDef workload's graph (issue 8), which writes nothing;
* graph floor, for the chains: protobuf parses the graph (binary) and writes it back, nothing else.

Every tool runs as a child process: wall time around it, peak RSS from `os.wait4`. A separate
row times `freeze --help` (start-up cost), and one the graph floor's start-up (an empty graph).
The result is a Markdown block on stdout.

Usage (with the venv's Python, so `freeze` and TensorFlow are the ones installed there)::

    python scripts/bench.py                                  # all workloads, 3 runs
    python scripts/bench.py --workloads small,many --runs 5
    python scripts/bench.py --workloads resnet_sm,resnet_graph  # SavedModel vs GraphDef + checkpoint
    python scripts/bench.py --workloads chain_scaling        # 100k, 300k, 1M Identity ops: linear?
    python scripts/bench.py --engines native,session         # add a row for --engine session
    python scripts/bench.py --markdown /tmp/bench.md         # also write the block to a file
"""

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

TEXT_GRAPH, BINARY_GRAPH = "model.pbtxt", "model.pb"  # a workload's graph file, by its format
DENSE_WORKLOADS = {
    # name: (dense layers, width, graph file)
    "small": (3, 64, TEXT_GRAPH),
    "big": (20, 2048, TEXT_GRAPH),
    "many": (3000, 8, TEXT_GRAPH),
    "deep_bin": (4000, 8, BINARY_GRAPH),
}
CHAIN_WORKLOADS = {
    # name: (Identity ops in the chain, graph file)
    "chain": (300_000, TEXT_GRAPH),
    "chain_bin": (300_000, BINARY_GRAPH),
    "chain_100k": (100_000, TEXT_GRAPH),
    "chain_1m": (1_000_000, TEXT_GRAPH),
}
CHAIN_WIDTH = 4  # floats in the chain's one variable
# --workloads chain_scaling: these, shortest first, and how freeze's time grows from one to the next.
CHAIN_SCALING, SCALING_CHAINS = "chain_scaling", ("chain_100k", "chain", "chain_1m")
# Workloads TF's freeze_graph is not run on, and why (said under the table). On a chain it fails:
# convert_variables_to_constants recurses once per op on the way from the variable (seen with TF
# 2.21: 78 s, 1.5 GB, then the RecursionError at 100k ops).
WITHOUT_TF_ROUTE = {name: "TF freeze_graph not run: on a chain of Identity ops this long it fails with "
                          "RecursionError (convert_variables_to_constants recurses once per op)"
                    for name in CHAIN_WORKLOADS}
RESNET_SAVED_MODEL, RESNET_GRAPH = "resnet_sm", "resnet_graph"
WORKLOADS = [*DENSE_WORKLOADS, *CHAIN_WORKLOADS, RESNET_SAVED_MODEL, RESNET_GRAPH]
DEFAULT_WORKLOADS = [*DENSE_WORKLOADS, "chain", "chain_bin", RESNET_SAVED_MODEL, RESNET_GRAPH, CHAIN_SCALING]
DEFAULT_WORKDIR = Path("/tmp/freezer-bench")
MIN_RUNS = 3
SEED = 1234
# Written last by a build: a folder without it is a build that died half-way.
WORKLOAD_INFO = "workload.json"
FREEZE_GRAPH_MODULE = "tensorflow.python.tools.freeze_graph"
FREEZE_GRAPH_LABEL, CONVERT_V2_LABEL = "TF freeze_graph", "TF convert_variables_to_constants_v2"
FLOOR_LABEL = "I/O floor (cp .data)"
INSPECT_LABEL = "freezer inspect (graph)"
FREEZE_START_UP_LABEL = "freeze --help"
SAVER_FILE = "saver.pb"  # beside a binary graph: the SaverDef freeze_graph is given (--input_saver)
# TensorFlow's own route for a TF2 SavedModel (freeze_graph has none), run as `python -c`:
# argv is the SavedModel folder and the output file.
CONVERT_V2_SCRIPT = """\
import os, sys
import tensorflow as tf
from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2
saved_model, out = sys.argv[1:]
loaded = tf.saved_model.load(saved_model)  # kept: the signature's variables live as long as it does
serving = loaded.signatures["serving_default"]
frozen = convert_variables_to_constants_v2(serving)
tf.io.write_graph(frozen.graph.as_graph_def(), os.path.dirname(out), os.path.basename(out), as_text=False)
"""
# The least work over a graph: protobuf (the module freezer uses) parses a binary GraphDef and
# writes it back. argv is the graph file and the output file.
GRAPH_FLOOR_LABEL = "graph floor (protobuf parse + write)"
GRAPH_FLOOR_START_UP_LABEL = "graph floor start-up (empty graph)"
GRAPH_FLOOR_SCRIPT = """\
import sys
from tensorboard.compat.proto import graph_pb2
graph_file, out = sys.argv[1:]
graph_def = graph_pb2.GraphDef()
with open(graph_file, "rb") as source:
    graph_def.ParseFromString(source.read())
with open(out, "wb") as target:
    target.write(graph_def.SerializeToString())
"""
BINARY_COPY = "graph_floor.pb"  # beside a text chain: the same graph, binary, for the graph floor
BINARY_COPY_SCRIPT = """\
import sys
from pathlib import Path
from freezer.io.graphdef import read_graph
graph_file, copy = sys.argv[1:]
Path(copy).write_bytes(read_graph(graph_file).graph_def.SerializeToString())
"""
BIN_DIR = Path(sys.executable).parent  # not resolved: a venv's bin/python is a symlink
DISTRIBUTION = "tf-freezer"  # freezer's name on the package index (pyproject.toml)
# Children run without PYTHONDONTWRITEBYTECODE: the warm-up run must leave .pyc files, as an
# installed freezer has them; otherwise every timed run compiles freezer's sources again.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


class BenchError(Exception):
    """A run failed or the set-up is wrong; the bench stops with this message."""


# --------------------------------------------------------------------------- workloads


def build_workload(name, folder):
    """Build one workload into `folder` (runs in its own process: TF1 switches and Keras are global)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if name == RESNET_SAVED_MODEL:
        build_resnet_saved_model(folder)
    elif name == RESNET_GRAPH:
        build_resnet_graph(folder)
    elif name in CHAIN_WORKLOADS:
        build_chain(name, folder)
    else:
        build_dense(name, folder)


def build_dense(name, folder):
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.disable_resource_variables()
    tf.compat.v1.set_random_seed(SEED)
    layers, width, graph_file = DENSE_WORKLOADS[name]

    h = tf.compat.v1.placeholder(tf.float32, [None, width], name="x")
    for i in range(layers):
        with tf.compat.v1.variable_scope(f"layer{i}"):
            # Initialised in-graph from a seeded RNG: one sess.run, no numpy copy of big's 336 MB.
            weights = tf.compat.v1.get_variable(
                "weights", [width, width], use_resource=False,
                initializer=tf.compat.v1.random_normal_initializer(stddev=width ** -0.5, seed=i))
            bias = tf.compat.v1.get_variable(
                "bias", [width], use_resource=False, initializer=tf.compat.v1.zeros_initializer())
            h = tf.nn.relu(tf.matmul(h, weights) + bias)
    tf.identity(h, name="y")
    init = tf.compat.v1.global_variables_initializer()
    # Created before the graph is written, so the graph carries save/restore nodes like a real one.
    saver = tf.compat.v1.train.Saver()

    with tf.compat.v1.Session() as sess:
        sess.run(init)
        saver.save(sess, str(folder / "ckpt" / "model"), write_meta_graph=False)
        graph_def = sess.graph.as_graph_def()
    write_graph_and_info(graph_def, folder, graph_file)


def build_chain(name, folder):
    """y = x + v read through a chain of Identity ops: a graph long in nodes, tiny in weights,
    as unrolled RNNs are. The chain is added to the GraphDef directly, far faster than as TF ops."""
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    length, graph_file = CHAIN_WORKLOADS[name]
    x = tf.compat.v1.placeholder(tf.float32, [None, CHAIN_WIDTH], name="x")
    variable = tf.compat.v1.get_variable("v", [CHAIN_WIDTH], use_resource=False,
                                         initializer=tf.compat.v1.ones_initializer())
    saver = tf.compat.v1.train.Saver()
    with tf.compat.v1.Session() as sess:
        sess.run(tf.compat.v1.global_variables_initializer())
        saver.save(sess, str(folder / "ckpt" / "model"), write_meta_graph=False)
        graph_def = sess.graph.as_graph_def()

    float_type = tf.float32.as_datatype_enum
    last = variable.value().op.name  # v/read
    for i in range(length):
        node = graph_def.node.add(name=f"chain/{i}", op="Identity", input=[last])
        node.attr["T"].type = float_type
        last = node.name
    y = graph_def.node.add(name="y", op="AddV2", input=[x.op.name, last])
    y.attr["T"].type = float_type
    write_graph_and_info(graph_def, folder, graph_file)


def write_graph_and_info(graph_def, folder, graph_file):
    """Write the graph (text or binary, by its file name) and then the workload's info."""
    import tensorflow as tf

    tf.io.write_graph(graph_def, str(folder), graph_file, as_text=graph_file == TEXT_GRAPH)
    info = {
        "nodes": len(graph_def.node),
        "graph_bytes": (folder / graph_file).stat().st_size,
        "checkpoint_bytes": sum(p.stat().st_size for p in (folder / "ckpt").glob("model.*")),
    }
    (folder / WORKLOAD_INFO).write_text(json.dumps(info) + "\n")


def build_resnet_saved_model(folder):
    """ResNet50 with seeded random weights, exported by Keras 3 as a SavedModel."""
    os.environ["KERAS_BACKEND"] = "tensorflow"  # export writes a TF SavedModel only from this backend
    import keras
    from tensorflow.core.protobuf import saved_model_pb2

    keras.utils.set_random_seed(SEED)
    model = keras.applications.ResNet50(weights=None)
    saved_model = folder / "saved_model"
    model.export(str(saved_model))

    proto = saved_model_pb2.SavedModel.FromString((saved_model / "saved_model.pb").read_bytes())
    meta_graph = proto.meta_graphs[0]
    info = {
        # The graph's own nodes plus those of its functions, where a TF2 model keeps its layers.
        "nodes": len(meta_graph.graph_def.node) + sum(
            len(function.node_def) for function in meta_graph.graph_def.library.function),
        "graph_bytes": (saved_model / "saved_model.pb").stat().st_size,
        "checkpoint_bytes": sum(p.stat().st_size for p in (saved_model / "variables").iterdir()),
        "outputs": sorted(meta_graph.signature_def["serving_default"].outputs),
    }
    (folder / WORKLOAD_INFO).write_text(json.dumps(info) + "\n")


def build_resnet_graph(folder):
    """The same ResNet50 as a TF1 user had it: a binary GraphDef and a Saver checkpoint."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.keras is tf-keras, the Keras that builds TF1 graphs
    import tensorflow as tf

    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.set_random_seed(SEED)
    # Inference graph, as people froze Keras models for serving: batch norm without a
    # learning-phase switch, so the graph holds no training branch.
    tf.keras.backend.set_learning_phase(0)
    model = tf.keras.applications.ResNet50(weights=None)
    output = model.outputs[0].op.name
    saver = tf.compat.v1.train.Saver()

    sess = tf.compat.v1.keras.backend.get_session()
    sess.run(tf.compat.v1.global_variables_initializer())
    saver.save(sess, str(folder / "ckpt" / "model"), write_meta_graph=False)
    graph_def = sess.graph.as_graph_def()
    tf.io.write_graph(graph_def, str(folder), "model.pb", as_text=False)
    # freeze_graph builds its own Saver from the graph unless given one, and that fails on
    # resource variables (VarHandleOp has no input): a TF1 user passes the SaverDef.
    (folder / SAVER_FILE).write_bytes(saver.as_saver_def().SerializeToString())

    info = {
        "nodes": len(graph_def.node),
        "graph_bytes": (folder / "model.pb").stat().st_size,
        "checkpoint_bytes": sum(p.stat().st_size for p in (folder / "ckpt").glob("model.*")),
        "output": output,  # the op freeze and freeze_graph keep
    }
    (folder / WORKLOAD_INFO).write_text(json.dumps(info) + "\n")


def ensure_built(name, workdir):
    """Build `name` unless a finished build is already there; return its info."""
    folder = workdir / name
    info_path = folder / WORKLOAD_INFO
    if not info_path.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"building workload {name} in {folder} ...", file=sys.stderr)
        argv = [sys.executable, __file__, "--build", name, "--workdir", str(workdir)]
        if subprocess.run(argv).returncode != 0:
            raise BenchError(f"building workload {name!r} failed (see the output above)")
    return json.loads(info_path.read_text())


# --------------------------------------------------------------------------- tools


@dataclass
class Tool:
    """One row's command. `argv(out)` builds the command line writing to `out`;
    `writes_output` says whether `out` must exist afterwards for the run to count."""

    label: str
    argv: Callable[[Path], list]
    writes_output: bool = True
    role: str = ""  # "tf" for TensorFlow's route, "floor" for the I/O floor: the ratio columns' bases
    runs: list = field(default_factory=list)  # (wall seconds, peak RSS bytes) per timed run


def find_freeze():
    path = shutil.which("freeze", path=f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}")
    if path is None:
        raise BenchError("no `freeze` command: install freezer (pip install -e .) in this Python's venv")
    return path


def workload_tools(workdir, name, info, engines, freeze):
    if name == RESNET_SAVED_MODEL:
        return saved_model_tools(workdir / name / "saved_model", engines, freeze)
    if name == RESNET_GRAPH:
        return graph_tools(workdir / name / BINARY_GRAPH, info["output"], engines, freeze)
    graph_file = DENSE_WORKLOADS[name][2] if name in DENSE_WORKLOADS else CHAIN_WORKLOADS[name][1]
    tools = graph_tools(workdir / name / graph_file, "y", engines, freeze, with_tf_route=name not in WITHOUT_TF_ROUTE)
    if name in CHAIN_WORKLOADS:
        tools.append(graph_floor_tool(binary_graph(workdir / name / graph_file)))
    return tools


def graph_tools(graph, output, engines, freeze, with_tf_route=True):
    """freeze, freeze_graph (`with_tf_route`) and the floor for a GraphDef beside its checkpoint ckpt/model."""
    prefix = graph.parent / "ckpt" / "model"

    def freeze_argv(engine):
        return lambda out: [freeze, str(graph), str(prefix), "--outputs", output, "-o", str(out),
                            *engine_flags(engine)]

    tools = [Tool(f"freeze {' '.join(engine_flags(engine))}", freeze_argv(engine)) for engine in engines]
    # Issue 8: `freezer inspect` on the graph alone (no checkpoint), as a user first asks it.
    tools.append(Tool(INSPECT_LABEL, lambda out: [str(Path(freeze).with_name("freezer")), "inspect", str(graph)],
                      writes_output=False))
    saver = graph.parent / SAVER_FILE
    saver_flags = [f"--input_saver={saver}"] if saver.exists() else []
    if with_tf_route:
        tools.append(Tool(FREEZE_GRAPH_LABEL, lambda out: [
            sys.executable, "-m", FREEZE_GRAPH_MODULE,
            f"--input_graph={graph}", f"--input_binary={str(graph.suffix == '.pb').lower()}",
            f"--input_checkpoint={prefix}", f"--output_node_names={output}", f"--output_graph={out}",
            *saver_flags], role="tf"))
    tools.append(floor_tool(prefix))
    return tools


def saved_model_tools(saved_model, engines, freeze):
    """freeze (the signature's outputs by default), TF's convert_v2 route and the floor."""
    def freeze_argv(engine):
        return lambda out: [freeze, str(saved_model), "-o", str(out), *engine_flags(engine)]

    tools = [Tool(f"freeze {' '.join(engine_flags(engine))}", freeze_argv(engine)) for engine in engines]
    tools.append(Tool(CONVERT_V2_LABEL, lambda out: [
        sys.executable, "-c", CONVERT_V2_SCRIPT, str(saved_model), str(out)], role="tf"))
    tools.append(floor_tool(saved_model / "variables" / "variables"))
    return tools


def engine_flags(engine):
    """`native` → --engine native; `native+optimize` → --engine native --optimize (a row that measures
    what --optimize adds)."""
    name, _, extra = engine.partition("+")
    return ["--engine", name, *([f"--{extra}"] if extra else [])]


def floor_tool(prefix):
    data_files = sorted(prefix.parent.glob(f"{prefix.name}.data-*"))
    if len(data_files) != 1:
        raise BenchError(f"expected one checkpoint data file in {prefix.parent}, found {len(data_files)}")
    return Tool(FLOOR_LABEL, lambda out: ["cp", str(data_files[0]), str(out)], role="floor")


def graph_floor_tool(graph):
    return Tool(GRAPH_FLOOR_LABEL, lambda out: [sys.executable, "-c", GRAPH_FLOOR_SCRIPT, str(graph), str(out)])


def graph_floor_start_up_tool(scratch):
    empty = scratch / "empty.pb"  # a GraphDef without nodes is zero bytes
    empty.write_bytes(b"")
    return Tool(GRAPH_FLOOR_START_UP_LABEL, lambda out: [sys.executable, "-c", GRAPH_FLOOR_SCRIPT, str(empty), str(out)],
                writes_output=False)


def binary_graph(graph):
    """The graph as a binary GraphDef: itself, or a copy made once beside a text graph."""
    if graph.suffix == ".pb":
        return graph
    copy = graph.with_name(BINARY_COPY)
    if not copy.exists():  # in a child: a child forked from a bench grown big would report its peak RSS
        subprocess.run([sys.executable, "-c", BINARY_COPY_SCRIPT, str(graph), str(copy)], check=True)
    return copy


# --------------------------------------------------------------------------- running


def run_child(argv, log_path):
    """Run `argv` to completion; return (exit code, wall seconds, peak RSS bytes)."""
    with open(log_path, "wb") as log:  # a file, not a pipe: a chatty child can't block on it
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=CHILD_ENV)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    # We reaped the child ourselves; tell Popen so it never waits on the pid again.
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, wall, usage.ru_maxrss * 1024  # ru_maxrss is KiB on Linux


def measure(tool, scratch, what):
    """One checked run of `tool` in `scratch`; return (wall seconds, peak RSS bytes)."""
    out, log = scratch / "out", scratch / "log"
    out.unlink(missing_ok=True)
    argv = tool.argv(out)
    code, wall, rss = run_child(argv, log)
    if code != 0 or (tool.writes_output and not (out.exists() and out.stat().st_size > 0)):
        problem = f"exit code {code}" if code != 0 else f"no output written to {out}"
        tail = log.read_text(errors="replace")[-3000:]
        raise BenchError(f"{what}: `{tool.label}` failed ({problem}).\n"
                         f"command: {' '.join(argv)}\n--- last output ---\n{tail}")
    out.unlink(missing_ok=True)  # big's outputs are 336 MB each: keep one at a time
    return wall, rss


def bench_tools(tools, runs, scratch, what):
    """Warm each tool up once, then time `runs` rounds that alternate the tools."""
    for tool in tools:
        measure(tool, scratch, f"{what}, warm-up")
    for i in range(1, runs + 1):
        for tool in tools:
            tool.runs.append(measure(tool, scratch, f"{what}, run {i}/{runs}"))
            print(f"{what}  {tool.label:24} run {i}/{runs}: {tool.runs[-1][0]:7.2f} s",
                  file=sys.stderr)


# --------------------------------------------------------------------------- report


def cpu_model():
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"


def total_memory_gib():
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20  # the value is in KiB
    return float("nan")


def version(package):
    # Read from the installed metadata: importing TensorFlow here would cost seconds and memory.
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_commit():
    repo = Path(__file__).resolve().parent.parent
    result = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True)
    return result.stdout.strip() if result.returncode == 0 else "unknown"


def machine_line():
    return (f"Machine: {cpu_model()}, {os.cpu_count()} cores, {total_memory_gib():.0f} GiB RAM; "
            f"Python {platform.python_version()}, TensorFlow {version('tensorflow')}, "
            f"freezer {version(DISTRIBUTION)} (git {git_commit()}); "
            f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")


def size(nbytes):
    if nbytes < 1e3:
        return f"{nbytes} B"
    return f"{nbytes / 1e6:.1f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.0f} KB"


def workload_line(name, info):
    if name == RESNET_SAVED_MODEL:
        return (f"* `{name}`: Keras 3 ResNet50 (random weights), `model.export()` SavedModel, "
                f"{info['nodes']} nodes in its graph and functions, {size(info['graph_bytes'])} saved_model.pb, "
                f"{size(info['checkpoint_bytes'])} variables/ (Keras writes each variable twice), "
                f"outputs {', '.join(info['outputs'])}")
    if name == RESNET_GRAPH:
        return (f"* `{name}`: the same ResNet50 from tf-keras in TF1 graph mode (learning phase 0), "
                f"{info['nodes']} nodes, {size(info['graph_bytes'])} binary .pb, "
                f"{size(info['checkpoint_bytes'])} Saver checkpoint, output `{info['output']}`")
    if name in CHAIN_WORKLOADS:
        length, graph_file = CHAIN_WORKLOADS[name]
        return (f"* `{name}`: one {CHAIN_WIDTH}-float variable read through a chain of {length:,} Identity ops, "
                f"{info['nodes']} nodes, {size(info['graph_bytes'])} {graph_format(graph_file)}, "
                f"{size(info['checkpoint_bytes'])} checkpoint")
    layers, width, graph_file = DENSE_WORKLOADS[name]
    return (f"* `{name}`: {layers} dense layers {width}x{width}, {info['nodes']} nodes, "
            f"{size(info['graph_bytes'])} {graph_format(graph_file)}, {size(info['checkpoint_bytes'])} checkpoint")


def graph_format(graph_file):
    return "pbtxt" if graph_file == TEXT_GRAPH else "binary .pb"


def ratio(value, reference):
    if not reference:
        return "–"
    return f"{value / reference:.2f}" if value < 10 * reference else f"{value / reference:.0f}"


def table_rows(workload, tools):
    """Markdown rows for one workload; ratios compare median wall times."""
    medians = medians_by_label(tools)
    by_role = {tool.role: medians[tool.label] for tool in tools if tool.role}
    tf_route, floor = by_role.get("tf"), by_role.get("floor")
    rows = []
    for tool in tools:
        walls = [wall for wall, _ in tool.runs]
        peak_mb = max(rss for _, rss in tool.runs) / 2**20
        rows.append(f"| {workload} | {tool.label} | {medians[tool.label]:.3f} | {min(walls):.3f} "
                    f"| {peak_mb:.0f} | {ratio(medians[tool.label], tf_route)} "
                    f"| {ratio(medians[tool.label], floor)} |")
    return rows


def medians_by_label(tools):
    return {t.label: statistics.median(wall for wall, _ in t.runs) for t in tools}


def saved_model_vs_graph_lines(results):
    """Issue 7's target: freezing the SavedModel within 2x of the same model as GraphDef + checkpoint."""
    by_workload = {workload: medians_by_label(tools) for workload, tools in results}
    if RESNET_SAVED_MODEL not in by_workload or RESNET_GRAPH not in by_workload:
        return []
    saved_model, graph = by_workload[RESNET_SAVED_MODEL], by_workload[RESNET_GRAPH]
    lines = ["", f"`{RESNET_SAVED_MODEL}` against `{RESNET_GRAPH}` (median wall; target: within 2x, under 1 s):", ""]
    for label in saved_model:
        if label.startswith("freeze ") and label in graph:
            lines.append(f"* {label}: {saved_model[label]:.3f} s against {graph[label]:.3f} s, "
                         f"{saved_model[label] / graph[label]:.2f}x")
    return lines


def without_tf_route_lines(results):
    """Which workloads have no TF row, and why: one line per reason."""
    by_reason = {}
    for workload, _ in results:
        if workload in WITHOUT_TF_ROUTE:
            by_reason.setdefault(WITHOUT_TF_ROUTE[workload], []).append(f"`{workload}`")
    return [f"\n{', '.join(workloads)}: {reason}." for reason, workloads in by_reason.items()]


def chain_growth_lines(results, infos):
    """Issue 10's target: freeze's time grows linearly with the graph. Each chain against the one
    before it: the growth in nodes, in median wall time, and in wall time less start-up (the median
    of `freeze --help`, or of the graph floor on an empty graph), which a longer chain does not
    repeat. The graph floor's growth is the machine's for linear work over the same graph."""
    by_workload = {workload: medians_by_label(tools) for workload, tools in results}
    if not all(name in by_workload for name in SCALING_CHAINS):
        return []
    start_ups = by_workload["–"]
    lines = ["", "Growth with the chain's length (linear: the wall time grows as the nodes do):", ""]
    for shorter, longer in zip(SCALING_CHAINS, SCALING_CHAINS[1:]):
        nodes = infos[longer]["nodes"] / infos[shorter]["nodes"]
        for label, short_time in by_workload[shorter].items():
            if (label.startswith("freeze ") or label == GRAPH_FLOOR_LABEL) and label in by_workload[longer]:
                start_up = start_ups[GRAPH_FLOOR_START_UP_LABEL if label == GRAPH_FLOOR_LABEL else FREEZE_START_UP_LABEL]
                long_time = by_workload[longer][label]
                lines.append(f"* {label}, `{shorter}` -> `{longer}` ({nodes:.2f}x nodes): "
                             f"{short_time:.3f} s -> {long_time:.3f} s, {long_time / short_time:.2f}x wall, "
                             f"{(long_time - start_up) / (short_time - start_up):.2f}x without start-up")
    return lines


def report(results, infos, runs):
    method = (f"Median of {runs} runs after one warm-up run each; "
              "peak RSS is the largest over those runs. Ratios compare median wall times.")
    if any(workload == RESNET_SAVED_MODEL for workload, _ in results):
        method += (f" For `{RESNET_SAVED_MODEL}`, which freeze_graph cannot read, the freeze_graph "
                   "column compares with TF's convert_variables_to_constants_v2 route.")
    lines = [machine_line(), "", method, ""]
    lines += [workload_line(name, info) for name, info in infos.items()]
    lines += ["", "| workload | tool | median wall s | min s | peak RSS MB "
              "| ratio vs freeze_graph (wall) | ratio vs I/O floor |",
              "|---|---|---:|---:|---:|---:|---:|"]
    for workload, tools in results:
        lines += table_rows(workload, tools)
    lines += without_tf_route_lines(results)
    lines += saved_model_vs_graph_lines(results)
    lines += chain_growth_lines(results, infos)
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def comma_list(allowed=None):
    """An argparse type for 'a,b,c'; with `allowed`, every item must be one of those."""
    def parse(text):
        items = [item.strip() for item in text.split(",") if item.strip()]
        if not items:
            raise argparse.ArgumentTypeError("give at least one name")
        unknown = [item for item in items if allowed is not None and item not in allowed]
        if unknown:
            raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)}; choose from {', '.join(allowed)}")
        return items
    return parse


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", type=comma_list([*WORKLOADS, CHAIN_SCALING]), default=DEFAULT_WORKLOADS,
                        help=f"comma-separated; {CHAIN_SCALING} stands for {','.join(SCALING_CHAINS)} "
                             f"(default: {','.join(DEFAULT_WORKLOADS)})")
    parser.add_argument("--engines", type=comma_list(), default=["native"],
                        help="freeze engines, one row each (default: native; e.g. native,session; "
                             "native+optimize adds --optimize)")
    parser.add_argument("--runs", type=int, default=MIN_RUNS,
                        help=f"timed runs per tool, at least {MIN_RUNS} (default {MIN_RUNS})")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR,
                        help=f"where workloads are built and kept (default {DEFAULT_WORKDIR})")
    parser.add_argument("--markdown", type=Path, help="also write the result block to this file")
    parser.add_argument("--build", choices=WORKLOADS, help=argparse.SUPPRESS)  # internal
    args = parser.parse_args()
    if args.runs < MIN_RUNS:
        parser.error(f"--runs must be at least {MIN_RUNS}")
    args.workloads = expand_scaling(args.workloads)
    return args


def expand_scaling(workloads):
    """The workloads with chain_scaling replaced by its chains, each workload once, in order."""
    expanded = []
    for name in workloads:
        expanded += SCALING_CHAINS if name == CHAIN_SCALING else [name]
    return list(dict.fromkeys(expanded))


def workload_groups(workloads):
    """The workloads in groups benched together (their tools alternate in each round): the scaling
    chains in one, whose growth compares them, so that drift on the machine hits all three alike;
    every other workload on its own."""
    groups = []
    for name in workloads:
        if name in SCALING_CHAINS and all(chain in workloads for chain in SCALING_CHAINS):
            if name == next(chain for chain in workloads if chain in SCALING_CHAINS):
                groups.append(list(SCALING_CHAINS))
        else:
            groups.append([name])
    return groups


def main():
    args = parse_args()
    workdir = args.workdir.resolve()
    if args.build:
        build_workload(args.build, workdir / args.build)
        return
    try:
        freeze = find_freeze()
        infos = {name: ensure_built(name, workdir) for name in args.workloads}
        results = []
        with tempfile.TemporaryDirectory(dir=workdir, prefix="runs-") as scratch:
            scratch = Path(scratch)  # beside the inputs: same file system for every tool
            start_up = [Tool(FREEZE_START_UP_LABEL, lambda out: [freeze, "--help"], writes_output=False)]
            if any(name in CHAIN_WORKLOADS for name in args.workloads):
                start_up.append(graph_floor_start_up_tool(scratch))
            bench_tools(start_up, args.runs, scratch, "start-up")
            results.append(("–", start_up))
            for group in workload_groups(args.workloads):
                tools = {name: workload_tools(workdir, name, infos[name], args.engines, freeze) for name in group}
                bench_tools([tool for name in group for tool in tools[name]], args.runs, scratch, "+".join(group))
                results += tools.items()
    except BenchError as error:
        sys.exit(f"bench: {error}")
    block = report(results, infos, args.runs)
    print(block)
    if args.markdown:
        args.markdown.write_text(block)


if __name__ == "__main__":
    main()
