"""Small graphs for the `--optimize` and `--weights` tests, built with TensorFlow in this process.

`save_model` runs a builder inside a fresh `tf.Graph` (graph mode, no process-wide switches), then
writes `graph.pb` and a checkpoint whose variables hold the values the builder gave them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np


def save_model(tf, folder: Path, build: Callable[[], None]) -> tuple[Path, str]:
    """(graph.pb, checkpoint prefix) of the graph `build()` makes in `folder`."""
    v1 = tf.compat.v1
    folder.mkdir(parents=True, exist_ok=True)
    with tf.Graph().as_default() as graph:
        build()
        saver = v1.train.Saver()
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            prefix = saver.save(session, str(folder / "model"))
    graph_path = folder / "graph.pb"
    graph_path.write_bytes(graph.as_graph_def().SerializeToString())
    return graph_path, prefix


def variable(tf, name: str, value) -> object:
    """A resource variable initialized to `value` (float32), as Keras makes them."""
    return tf.compat.v1.Variable(np.asarray(value, np.float32), name=name, use_resource=True)


def positive(rng: np.random.Generator, *shape: int) -> np.ndarray:
    """Values in [0.5, 1.5): batch norm scales and variances far from zero."""
    return rng.uniform(0.5, 1.5, shape).astype(np.float32)
