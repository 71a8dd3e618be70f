"""V1 checkpoints (one table file `model.ckpt[-N]`, no `.index`), read natively.

The committed fixtures v1_dtypes (the file given as the prefix) and v1_folder (the folder, through
its `checkpoint` state file) are frozen with both engines and compared with TensorFlow's run of the
original graph by tests/test_end_to_end.py, like every fixture; this file checks the forms a V1
checkpoint may be given in, the reader against TensorFlow's own restore, and hostile V1 files, which
are written here by hand (a tiny table writer, on the fields and blocks of tests/checkpoint_files.py)
so that every field can be wrong on purpose.
"""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
from tensorboard.compat.proto import tensor_pb2, types_pb2

import freezer
from checkpoint_files import block, field, footer, handle, shape_proto, with_trailer
from fixture_models import assert_outputs_equal, load_fixture, run_frozen
from freezer.errors import CheckpointError
from freezer.io.checkpoint import resolve_checkpoint
from freezer.io.v1_checkpoint import V1CheckpointReader
from graphs import graph, node, variable
from hostile import assert_one_error, run_cli

V1_FIXTURES = ("v1_dtypes", "v1_folder")
FLOAT = types_pb2.DT_FLOAT


# ---- a V1 file written by hand -------------------------------------------------------------------

def slice_proto(extents) -> bytes:
    """TensorSliceProto; an extent None is a full one (an empty Extent, as TF writes it)."""
    return b"".join(field(1, b"" if e is None else field(1, e[0]) + field(2, e[1])) for e in extents)


def ordered_signed(value: int) -> bytes:
    """OrderedCode's signed number, for the small values these tests use (one byte: -64..63)."""
    assert -64 <= value < 64
    return bytes([(value & 0xFF) ^ 0x80])


def slice_key(name: bytes, extents) -> bytes:
    key = b"\x00" + name + b"\x00\x01" + bytes([1, len(extents)] if extents else [0])
    for extent in extents:
        start, length = (0, -1) if extent is None else extent
        key += ordered_signed(start) + ordered_signed(length)
    return key


def tensor_meta(name: bytes, dims, dtype: int, slices, dtype_field: bytes | None = None) -> bytes:
    return (field(1, name) + field(2, shape_proto(dims))
            + (dtype_field if dtype_field is not None else field(3, dtype))
            + b"".join(field(4, slice_proto(extents)) for extents in slices))


def stored_slice(name: bytes, extents, data: bytes) -> bytes:
    """SavedTensorSlices {data: SavedSlice {name, slice, data: TensorProto}}."""
    return field(2, field(1, name) + field(2, slice_proto(extents)) + field(3, data))


def floats(*values) -> bytes:
    return tensor_pb2.TensorProto(float_val=values).SerializeToString()


def write_table(path, entries: dict[bytes, bytes]) -> None:
    """A LevelDB-style table as TF writes it: one data block, an empty metaindex, the index."""
    out = bytearray()

    def add(contents: bytes) -> bytes:
        written = handle(len(out), len(contents))
        out.extend(with_trailer(contents))
        return written

    data = add(block(sorted(entries.items())))
    metaindex = add(block([]))
    index = add(block([(max(entries), data)]))
    out.extend(footer(metaindex, index))
    path.write_bytes(bytes(out))


def write_v1(path, metas: list[bytes], stored: dict[bytes, bytes]) -> None:
    """A V1 file: the meta under the empty key (its tensors, versions {producer: 1}), then `stored`."""
    meta = b"".join(field(1, m) for m in metas) + field(2, field(1, 1))
    write_table(path, {b"": field(1, meta), **stored})


def float_variable_graph(path, dims) -> None:
    """y = Identity(v) for a float ref variable v of shape `dims`, as a binary GraphDef."""
    path.write_bytes(graph(variable("v", dims), node("y", "Identity", "v", T=FLOAT)).SerializeToString())


def test_hand_written_v1_file_reads_as_tensorflow_reads_it(tmp_path):
    """The writer above is right: TensorFlow reads its file, and so does freezer."""
    tf = pytest.importorskip("tensorflow")
    path = tmp_path / "model.ckpt"
    write_v1(path, [tensor_meta(b"v", [3], FLOAT, [[None]])],
             {slice_key(b"v", [None]): stored_slice(b"v", [None], floats(1.5, -2, 3))})
    restored = tf.raw_ops.RestoreV2(prefix=str(path), tensor_names=["v"], shape_and_slices=[""],
                                    dtypes=[tf.float32])[0].numpy()
    np.testing.assert_array_equal(V1CheckpointReader(str(path)).read("v"), restored)
    np.testing.assert_array_equal(restored, [1.5, -2, 3])


# ---- the committed fixtures ----------------------------------------------------------------------

