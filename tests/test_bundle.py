"""The native TensorBundle reader against checkpoints TensorFlow writes, byte for byte."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from checkpoint_files import data_file, flip_byte
from freezer.errors import CheckpointError
from freezer.errors import UnsupportedCheckpoint
from freezer.io.bundle import BundleReader

tf = pytest.importorskip("tensorflow")


def save(prefix, tensors: dict, specs: dict | None = None) -> str:
    """Write `tensors` (name -> tf.Tensor) with SaveV2, the op every TF saver ends in."""
    names = sorted(tensors)
    specs = specs or {}
    tf.raw_ops.SaveV2(prefix=str(prefix), tensor_names=names,
                      shape_and_slices=[specs.get(n, "") for n in names],
                      tensors=[tensors[n] for n in names])
    return str(prefix)


def assert_same(ours: np.ndarray, theirs, dtype_enum: int):
    # TF returns a scalar as a numpy scalar, or as plain bytes for a string.
    theirs = np.asarray(theirs, dtype=object if isinstance(theirs, bytes) else None)
    if dtype_enum == tf.string.as_datatype_enum:
        assert ours.dtype == object and ours.shape == theirs.shape
        assert ours.ravel().tolist() == theirs.ravel().tolist()
    elif dtype_enum == tf.bfloat16.as_datatype_enum:  # ours is the uint16 bit pattern
        assert ours.dtype == np.uint16 and ours.tobytes() == theirs.view(np.uint16).tobytes()
    else:
        assert ours.dtype.itemsize == theirs.dtype.itemsize and ours.shape == theirs.shape
        assert ours.tobytes() == theirs.tobytes()


def assert_matches_tf(prefix: str):
    """contents() and every tensor equal what TensorFlow's own reader says."""
    reference = tf.train.load_checkpoint(prefix)
    dtypes = {k: v.as_datatype_enum for k, v in reference.get_variable_to_dtype_map().items()}
    shapes = {k: tuple(v) for k, v in reference.get_variable_to_shape_map().items()}
    with BundleReader(prefix) as reader:
        assert reader.contents() == {k: (dtypes[k], shapes[k]) for k in shapes}
        for key, (dtype, _) in reader.contents().items():
            assert_same(reader.read(key), reference.get_tensor(key), dtype)


LONG = bytes(range(256)) * 2  # 512 bytes: a 2-byte varint length, and every byte value

TENSORS = {
    "f32": lambda: tf.constant(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4)),
    "f64": lambda: tf.constant([np.pi, -0.0, np.inf], tf.float64),
    "f16": lambda: tf.constant([1.5, -2.25, 65504], tf.float16),
    "bf16": lambda: tf.constant([1.5, -3.0, 1e30], tf.bfloat16),
    "i8": lambda: tf.constant([-128, 0, 127], tf.int8),
    "i16": lambda: tf.constant([-32768, 1, 32767], tf.int16),
    "i32": lambda: tf.constant([[-2**31, 7], [2**31 - 1, 0]], tf.int32),
    "i64": lambda: tf.constant([-2**63, 2**63 - 1], tf.int64),
    "u8": lambda: tf.constant([0, 255], tf.uint8),
    "u16": lambda: tf.constant([0, 65535], tf.uint16),
    "u32": lambda: tf.constant([0, 2**32 - 1], tf.uint32),
    "u64": lambda: tf.constant([0, 2**64 - 1], tf.uint64),
    "c64": lambda: tf.constant([1 + 2j, -3.5j], tf.complex64),
    "c128": lambda: tf.constant([[1 + 2j], [-3.5j]], tf.complex128),
    "bool": lambda: tf.constant([True, False, True]),
    "qint8": lambda: tf.bitcast(tf.constant([1, -2, 3], tf.int8), tf.qint8),
    "str": lambda: tf.constant([[b"abc", b""], [b"\xff\x00\xfe not utf-8", LONG]]),
    "scalar": lambda: tf.constant(3.25),
    "scalar_str": lambda: tf.constant(b"hello"),
    "empty": lambda: tf.zeros([0, 3]),
    "empty_str": lambda: tf.constant([], tf.string),
    "dir/nested/name": lambda: tf.constant([1, 2], tf.int64),
}


