"""Reading graph files by content, checkpoint arguments, and the atomic writer."""

import re
import shutil
from pathlib import Path

import pytest
from google.protobuf import text_format
from tensorboard.compat.proto import graph_pb2

from freezer.errors import CheckpointError, GraphError
from freezer.io.checkpoint import resolve_checkpoint
from freezer.io.frozen import FrozenGraph
from freezer.io.graphdef import read_graph, write_atomically, write_graph
from fixture_models import FIXTURES
from graphs import ref_variable_graph


def test_text_graph_with_a_binary_suffix_is_read_as_text(tmp_path):
    path = tmp_path / "model.pb"
    path.write_text("# written by hand\n" + text_format.MessageToString(ref_variable_graph()))
    loaded = read_graph(path)
    assert loaded.is_text and loaded.graph_def == ref_variable_graph() and loaded.saver_def is None


def test_binary_graph_with_a_text_suffix_is_read_as_binary(tmp_path):
    path = tmp_path / "model.pbtxt"
    path.write_bytes(ref_variable_graph().SerializeToString())
    loaded = read_graph(path)
    assert not loaded.is_text and loaded.graph_def == ref_variable_graph()


def test_meta_graph_carries_its_saver():
    loaded = read_graph(FIXTURES / "train_meta" / "model-1000.meta")
    assert loaded.saver_def.restore_op_name == "save/restore_all"
    assert any(node.op == "ApplyAdam" for node in loaded.graph_def.node)


def test_text_meta_graph_is_recognised_by_its_fields(tmp_path):
    from tensorboard.compat.proto import meta_graph_pb2
    meta = meta_graph_pb2.MetaGraphDef()
    meta.graph_def.CopyFrom(ref_variable_graph())
    meta.saver_def.restore_op_name = "save/restore_all"
    path = tmp_path / "model.pbtxt"
    path.write_text(text_format.MessageToString(meta))
    loaded = read_graph(path)
    assert loaded.saver_def.restore_op_name == "save/restore_all" and loaded.graph_def == ref_variable_graph()


def test_folder_instead_of_graph(tmp_path):
    with pytest.raises(GraphError, match="is a folder; give the graph file"):
        read_graph(tmp_path)


@pytest.mark.parametrize("name", ["empty.pb", "empty.pbtxt", "empty.meta"])
def test_empty_graph_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\n")
    with pytest.raises(GraphError, match=f"Graph file {path} is empty; give the GraphDef"):
        read_graph(path)


def test_text_graph_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "bom.pbtxt"
    path.write_bytes(b"\xef\xbb\xbf" + text_format.MessageToString(ref_variable_graph()).encode())
    assert read_graph(path).graph_def == ref_variable_graph()


def test_special_file_as_graph():
    with pytest.raises(GraphError, match="Graph file /dev/zero is not a regular file"):
        read_graph(Path("/dev/zero"))


def test_write_graph_is_deterministic(tmp_path):
    graph = ref_variable_graph()
    graph.node[0].attr["b"].i = 1
    graph.node[0].attr["a"].i = 2
    shuffled = graph_pb2.GraphDef()
    shuffled.CopyFrom(graph)
    del shuffled.node[0].attr["b"]
    shuffled.node[0].attr["b"].i = 1  # same map, other insertion order
    write_graph(tmp_path / "a.pb", FrozenGraph(graph), as_text=False)
    write_graph(tmp_path / "b.pb", FrozenGraph(shuffled), as_text=False)
    assert (tmp_path / "a.pb").read_bytes() == (tmp_path / "b.pb").read_bytes()


def test_write_atomically_leaves_no_temp_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "out.pb"
    target.write_bytes(b"old")

    def fail(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("os.replace", fail)
    with pytest.raises(OSError):
        write_atomically(target, lambda out: out.write(b"new"))
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.pb"]


@pytest.fixture
def ckpt(tmp_path):
    folder = tmp_path / "ckpt"
    shutil.copytree(FIXTURES / "mlp_ref" / "ckpt", folder)
    return folder


def test_checkpoint_state_file_picks_the_prefix(ckpt):
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "model-0")


def test_checkpoint_state_file_with_foreign_absolute_paths(ckpt):
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "/home/someone/train/model-0"\n')
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "model-0")


def test_folder_without_state_file_uses_its_only_prefix(ckpt):
    (ckpt / "checkpoint").unlink()
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "model-0")


def test_folder_with_several_prefixes_and_no_state_file(ckpt):
    (ckpt / "checkpoint").unlink()
    (ckpt / "model-5.index").write_bytes(b"")
    with pytest.raises(CheckpointError, match=r"holds several checkpoints \(model-0, model-5\)"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


def test_state_file_naming_a_missing_checkpoint(ckpt):
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "model-7"\n')
    with pytest.raises(CheckpointError, match="names checkpoint model-7, but model-7.index is not in"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


def test_no_argument_and_no_meta_means_no_checkpoint(ckpt):
    assert resolve_checkpoint(None, ckpt / "model.pbtxt") is None


def rename_checkpoint(folder: Path, old: str, new: str) -> None:
    for path in folder.glob(old + ".*"):
        path.rename(folder / (new + path.name[len(old):]))


def test_state_file_with_a_utf8_checkpoint_name(ckpt):
    rename_checkpoint(ckpt, "model-0", "modèle-0")
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "modèle-0"\n', encoding="utf-8")
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "modèle-0")


def test_state_file_as_tensorflow_writes_a_utf8_name(ckpt):
    tf = pytest.importorskip("tensorflow")
    rename_checkpoint(ckpt, "model-0", "modèle-0")
    tf.compat.v1.train.update_checkpoint_state(str(ckpt), str(ckpt / "modèle-0"))
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "modèle-0")


