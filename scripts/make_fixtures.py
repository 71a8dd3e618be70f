"""Build the small TF1 graphs + checkpoints that freezer's tests freeze.

Each fixture is a folder ``fixtures/<name>/`` holding:

* the graph (text ``model.pbtxt``, binary ``model.pb`` or a ``.meta``),
* a V2 checkpoint (``<prefix>.index``, ``<prefix>.data-00000-of-00001`` and the
  ``checkpoint`` state file the Saver writes),
* ``io.npz``: input values and the outputs the *original* graph produced on them,
  computed in the very session that set the variables and saved the checkpoint,
* ``fixture.json``: what to freeze and how to check it::

    {"description": "...",
     "graph": "model.pbtxt",            # relative to the fixture folder
     "checkpoint": "ckpt/model-0",      # a prefix, a folder, or null when the
                                        # graph is a .meta with its prefix beside it
     "outputs": ["y"],                  # node names to freeze for
     "inputs": {"x:0": "x"},            # tensor name -> key in io.npz
     "expected": {"y:0": "y"},          # tensor name -> key in io.npz
     # Optional, written only when a fixture needs them:
     "freeze_args": ["--set", "is_training=false"],
                                        # extra CLI options to freeze with; the tests pass
                                        # the same options to the API.  A placeholder pinned
                                        # by --set NAME=VALUE is gone from the frozen graph, so
                                        # runs of the frozen graph do not feed NAME:0 (the
                                        # original graph's run still does)
     "init_op": "init_all_tables",      # run once after restoring the original graph and
                                        # before the frozen graph's outputs (TF and C++);
                                        # freezer must report it as the frozen graph's init op
     "saved_model": {"tags": ["serve"], "signature": "serving_default"}}
                                        # the sm_* fixtures: "graph" is the SavedModel folder
                                        # ("model"), "checkpoint" null, "outputs" [] (all of
                                        # the signature's), inputs/expected keyed <key>:0 as
                                        # the frozen graph names them; freeze_args may hold
                                        # --signature NAME

Usage::

    python scripts/make_fixtures.py                  # rebuild every fixture
    python scripts/make_fixtures.py mlp_ref dtypes   # rebuild only these
    python scripts/make_fixtures.py --out /tmp/fx    # somewhere else

Every fixture is rebuilt from scratch in its own Python process, because the
TF1 switches it needs (eager off, ref variables, v1 control flow) are process-wide;
the builders in LEGACY_KERAS get ``TF_USE_LEGACY_KERAS=1`` in their process's
environment, as tf.compat.v1.layers, the v1 RNN cells and tf_keras need it set
before TensorFlow is imported.  Values are
seeded, and nothing time-dependent is written, so a rebuild gives the same bytes
under the same TensorFlow version; except the events files of the events_* fixtures, in
which TensorFlow's FileWriter records wall times (the builders in EAGER run eagerly, as TF2 code does),
and sm_keras3_rnn, whose Keras 3 export lists its variables (`_all_variables/N`) in an order that
changes from run to run (its values, and the frozen graph, stay the same).
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Must be set before TensorFlow is imported to silence its C++ start-up logging.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

SEED = 1234
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "fixtures"
# The date a zip member gets instead of "now", so rebuilt io.npz files don't churn.
FIXED_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
# The name every events fixture's file gets (TensorBoard and freezer find it by "tfevents").
EVENTS_FILE = "events.out.tfevents.1700000000.fixture"


# --------------------------------------------------------------------------- helpers


@dataclass
class Record:
    """What a fixture records: its fixture.json fields and the values io.npz feeds.

    Placeholder `p` is fed as tensor ``p:0`` from io.npz key ``p``; output `o` is
    expected as tensor ``o:0`` under key ``o``.
    """

    description: str
    graph: str  # model.pbtxt or model.pb (written from the session), or a Saver's .meta
    checkpoint: str | None  # as fixture.json names it: a prefix, a folder, or None
    outputs: list[str] = field(default_factory=lambda: ["y"])
    # {placeholder name: value}.  None feeds x [None, 4] a random batch of 5, drawn
    # only after the variables' values so the committed fixtures' bytes stay put.
    inputs: dict | None = None
    # fixture.json's optional fields (see the module docstring); init_op is also run
    # right after the variables get their values, before the outputs are recorded.
    freeze_args: list[str] = field(default_factory=list)
    init_op: str | None = None


def make_saver(var_list=None, **options):
    """A Saver whose `checkpoint` state file names prefixes relative to its folder,
    so the committed fixtures don't carry this machine's absolute paths."""
    return tf.compat.v1.train.Saver(var_list, save_relative_paths=True, **options)


def load_values_unlike_init(sess, variables, rng):
    """Overwrite each variable with fresh random values.

    The graph's own initializers (seeded, or constants) can then never reproduce
    the checkpoint, so a freezer that reads values from anywhere but the
    checkpoint fails the tests.  `Variable.load` feeds the initializer's value
    input, so no extra nodes end up in the saved graph.
    """
    for variable in variables:
        shape = variable.shape.as_list()
        value = rng.normal(size=shape).astype(variable.dtype.base_dtype.as_numpy_dtype)
        variable.load(value, sess)


def savable(value):
    """TF returns strings as object arrays of bytes; np.load without pickle needs 'S'."""
    array = np.asarray(value)
    return array.astype(np.bytes_) if array.dtype == object else array


def save_npz(path, arrays):
    """Same layout as np.savez (one .npy per key), but with a fixed member date."""
    with zipfile.ZipFile(path, "w") as archive:
        for key, array in arrays.items():
            member = zipfile.ZipInfo(f"{key}.npy", date_time=FIXED_ZIP_DATE)
            with archive.open(member, "w") as stream:
                np.lib.format.write_array(stream, savable(array), allow_pickle=False)


def write_fixture(folder, sess, rng, record):
    """Run the original graph on the record's inputs and write io.npz and fixture.json."""
    inputs = record.inputs
    if inputs is None:
        inputs = {"x": rng.normal(size=[5, 4]).astype(np.float32)}
    expected = {f"{name}:0": name for name in record.outputs}
    feed = {f"{name}:0": value for name, value in inputs.items()}
    results = sess.run(list(expected), feed)
    save_npz(folder / "io.npz", inputs | dict(zip(expected.values(), results)))
    manifest = {
        "description": record.description,
        "graph": record.graph,
        "checkpoint": record.checkpoint,
        "outputs": record.outputs,
        "inputs": {f"{name}:0": name for name in inputs},
        "expected": expected,
    }
    if record.freeze_args:
        manifest["freeze_args"] = record.freeze_args
    if record.init_op:
        manifest["init_op"] = record.init_op
    (folder / "fixture.json").write_text(json.dumps(manifest, indent=2) + "\n")


def write_graph_def(sess, folder, name):
    """Write the session's graph as `name`: text for .pbtxt, binary otherwise."""
    # The whole graph, init and save/restore nodes included, as real exports have.
    graph_def = sess.graph.as_graph_def()
    tf.io.write_graph(graph_def, str(folder), name, as_text=name.endswith(".pbtxt"))


