"""Graphs frozen with `--optimize` load and run in the consumers people ship them to (issue 9).

Two real `tf_keras.applications` models (tests/keras_apps.py), each the way its users save it:
MobileNetV2 as a SavedModel and EfficientNetB0 as a TF1 GraphDef + checkpoint. Each is frozen through
the CLI twice, without and with `--optimize`, and run on the same images by:

* TensorFlow: the optimized graph gives the unoptimized graph's outputs, and both the original model's;
* OpenCV dnn: the optimized graph loads and matches TensorFlow (the unoptimized one may fail to load:
  EfficientNetB0's normalization computes `Sqrt` of a constant variance at run time, its swish
  activations pass through `IdentityN`, and a SavedModel's graph keeps `NoOp`s that order variable
  reads, which OpenCV takes for training switches);
* tf2onnx + onnxruntime, and the TFLite converter with its interpreter: convert the optimized graph and
  match TensorFlow.

Frozen once more with `--weights float16` as well, the graph still converts with tf2onnx and TFLite;
OpenCV refuses it (a Conv2D's filter must be a Const, not a Cast of one), as the README says.

The models are built once per session, both at the same time, each in its own interpreter.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from tensorboard.compat.proto import graph_pb2

from cli_runs import freeze_successfully
from fixture_models import build_in_child, run_frozen
from freezer.verify import compare
from keras_apps import KerasApp, load_app

TESTED_APPS = ("mobilenet_v2_saved_model", "efficientnet_b0_graph")
# Of each element, plus this much of the output's largest magnitude (freezer.verify.compare). The frozen
# graphs and the Keras model already differ by up to 1.5e-5 of the largest logit: TensorFlow's float32
# kernels, fused differently by grappler in each, and folded weights rounded once more.
TF_RTOL = 5e-5
RUNTIME_RTOL = 1e-4  # OpenCV, onnxruntime and TFLite: their own float32 kernels
# Ops --optimize leaves no trace of: batch norms are folded, identities bypassed. OpenCV has no
# layer for IdentityN (one per swish activation in EfficientNetB0, from its custom gradient).
FOLDED_AWAY = {"FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3", "StopGradient", "CheckNumerics",
               "IdentityN"}


@dataclasses.dataclass
class FrozenApp:
    app: KerasApp
    plain: Path  # frozen without --optimize
    optimized: Path  # frozen with --optimize
    summary: str  # what the optimized freeze printed
    tf_plain: np.ndarray  # TensorFlow's run of `plain` on the app's images
    tf_optimized: np.ndarray


@pytest.fixture(scope="session")
def built_apps(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("keras_apps")
    folders = {name: root / name for name in TESTED_APPS}
    for folder in folders.values():
        folder.mkdir()
    script = Path(__file__).with_name("keras_apps.py")
    with ThreadPoolExecutor(len(folders)) as pool:  # each child waits on TensorFlow much of the time
        list(pool.map(lambda folder: build_in_child(script, folder, timeout=900), folders.values()))
    return folders


@pytest.fixture(scope="session", params=TESTED_APPS)
def frozen(request, built_apps, tf) -> FrozenApp:
    app = load_app(built_apps[request.param])
    plain, optimized = app.model.parent / "plain.pb", app.model.parent / "optimized.pb"
    freeze_successfully(*app.freeze_args(), "-o", plain)
    summary = freeze_successfully(*app.freeze_args(), "-o", optimized, "--optimize")
    return FrozenApp(app, plain, optimized, summary, run_tensorflow(plain, app), run_tensorflow(optimized, app))


@pytest.fixture(scope="session")
def half(frozen) -> tuple[Path, np.ndarray]:
    """The app frozen with `--optimize --weights float16`, and TensorFlow's run of it."""
    path = frozen.app.model.parent / "half.pb"
    freeze_successfully(*frozen.app.freeze_args(), "-o", path, "--optimize", "--weights", "float16")
    return path, run_tensorflow(path, frozen.app)