@pytest.mark.parametrize("name", V1_FIXTURES)
def test_v1_fixture_is_a_v1_checkpoint(name):
    fixture = load_fixture(name)
    prefix = resolve_checkpoint(fixture.checkpoint, fixture.graph)
    assert os.path.isfile(prefix) and not os.path.exists(prefix + ".index")
    assert not list(fixture.folder.rglob("*.index")) and not list(fixture.folder.rglob("*.data-*"))


@pytest.mark.parametrize("name", V1_FIXTURES)
def test_v1_reader_matches_tensorflows_restore(name):
    """Every tensor, and the parts the graph's partitioned variables ask for, as RestoreV2 gives them."""
    tf = pytest.importorskip("tensorflow")
    fixture = load_fixture(name)
    prefix = resolve_checkpoint(fixture.checkpoint, fixture.graph)
    reader = V1CheckpointReader(prefix)
    requests = [(key, "") for key in reader.contents()]
    requests += {"v1_folder": [("emb", "10 4 4,3:-"), ("emb", "10 4 2,5:1,2")],
                 "v1_dtypes": [("table", "7 2 3,2:-")]}[name]
    for key, spec in requests:
        dtype = reader.contents()[key][0]
        theirs = tf.raw_ops.RestoreV2(prefix=prefix, tensor_names=[key], shape_and_slices=[spec],
                                      dtypes=[tf.dtypes.as_dtype(dtype)])[0].numpy()
        ours = reader.read(key, spec)
        assert ours.shape == theirs.shape and not ours.flags.writeable, key
        if dtype == types_pb2.DT_STRING:
            assert list(ours.reshape(-1)) == list(np.asarray(theirs).reshape(-1)), key
        else:
            assert ours.dtype == theirs.dtype, key
            np.testing.assert_array_equal(ours, theirs, err_msg=f"{key} {spec}")


def copy_v1_folder(tmp_path):
    fixture = load_fixture("v1_folder")
    folder = tmp_path / "ckpt"
    shutil.copytree(fixture.checkpoint, folder)
    return fixture, folder


def test_v1_folder_file_and_meta_beside_give_the_same_graph(tmp_path):
    fixture, folder = copy_v1_folder(tmp_path)
    graph_path = folder / "model.ckpt-7.meta"
    forms = {"folder": folder, "file": folder / "model.ckpt-7", "beside the .meta": None}
    frozen = {form: freezer.freeze_files(graph_path, checkpoint, outputs="y", output=tmp_path / f"{i}.pb")
              for i, (form, checkpoint) in enumerate(forms.items())}
    assert len({result.output_path.read_bytes() for result in frozen.values()}) == 1
    assert all(result.notes == [] for result in frozen.values())
    assert_outputs_equal(run_frozen(frozen["folder"].output_path, fixture.inputs, fixture.fetches),
                         fixture.expected, recorded=True)


def test_v1_folder_without_state_file_uses_its_only_checkpoint(tmp_path):
    _, folder = copy_v1_folder(tmp_path)
    (folder / "checkpoint").unlink()  # as a TF-slim tarball unpacks: the file alone (and a .meta)
    assert resolve_checkpoint(folder, folder / "model.ckpt-7.meta") == str(folder / "model.ckpt-7")
    shutil.copy(folder / "model.ckpt-7", folder / "model.ckpt-9")
    with pytest.raises(CheckpointError, match=r"several checkpoints \(model.ckpt-7, model.ckpt-9\)"):
        resolve_checkpoint(folder, folder / "x.pb")


def test_v1_folder_whose_state_file_names_a_fifo_is_refused_without_blocking(tmp_path):
    _, folder = copy_v1_folder(tmp_path)
    os.replace(folder / "model.ckpt-7.meta", tmp_path / "model.meta")
    (folder / "model.ckpt-7").unlink()
    os.mkfifo(folder / "model.ckpt-7")
    out = tmp_path / "o.pb"
    assert_one_error(run_cli(tmp_path / "model.meta", folder, "--outputs", "y", "-o", out),
                     contains="names checkpoint model.ckpt-7", output=out)


@pytest.fixture
def v1_saved_by_save_op(tmp_path):
    """The mlp_ref variables saved again by the V1 `Save` op (not a Saver): one file, no .index."""
    tf = pytest.importorskip("tensorflow")
    fixture = load_fixture("mlp_ref")
    reader = tf.train.load_checkpoint(str(fixture.checkpoint))  # the prefix ckpt/model-0
    keys = sorted(reader.get_variable_to_shape_map())
    prefix = tmp_path / "v1" / "model"
    prefix.parent.mkdir()
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        session.run(tf.raw_ops.Save(filename=str(prefix), tensor_names=keys,
                                    data=[tf.constant(reader.get_tensor(k)) for k in keys]))
    return fixture, prefix