def save_and_record(folder, rng, record, *, save_as="ckpt/model", global_step=None,
                    var_list=None, sharded=False, write_version=tf.compat.v1.train.SaverDef.V2,
                    set_values=None, target="", config=None):
    """Initialise, set the checkpoint's values, save, write the graph, then record.

    save_as, global_step: the Saver's prefix (relative to `folder`) and step suffix.
    var_list, sharded, write_version: passed on to the Saver (SaverDef.V1 writes one
        table file at the prefix itself, no .index or .data-*).
    set_values(sess): gives the variables the values to save; by default every
        global variable gets random values unlike its initializer's.
    target, config: for the Session.
    The Saver writes the graph itself when record.graph is a .meta.
    """
    # Both before the session, so the written graph holds the init and save/ nodes.
    init = tf.compat.v1.global_variables_initializer()
    saver = make_saver(var_list, sharded=sharded, write_version=write_version)
    with tf.compat.v1.Session(target, config=config) as sess:
        sess.run(init)
        if set_values is None:
            load_values_unlike_init(sess, tf.compat.v1.global_variables(), rng)
        else:
            set_values(sess)
        if record.init_op:
            sess.run(record.init_op)
        save_path = folder / save_as
        save_path.parent.mkdir(exist_ok=True)  # a plain Saver creates it, a sharded one doesn't
        writes_meta = record.graph.endswith(".meta")
        saver.save(sess, str(save_path), global_step=global_step, write_meta_graph=writes_meta)
        if not writes_meta:
            write_graph_def(sess, folder, record.graph)
        write_fixture(folder, sess, rng, record)


def start_local_ps_server():
    """An in-process server for job "ps", so /job:ps/task:0 nodes run as written.

    A plain local session has no ps job, and allow_soft_placement does not help:
    TF refuses to move the variables' initializers, which are colocated with
    variables pinned to /job:ps.  The server dies with this process.
    """
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        free_port = probe.getsockname()[1]
    cluster = tf.train.ClusterSpec({"ps": [f"localhost:{free_port}"]})
    return tf.distribute.Server(cluster, job_name="ps", task_index=0)


# -------------------------------------------------------------------------- builders


def build_mlp_ref(folder, rng):
    tf.compat.v1.disable_resource_variables()
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    hidden = x
    layer_sizes = [(4, 8), (8, 8), (8, 3)]
    for index, (fan_in, fan_out) in enumerate(layer_sizes):
        with tf.compat.v1.variable_scope(f"layer{index}"):
            w = tf.compat.v1.get_variable("w", [fan_in, fan_out])
            # Zero-initialised biases, as TF1 layers do; also keeps the graph small.
            b = tf.compat.v1.get_variable(
                "b", [fan_out], initializer=tf.compat.v1.zeros_initializer())
        hidden = tf.matmul(hidden, w) + b
        if index < len(layer_sizes) - 1:
            hidden = tf.nn.relu(hidden)
    tf.identity(hidden, name="y")
    # global_step=0 gives the prefix a step suffix: ckpt/model-0.
    save_and_record(folder, rng, Record(
        description="3-layer ReLU MLP (4-8-8-3) with ref variables; text GraphDef; "
                    "checkpoint prefix with a step suffix (model-0).",
        graph="model.pbtxt",
        checkpoint="ckpt/model-0",
    ), global_step=0)


def build_resource_pb(folder, rng):
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    w = tf.compat.v1.get_variable("w", [4, 3], use_resource=True)
    b = tf.compat.v1.get_variable("b", [3], use_resource=True)
    scale = tf.compat.v1.get_variable("scale", [], use_resource=True)
    tf.multiply(tf.tanh(tf.matmul(x, w) + b), scale, name="y")
    save_and_record(folder, rng, Record(
        description="y = tanh(x @ w + b) * scale with resource variables "
                    "(VarHandleOp/ReadVariableOp); binary GraphDef; checkpoint "
                    "given as its folder (found through the 'checkpoint' state file).",
        graph="model.pb",
        checkpoint="ckpt",
    ))


def build_train_meta(folder, rng):
    tf.compat.v1.disable_resource_variables()
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    labels = tf.compat.v1.placeholder(tf.int64, [None], name="labels")
    w = tf.compat.v1.get_variable("w", [4, 3])
    b = tf.compat.v1.get_variable("b", [3], initializer=tf.compat.v1.zeros_initializer())
    logits = tf.add(tf.matmul(x, w), b, name="logits")
    tf.nn.softmax(logits, name="y")
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
        name="loss")
    global_step = tf.compat.v1.train.get_or_create_global_step()
    # Adam adds slot variables (w/Adam, w/Adam_1, ...) and beta1/2_power: checkpoint
    # keys and graph nodes that inference never needs.
    train_op = tf.compat.v1.train.AdamOptimizer(0.05).minimize(
        loss, global_step=global_step, name="train_op")

    def train(sess):
        for _ in range(5):
            batch = {x: rng.normal(size=[8, 4]).astype(np.float32),
                     labels: rng.integers(0, 3, size=[8])}
            sess.run(train_op, batch)

    # Writes model-1000.meta (with saver_def) beside model-1000.index/.data.
    save_and_record(folder, rng, Record(
        description="Softmax classifier trained 5 Adam steps (ref variables, "
                    "global_step, optimizer slots); graph is the .meta the Saver "
                    "wrote, its checkpoint prefix sits beside it.",
        graph="model-1000.meta",
        checkpoint=None,
    ), save_as="model", global_step=1000, set_values=train)


def build_dtypes(folder, rng):
    tf.compat.v1.disable_resource_variables()
    # Initial values are constants in the graph; the checkpoint gets other values.
    v_i64 = tf.compat.v1.Variable(np.arange(6, dtype=np.int64).reshape(2, 3), name="v_i64")
    v_bool = tf.compat.v1.Variable(False, name="v_bool")
    v_f16 = tf.compat.v1.Variable(np.zeros([2, 2], np.float16), name="v_f16")
    v_u8 = tf.compat.v1.Variable(np.zeros([2, 2, 2], np.uint8), name="v_u8")
    v_str = tf.compat.v1.Variable(np.array([b"init-a", b"init-b"]), name="v_str")
    x_i64 = tf.compat.v1.placeholder(tf.int64, [2, 3], name="x_i64")
    x_str = tf.compat.v1.placeholder(tf.string, [2], name="x_str")
    tf.add(v_i64, x_i64, name="i64_out")
    tf.identity(v_bool, name="bool_out")
    tf.identity(v_f16, name="f16_out")
    tf.identity(v_u8, name="u8_out")
    tf.strings.join([v_str, x_str], separator="|", name="str_out")

    # Extreme and non-UTF-8 values, so any lossy conversion shows up.
    checkpoint_values = {
        v_i64: np.array([[2**62, -(2**62), 7], [-1, 0, 2**40 + 3]], np.int64),
        v_bool: np.array(True),
        v_f16: rng.normal(size=[2, 2]).astype(np.float16),
        v_u8: np.array([[[0, 255], [128, 1]], [[17, 254], [99, 3]]], np.uint8),
        v_str: np.array([b"caf\xc3\xa9", b"\x00\xffraw"]),
    }

    def load_checkpoint_values(sess):
        for variable, value in checkpoint_values.items():
            variable.load(value, sess)

    save_and_record(folder, rng, Record(
        description="Ref variables of int64 [2,3], bool scalar, float16 [2,2], "
                    "uint8 [2,2,2] and string [2] (non-UTF-8 bytes); every output "
                    "must match exactly.",
        graph="model.pbtxt",
        checkpoint="ckpt/model",
        outputs=["i64_out", "bool_out", "f16_out", "u8_out", "str_out"],
        inputs={
            "x_i64": np.array([[1, 2, 3], [-4, -5, 2**50]], np.int64),
            "x_str": np.array([b"left", b"\xfe"]),
        },
    ), set_values=load_checkpoint_values)


