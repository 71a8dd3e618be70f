"""Lookup tables a SavedModel fills from asset files (`assets/vocab.txt`) are embedded in the frozen
graph: the `.pb` needs no file, and after its init op runs it looks up what TensorFlow's run of the
SavedModel itself looks up. Tested on a TF2 `tf.Module` (`tf.saved_model.save`), a tf-keras
`StringLookup` over a vocabulary file (built in a child process, as tf-keras needs
TF_USE_LEGACY_KERAS before TensorFlow is imported) and a TF1 `SavedModelBuilder` (resource and ref
tables), in Python and C++, and the text-file parsing on its own against TensorFlow's kernel."""

import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import freezer
from cli_runs import assert_error, freeze
from fixture_models import assert_outputs_equal, build_in_child, run_frozen, run_saved_model
from freezer.io.savedmodel import SavedModel
from freezer.io.text_tables import TextFileFormat, read_text_table
from freezer.ops import TEXT_FILE_TABLE_INIT_AS
from hostile import assert_one_error, run_cli

tf = pytest.importorskip("tensorflow")

VOCABULARY = "apple\r\nzürich\n東京\nbanana\n".encode()  # a Windows line end, UTF-8, a line past vocab_size
WEIGHTS = b"apple,0.5\nbanana,-2.25e1\nfig,0x1p-3\n"
WORDS = np.array([w.encode() for w in ["東京", "zürich", "nowhere", "apple", "banana", "fig"]], dtype=object)


def _tf2_module(folder):
    """A tf.Module: ids from a vocabulary (whole line → line number), weights from a CSV column,
    and a variable; saved with tf.saved_model.save, which copies both files into assets/."""
    (folder / "src").mkdir()
    (folder / "src" / "vocab.txt").write_bytes(VOCABULARY)
    (folder / "src" / "weights.csv").write_bytes(WEIGHTS)

    class Lookup(tf.Module):
        def __init__(self):
            super().__init__()
            self.ids = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
                str(folder / "src" / "vocab.txt"), tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER), -1)
            self.weights = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
                str(folder / "src" / "weights.csv"), tf.string, 0, tf.float32, 1, delimiter=","), -1.0)
            self.scale = tf.Variable(3.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, words):
            return {"ids": self.ids.lookup(words), "weight": self.weights.lookup(words) * self.scale}

    module = Lookup()
    tf.saved_model.save(module, str(folder / "model"), signatures=module.__call__)
    return folder / "model"


def _tf1_builder(folder):
    """A TF1 SavedModel: index_table_from_file over the first 3 lines (vocab_size), a ref-typed
    HashTable filled from line numbers + offset → whole lines, and a variable; the builder gets the
    files through assets_collection and a main op running the table initializers."""
    from tensorflow.python.ops import gen_lookup_ops, lookup_ops
    v1 = tf.compat.v1
    (folder / "src").mkdir()
    (folder / "src" / "vocab.txt").write_bytes(VOCABULARY)
    with tf.Graph().as_default():
        words = v1.placeholder(tf.string, [None], name="words")
        ids_in = v1.placeholder(tf.int64, [None], name="ids_in")
        vocab = tf.constant(str(folder / "src" / "vocab.txt"), name="vocab_path")
        v1.add_to_collection(v1.GraphKeys.ASSET_FILEPATHS, vocab)
        table = lookup_ops.index_table_from_file(vocab, vocab_size=3, default_value=-1)
        by_id = gen_lookup_ops.hash_table(key_dtype=tf.int64, value_dtype=tf.string, name="by_id")
        v1.add_to_collection(v1.GraphKeys.TABLE_INITIALIZERS, gen_lookup_ops.initialize_table_from_text_file(
            by_id, vocab, key_index=-1, value_index=-2, offset=100, name="by_id_init"))
        scale = v1.get_variable("scale", [], tf.int64, initializer=v1.constant_initializer(10))
        ids = tf.identity(table.lookup(words) * scale, name="ids")
        word = tf.identity(gen_lookup_ops.lookup_table_find(by_id, ids_in, tf.constant("?")), name="word")
        with v1.Session() as session:
            session.run([v1.global_variables_initializer(), v1.tables_initializer()])
            builder = v1.saved_model.Builder(str(folder / "model"))
            signature = v1.saved_model.predict_signature_def({"words": words, "ids_in": ids_in},
                                                             {"ids": ids, "word": word})
            builder.add_meta_graph_and_variables(
                session, ["serve"], signature_def_map={"serving_default": signature},
                assets_collection=v1.get_collection(v1.GraphKeys.ASSET_FILEPATHS), main_op=v1.tables_initializer())
            builder.save()
    return folder / "model"