def test_v1_checkpoint_is_read_natively_without_tensorflow(v1_saved_by_save_op, tmp_path):
    """No note about the session engine, and the same bytes as with the V2 checkpoint it came from."""
    fixture, prefix = v1_saved_by_save_op
    from test_without_tensorflow import freeze_without_tf
    done = freeze_without_tf(fixture.graph, prefix, "--outputs", "y", "-o", tmp_path / "v1.pb")
    assert done.returncode == 0 and "Note" not in done.stdout + done.stderr, done.stderr
    v2 = freezer.freeze_files(fixture.graph, fixture.checkpoint, outputs="y", output=tmp_path / "v2.pb")
    assert (tmp_path / "v1.pb").read_bytes() == v2.output_path.read_bytes()


# ---- hostile V1 files: one Error line naming the file, within the time and memory limits --------

def freeze_hostile(tmp_path, dims, metas, stored):
    """Freeze y = Identity(v) (v: float, `dims`) against a V1 file made of `metas` and `stored`."""
    checkpoint = tmp_path / "model.ckpt"
    write_v1(checkpoint, metas, stored)
    float_variable_graph(tmp_path / "model.pb", dims)
    out = tmp_path / "frozen.pb"
    return run_cli(tmp_path / "model.pb", checkpoint, "--outputs", "y", "-o", out), checkpoint, out


WHOLE = [None]


@pytest.mark.parametrize("case, dims, metas, stored, message", [
    ("huge_claimed_shape", [2**40], [tensor_meta(b"v", [2**40], FLOAT, [WHOLE])],
     {slice_key(b"v", WHOLE): stored_slice(b"v", WHOLE, floats(1, 2, 3))},
     "'v' 3 values stored for a slice of 1099511627776"),
    ("partitioned_claim_not_covered", [10**9], [tensor_meta(b"v", [10**9], FLOAT, [[(0, 2)]])],
     {slice_key(b"v", [(0, 2)]): stored_slice(b"v", [(0, 2)], floats(1, 2))},
     "The slices of 'v' in {path} do not cover"),
    ("overlapping_slices", [4], [tensor_meta(b"v", [4], FLOAT, [[(0, 2)], [(1, 2)]])],
     {slice_key(b"v", [(0, 2)]): stored_slice(b"v", [(0, 2)], floats(1, 2)),
      slice_key(b"v", [(1, 2)]): stored_slice(b"v", [(1, 2)], floats(3, 4))},
     "is corrupt (stored slices of 'v' overlap)"),
    ("slice_not_stored", [3], [tensor_meta(b"v", [3], FLOAT, [WHOLE])], {},
     "lists a slice of 'v' that it does not store"),
    ("value_not_a_tensor_proto", [3], [tensor_meta(b"v", [3], FLOAT, [WHOLE])],
     {slice_key(b"v", WHOLE): stored_slice(b"v", WHOLE, b"\xff\xff\xff")},
     "is corrupt: 'v' is not a valid TensorProto"),
    ("dtype_with_wrong_wire_type", [3],
     [tensor_meta(b"v", [3], FLOAT, [WHOLE], dtype_field=field(3, b"\x01"))], {},
     "is corrupt (field 3 has wire type 2"),
    ("negative_dimension", [3], [tensor_meta(b"v", [-3], FLOAT, [WHOLE])], {}, "negative dimension"),
    ("slice_outside_shape", [3], [tensor_meta(b"v", [3], FLOAT, [[(2, 5)]])], {}, "not inside its shape"),
    ("tensor_listed_twice", [3], [tensor_meta(b"v", [3], FLOAT, [WHOLE])] * 2, {}, "'v' is listed twice"),
])
def test_hostile_v1_file_is_one_error(tmp_path, case, dims, metas, stored, message):
    run, checkpoint, out = freeze_hostile(tmp_path, dims, metas, stored)
    assert_one_error(run, contains=message.format(path=checkpoint), output=out)
    assert str(checkpoint) in run.stderr


def test_v1_file_with_a_flipped_byte_fails_the_block_crc(tmp_path):
    fixture = load_fixture("v1_dtypes")
    checkpoint = tmp_path / "model.ckpt"
    data = bytearray((fixture.folder / "ckpt" / "model.ckpt").read_bytes())
    data[40] ^= 0x01  # inside the first data block
    checkpoint.write_bytes(bytes(data))
    out = tmp_path / "o.pb"
    assert_one_error(run_cli(fixture.graph, checkpoint, "--outputs", "i64_out", "-o", out),
                     contains=f"Checkpoint {checkpoint} is corrupt (block at 0 fails its crc32c check)",
                     output=out)


def test_truncated_v1_file_is_not_a_checkpoint(tmp_path):
    fixture = load_fixture("v1_dtypes")
    checkpoint = tmp_path / "model.ckpt"
    checkpoint.write_bytes((fixture.folder / "ckpt" / "model.ckpt").read_bytes()[:500])
    out = tmp_path / "o.pb"
    assert_one_error(run_cli(fixture.graph, checkpoint, "--outputs", "i64_out", "-o", out),
                     contains=f"{checkpoint} is not a TensorFlow checkpoint", output=out)