def build_devices(folder, rng):
    tf.compat.v1.disable_resource_variables()
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    with tf.device("/job:ps/task:0"):
        w = tf.compat.v1.get_variable("w", [4, 2])
        b = tf.compat.v1.get_variable("b", [2])
        unused = tf.compat.v1.get_variable("unused", [3])
    with tf.device("/device:CPU:0"):
        # `logits` is on y's path but colocated with `unused`, which y doesn't need:
        # pruning to y leaves a `_class: loc:@unused` pointing nowhere.
        with tf.compat.v1.colocate_with(unused):
            logits = tf.matmul(x, w, name="logits")
        tf.nn.relu(logits + b, name="y")
    server = start_local_ps_server()  # kept referenced while the session uses it
    save_and_record(folder, rng, Record(
        description="Variables on /job:ps/task:0, ops on /device:CPU:0, and "
                    "'logits' (on y's path) colocated with the variable 'unused' "
                    "that y does not need.",
        graph="model.pbtxt",
        checkpoint="ckpt/model",
    ), target=server.target)


def build_saver_map(folder, rng):
    tf.compat.v1.disable_resource_variables()
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    w = tf.compat.v1.get_variable("w", [4, 3])
    b = tf.compat.v1.get_variable("b", [3])
    tf.nn.sigmoid(tf.matmul(x, w) + b, name="y")
    # Checkpoint keys that are not the variables' node names, as after a rename:
    # only the saver_def's restore op knows that "old/weights" fills `w`.  Writes
    # model-5.meta (saver_def = this mapping saver) beside model-5.index/.data; the
    # checkpoint holds only old/weights and old/bias.
    save_and_record(folder, rng, Record(
        description="y = sigmoid(x @ w + b) (ref variables) whose Saver maps the "
                    "checkpoint keys old/weights and old/bias onto w and b; nothing "
                    "is stored under 'w' or 'b'. Graph is the .meta, prefix beside it.",
        graph="model-5.meta",
        checkpoint=None,
    ), save_as="model", global_step=5, var_list={"old/weights": w, "old/bias": b})


def ema_model():
    """x -> y = x @ w + b, the model both graphs of build_ema_meta share."""
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    w = tf.compat.v1.get_variable("w", [4, 2])
    b = tf.compat.v1.get_variable("b", [2], initializer=tf.compat.v1.zeros_initializer())
    return x, [w, b], tf.add(tf.matmul(x, w), b, name="y")


def build_ema_meta(folder, rng):
    tf.compat.v1.disable_resource_variables()
    decay = 0.5  # low, so a few steps leave the averages far from the variables
    prefix = folder / "model-3"

    # Training graph: SGD steps, each followed by the EMA update; a normal Saver
    # stores w, b and their shadows w/ExponentialMovingAverage, b/ExponentialMovingAverage.
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(SEED)
        x, variables, y = ema_model()
        target = tf.compat.v1.placeholder(tf.float32, [None, 2], name="target")
        loss = tf.reduce_mean(tf.square(y - target))
        step = tf.compat.v1.train.GradientDescentOptimizer(0.3).minimize(loss)
        ema = tf.train.ExponentialMovingAverage(decay)
        update_averages = ema.apply(variables)
        # The shadows start from the variables' values, so initialize those first (one
        # global initializer can run the shadows' before the variables').
        init_variables = tf.compat.v1.variables_initializer(variables)
        init_shadows = tf.compat.v1.variables_initializer([ema.average(v) for v in variables])
        train_saver = make_saver()
        with tf.compat.v1.Session() as sess:
            sess.run(init_variables)
            sess.run(init_shadows)
            for _ in range(3):
                sess.run(step, {x: rng.normal(size=[8, 4]).astype(np.float32),
                                target: rng.normal(size=[8, 2]).astype(np.float32)})
                sess.run(update_averages)
            train_saver.save(sess, str(prefix), write_meta_graph=False)

    # Inference graph, as an export does it: the same model, restored through a Saver
    # from variables_to_restore(), which loads key w/ExponentialMovingAverage into w.
    with tf.Graph().as_default():
        tf.compat.v1.set_random_seed(SEED)
        x, variables, y = ema_model()
        ema = tf.train.ExponentialMovingAverage(decay)
        saver = make_saver(ema.variables_to_restore())
        with tf.compat.v1.Session() as sess:
            saver.restore(sess, str(prefix))
            saver.export_meta_graph(str(prefix) + ".meta")
            write_fixture(folder, sess, rng, Record(
                description="y = x @ w + b trained 3 SGD steps with an ExponentialMovingAverage "
                            "(decay 0.5); the checkpoint holds w, b and their averages, and the "
                            ".meta's saver (from variables_to_restore) restores the averages "
                            "into w and b, so the expected outputs use the averaged values.",
                graph="model-3.meta",
                checkpoint=None,
            ))


def build_sharded(folder, rng):
    tf.compat.v1.disable_resource_variables()
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    # Constant initializers keep the text graph small; the checkpoint gets random values.
    zeros = tf.compat.v1.zeros_initializer()
    with tf.device("/cpu:0"):
        w0 = tf.compat.v1.get_variable("w0", [4, 3], initializer=zeros)
        b0 = tf.compat.v1.get_variable("b0", [3], initializer=zeros)
        hidden = tf.nn.relu(tf.matmul(x, w0) + b0)
    with tf.device("/cpu:1"):
        w1 = tf.compat.v1.get_variable("w1", [3, 2], initializer=zeros)
        b1 = tf.compat.v1.get_variable("b1", [2], initializer=zeros)
        tf.add(tf.matmul(hidden, w1), b1, name="y")
    # A sharded Saver runs one SaveV2 per device, each writing its own
    # .data-0000N-of-00002 shard.
    save_and_record(folder, rng, Record(
        description="2-layer ReLU MLP with ref variables on /cpu:0 and /cpu:1, saved by "
                    "a sharded Saver into two data files (model.data-0000N-of-00002); "
                    "text GraphDef; checkpoint given as its folder.",
        graph="model.pbtxt",
        checkpoint="ckpt",
    ), sharded=True, config=tf.compat.v1.ConfigProto(device_count={"CPU": 2}))


def build_partitioned(folder, rng):
    tf.compat.v1.disable_resource_variables()
    ids = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
    # Three slices emb/part_0..2 (rows 4+3+3), stored as slices of one checkpoint key "emb".
    # Constant initializers keep the graph small; the checkpoint gets random values.
    zeros = tf.compat.v1.zeros_initializer()
    emb = tf.compat.v1.get_variable(
        "emb", [10, 4], initializer=zeros, partitioner=tf.compat.v1.fixed_size_partitioner(3))
    w = tf.compat.v1.get_variable("w", [4, 3], initializer=zeros)
    b = tf.compat.v1.get_variable("b", [3], initializer=zeros)
    # "div" matches the partitioner's contiguous row ranges.
    vectors = tf.compat.v1.nn.embedding_lookup(list(emb), ids, partition_strategy="div")
    tf.nn.relu(tf.matmul(vectors, w) + b, name="y")
    save_and_record(folder, rng, Record(
        description="Embedding [10,4] split by fixed_size_partitioner(3) into ref "
                    "variables emb/part_0..2 (one sliced checkpoint key 'emb'), "
                    "embedding_lookup (div) on int64 ids, then relu(e @ w + b); binary "
                    "GraphDef with the save/ nodes.",
        graph="model.pb",
        checkpoint="ckpt/model",
        inputs={"ids": np.array([0, 3, 4, 9, 6, 3], np.int64)},
    ))


