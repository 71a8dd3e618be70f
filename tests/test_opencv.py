"""A conv + batch-norm model pinned with --set is_training=false loads in OpenCV's dnn module.

The batch norm is the classic TF1 one: ref variables, v1 control flow, moving-average updates
(`AssignSub` on ref variables) inside the training branch. Pinning the placeholder must leave a
plain inference graph that OpenCV reads and runs like TensorFlow.
"""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from cli_runs import freeze
from fixture_models import run_frozen

cv2 = pytest.importorskip("cv2")

# Built in its own interpreter: the v1 control-flow and ref-variable switches are process-wide.
BUILD = textwrap.dedent("""
    import os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ["TF_USE_LEGACY_KERAS"] = "1"  # tf.compat.v1.layers lives in tf_keras
    import numpy as np
    import tensorflow as tf
    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.disable_control_flow_v2()
    tf.compat.v1.disable_resource_variables()
    folder = sys.argv[1]
    tf.compat.v1.set_random_seed(7)
    rng = np.random.default_rng(7)
    x = tf.compat.v1.placeholder(tf.float32, [1, 8, 8, 3], name="x")
    is_training = tf.compat.v1.placeholder_with_default(True, [], name="is_training")
    conv = tf.compat.v1.layers.conv2d(x, 4, 3, padding="same", name="conv")
    norm = tf.compat.v1.layers.batch_normalization(conv, training=is_training, name="bn")
    tf.nn.relu(norm, name="y")
    updates = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
    saver = tf.compat.v1.train.Saver()
    with tf.compat.v1.Session() as session:
        session.run(tf.compat.v1.global_variables_initializer())
        for _ in range(3):  # move the moving averages away from their initial values
            session.run(updates, {x: rng.normal(size=(1, 8, 8, 3)).astype(np.float32) * 3 + 1})
        sample = rng.normal(size=(1, 8, 8, 3)).astype(np.float32)
        expected = session.run("y:0", {x: sample, is_training: False})
        saver.save(session, folder + "/ckpt/model")
        tf.io.write_graph(session.graph.as_graph_def(), folder, "model.pb", as_text=False)
    np.savez(folder + "/io.npz", x=sample, y=expected)
""")


@pytest.fixture(scope="module")
def batch_norm_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bn")
    subprocess.run([sys.executable, "-c", BUILD, str(folder)], check=True, timeout=300)
    with np.load(folder / "io.npz") as arrays:
        return folder, arrays["x"], arrays["y"]


@pytest.fixture(scope="module")
def pinned(batch_norm_model):
    folder, sample, expected = batch_norm_model
    out = folder / "pinned.pb"
    done = freeze(folder / "model.pb", folder / "ckpt", "--outputs", "y", "--set", "is_training=false", "-o", out)
    assert done.exit_code == 0, done.output
    assert "Note: Pinned is_training=false.\n" in done.stdout
    return out, sample, expected


def test_pinned_graph_has_no_control_flow_left(pinned):
    from tensorboard.compat.proto import graph_pb2
    path, _, _ = pinned
    ops = {node.op for node in graph_pb2.GraphDef.FromString(path.read_bytes()).node}
    assert not ops & {"Switch", "RefSwitch", "Merge", "AssignSub", "VariableV2", "PlaceholderWithDefault"}


def test_pinned_graph_gives_the_inference_values_in_tensorflow(pinned):
    path, sample, expected = pinned
    np.testing.assert_allclose(run_frozen(path, {"x:0": sample}, ["y:0"])["y:0"], expected, rtol=1e-5, atol=1e-6)


def test_opencv_loads_and_runs_the_pinned_graph(pinned):
    path, sample, expected = pinned
    net = cv2.dnn.readNetFromTensorflow(str(path))
    net.setInput(sample.transpose(0, 3, 1, 2))  # OpenCV wants NCHW
    out = net.forward().transpose(0, 2, 3, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