@pytest.fixture(scope="module")
def all_dtypes(tmp_path_factory):
    return save(tmp_path_factory.mktemp("dtypes") / "ckpt", {k: make() for k, make in TENSORS.items()})


def test_every_dtype_matches_tensorflow(all_dtypes):
    assert_matches_tf(all_dtypes)



def test_reading_the_index_loads_no_numpy(all_dtypes):
    # `freezer inspect` reads only the index: its dtypes and shapes, not one value.
    code = ("import sys; from freezer.io.bundle import BundleReader; "
            f"contents = BundleReader({all_dtypes!r}).contents(); "
            "print(len(contents), 'numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(len(TENSORS)), "False"]

def test_arrays_are_read_only_views_and_survive_close(all_dtypes):
    reader = BundleReader(all_dtypes)
    array = reader.read("f32")
    assert not array.flags.writeable
    reader.close()  # the arrays keep the mapping alive
    assert array[2, 3] == np.float32(1.0)


def test_slice_of_a_whole_tensor(all_dtypes):
    with BundleReader(all_dtypes) as reader:
        full = reader.read("f32")
        assert np.array_equal(reader.read("f32", "3 4 1,2:-"), full[1:3])
        assert np.array_equal(reader.read("f32", "3 4 -:2,1"), full[:, 2:3])


def test_many_keys_span_several_index_blocks(tmp_path):
    tensors = {f"layer_{i:04d}/kernel": tf.fill([2], float(i)) for i in range(2000)}
    prefix = save(tmp_path / "many", tensors)
    assert os.path.getsize(prefix + ".index") > 8 * 4096  # TF's table blocks are 4 KiB
    assert_matches_tf(prefix)


def test_sharded_checkpoint(tmp_path):
    first = save(tmp_path / "a", {"x": tf.constant([1.0, 2.0]), "s": tf.constant([b"p"])})
    second = save(tmp_path / "b", {"y": tf.constant([[3, 4]], tf.int64)})
    merged = str(tmp_path / "merged")
    tf.raw_ops.MergeV2Checkpoints(checkpoint_prefixes=[first, second], destination_prefix=merged)
    assert sorted(p.name for p in tmp_path.glob("merged.data-*")) == [
        "merged.data-00000-of-00002", "merged.data-00001-of-00002"]
    assert_matches_tf(merged)


@pytest.fixture(scope="module")
def partitioned(tmp_path_factory):
    """A v1 Saver checkpoint of a [10, 4] variable in 3 parts: (prefix, [(spec, value)], full)."""
    prefix = str(tmp_path_factory.mktemp("partitioned") / "model")
    with tf.Graph().as_default():
        w = tf.compat.v1.get_variable("w", shape=[10, 4],
                                      partitioner=tf.compat.v1.fixed_size_partitioner(3))
        tf.compat.v1.get_variable("b", shape=[7], partitioner=tf.compat.v1.fixed_size_partitioner(2))
        tf.compat.v1.get_variable("plain", shape=[3])
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            tf.compat.v1.train.Saver().save(session, prefix)
            parts = [(part._save_slice_info.spec, session.run(part)) for part in w]
    return prefix, parts, np.concatenate([value for _, value in parts])


def test_partitioned_contents_list_the_full_tensor(partitioned):
    prefix, _, _ = partitioned
    assert_matches_tf(prefix)
    assert BundleReader(prefix).contents()["w"] == (tf.float32.as_datatype_enum, (10, 4))


def test_partitioned_parts_read_by_spec(partitioned):
    prefix, parts, full = partitioned
    assert [spec for spec, _ in parts] == ["10 4 0,4:0,4", "10 4 4,3:0,4", "10 4 7,3:0,4"]
    with BundleReader(prefix) as reader:
        for spec, value in parts:
            assert reader.read("w", spec).tobytes() == value.tobytes()
        assert reader.read("w").tobytes() == full.tobytes()
        # A region across two stored slices is assembled from both.
        assert np.array_equal(reader.read("w", "10 4 2,5:1,2"), full[2:7, 1:3])
        assert np.array_equal(reader.read("w", "10 4 4,3:-"), full[4:7])


# ---- errors ---------------------------------------------------------------------------------------

@pytest.fixture
def small(tmp_path):
    return save(tmp_path / "small", {"v": tf.range(100.0), "s": tf.constant([b"ab", b"cd"])})


@pytest.mark.parametrize("key", ["v", "s"])
def test_flipped_data_byte_fails_the_crc(small, key):
    with BundleReader(small) as reader:
        entry = reader._entries[key.encode()]
    flip_byte(data_file(small), entry.offset + entry.size - 1, bits=0x01)
    with pytest.raises(CheckpointError, match=f"{data_file(small)} is corrupt.*'{key}'.*save the"):
        BundleReader(small).read(key)


def test_flipped_string_length_is_caught(small):
    with BundleReader(small) as reader:
        entry = reader._entries[b"s"]
    flip_byte(data_file(small), entry.offset, bits=0x01)  # the first varint length
    with pytest.raises(CheckpointError, match=f"{data_file(small)} is corrupt"):
        BundleReader(small).read("s")


def test_flipped_index_byte_fails_the_block_crc(small):
    flip_byte(small + ".index", 10, bits=0x01)
    with pytest.raises(CheckpointError, match=rf"index {small}\.index is corrupt.*crc32c.*save the"):
        BundleReader(small)


def test_bad_table_magic(small):
    index = Path(small + ".index")
    index.write_bytes(index.read_bytes()[:-1] + b"\x00")
    with pytest.raises(CheckpointError, match=rf"{small}\.index is corrupt \(bad table magic"):
        BundleReader(small)


def test_index_too_short(small):
    Path(small + ".index").write_bytes(b"\x00" * 20)
    with pytest.raises(CheckpointError, match=rf"{small}\.index is corrupt"):
        BundleReader(small)


def test_truncated_data_file(small):
    path = data_file(small)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match=f"{path} is truncated.*'v'"):
        BundleReader(small).read("v")