def build_cond_while_v1(folder, rng):
    tf.compat.v1.disable_control_flow_v2()
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    zeros = v1.zeros_initializer()  # small graph; the checkpoint gets random values
    ref = v1.get_variable("ref", [4], initializer=zeros, use_resource=False)
    res = v1.get_variable("res", [4], initializer=zeros, use_resource=True)
    step = v1.get_variable("step", [4], initializer=zeros, use_resource=True)
    positive = tf.reduce_sum(x) > 0

    # v1 cond: Switch/Merge; the resource handle goes through a Switch (T=resource).
    def branches(pred):
        return tf.cond(pred, lambda: x * ref, lambda: x + res)

    tf.identity(branches(positive), name="y_cond")
    tf.identity(branches(tf.logical_not(positive)), name="y_other")
    # v1 while: the body reads `step` through an Enter with T=resource.
    _, looped = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc * 0.5 + step), [0, x])
    tf.identity(looped, name="y_loop")
    save_and_record(folder, rng, Record(
        description="v1 control flow: tf.cond (and its negation) whose branches read a ref and a "
                    "resource variable (Switch/Merge, a Switch of the resource handle), and a "
                    "tf.while_loop whose body reads a resource variable (Enter T=resource); "
                    "binary GraphDef.",
        graph="model.pb",
        checkpoint="ckpt/model",
        outputs=["y_cond", "y_other", "y_loop"],
    ))


def build_lstm_v1(folder, rng):
    tf.compat.v1.disable_control_flow_v2()
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 4, 3], name="x")  # batch, 4 steps, 3 features
    # Its default initializer draws an unseeded op seed (the graph would change on every
    # rebuild); the checkpoint gets random values anyway.
    cell = v1.nn.rnn_cell.LSTMCell(3, initializer=v1.zeros_initializer())
    outputs, state = v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    tf.identity(outputs, name="y")
    tf.identity(state.h, name="h")
    save_and_record(folder, rng, Record(
        description="tf.compat.v1.nn.dynamic_rnn over an LSTMCell (3 units, 4 steps) under v1 "
                    "control flow: a while loop with TensorArrays reading the cell's resource "
                    "variables; binary GraphDef.",
        graph="model.pb",
        checkpoint="ckpt/model",
        outputs=["y", "h"],
        inputs={"x": rng.normal(size=[2, 4, 3]).astype(np.float32)},
    ))


def build_lstm_v2(folder, rng):
    import tf_keras
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 4, 3], name="x")  # batch, 4 steps, 3 features
    # The Keras cell reads its weights inside the loop body, so they enter the While as resource
    # handles (the TF1 LSTMCell reads them before the loop). Zeros keep the graph seed-free.
    cell = tf_keras.layers.LSTMCell(3, kernel_initializer="zeros", recurrent_initializer="zeros")
    outputs, state = v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    tf.identity(outputs, name="y")
    tf.identity(state[0], name="h")
    save_and_record(folder, rng, Record(
        description="tf.compat.v1.nn.dynamic_rnn over a Keras LSTMCell (3 units, 4 steps) under "
                    "control flow v2: a While whose body reads the cell's variables through "
                    "resource inputs; binary GraphDef.",
        graph="model.pb",
        checkpoint="ckpt/model",
        outputs=["y", "h"],
        inputs={"x": rng.normal(size=[2, 4, 3]).astype(np.float32)},
    ))


def batch_norm_values(rng, x, steps=3):
    """set_values for the batch norms: random values (variances positive), then a few training
    steps that move the moving averages (their updates run with is_training at its default)."""
    def set_values(sess):
        for variable in tf.compat.v1.global_variables():
            shape = variable.shape.as_list()
            if "variance" in variable.name:
                variable.load(rng.uniform(0.5, 2.0, size=shape).astype(np.float32), sess)
            else:
                variable.load(rng.normal(size=shape).astype(np.float32), sess)
        updates = tf.compat.v1.get_collection(tf.compat.v1.GraphKeys.UPDATE_OPS)
        for _ in range(steps):
            sess.run(updates, {x: rng.normal(1.0, 2.0, size=[8, 3]).astype(np.float32)})
    return set_values


def batch_norm_v1_model():
    """The classic TF1 batch norm: ref variables, v1 control flow; the moving-average updates
    (RefSwitch, AssignSub) sit in the training branch and `y` depends on them."""
    tf.compat.v1.disable_resource_variables()
    tf.compat.v1.disable_control_flow_v2()
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    is_training = v1.placeholder_with_default(True, [], name="is_training")
    normalized = v1.layers.batch_normalization(x, training=is_training, momentum=0.5)
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        tf.identity(normalized, name="y")
    return x


def build_batch_norm_v1(folder, rng):
    x = batch_norm_v1_model()
    save_and_record(folder, rng, Record(
        description="tf.compat.v1.layers.batch_normalization(training=is_training) with ref "
                    "variables and v1 control flow, is_training a placeholder_with_default(True); "
                    "the moving averages were updated 3 times before saving (updates: RefSwitch + "
                    "AssignSub in the training branch, a control dependency of y). Fed "
                    "is_training=False: the expected values are inference values.",
        graph="model.pb",
        checkpoint="ckpt/model",
        inputs={"x": rng.normal(size=[5, 3]).astype(np.float32), "is_training": np.array(False)},
    ), set_values=batch_norm_values(rng, x))


def build_pinned_bn(folder, rng):
    x = batch_norm_v1_model()
    save_and_record(folder, rng, Record(
        description="The batch_norm_v1 model frozen with --set is_training=false: the placeholder is "
                    "pinned, the training branch (with the moving-average updates) "
                    "is pruned; the frozen graph is run without feeding is_training.",
        graph="model.pb",
        checkpoint="ckpt/model",
        inputs={"x": rng.normal(size=[5, 3]).astype(np.float32), "is_training": np.array(False)},
        freeze_args=["--set", "is_training=false"],
    ), set_values=batch_norm_values(rng, x))


def build_control_flow_v2(folder, rng):
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 4], name="x")
    zeros = v1.zeros_initializer()
    a, b, step, w = (v1.get_variable(name, shape, initializer=zeros, use_resource=True)
                     for name, shape in (("a", [4]), ("b", [4]), ("step", [4]), ("w", [4, 2])))
    positive = tf.reduce_sum(x) > 0
    # Each of If, While and StatefulPartitionedCall gets the variables as resource arguments.
    tf.identity(tf.cond(positive, lambda: x * a, lambda: x + b), name="y_cond")
    tf.identity(tf.cond(tf.logical_not(positive), lambda: x * a, lambda: x + b), name="y_other")
    _, looped = tf.while_loop(lambda i, acc: i < 3, lambda i, acc: (i + 1, acc * 0.5 + step), [0, x])
    tf.identity(looped, name="y_loop")

    @tf.function
    def dense(inputs):
        return tf.nn.relu(tf.matmul(inputs, w))

    tf.identity(dense(x), name="y_call")
    save_and_record(folder, rng, Record(
        description="Control flow v2 with resource variables: tf.cond (If, and its negation), "
                    "tf.while_loop (While) and a called tf.function (StatefulPartitionedCall), "
                    "each reading variables passed in as resource arguments; binary GraphDef.",
        graph="model.pb",
        checkpoint="ckpt/model",
        outputs=["y_cond", "y_other", "y_loop", "y_call"],
    ))