def _keras_string_lookup(folder):
    """A tf-keras model: StringLookup over a vocabulary file, then an Embedding."""
    import tf_keras as keras
    (folder / "vocab.txt").write_bytes(VOCABULARY)
    words = keras.Input(shape=(None,), dtype=tf.string, name="words")
    ids = keras.layers.StringLookup(vocabulary=str(folder / "vocab.txt"), name="lookup")(words)
    rows = keras.layers.Embedding(6, 2, name="emb", embeddings_initializer=keras.initializers.RandomNormal(seed=1))
    tf.saved_model.save(keras.Model(words, rows(ids)), str(folder / "model"))


@pytest.fixture(scope="session")
def keras_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("keras_assets")
    build_in_child(__file__, folder)
    return folder / "model"


@pytest.fixture(scope="session")
def tf2_model(tmp_path_factory):
    return _tf2_module(tmp_path_factory.mktemp("tf2_assets"))


@pytest.fixture(scope="session")
def tf1_model(tmp_path_factory):
    return _tf1_builder(tmp_path_factory.mktemp("tf1_assets"))


IDS_IN = np.array([100, 102, 103, 7], dtype=np.int64)


def _tf2_expected(model):
    loaded = tf.saved_model.load(str(model)).signatures["serving_default"]
    return {f"{key}:0": value.numpy() for key, value in loaded(words=tf.constant(WORDS)).items()}


def _tf1_expected(model):
    return run_saved_model(model, ["serve"], "serving_default", {"words:0": WORDS, "ids_in:0": IDS_IN},
                           ["ids:0", "word:0"])


def _copy(model, tmp_path):
    """A copy of the SavedModel folder to freeze and then take apart."""
    return shutil.copytree(model, tmp_path / "model")


def _assert_reads_no_file(path):
    graph_def = tf.compat.v1.GraphDef.FromString(path.read_bytes())
    ops = {node.op for node in graph_def.node}
    assert not ops & set(TEXT_FILE_TABLE_INIT_AS), ops
    assert not [node.name for node in graph_def.node if node.op == "Placeholder" and "asset" in node.name]


def test_tf2_asset_tables_are_embedded_and_look_up_as_tensorflow(tf2_model, tmp_path):
    expected = _tf2_expected(tf2_model)
    model = _copy(tf2_model, tmp_path)
    result = freezer.freeze_saved_model(model, output=tmp_path / "frozen.pb")
    _assert_reads_no_file(result.output_path)
    assert len(result.variables) == 1  # the scale; the variable TF2 keeps the asset's path in is gone
    assert any(f"Run {result.init_op!r} once before the outputs" in note for note in result.notes)
    shutil.rmtree(model)  # the frozen graph must not need the SavedModel's files any more
    frozen = run_frozen(result.output_path, {"words:0": WORDS}, ["ids:0", "weight:0"], [result.init_op])
    assert_outputs_equal(frozen, expected)
    np.testing.assert_array_equal(frozen["ids:0"], [2, 1, -1, 0, 3, -1])  # unknown words get the default