def test_missing_data_shard(small):
    os.remove(data_file(small))
    with pytest.raises(CheckpointError, match=f"{data_file(small)} is missing"):
        BundleReader(small).read("v")


def test_missing_index(tmp_path):
    with pytest.raises(CheckpointError, match=f"{tmp_path / 'nope'}.index not found"):
        BundleReader(str(tmp_path / "nope"))


def test_unknown_key_suggests_near_names(small):
    with pytest.raises(CheckpointError, match=r"'vv' is not in checkpoint .*Did you mean: v"):
        BundleReader(small).read("vv")


@pytest.mark.parametrize("spec, message", [
    ("0,5", "Bad slice spec"),
    ("100 0,5:-", "Bad slice spec"),
    ("100 90,20", "outside the shape"),
    ("99 0,5", "is for shape \\[99\\]"),
])
def test_bad_slice_specs(small, spec, message):
    with pytest.raises(CheckpointError, match=message):
        BundleReader(small).read("v", spec)


def test_v1_checkpoint_is_unsupported(tmp_path):
    prefix = str(tmp_path / "v1")
    with tf.Graph().as_default():
        tf.compat.v1.get_variable("x", shape=[2])
        saver = tf.compat.v1.train.Saver(write_version=tf.compat.v1.train.SaverDef.V1)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, prefix)
    with pytest.raises(UnsupportedCheckpoint, match="V1 checkpoint.*--engine session"):
        BundleReader(prefix)


def test_unknown_dtype_is_unsupported(tmp_path):
    prefix = save(tmp_path / "variant", {"t": tf.raw_ops.TensorListFromTensor(
        tensor=tf.constant([1.0]), element_shape=tf.constant([], tf.int32))})
    with pytest.raises(UnsupportedCheckpoint, match="'t'.*dtype variant.*--engine session"):
        BundleReader(prefix).read("t")


def test_import_does_not_import_tensorflow():
    code = ("import freezer.io.bundle, sys; "
            "assert not any(m.startswith('tensorflow') for m in sys.modules), 'tensorflow imported'")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)