def build_keras_bn_v2(folder, rng):
    import tf_keras
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 3], name="x")
    is_training = v1.placeholder_with_default(False, [], name="is_training")
    layer = tf_keras.layers.BatchNormalization()
    tf.identity(layer(x, training=is_training), name="y")

    def set_values(sess):
        for variable in layer.weights:
            shape = variable.shape.as_list()
            if "variance" in variable.name:
                variable.load(rng.uniform(0.5, 2.0, size=shape).astype(np.float32), sess)
            else:
                variable.load(rng.normal(size=shape).astype(np.float32), sess)

    save_and_record(folder, rng, Record(
        description="Legacy-Keras (tf_keras) BatchNormalization called in graph mode with "
                    "training=is_training (placeholder_with_default(False)): control flow v2, "
                    "an If per statistic taking the resource variables; binary GraphDef.",
        graph="model.pb",
        checkpoint="ckpt/model",
        inputs={"x": rng.normal(size=[5, 3]).astype(np.float32)},
    ), set_values=set_values)


def build_gathers(folder, rng):
    tf.compat.v1.disable_control_flow_v2()
    v1 = tf.compat.v1
    ids = v1.placeholder(tf.int64, [None], name="ids")
    emb = v1.get_variable("emb", [6, 3], initializer=v1.zeros_initializer(), use_resource=True)
    # Two ResourceGathers on one variable, one in a v1 while body (Enter T=resource), a ResourceGatherNd.
    tf.identity(tf.gather(emb, ids) * tf.gather(emb, ids[::-1]), name="twice")
    _, looped = tf.while_loop(lambda i, acc: i < 3,
                              lambda i, acc: (i + 1, acc + tf.reduce_sum(tf.gather(emb, ids), 0)),
                              [0, tf.zeros([3])])
    tf.identity(looped, name="looped")
    tf.identity(tf.gather_nd(emb, tf.stack([ids, ids % 3], axis=1)), name="gathered_nd")
    save_and_record(folder, rng, Record(
        description="Embedding lookups on one resource variable: two tf.gather (ResourceGather), "
                    "one more inside a v1 tf.while_loop body (Enter T=resource), and a "
                    "tf.gather_nd (ResourceGatherNd), all on int64 ids; binary GraphDef.",
        graph="model.pb",
        checkpoint="ckpt/model",
        outputs=["twice", "looped", "gathered_nd"],
        inputs={"ids": np.array([0, 5, 2, 2, 4], np.int64)},
    ))


class NamedKeyValueInitializer(tf.lookup.KeyValueTensorInitializer):
    """A key-value initializer with a fixed shared name: without one, StaticHashTable names its
    HashTableV2 `hash_table_<uuid4>`, and the graph would change on every rebuild."""

    _shared_name = "words_table"


def build_tables(folder, rng):
    v1 = tf.compat.v1
    words = v1.placeholder(tf.string, [None], name="words")
    keys = ["apple", "zürich", "東京", "café"]
    table = tf.lookup.StaticHashTable(
        NamedKeyValueInitializer(keys, np.arange(len(keys), dtype=np.int64)), -1)
    emb = v1.get_variable("emb", [len(keys) + 1, 3], initializer=v1.zeros_initializer())
    # Unknown words (-1) get row 0.
    tf.gather(emb, table.lookup(words) + 1, name="y")
    v1.tables_initializer()  # init_all_tables, once
    save_and_record(folder, rng, Record(
        description="A StaticHashTable with UTF-8 string keys (zürich, 東京, café) mapping words "
                    "to rows of an embedding variable; the graph's init_all_tables fills the "
                    "table, and the frozen graph keeps it as the op to run once; binary GraphDef.",
        graph="model.pb",
        checkpoint="ckpt/model",
        inputs={"words": np.array([k.encode() for k in ["東京", "zürich", "nowhere", "café", "apple"]])},
        init_op="init_all_tables",
    ))


def build_v1_dtypes(folder, rng):
    tf.compat.v1.disable_resource_variables()
    zeros = tf.compat.v1.zeros_initializer()
    # One variable of each type a V1 checkpoint stores in its own TensorProto field (int_val
    # for the narrow integers, half_val for float16, scomplex_val as (re, im) pairs, ...).
    v_f32 = tf.compat.v1.get_variable("v_f32", [2, 3], initializer=zeros)
    v_f64 = tf.compat.v1.get_variable("v_f64", [3], tf.float64, initializer=zeros)
    v_f16 = tf.compat.v1.get_variable("v_f16", [2, 2], tf.float16, initializer=zeros)
    v_i64 = tf.compat.v1.get_variable("v_i64", [3], tf.int64, initializer=zeros)
    v_i32 = tf.compat.v1.get_variable("v_i32", [], tf.int32, initializer=zeros)
    v_i8 = tf.compat.v1.get_variable("v_i8", [3], tf.int8, initializer=zeros)
    v_i16 = tf.compat.v1.get_variable("v_i16", [2], tf.int16, initializer=zeros)
    v_u8 = tf.compat.v1.get_variable("v_u8", [2, 2], tf.uint8, initializer=zeros)
    v_bool = tf.compat.v1.get_variable("v_bool", [3], tf.bool, initializer=zeros)
    v_c64 = tf.compat.v1.get_variable("v_c64", [2], tf.complex64, initializer=zeros)
    v_str = tf.compat.v1.Variable(np.array([b"init-a", b"init-b"]), name="v_str")
    # A partitioned int64 table: three slices of one checkpoint key "table".
    table = tf.compat.v1.get_variable("table", [7, 2], tf.int64, initializer=zeros,
                                      partitioner=tf.compat.v1.fixed_size_partitioner(3))
    x = tf.compat.v1.placeholder(tf.float32, [None, 3], name="x")
    ids = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
    tf.add(tf.matmul(x, v_f32, transpose_b=True), 1.0, name="f32_out")
    tf.identity(v_f64, name="f64_out")
    tf.identity(v_f16, name="f16_out")
    tf.add(v_i64, v_i64, name="i64_out")
    tf.identity(v_i32, name="i32_out")
    tf.identity(v_i8, name="i8_out")
    tf.identity(v_i16, name="i16_out")
    tf.identity(v_u8, name="u8_out")
    tf.logical_not(v_bool, name="bool_out")
    tf.identity(v_c64, name="c64_out")
    tf.strings.join([v_str, v_str], separator="|", name="str_out")
    tf.compat.v1.nn.embedding_lookup(list(table), ids, partition_strategy="div", name="table_out")

    # Extreme and non-UTF-8 values, so any lossy conversion shows up.
    checkpoint_values = {
        v_f32: rng.normal(size=[2, 3]).astype(np.float32),
        v_f64: np.array([1e300, -2.5, 1 / 3]),
        v_f16: rng.normal(size=[2, 2]).astype(np.float16),
        v_i64: np.array([2**62, -(2**62), -1], np.int64),
        v_i32: np.array(-(2**31), np.int32),
        v_i8: np.array([-128, 127, -1], np.int8),
        v_i16: np.array([-32768, 32767], np.int16),
        v_u8: np.array([[0, 255], [128, 1]], np.uint8),
        v_bool: np.array([True, False, True]),
        v_c64: np.array([1.5 - 2j, -0.25 + 1e-3j], np.complex64),
        v_str: np.array([b"caf\xc3\xa9", b"\x00\xffraw"], dtype=object),
    }
    table_values = rng.integers(-(2**40), 2**40, size=[7, 2], dtype=np.int64)

    def load_checkpoint_values(sess):
        for variable, value in checkpoint_values.items():
            variable.load(value, sess)
        start = 0
        for part in table:  # rows 3 + 2 + 2, in order
            part.load(table_values[start:start + part.shape[0]], sess)
            start += part.shape[0]

    save_and_record(folder, rng, Record(
        description="V1 checkpoint (Saver write_version=V1: one file ckpt/model.ckpt, no "
                    ".index), given as that file: ref variables of float32/64/16, int64/32/16/8, "
                    "uint8, bool, complex64 and string (non-UTF-8 bytes), and an int64 table "
                    "[7,2] split by fixed_size_partitioner(3) into table/part_0..2, read by "
                    "embedding_lookup (div); every output must match exactly.",
        graph="model.pb",
        checkpoint="ckpt/model.ckpt",
        outputs=["f32_out", "f64_out", "f16_out", "i64_out", "i32_out", "i8_out", "i16_out",
                 "u8_out", "bool_out", "c64_out", "str_out", "table_out"],
        inputs={"x": rng.normal(size=[2, 3]).astype(np.float32),
                "ids": np.array([6, 0, 3, 4, 2], np.int64)},
    ), save_as="ckpt/model.ckpt", write_version=tf.compat.v1.train.SaverDef.V1,
        set_values=load_checkpoint_values)