def test_keras_string_lookup_vocabulary_is_embedded(keras_model, tmp_path):
    words = WORDS.reshape(2, 3)
    loaded = tf.saved_model.load(str(keras_model)).signatures["serving_default"]
    expected = {f"{key}:0": value.numpy() for key, value in loaded(words=tf.constant(words)).items()}
    result = freezer.freeze_saved_model(keras_model, output=tmp_path / "frozen.pb")
    _assert_reads_no_file(result.output_path)
    frozen = run_frozen(result.output_path, {"words:0": words}, list(expected), [result.init_op])
    assert_outputs_equal(frozen, expected)


def test_tf2_constant_table_keeps_its_initializer(tmp_path):
    """Not an asset, but the same defect: TF2 fills every table in the init op's function, which
    nothing inlined, so the frozen graph had no init op and every lookup gave the default."""
    class Constant(tf.Module):
        def __init__(self):
            super().__init__()
            self.table = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(["a", "b"], [7, 8], tf.string, tf.int64), -1)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def __call__(self, words):
            return {"ids": self.table.lookup(words)}

    module = Constant()
    tf.saved_model.save(module, str(tmp_path / "model"), signatures=module.__call__)
    result = freezer.freeze_saved_model(tmp_path / "model", output=tmp_path / "frozen.pb")
    assert result.init_op is not None
    frozen = run_frozen(result.output_path, {"words:0": np.array([b"b", b"z", b"a"])}, ["ids:0"], [result.init_op])
    np.testing.assert_array_equal(frozen["ids:0"], [8, -1, 7])


def test_tf1_asset_tables_are_embedded_and_look_up_as_tensorflow(tf1_model, tmp_path):
    expected = _tf1_expected(tf1_model)
    model = _copy(tf1_model, tmp_path)
    result = freezer.freeze_saved_model(model, output=tmp_path / "frozen.pb")
    _assert_reads_no_file(result.output_path)
    assert result.init_op == "init_all_tables"
    shutil.rmtree(model)
    frozen = run_frozen(result.output_path, {"words:0": WORDS, "ids_in:0": IDS_IN}, ["ids:0", "word:0"],
                        [result.init_op])
    assert_outputs_equal(frozen, expected)
    np.testing.assert_array_equal(frozen["ids:0"], [20, 10, -10, 0, -10, -10])  # banana is past vocab_size
    assert list(frozen["word:0"]) == [b"apple", b"\xe6\x9d\xb1\xe4\xba\xac", b"banana", b"?"]


def test_the_ref_table_gets_the_ref_import(tf1_model, tmp_path):
    result = freezer.freeze_saved_model(tf1_model, output=tmp_path / "frozen.pb")
    ops = {node.name: node.op for node in result.graph_def.node}
    assert ops["by_id_init"] == "LookupTableImport"
    assert ops["string_to_index/hash_table/table_init/InitializeTableFromTextFileV2"] == "LookupTableImportV2"


@pytest.mark.parametrize("model_name", ["tf2_model", "tf1_model"])
def test_freezing_twice_gives_the_same_bytes(model_name, request, tmp_path):
    model = request.getfixturevalue(model_name)
    first = freezer.freeze_saved_model(model, output=tmp_path / "a.pb").output_path.read_bytes()
    assert freezer.freeze_saved_model(model, output=tmp_path / "b.pb").output_path.read_bytes() == first


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_cpp_runs_the_init_op_then_looks_up_embedded_tables(tf2_model, tf1_model, tmp_path):
    from cpp_loader import run_graph_in_cpp
    two = freezer.freeze_saved_model(tf2_model, output=tmp_path / "tf2.pb")
    assert_outputs_equal(run_graph_in_cpp(two.output_path, {"words:0": WORDS}, ["ids:0", "weight:0"],
                                          targets=[two.init_op]), _tf2_expected(tf2_model))
    one = freezer.freeze_saved_model(tf1_model, output=tmp_path / "tf1.pb")
    assert_outputs_equal(run_graph_in_cpp(one.output_path, {"words:0": WORDS, "ids_in:0": IDS_IN},
                                          ["ids:0", "word:0"], targets=[one.init_op]), _tf1_expected(tf1_model))