def test_state_file_with_octal_escapes_names_a_utf8_checkpoint(ckpt):
    rename_checkpoint(ckpt, "model-0", "modèle-0")
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "mod\\303\\250le-0"\n')
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "modèle-0")


def test_state_file_with_a_bad_escape_is_an_error(ckpt):
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "model-0\\x"\n')
    with pytest.raises(CheckpointError, match=r"state file .*checkpoint is not a valid CheckpointState \(1:"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


def test_state_file_with_a_short_hex_escape_names_that_byte(ckpt):
    """`\\x4` is one byte, 4, in protobuf's text format (as in C): a name no checkpoint has."""
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "model-0\\x4"\n')
    with pytest.raises(CheckpointError, match=r"names checkpoint 'model-0\\x04', but 'model-0\\x04'.index"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


@pytest.mark.parametrize("contents, message", [
    (b'model_checkpoint_path: "model-0"\nsome_field: 1\n', r'has no field named "some_field"'),
    (b'model_checkpoint_path: "model-0"\nmodel_checkpoint_path: "model-1"\n', "multiple"),
    (b'model_checkpoint_path: "mod\xe8le-0"\n', "can't decode byte 0xe8"),  # Latin-1, not UTF-8
    (b'model_checkpoint_path: "model-0\n', "missing ending quote"),
    (b"{" * 100_000, "1:1"),
])
def test_state_file_that_is_not_a_checkpoint_state_is_an_error(ckpt, contents, message):
    (ckpt / "checkpoint").write_bytes(contents)
    with pytest.raises(CheckpointError, match=rf"state file {ckpt / 'checkpoint'} is not a valid "
                                              rf"CheckpointState \(.*{message}.*\); fix it or give"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


def test_state_file_bigger_than_a_mebibyte_is_an_error(ckpt):
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "model-0"\n' + "# padding\n" * 110_000)
    with pytest.raises(CheckpointError, match=r"state file .* is 1100033 bytes, more than a state file holds"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


def test_state_file_without_a_latest_checkpoint_falls_back_to_the_only_prefix(ckpt):
    (ckpt / "checkpoint").write_text('all_model_checkpoint_timestamps: 1.5\n')
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "model-0")


@pytest.mark.parametrize("name", ["../../etc/x", "../ckpt/model-0", "sub/../../x"])
def test_state_file_naming_a_relative_path_outside_its_folder_is_an_error(ckpt, name):
    (ckpt / "checkpoint").write_text(f'model_checkpoint_path: "{name}"\n')
    with pytest.raises(CheckpointError, match=rf"names checkpoint {re.escape(name)}, outside its folder"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


@pytest.mark.parametrize("name", ["a\\000b", ".", "sub/.."])
def test_state_file_naming_no_prefix_is_an_error(ckpt, name):
    (ckpt / "checkpoint").write_text(f'model_checkpoint_path: "{name}"\n')
    with pytest.raises(CheckpointError, match="which is not a checkpoint prefix"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")


def test_state_file_naming_an_absolute_path_elsewhere_uses_it_when_its_files_exist(ckpt, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ckpt, elsewhere)
    rename_checkpoint(elsewhere, "model-0", "model-9")
    (ckpt / "checkpoint").write_text(f'model_checkpoint_path: "{elsewhere / "model-9"}"\n')
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(elsewhere / "model-9")


def test_state_file_prefers_the_checkpoint_beside_it_to_an_absolute_path_elsewhere(ckpt, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(ckpt, elsewhere)
    (ckpt / "checkpoint").write_text(f'model_checkpoint_path: "{elsewhere / "model-0"}"\n')
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "model-0")


def test_state_file_naming_an_absolute_path_inside_its_folder(ckpt):
    (ckpt / "sub").mkdir()
    rename_checkpoint(ckpt, "model-0", "sub/model-0")
    shutil.copy(ckpt / "sub" / "model-0.index", ckpt / "model-0.index")  # a decoy beside the state file
    (ckpt / "checkpoint").write_text(f'model_checkpoint_path: "{ckpt / "sub" / "model-0"}"\n')
    assert resolve_checkpoint(ckpt, ckpt / "x.pbtxt") == str(ckpt / "sub" / "model-0")


def test_state_file_naming_a_missing_absolute_path_says_where_it_looked(ckpt):
    (ckpt / "checkpoint").write_text('model_checkpoint_path: "/nowhere/train/model-7"\n')
    with pytest.raises(CheckpointError, match=rf"names checkpoint /nowhere/train/model-7, but model-7.index is "
                                              rf"not in {ckpt} \(looked for {ckpt / 'model-7.index'}, "
                                              r"/nowhere/train/model-7.index\)"):
        resolve_checkpoint(ckpt, ckpt / "x.pbtxt")