def build_v1_folder(folder, rng):
    tf.compat.v1.disable_resource_variables()
    ids = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
    zeros = tf.compat.v1.zeros_initializer()
    emb = tf.compat.v1.get_variable(
        "emb", [10, 4], initializer=zeros, partitioner=tf.compat.v1.fixed_size_partitioner(3))
    w = tf.compat.v1.get_variable("w", [4, 3], initializer=zeros)
    b = tf.compat.v1.get_variable("b", [3], initializer=zeros)
    vectors = tf.compat.v1.nn.embedding_lookup(list(emb), ids, partition_strategy="div")
    tf.nn.relu(tf.matmul(vectors, w) + b, name="y")
    # The Saver writes ckpt/model.ckpt-7 (one V1 file), ckpt/model.ckpt-7.meta beside it and
    # the 'checkpoint' state file naming model.ckpt-7.
    save_and_record(folder, rng, Record(
        description="V1 checkpoint given as its folder (the 'checkpoint' state file names "
                    "model.ckpt-7, one V1 file with no .index), as TF-slim checkpoints come: an "
                    "embedding [10,4] split by fixed_size_partitioner(3) into ref variables "
                    "emb/part_0..2 (stored as slices of one key 'emb'), embedding_lookup (div), "
                    "then relu(e @ w + b). The graph is the .meta the Saver wrote beside it.",
        graph="ckpt/model.ckpt-7.meta",
        checkpoint="ckpt",
        inputs={"ids": np.array([0, 3, 4, 9, 6, 3], np.int64)},
    ), save_as="ckpt/model.ckpt", global_step=7, write_version=tf.compat.v1.train.SaverDef.V1)


def events_model():
    """x -> relu(x @ layer0/w + layer0/b) @ layer1/w + layer1/b -> y (ref variables), and the
    summaries a training loop writes about it: a loss scalar and a weights histogram."""
    tf.compat.v1.disable_resource_variables()
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    hidden, weights = x, []
    for index, (fan_in, fan_out) in enumerate([(4, 6), (6, 3)]):
        with tf.compat.v1.variable_scope(f"layer{index}"):
            weights.append(tf.compat.v1.get_variable("w", [fan_in, fan_out]))
            b = tf.compat.v1.get_variable("b", [fan_out], initializer=tf.compat.v1.zeros_initializer())
        hidden = tf.matmul(tf.nn.relu(hidden) if index else hidden, weights[-1]) + b
    y = tf.identity(hidden, name="y")
    loss = tf.compat.v1.summary.scalar("loss", tf.reduce_mean(tf.square(y)))
    return tf.compat.v1.summary.merge([loss, tf.compat.v1.summary.histogram("layer0/w", weights[0])])


def write_summaries(writers, sess, summaries, rng, steps=3):
    """What a training loop logs after the graph: summaries at steps 0..steps-1, then close."""
    for step in range(steps):
        feed = {"x:0": rng.normal(size=[2, 4]).astype(np.float32)}
        for writer in writers:
            writer.add_summary(sess.run(summaries, feed), step)
    for writer in writers:
        writer.close()


def name_events_file(run_folder, name=EVENTS_FILE):
    """Rename the one events file a FileWriter wrote (events.out.tfevents.<time>.<host>) to a
    fixed name, so rebuilds do not add files. Its content holds wall times: it changes anyway."""
    (written,) = run_folder.glob("events.out.tfevents.*")
    written.rename(run_folder / name)


def build_events_graph(folder, rng):
    summaries = events_model()
    init = tf.compat.v1.global_variables_initializer()
    saver = make_saver()
    with tf.compat.v1.Session() as sess:
        # As a TF1 training script logs: the graph given at construction (all ops exist by
        # now), summaries after it; the validation run (as Keras' callback writes it) has no graph.
        train = tf.compat.v1.summary.FileWriter(str(folder / "logs/train"), sess.graph)
        validation = tf.compat.v1.summary.FileWriter(str(folder / "logs/validation"))
        sess.run(init)
        load_values_unlike_init(sess, tf.compat.v1.global_variables(), rng)
        write_summaries([train, validation], sess, summaries, rng)
        saver.save(sess, str(folder / "ckpt/model"), write_meta_graph=False)
        write_fixture(folder, sess, rng, Record(
            description="A TensorBoard log folder: run train holds the graph (ref variables, "
                        "x -> relu dense 6 -> dense 3 -> y) given to FileWriter at construction, "
                        "then loss and histogram summaries; run validation holds summaries only. "
                        "GRAPH is the log folder.",
            graph="logs",
            checkpoint="ckpt/model",
        ))
    for run in ("train", "validation"):
        name_events_file(folder / "logs" / run)


def build_events_meta(folder, rng):
    summaries = events_model()
    init = tf.compat.v1.global_variables_initializer()
    make_saver()  # "save": the default saver, with the variables' own names as keys
    renamed = {f"old/{v.op.name}": v for v in tf.compat.v1.global_variables()}
    saver = make_saver(renamed)  # "save_1": the keys the checkpoint holds
    with tf.compat.v1.Session() as sess:
        writer = tf.compat.v1.summary.FileWriter(str(folder / "logs"), sess.graph)
        # Both at step 0: only the MetaGraphDef's saver_def says which saver wrote the checkpoint.
        writer.add_meta_graph(tf.compat.v1.train.export_meta_graph(saver_def=saver.saver_def))
        sess.run(init)
        load_values_unlike_init(sess, tf.compat.v1.global_variables(), rng)
        write_summaries([writer], sess, summaries, rng)
        saver.save(sess, str(folder / "ckpt/model"), global_step=5, write_meta_graph=False)
        write_fixture(folder, sess, rng, Record(
            description="An events file holding the graph (FileWriter given it at construction) and "
                        "a MetaGraphDef at the same step (add_meta_graph) whose saver_def names "
                        "save_1, the saver that maps keys old/layer0/w, ... onto the variables; the "
                        "graph's other saver (save) uses their own names, which the checkpoint "
                        "lacks. Summaries follow. GRAPH is the events file.",
            graph=f"logs/{EVENTS_FILE}",
            checkpoint="ckpt",
        ))
    name_events_file(folder / "logs")


