"""A tiny model built with TensorFlow for the restore and verify tests: y = x * w + b.

w is a ref variable (its initializer gives [1, 1]; the checkpoint holds [2, 3]), b a resource one
([0.5, 0.5]), and `spare` an int64 counter that y never uses; `step` adds 1 to it. The graph is
`model.pbtxt`, the checkpoint `ckpt/model` (its folder has a `checkpoint` state file).
"""

from __future__ import annotations

from pathlib import Path


def build_affine_model(folder: Path, tf) -> Path:
    """Write the model into `folder` (returned)."""
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.float32, [None, 2], name="x")
        w = tf.compat.v1.Variable([1.0, 1.0], name="w", use_resource=False)
        b = tf.compat.v1.Variable([0.5, 0.5], name="b", use_resource=True)
        spare = tf.compat.v1.Variable(7, name="spare", dtype=tf.int64, use_resource=False)
        tf.identity(x * w + b, name="y")
        tf.compat.v1.assign_add(spare, 1, name="step")
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            session.run(w.assign([2.0, 3.0]))
            saver.save(session, str(folder / "ckpt" / "model"))
    tf.io.write_graph(graph.as_graph_def(), str(folder), "model.pbtxt")
    return folder