def test_cli_says_what_it_embedded(tf2_model, tmp_path):
    done = freeze(tf2_model, "-o", tmp_path / "f.pb")
    assert done.exit_code == 0, done.output
    assert f"Note: Embedded {tf2_model / 'assets' / 'vocab.txt'} in the graph: table initializer " in done.stdout
    assert "it initializes the lookup tables." in done.stdout


# ---- bad asset files: one error naming the file (and the line), no output ----------------------------------

def test_missing_asset_file_is_an_error(tf2_model, tmp_path):
    model = _copy(tf2_model, tmp_path)
    (model / "assets" / "weights.csv").unlink()
    done = freeze(model, "-o", tmp_path / "f.pb")
    assert done.exit_code == 1 and done.stdout == ""
    assert done.stderr.startswith(f"Error: Table file {model / 'assets' / 'weights.csv'} (read by table "
                                  "initializer ")
    assert done.stderr.endswith(") does not exist; copy the whole SavedModel folder, assets/ included.\n")
    assert not (tmp_path / "f.pb").exists()


def test_asset_line_that_does_not_parse_names_file_and_line(tf2_model, tmp_path):
    model = _copy(tf2_model, tmp_path)
    (model / "assets" / "weights.csv").write_bytes(b"apple,0.5\nbanana,1.5.2\n")
    done = freeze(model, "-o", tmp_path / "f.pb")
    assert_error(done, f"Table file {model / 'assets' / 'weights.csv'}, line 2: b'1.5.2' is not a valid float; "
                       "fix the file (TensorFlow cannot fill the table from it either) or give the one the model "
                       "was exported with.")


@pytest.mark.parametrize("content, problem", [
    (b"apple\n\nfig\n", "line 2: is empty"),
    (b"apple\nfig\napple\n", "line 3: repeats the key b'apple' with another value, which TensorFlow refuses"),
])
def test_empty_or_repeated_vocabulary_line_is_an_error(tf2_model, tmp_path, content, problem):
    model = _copy(tf2_model, tmp_path)
    (model / "assets" / "vocab.txt").write_bytes(content)
    done = freeze(model, "-o", tmp_path / "f.pb")
    assert done.exit_code == 1
    assert done.stderr.startswith(f"Error: Table file {model / 'assets' / 'vocab.txt'}, {problem}; ")


def test_tf1_vocab_size_past_the_end_of_the_file_is_an_error(tf1_model, tmp_path):
    model = _copy(tf1_model, tmp_path)
    (model / "assets" / "vocab.txt").write_bytes(b"apple\nfig\n")
    done = freeze(model, "-o", tmp_path / "f.pb")
    assert done.exit_code == 1
    assert done.stderr.startswith(f"Error: Table file {model / 'assets' / 'vocab.txt'} has 2 line(s) but table "
                                  "initializer string_to_index/hash_table/table_init/InitializeTableFromTextFileV2 "
                                  "reads vocab_size=3 of them; ")


def test_asset_that_is_a_fifo_is_refused_without_blocking(tf2_model, tmp_path):
    model = _copy(tf2_model, tmp_path)
    fifo = model / "assets" / "vocab.txt"
    fifo.unlink()
    os.mkfifo(fifo)
    run = run_cli(model, "-o", tmp_path / "f.pb")
    assert_one_error(run, contains=f"Table file {fifo} (read by table initializer ", output=tmp_path / "f.pb")
    assert run.stderr.rstrip().endswith("is not a regular file; give the file the model was exported with.")


def test_asset_over_one_gib_is_refused_before_it_is_read(tf2_model, tmp_path):
    model = _copy(tf2_model, tmp_path)
    big = model / "assets" / "vocab.txt"
    with open(big, "r+b") as file:
        file.truncate(2**30 + 1)  # sparse: no disk used, and far over the child's memory if read
    run = run_cli(model, "-o", tmp_path / "f.pb")
    assert_one_error(run, contains=f"holds {2**30 + 1} bytes; freezer embeds table files of at most "
                                   "1073741824 bytes (1 GiB) in the frozen graph.", output=tmp_path / "f.pb")