def run_tensorflow(graph: Path, app: KerasApp) -> np.ndarray:
    return run_frozen(graph, {app.input_tensor: app.images}, [app.output_tensor])[app.output_tensor]


def run_opencv(graph: Path, images: np.ndarray) -> np.ndarray:
    """One image at a time, as OpenCV's users feed it: OpenCV 4.14 cannot add a per-channel constant
    outside a convolution (its Shift layer, e.g. EfficientNetB0's `x - mean`) to a batch of more
    than one ("expected: 'end <= dims'"), whatever the graph."""
    cv2 = pytest.importorskip("cv2")
    net = cv2.dnn.readNetFromTensorflow(str(graph))
    logits = []
    for image in images:
        net.setInput(image[np.newaxis].transpose(0, 3, 1, 2))  # OpenCV's blobs are NCHW
        logits.append(net.forward())  # [1, classes]: no layout to undo
    return np.concatenate(logits)


def run_onnxruntime(graph: Path, app: KerasApp) -> np.ndarray:
    import tensorflow as tf
    tf2onnx = pytest.importorskip("tf2onnx")
    onnxruntime = pytest.importorskip("onnxruntime")
    model, _ = tf2onnx.convert.from_graph_def(tf.compat.v1.GraphDef.FromString(graph.read_bytes()),
                                              input_names=[app.input_tensor], output_names=[app.output_tensor])
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run([app.output_tensor], {app.input_tensor: app.images})[0]


def run_tflite(graph: Path, app: KerasApp) -> np.ndarray:
    import tensorflow as tf
    input_node, output_node = node_name(app.input_tensor), node_name(app.output_tensor)
    converter = tf.compat.v1.lite.TFLiteConverter.from_frozen_graph(
        str(graph), [input_node], [output_node], input_shapes={input_node: list(app.images.shape)})
    interpreter = tf.lite.Interpreter(model_content=converter.convert())
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], app.images)
    interpreter.invoke()
    return interpreter.get_tensor(interpreter.get_output_details()[0]["index"])


def read_graph(path: Path) -> graph_pb2.GraphDef:
    return graph_pb2.GraphDef.FromString(path.read_bytes())


def node_name(tensor: str) -> str:
    return tensor.rsplit(":", 1)[0]


def data_inputs(node) -> list[str]:
    return [node_name(name) for name in node.input if not name.startswith("^")]


def computed_by_outputs(graph: graph_pb2.GraphDef, outputs: list[str]) -> set[str]:
    """The nodes whose values the outputs read, through data inputs only."""
    nodes = {node.name: node for node in graph.node}
    needed, pending = set(), list(outputs)
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.add(name)
            pending.extend(data_inputs(nodes[name]))
    return needed


def optimized_counts(summary: str) -> dict[str, int]:
    """The summary's `Optimized: what N, what N` line as {what: N}."""
    line, = [line for line in summary.splitlines() if line.startswith("Optimized: ")]
    return {what: int(count) for what, _, count in
            (item.rpartition(" ") for item in line.removeprefix("Optimized: ").split(", "))}


def test_optimize_counts_every_batch_norm_it_folded(frozen):
    batch_norms = [node for node in read_graph(frozen.plain).node if node.op == "FusedBatchNormV3"]
    assert batch_norms  # 52 in MobileNetV2, 49 in EfficientNetB0
    assert optimized_counts(frozen.summary)["folded batch norms"] == len(batch_norms)


def test_optimize_folds_batch_norms_and_drops_identities(frozen):
    """No batch norm and no identity left but the graph's output (its name stays), fewer nodes."""
    plain, optimized = read_graph(frozen.plain), read_graph(frozen.optimized)
    output = node_name(frozen.app.output_tensor)
    assert [f"{node.name} ({node.op})" for node in optimized.node if node.op in FOLDED_AWAY] == []
    assert [node.name for node in optimized.node if node.op == "Identity" and node.name != output] == []
    assert len(optimized.node) < len(plain.node)