def build_events_tf2(folder, rng):
    """Not frozen (no fixture.json): the TF2 logs that hold a function graph, not a graph with
    variables. trace/ as tf.summary.trace_export writes it, graph/ as tf.summary.graph (and
    Keras' TensorBoard callback) write it."""
    w = tf.Variable(rng.normal(size=[4, 3]).astype(np.float32), name="w")

    @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32)])
    def model(x):
        return tf.matmul(x, w)

    traced = tf.summary.create_file_writer(str(folder / "trace"))
    tf.summary.trace_on(graph=True, profiler=False)
    model(tf.ones([1, 4]))
    with traced.as_default():
        tf.summary.trace_export("model", step=0)
        tf.summary.scalar("loss", 0.5, step=1)
    traced.close()
    graph = tf.summary.create_file_writer(str(folder / "graph"))
    with graph.as_default():
        tf.summary.graph(model.get_concrete_function().graph)
    graph.close()
    for run in ("trace", "graph"):
        name_events_file(folder / run)


# ------------------------------------------------------------------ SavedModel builders

SAVED_MODEL = "model"  # the SavedModel's folder inside its fixture folder


def write_saved_model_fixture(folder, description, inputs, expected, *, tags,
                              signature="serving_default", freeze_args=()):
    """io.npz and fixture.json for the SavedModel in folder/model. `inputs` and `expected` map
    the signature's keys to values; the frozen graph names those tensors `<key>:0`."""
    shared = set(inputs) & set(expected)
    if shared:  # one io.npz holds both
        raise ValueError(f"keys both input and output: {shared}")
    expected = dict(sorted(expected.items()))  # a signature's outputs come in no fixed order
    save_npz(folder / "io.npz", inputs | expected)
    manifest = {
        "description": description,
        "graph": SAVED_MODEL,
        "checkpoint": None,
        "outputs": [],  # all of the signature's
        "inputs": {f"{key}:0": key for key in inputs},
        "expected": {f"{key}:0": key for key in expected},
        "saved_model": {"tags": list(tags), "signature": signature},
    }
    if freeze_args:
        manifest["freeze_args"] = list(freeze_args)
    (folder / "fixture.json").write_text(json.dumps(manifest, indent=2) + "\n")


def save_tf1_saved_model(folder, rng, tags, inputs, outputs, feed, description, set_values=None):
    """Save the default graph with SavedModelBuilder under `tags`, one serving_default signature
    (`inputs`/`outputs`: key → tensor), after random values unlike the initializers'; record the
    outputs on `feed` (key → value) in the session that saved them."""
    v1 = tf.compat.v1
    init = v1.global_variables_initializer()
    with v1.Session() as sess:
        sess.run(init)
        if set_values is None:
            load_values_unlike_init(sess, v1.global_variables(), rng)
        else:
            set_values(sess)
        signature = v1.saved_model.predict_signature_def(inputs, outputs)
        builder = v1.saved_model.Builder(str(folder / SAVED_MODEL))
        builder.add_meta_graph_and_variables(sess, tags, signature_def_map={"serving_default": signature})
        builder.save()
        values = sess.run(outputs, {inputs[key]: value for key, value in feed.items()})
    write_saved_model_fixture(folder, description, feed, values, tags=tags)


def tf1_mlp():
    """features (placeholder x) → scores (node y) through two dense layers of ref variables."""
    tf.compat.v1.disable_resource_variables()
    x = tf.compat.v1.placeholder(tf.float32, [None, 4], name="x")
    hidden = x
    for index, (fan_in, fan_out) in enumerate([(4, 5), (5, 3)]):
        with tf.compat.v1.variable_scope(f"layer{index}"):
            w = tf.compat.v1.get_variable("w", [fan_in, fan_out])
            b = tf.compat.v1.get_variable("b", [fan_out], initializer=tf.compat.v1.zeros_initializer())
        hidden = tf.matmul(hidden, w) + b
        hidden = tf.nn.relu(hidden) if index == 0 else hidden
    return x, tf.nn.softmax(hidden, name="y")


def build_sm_tf1_serve(folder, rng):
    x, y = tf1_mlp()
    save_tf1_saved_model(folder, rng, ["serve"], {"features": x}, {"scores": y},
                         {"features": rng.normal(size=[5, 4]).astype(np.float32)},
                         "TF1 SavedModel (SavedModelBuilder, graph mode, ref variables) tagged serve: "
                         "a dense MLP whose serving_default signature maps features (placeholder x) "
                         "to scores (softmax y).")


def build_sm_tf1_notags(folder, rng):
    x, y = tf1_mlp()
    save_tf1_saved_model(folder, rng, [], {"features": x}, {"scores": y},
                         {"features": rng.normal(size=[5, 4]).astype(np.float32)},
                         "The sm_tf1_serve model saved with no tags (tags=[]): its only MetaGraph "
                         "is chosen without --tag.")


def build_sm_key_collision(folder, rng):
    v1 = tf.compat.v1
    features = v1.placeholder(tf.float32, [None, 3], name="features")
    scale = tf.constant(2.0, name="x")  # on the outputs' path, and named like the input key
    w = v1.get_variable("w", [3, 2], use_resource=True)
    logits = tf.matmul(features * scale, w, name="logits")
    probs = tf.nn.softmax(logits, name="probs")
    # Each key names another node than the one its tensor comes from: logits ↔ probs swapped.
    save_tf1_saved_model(folder, rng, ["serve"], {"x": features}, {"logits": probs, "probs": logits},
                         {"x": rng.normal(size=[4, 3]).astype(np.float32)},
                         "TF1 SavedModel whose keys are other nodes' names: input key x (placeholder "
                         "features) beside a Const named x on its path, output key logits reading "
                         "node probs and key probs reading node logits. The keys win; the other "
                         "nodes are renamed.")


def clear_fingerprint_uuid(path):
    """TF2 saves write a random uuid into fingerprint.pb; clear it so a rebuild gives the same bytes."""
    from tensorflow.core.protobuf import fingerprint_pb2
    fingerprint_path = path / "fingerprint.pb"
    fingerprint = fingerprint_pb2.FingerprintDef.FromString(fingerprint_path.read_bytes())
    fingerprint.ClearField("uuid")
    fingerprint_path.write_bytes(fingerprint.SerializeToString(deterministic=True))


def saved_model_outputs(path, signature, inputs):
    """TensorFlow's run of the saved signature on `inputs` (key → value): key → value."""
    clear_fingerprint_uuid(path)  # every TF2 builder calls this right after saving
    loaded = tf.saved_model.load(str(path))
    results = loaded.signatures[signature](**{key: tf.constant(value) for key, value in inputs.items()})
    return {key: tensor.numpy() for key, tensor in results.items()}


def build_sm_module_two_signatures(folder, rng):
    class TwoSignatures(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(rng.normal(size=[3, 2]).astype(np.float32), name="w")  # both use it
            self.b = tf.Variable(rng.normal(size=[2]).astype(np.float32), name="b")

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def dense(self, x):
            return {"y": tf.matmul(x, self.w) + self.b}

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def other(self, x):
            return {"scaled": tf.reduce_sum(x, axis=1, keepdims=True) * self.w[0]}

    module = TwoSignatures()
    path = folder / SAVED_MODEL
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.dense, "other": module.other})
    inputs = {"x": rng.normal(size=[4, 3]).astype(np.float32)}
    write_saved_model_fixture(
        folder, "tf.Module with two signatures over one input key x, both reading variable w: "
                "serving_default (y = x @ w + b) and other (scaled = sum(x) * w[0]), frozen with "
                "--signature other (the tests also freeze the default one).",
        inputs, saved_model_outputs(path, "other", inputs), tags=["serve"], signature="other",
        freeze_args=["--signature", "other"])