def test_output_may_not_overwrite_an_asset_file(tf2_model, tmp_path):
    model = _copy(tf2_model, tmp_path)
    vocab = model / "assets" / "vocab.txt"
    assert_error(freeze(model, "-o", vocab), f"The output path {vocab} is the input file {vocab}; choose another "
                                             "path with -o.")
    assert vocab.read_bytes() == VOCABULARY


@pytest.mark.parametrize("filename", ["../../secret.txt", "/etc/hostname", ""])
def test_asset_file_name_outside_the_assets_folder_is_refused(tf2_model, tmp_path, filename):
    model = _copy(tf2_model, tmp_path)
    saved = SavedModel.FromString((model / "saved_model.pb").read_bytes())
    saved.meta_graphs[0].asset_file_def[0].filename = filename
    (model / "saved_model.pb").write_bytes(saved.SerializeToString())
    assert_error(freeze(model, "-o", tmp_path / "f.pb"),
                 f"SavedModel {model} names the asset file {filename!r}, which is not a file in its assets/ "
                 "folder; export the model again with TensorFlow.")


def test_asset_fed_to_a_tensor_the_graph_lacks_is_refused(tf2_model, tmp_path):
    model = _copy(tf2_model, tmp_path)
    saved = SavedModel.FromString((model / "saved_model.pb").read_bytes())
    asset = saved.meta_graphs[0].asset_file_def[0]
    asset.tensor_info.name = "nowhere:0"
    (model / "saved_model.pb").write_bytes(saved.SerializeToString())
    assert_error(freeze(model, "-o", tmp_path / "f.pb"),
                 f"SavedModel {model} feeds the asset file {asset.filename!r} to tensor 'nowhere:0', which is not "
                 "in the graph; export the model again with TensorFlow.")


# ---- a plain GraphDef keeps reading its file, as TensorFlow would -----------------------------------------

def test_graphdef_table_file_is_kept_and_named_in_a_note(tmp_path):
    vocab = tmp_path / "vocab.txt"
    vocab.write_bytes(VOCABULARY)
    with tf.Graph().as_default() as graph:
        words = tf.compat.v1.placeholder(tf.string, [None], name="words")
        table = tf.lookup.StaticHashTable(tf.lookup.TextFileInitializer(
            str(vocab), tf.string, tf.lookup.TextFileIndex.WHOLE_LINE, tf.int64,
            tf.lookup.TextFileIndex.LINE_NUMBER), -1)
        tf.identity(table.lookup(words), name="ids")
        tf.compat.v1.tables_initializer()
    (tmp_path / "model.pb").write_bytes(graph.as_graph_def().SerializeToString())
    result = freezer.freeze_files(tmp_path / "model.pb", outputs="ids", output=tmp_path / "f.pb")
    assert "InitializeTableFromTextFileV2" in {node.op for node in result.graph_def.node}
    assert any(note.endswith(f"reads the file {vocab} when the init op runs; that file must exist where the "
                             "frozen graph runs.") for note in result.notes)
    frozen = run_frozen(result.output_path, {"words:0": WORDS}, ["ids:0"], [result.init_op])
    np.testing.assert_array_equal(frozen["ids:0"], [2, 1, -1, 0, 3, -1])


# ---- the text-file format, line by line against TensorFlow's own kernel -----------------------------------

