"""Lookup tables stay, with one init op a consumer runs once; lookups then match the original."""

import shutil

import numpy as np
import pytest

import freezer
from fixture_models import assert_outputs_equal

tf = pytest.importorskip("tensorflow")

KEYS = np.array(["apple", "zürich", "東京", "missing"], dtype=object)


@pytest.fixture(scope="module")
def table_model(tmp_path_factory):
    """A static hash table (UTF-8 keys) and a vocabulary-file table, plus a variable, and its checkpoint."""
    folder = tmp_path_factory.mktemp("tables")
    vocab = folder / "vocab.txt"
    vocab.write_text("apple\nzürich\n東京\n", encoding="utf-8")
    with tf.Graph().as_default() as graph:
        words = tf.compat.v1.placeholder(tf.string, [None], name="words")
        static = tf.lookup.StaticHashTable(
            tf.lookup.KeyValueTensorInitializer(["apple", "zürich", "東京"], [3, 5, 7], tf.string, tf.int64), -1)
        from_file = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            str(vocab), tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
            tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), -1)
        scale = tf.compat.v1.get_variable("scale", [], tf.int64, initializer=tf.compat.v1.constant_initializer(10),
                                          use_resource=False)
        tf.identity(static.lookup(words) * scale + from_file.lookup(words), name="ids")
        init_tables = tf.compat.v1.tables_initializer()
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run([tf.compat.v1.global_variables_initializer(), init_tables])
            expected = session.run("ids:0", {words: KEYS})
            saver.save(session, str(folder / "ckpt" / "model"))
    (folder / "model.pb").write_bytes(graph.as_graph_def().SerializeToString())
    return folder, expected


def run_with_init(path, init_op):
    graph_def = tf.compat.v1.GraphDef.FromString(path.read_bytes())
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(graph_def, name="")
        with tf.compat.v1.Session(graph=graph) as session:
            session.run(init_op)
            return session.run("ids:0", {"words:0": KEYS})


@pytest.mark.parametrize("engine", ["native", "session"])
def test_tables_are_kept_with_their_init_op(table_model, engine, tmp_path):
    folder, expected = table_model
    result = freezer.freeze_files(folder / "model.pb", folder / "ckpt", outputs="ids",
                                  output=tmp_path / "frozen.pb", engine=engine)
    assert result.init_op == "init_all_tables"
    assert [v.name for v in result.variables] == ["scale"]
    np.testing.assert_array_equal(run_with_init(result.output_path, result.init_op), expected)


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_cpp_runs_the_init_op_then_looks_up(table_model, tmp_path):
    from cpp_loader import run_graph_in_cpp
    folder, expected = table_model
    result = freezer.freeze_files(folder / "model.pb", folder / "ckpt", outputs="ids", output=tmp_path / "f.pb")
    in_cpp = run_graph_in_cpp(result.output_path, {"words:0": KEYS}, ["ids:0"], targets=[result.init_op])
    assert_outputs_equal(in_cpp, {"ids:0": expected})


def test_an_init_op_is_added_when_the_graph_has_none(table_model, tmp_path):
    folder, expected = table_model
    graph_def = tf.compat.v1.GraphDef.FromString((folder / "model.pb").read_bytes())
    kept = [n for n in graph_def.node if n.name != "init_all_tables"]
    del graph_def.node[:]
    graph_def.node.extend(kept)
    (tmp_path / "no_group.pb").write_bytes(graph_def.SerializeToString())
    result = freezer.freeze_files(tmp_path / "no_group.pb", folder / "ckpt", outputs="ids", output=tmp_path / "f.pb")
    assert result.init_op == "init_all_tables"
    np.testing.assert_array_equal(run_with_init(result.output_path, result.init_op), expected)


def test_cli_names_the_init_op(table_model, tmp_path):
    from cli_runs import freeze
    folder, _ = table_model
    done = freeze(folder / "model.pb", folder / "ckpt", "--outputs", "ids", "-o", tmp_path / "f.pb")
    assert done.exit_code == 0, done.output
    assert "Note: Run 'init_all_tables' once before the outputs: it initializes the lookup tables.\n" in done.stdout