def build_sm_two_in_two_out(folder, rng):
    class TwoInTwoOut(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(rng.normal(size=[3, 2]).astype(np.float32), name="w")
            self.offset = tf.Variable(np.int64(rng.integers(-50, 50)), name="offset")

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="image"),
                                      tf.TensorSpec([None], tf.int64, name="count")])
        def serve(self, image, count):
            # Keys listed out of order: the frozen graph orders them by key.
            return {"total": tf.reduce_sum(count) + self.offset, "score": tf.tanh(image @ self.w)}

    module = TwoInTwoOut()
    path = folder / SAVED_MODEL
    tf.saved_model.save(module, str(path), signatures={"serving_default": module.serve})
    inputs = {"image": rng.normal(size=[4, 3]).astype(np.float32),
              "count": np.array([3, -7, 2**40, 1], np.int64)}
    write_saved_model_fixture(
        folder, "tf.Module signature with two inputs (image float [?,3], count int64 [?]) and two "
                "outputs (score = tanh(image @ w), total = sum(count) + offset, an int64 variable).",
        inputs, saved_model_outputs(path, "serving_default", inputs), tags=["serve"])


def build_sm_tfkeras_cnn(folder, rng):
    import tf_keras
    layers = tf_keras.layers
    image = tf_keras.Input((6, 6, 2), name="image")
    hidden = layers.Conv2D(4, 3, padding="same", name="conv")(image)
    hidden = layers.BatchNormalization(name="bn")(hidden)
    hidden = layers.GlobalAveragePooling2D(name="pool")(layers.ReLU(name="relu")(hidden))
    model = tf_keras.Model(image, layers.Dense(3, activation="softmax", name="predictions")(hidden))
    # Random values for every weight, the batch norm's moving variance positive.
    model.set_weights([rng.uniform(0.5, 2.0, size=w.shape).astype(np.float32) if "variance" in w.name
                       else rng.normal(size=w.shape).astype(np.float32) for w in model.weights])
    path = folder / SAVED_MODEL
    tf.saved_model.save(model, str(path))
    inputs = {"image": rng.normal(size=[2, 6, 6, 2]).astype(np.float32)}
    write_saved_model_fixture(
        folder, "tf-keras (TF_USE_LEGACY_KERAS=1) functional model Conv2D → BatchNormalization → "
                "ReLU → GlobalAveragePooling2D → Dense softmax, saved with tf.saved_model.save; "
                "input key image, output key predictions.",
        inputs, saved_model_outputs(path, "serving_default", inputs), tags=["serve"])


def build_sm_keras3_rnn(folder, rng):
    import keras
    keras.utils.set_random_seed(SEED)  # the LSTM's seed generator state is a variable too
    tokens = keras.Input((5,), dtype="int32", name="tokens")
    hidden = keras.layers.Embedding(12, 4, name="embedding")(tokens)
    hidden = keras.layers.LSTM(6, name="lstm")(hidden)
    model = keras.Model(tokens, keras.layers.Dense(2, name="logits")(hidden))
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in model.weights])
    path = folder / SAVED_MODEL
    model.export(str(path))
    inputs = {"tokens": rng.integers(0, 12, size=[3, 5]).astype(np.int32)}
    write_saved_model_fixture(
        folder, "Keras 3 model Embedding → LSTM → Dense exported with model.export() (signatures "
                "serve and serving_default over the same variables; the LSTM is a While).",
        inputs, saved_model_outputs(path, "serving_default", inputs), tags=["serve"])


BUILDERS = {
    "mlp_ref": build_mlp_ref,
    "resource_pb": build_resource_pb,
    "train_meta": build_train_meta,
    "dtypes": build_dtypes,
    "devices": build_devices,
    "saver_map": build_saver_map,
    "ema_meta": build_ema_meta,
    "sharded": build_sharded,
    "partitioned": build_partitioned,
    "cond_while_v1": build_cond_while_v1,
    "lstm_v1": build_lstm_v1,
    "lstm_v2": build_lstm_v2,
    "batch_norm_v1": build_batch_norm_v1,
    "control_flow_v2": build_control_flow_v2,
    "keras_bn_v2": build_keras_bn_v2,
    "gathers": build_gathers,
    "tables": build_tables,
    "pinned_bn": build_pinned_bn,
    "v1_dtypes": build_v1_dtypes,
    "v1_folder": build_v1_folder,
    "events_graph": build_events_graph,
    "events_meta": build_events_meta,
    "events_tf2": build_events_tf2,
    "sm_tf1_serve": build_sm_tf1_serve,
    "sm_tf1_notags": build_sm_tf1_notags,
    "sm_key_collision": build_sm_key_collision,
    "sm_module_two_signatures": build_sm_module_two_signatures,
    "sm_two_in_two_out": build_sm_two_in_two_out,
    "sm_tfkeras_cnn": build_sm_tfkeras_cnn,
    "sm_keras3_rnn": build_sm_keras3_rnn,
}
# Builders whose process needs TF_USE_LEGACY_KERAS=1 before TensorFlow is imported.
LEGACY_KERAS = {"lstm_v1", "lstm_v2", "batch_norm_v1", "keras_bn_v2", "pinned_bn", "sm_tfkeras_cnn"}
# Builders that run eagerly, as TF2 code does (the others run in TF1 graph mode).
EAGER = {"events_tf2", "sm_module_two_signatures", "sm_two_in_two_out", "sm_tfkeras_cnn", "sm_keras3_rnn"}


# ------------------------------------------------------------------------ processes


def build_one(name, out):
    """Build one fixture in this process (the child side of `--one`)."""
    tf.get_logger().setLevel("ERROR")  # TF1 APIs warn about their own deprecation
    if name not in EAGER:
        tf.compat.v1.disable_eager_execution()
    tf.compat.v1.set_random_seed(SEED)  # the graph's random initializers
    BUILDERS[name](out / name, np.random.default_rng(SEED))  # all numpy values


def rebuild_in_subprocess(name, out):
    folder = out / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = os.environ | ({"TF_USE_LEGACY_KERAS": "1"} if name in LEGACY_KERAS else {})
    child = subprocess.run([sys.executable, __file__, "--out", str(out), "--one", name], env=env)
    if child.returncode:
        sys.exit(f"building fixture {name} failed (exit status {child.returncode})")
    print(f"built {folder}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "names", nargs="*", help=f"fixtures to build (default: all of {', '.join(BUILDERS)})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixtures folder")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: build NAME in this process
    args = parser.parse_args()
    requested = args.names + ([args.one] if args.one else [])
    unknown = [name for name in requested if name not in BUILDERS]
    if unknown:
        parser.error(f"unknown fixture(s) {', '.join(unknown)}; known: {', '.join(BUILDERS)}")
    return args


def main():
    args = parse_args()
    out = args.out.resolve()
    if args.one:
        build_one(args.one, out)
        return
    for name in args.names or BUILDERS:
        rebuild_in_subprocess(name, out)


if __name__ == "__main__":
    main()
