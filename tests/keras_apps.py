"""Real `tf_keras.applications` models, small and seeded, for the consumer tests of `--optimize`.

    python tests/keras_apps.py FOLDER     # builds the app FOLDER is named after (a key of APPS)

An app is an architecture saved the way its users have it:

* `..._graph`: built in TF1 graph mode (learning phase 0, so batch norms are inference
  `FusedBatchNormV3`), written as a binary GraphDef (`model.pb`) and a Saver checkpoint (`ckpt/`);
* `..._saved_model`: the eager model saved with `tf.saved_model.save` (`saved_model/`), its graph
  the inlined signature function with the control-dependency `NoOp`s it brings.

Both architectures take 64x64 RGB images (32 is the smallest both accept; 64 leaves a 2x2 map before
pooling) and give 10 logits (no softmax, where a wrong value could hide in a saturated probability).
EfficientNetB0's `Normalization` layer computes `(x - mean) / sqrt(variance)` from variables at run
time: the subgraph OpenCV cannot follow unless it is folded.

The weights are as a trained model's would be, not Keras's fresh ones (whose batch norms, mean 0 and
variance 1, let the signal die in a deep net so every image gives the same logits): kernels from
Keras's seeded initializers, the normalization's mean and variance and each batch norm's gamma and
beta drawn at random, and its moving statistics measured on a calibration batch.

Each folder gets `app.json` (what to freeze; the frozen graph's input and output tensors) and
`io.npz` (a seeded input batch and the original model's outputs on it: Keras's predict for a graph,
the SavedModel signature's run for a SavedModel). `load_app` reads them back.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path

import numpy as np

IMAGE_SHAPE = (64, 64, 3)
BATCH = 2
CALIBRATION_BATCH = 8
CLASSES = 10
SEED = 9
# Architecture → (its tf_keras.applications builder, the range of pixel values it expects).
ARCHITECTURES = {"mobilenet_v2": ("MobileNetV2", (-1.0, 1.0)),  # preprocessing is the user's
                 "efficientnet_b0": ("EfficientNetB0", (0.0, 255.0))}  # rescales and normalizes itself


@dataclasses.dataclass
class KerasApp:
    name: str
    model: Path  # the GraphDef, or the SavedModel folder
    checkpoint: Path | None  # None for a SavedModel
    output_nodes: list[str]  # for --outputs; empty for a SavedModel (all of its signature's)
    input_tensor: str  # in the frozen graph
    output_tensor: str  # in the frozen graph
    images: np.ndarray  # NHWC float32 batch
    expected: np.ndarray  # the original model's outputs on `images`

    def freeze_args(self) -> list:
        """The model, its checkpoint and outputs, as the freeze command takes them."""
        checkpoint = [self.checkpoint] if self.checkpoint else []
        outputs = ["--outputs", ",".join(self.output_nodes)] if self.output_nodes else []
        return [self.model, *checkpoint, *outputs]


def load_app(folder: Path) -> KerasApp:
    """The app `python keras_apps.py FOLDER` built."""
    spec = json.loads((folder / "app.json").read_text())
    with np.load(folder / "io.npz") as arrays:
        images, expected = arrays["images"], arrays["expected"]
    checkpoint = folder / spec["checkpoint"] if spec["checkpoint"] else None
    return KerasApp(folder.name, folder / spec["model"], checkpoint, spec["output_nodes"], spec["input_tensor"],
                    spec["output_tensor"], images, expected)


def _build_model(architecture: str, rng: np.random.Generator):
    import tf_keras
    tf_keras.utils.set_random_seed(SEED)
    builder = getattr(tf_keras.applications, ARCHITECTURES[architecture][0])
    model = builder(input_tensor=tf_keras.Input(IMAGE_SHAPE, name="image"), weights=None, classes=CLASSES,
                    classifier_activation=None)
    for layer in model.layers:
        if isinstance(layer, tf_keras.layers.Normalization):  # of pixels rescaled to [0, 1]
            mean, variance, count = layer.get_weights()
            layer.set_weights([rng.uniform(0.3, 0.7, mean.shape).astype(np.float32),
                               rng.uniform(0.05, 0.15, variance.shape).astype(np.float32), count])
    return model


def _images(architecture: str, rng: np.random.Generator, batch: int) -> np.ndarray:
    low, high = ARCHITECTURES[architecture][1]
    return rng.uniform(low, high, size=(batch, *IMAGE_SHAPE)).astype(np.float32)


def _batch_norms(model) -> list:
    import tf_keras
    return [layer for layer in model.layers if isinstance(layer, tf_keras.layers.BatchNormalization)]


def _random_gammas_and_betas(model, rng: np.random.Generator) -> None:
    for layer in _batch_norms(model):
        gamma, beta, mean, variance = layer.get_weights()
        layer.set_weights([rng.uniform(0.8, 1.2, gamma.shape).astype(np.float32),
                           rng.normal(scale=0.1, size=beta.shape).astype(np.float32), mean, variance])


def _measure_moving_statistics(model, images) -> list:
    """Set every batch norm's moving statistics to those of `images`: with momentum 0, one
    training-mode call does it. Returns the update ops a graph-mode session must run (run already
    when eager)."""
    import tensorflow as tf
    for layer in _batch_norms(model):
        layer.momentum = 0.0
    model(images, training=True)
    return [] if tf.executing_eagerly() else [update for layer in _batch_norms(model) for update in layer.updates]


def build_graph_and_checkpoint(architecture: str, folder: Path) -> None:
    """TF1 graph mode: a binary GraphDef with its Saver, a checkpoint, and Keras's predict as the
    expected outputs. The graph is written before measuring the statistics adds a training-mode copy."""
    import tensorflow as tf
    import tf_keras
    tf.compat.v1.disable_eager_execution()
    tf_keras.backend.set_learning_phase(0)  # inference graph: no training branch in the batch norms
    rng = np.random.default_rng(SEED)
    model = _build_model(architecture, rng)
    saver = tf.compat.v1.train.Saver()
    session = tf.compat.v1.keras.backend.get_session()
    tf.io.write_graph(session.graph.as_graph_def(), str(folder), "model.pb", as_text=False)
    _random_gammas_and_betas(model, rng)
    session.run(_measure_moving_statistics(model, tf.constant(_images(architecture, rng, CALIBRATION_BATCH))))
    saver.save(session, str(folder / "ckpt" / "model"), write_meta_graph=False)
    images = _images(architecture, rng, BATCH)
    output = model.outputs[0].op.name
    _write(folder, {"model": "model.pb", "checkpoint": "ckpt", "output_nodes": [output],
                    "input_tensor": model.inputs[0].name, "output_tensor": f"{output}:0"},
           images, model.predict(images, verbose=0))


def build_saved_model(architecture: str, folder: Path) -> None:
    """tf.saved_model.save of the eager model; the expected outputs are the loaded signature's run."""
    import tensorflow as tf
    rng = np.random.default_rng(SEED)
    model = _build_model(architecture, rng)
    _random_gammas_and_betas(model, rng)
    _measure_moving_statistics(model, _images(architecture, rng, CALIBRATION_BATCH))
    tf.saved_model.save(model, str(folder / "saved_model"))
    images = _images(architecture, rng, BATCH)
    signature = tf.saved_model.load(str(folder / "saved_model")).signatures["serving_default"]
    (key, output), = signature(image=tf.constant(images)).items()
    _write(folder, {"model": "saved_model", "checkpoint": None, "output_nodes": [],
                    "input_tensor": "image:0", "output_tensor": f"{key}:0"}, images, output.numpy())


def _write(folder: Path, spec: dict, images: np.ndarray, expected: np.ndarray) -> None:
    np.savez(folder / "io.npz", images=images, expected=expected)
    (folder / "app.json").write_text(json.dumps(spec, indent=1) + "\n")


# App name → (architecture, how it is saved).
APPS = {f"{architecture}_{form}": (architecture, builder) for architecture in ARCHITECTURES
        for form, builder in (("graph", build_graph_and_checkpoint), ("saved_model", build_saved_model))}

if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    target = Path(sys.argv[1])
    architecture, build = APPS[target.name]
    build(architecture, target)
