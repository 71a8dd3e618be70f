"""Partitioned variables (fixed_size_partitioner + embedding lookup) from a GraphDef and a checkpoint.

TensorFlow's freeze_graph refuses these. Each part must get its own slice of the saved tensor,
whether the graph carries the saver's restore ops (keys and slices from RestoreV2) or not (slices
worked out from the parts' shapes).
"""

import numpy as np
import pytest

import freezer
from fixture_models import assert_outputs_equal, run_frozen

tf = pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def partitioned(tmp_path_factory):
    """(folder, ids fed, expected output) for a 10x4 embedding split in 3 parts, and a 4x2 dense layer."""
    folder = tmp_path_factory.mktemp("partitioned")
    ids = np.array([0, 3, 4, 7, 9, 3], dtype=np.int64)
    with tf.Graph().as_default() as graph:
        x = tf.compat.v1.placeholder(tf.int64, [None], name="ids")
        table = tf.compat.v1.get_variable(
            "emb", [10, 4], partitioner=tf.compat.v1.fixed_size_partitioner(3), use_resource=False,
            initializer=tf.compat.v1.random_normal_initializer(seed=1))
        dense = tf.compat.v1.get_variable("dense", [4, 2], use_resource=False,
                                          initializer=tf.compat.v1.random_normal_initializer(seed=2))
        embedded = tf.nn.embedding_lookup(table, x)
        tf.identity(tf.matmul(embedded, dense), name="y")
        without_saver = graph.as_graph_def()
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            expected = session.run("y:0", {x: ids})
            saver.save(session, str(folder / "ckpt" / "model"))
        with_saver = graph.as_graph_def()
    (folder / "without_saver.pb").write_bytes(without_saver.SerializeToString())
    (folder / "with_saver.pb").write_bytes(with_saver.SerializeToString())
    return folder, ids, expected


@pytest.mark.parametrize("graph_name", ["without_saver.pb", "with_saver.pb"])
@pytest.mark.parametrize("engine", ["native", "session"])
def test_each_part_gets_its_slice(partitioned, graph_name, engine, tmp_path):
    folder, ids, expected = partitioned
    result = freezer.freeze_files(folder / graph_name, folder / "ckpt", outputs="y",
                                  output=tmp_path / "frozen.pb", engine=engine)
    assert sorted(v.name for v in result.variables) == ["dense", "emb/part_0", "emb/part_1", "emb/part_2"]
    assert {v.key for v in result.variables} == {"dense", "emb"}
    actual = run_frozen(result.output_path, {"ids:0": ids}, ["y:0"])
    assert_outputs_equal(actual, {"y:0": expected})