_FILES = {
    "vocab": VOCABULARY,
    "crlf": b"a\r\nb\r\r\nc\r",
    "no_final_newline": b"x\ny",
    "empty": b"",
    "blank_line": b"a\n\nb\n",
    "repeat": b"a,1\nb,2\na,1\n",
    "repeat_other": b"a,1\na,2\n",
    "columns": b"a,1,2.5\nb,2,x\nc,,3\nd,4\n",
    "ints": b" 12 \n-7\n+3\n0x10\n00000000000000000000042\n9223372036854775807\n-9223372036854775808\n",
    "int_overflow": b"9223372036854775808\n",
    "int32_overflow": b"2147483648\n",
}
_FLOATS = [b"1.5", b".5", b"5.", b"-0", b"0x1F", b"0x1.8p-1", b"0x.8", b"0x", b"inf", b"-INFINITY", b"infinit",
           b"nan", b"-nan", b"nan(0x12)", b"nan(abc)", b"nan(", b"1e39", b"1e-50", b"-1e-50", b"1e400", b"   ",
           b"1e", b".", b"+1", b"+-1", b"-+1", b"1_0", b"0.e5", b"3.4028235677973366e38",
           b"3.40282356779733661637539395458142568448e38", b"0.1", b"16777217", b"1" * 40,
           b"0." + b"0" * 400 + b"1", b"1e99999999999999999999", b"\v1\f"]
_FORMATS = [  # key dtype, key index, value dtype, value index, delimiter, vocab_size, offset
    ("string", -2, "int64", -1, "\t", -1, 0), ("string", -2, "int64", -1, "\t", 2, 7),
    ("int64", -1, "string", -2, "\t", -1, -3), ("string", 0, "float32", 1, ",", -1, 0),
    ("string", 0, "float64", 1, ",", -1, 0), ("string", 0, "int32", 1, ",", -1, 5),
    ("string", -2, "int64", -2, "\t", -1, 0), ("int64", -2, "string", -2, "\t", -1, 0),
    ("string", 2, "string", 0, ",", -1, 0), ("string", -2, "float32", -2, "\t", -1, 0),
    ("string", -2, "int64", -1, "\t", 0, 0),
]


def _tensorflow_table(path, fmt):
    """What TensorFlow's InitializeTableFromTextFileV2 puts in a table, or None where it fails."""
    from tensorflow.python.ops import gen_lookup_ops
    key_dtype, key_index, value_dtype, value_index, delimiter, vocab_size, offset = fmt
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        table = gen_lookup_ops.hash_table_v2(key_dtype=key_dtype, value_dtype=value_dtype)
        init = gen_lookup_ops.initialize_table_from_text_file_v2(table, str(path), key_index, value_index,
                                                                   vocab_size=vocab_size, delimiter=delimiter,
                                                                   offset=offset)
        try:
            session.run(init)
        except tf.errors.OpError:
            return None
        return session.run(gen_lookup_ops.lookup_table_export_v2(table, key_dtype, value_dtype))


def _ours(path, fmt):
    key_dtype, key_index, value_dtype, value_index, delimiter, vocab_size, offset = fmt
    as_enum = {name: tf.as_dtype(name).as_datatype_enum for name in (key_dtype, value_dtype)}
    try:
        return read_text_table(path, TextFileFormat(key_index, value_index, as_enum[key_dtype], as_enum[value_dtype],
                                                    delimiter.encode(), vocab_size, offset), "init")
    except freezer.FreezerError:
        return None


def _as_dict(table):
    """key → value, floats by their bits (NaN payloads and -0 included)."""
    keys, values = (np.asarray(part) for part in table)
    if values.dtype.kind == "f":
        values = values.view(np.uint32 if values.dtype == np.float32 else np.uint64)
    return dict(zip(keys.tolist(), values.tolist()))


def test_text_file_tables_are_read_as_tensorflow_reads_them(tmp_path):
    files = dict(_FILES, **{f"float_{n}": b"k," + text + b"\n" for n, text in enumerate(_FLOATS)})
    compared = 0
    for name, content in files.items():
        path = tmp_path / f"{name}.txt"
        path.write_bytes(content)
        for fmt in _FORMATS:
            expected = _tensorflow_table(path, fmt)
            ours = _ours(path, fmt)
            assert (ours is None) == (expected is None), (name, fmt, expected, ours)
            if expected is not None:
                assert _as_dict(ours) == _as_dict(expected), (name, fmt)
            compared += 1
    assert compared == len(files) * len(_FORMATS)


if __name__ == "__main__":
    _keras_string_lookup(Path(sys.argv[1]))