def test_optimized_graph_holds_only_what_the_output_computes(frozen):
    """Every node feeds the output through data inputs: no constant a fold left behind, and no NoOp
    ordering reads of what are now constants (OpenCV takes every NoOp for a training switch and
    wants it to have an input)."""
    optimized = read_graph(frozen.optimized)
    needed = computed_by_outputs(optimized, [node_name(frozen.app.output_tensor)])
    assert Counter(node.op for node in optimized.node if node.name not in needed) == {}


def test_optimize_leaves_no_node_computing_constants(frozen):
    """Every node fed only by constants was folded into one (e.g. EfficientNetB0's normalization, `Sqrt`
    and `Maximum` of its variance): such a subgraph is what OpenCV cannot follow."""
    optimized = read_graph(frozen.optimized)
    constants = {node.name for node in optimized.node if node.op == "Const"}
    computing_constants = [f"{node.name} ({node.op})" for node in optimized.node
                           if node.op != "Const" and data_inputs(node) and set(data_inputs(node)) <= constants]
    assert computing_constants == []


def test_tensorflow_runs_the_optimized_graph_like_the_unoptimized_one(frozen):
    compare(frozen.app.output_tensor, frozen.tf_optimized, frozen.tf_plain, TF_RTOL)


@pytest.mark.parametrize("which", ["plain", "optimized"])
def test_tensorflow_runs_both_frozen_graphs_like_the_original_model(frozen, which):
    """The original: Keras's predict on the graph, or TensorFlow's run of the SavedModel's signature."""
    compare(frozen.app.output_tensor, getattr(frozen, f"tf_{which}"), frozen.app.expected, TF_RTOL)


def test_opencv_loads_the_optimized_graph_and_matches_tensorflow(frozen):
    compare(frozen.app.output_tensor, run_opencv(frozen.optimized, frozen.app.images), frozen.tf_optimized,
            RUNTIME_RTOL)


def test_opencv_refuses_the_unoptimized_graph_or_matches_tensorflow(frozen):
    """What --optimize is for: without it OpenCV may refuse the graph, but never run it wrongly."""
    cv2 = pytest.importorskip("cv2")
    try:
        outputs = run_opencv(frozen.plain, frozen.app.images)
    except cv2.error:
        return
    compare(frozen.app.output_tensor, outputs, frozen.tf_plain, RUNTIME_RTOL)


def test_onnxruntime_runs_the_optimized_graph_converted_by_tf2onnx_like_tensorflow(frozen):
    compare(frozen.app.output_tensor, run_onnxruntime(frozen.optimized, frozen.app), frozen.tf_optimized,
            RUNTIME_RTOL)


def test_tflite_converts_the_optimized_graph_and_its_interpreter_matches_tensorflow(frozen):
    compare(frozen.app.output_tensor, run_tflite(frozen.optimized, frozen.app), frozen.tf_optimized, RUNTIME_RTOL)


def test_onnxruntime_and_tflite_run_the_float16_graph_like_tensorflow(frozen, half):
    """Weights stored as float16, each cast back to float32 where it is used: both converters take the Casts."""
    graph, tf_half = half
    compare(frozen.app.output_tensor, run_onnxruntime(graph, frozen.app), tf_half, RUNTIME_RTOL)
    compare(frozen.app.output_tensor, run_tflite(graph, frozen.app), tf_half, RUNTIME_RTOL)


def test_opencv_refuses_float16_weights(frozen, half):
    """OpenCV dnn reads a Conv2D's filter only from a Const, never through the Cast: it needs float32 weights."""
    cv2 = pytest.importorskip("cv2")
    with pytest.raises(cv2.error, match="Const input blob for weights not found"):
        run_opencv(half[0], frozen.app.images)
