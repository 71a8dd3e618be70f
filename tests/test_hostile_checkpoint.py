"""Hostile checkpoints: files that would hang, blow memory or crash a trusting reader.

Each case starts from a committed fixture and rewrites what it attacks: the `.index` is re-encoded
by `encode_table` below with valid block checksums, so the reader meets the hostile entry itself,
not a checksum failure. Cases that could hang or allocate without bound run the CLI in a child
under tests/hostile.py's time and memory limits.
"""

import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from checkpoint_files import block, data_file, field, fixed32_field, footer, handle, shape_proto, varint, with_trailer
from fixture_models import FIXTURES
from freezer.errors import CheckpointError
from freezer.io.bundle import BundleReader, _read_table, _slice_key
from freezer.io.checkpoint import resolve_checkpoint
from hostile import TIME_LIMIT, assert_one_error, run_cli

MLP = FIXTURES / "mlp_ref"
DT_FLOAT, DT_STRING = 1, 7


# ---- writing protos and tables by hand (the shared writers are in tests/checkpoint_files.py) -------

def slice_proto(extents) -> bytes:
    """TensorSliceProto; length -1 means the whole dimension (no length field)."""
    return b"".join(field(1, field(1, start) + (field(2, length) if length != -1 else b""))
                    for start, length in extents)


def entry_proto(dtype=DT_FLOAT, shape=(), shard_id=0, offset=0, size=0, crc=0, slices=()) -> bytes:
    return (field(1, dtype) + field(2, shape_proto(shape)) + field(3, shard_id)
            + field(4, offset) + field(5, size) + fixed32_field(6, crc)
            + b"".join(field(7, slice_proto(extents)) for extents in slices))


def header_proto(num_shards=1) -> bytes:
    return field(1, num_shards) + field(3, field(1, 1))


def encode_table(entries, *, data_blocks=None) -> bytes:
    """A table file holding `entries` (key, value) in one data block, or the given encoded blocks
    (each named once by the index unless `data_blocks` repeats one)."""
    blocks = data_blocks or [block(entries)]
    out, index = bytearray(), []
    offsets = {}
    for contents in blocks:
        if id(contents) not in offsets:
            offsets[id(contents)] = len(out)
            out += with_trailer(contents)
        index.append((b"\xff" + struct.pack(">I", len(index)), handle(offsets[id(contents)], len(contents))))
    meta_offset, meta = len(out), block([])
    out += with_trailer(meta)
    index_offset, index_block = len(out), block(index)
    out += with_trailer(index_block)
    return bytes(out + footer(handle(meta_offset, len(meta)), handle(index_offset, len(index_block))))


def copy_checkpoint(tmp_path, source=MLP / "ckpt") -> Path:
    folder = tmp_path / "ckpt"
    shutil.copytree(source, folder)
    return folder


def fixture_entries(prefix) -> dict[bytes, bytes]:
    """The (key -> value) entries of a checkpoint's .index, header (key b"") first."""
    return {key: bytes(value) for key, value in _read_table(Path(f"{prefix}.index").read_bytes())}


def rewrite_index(prefix, entries: dict[bytes, bytes]) -> None:
    Path(f"{prefix}.index").write_bytes(encode_table(sorted(entries.items())))


def with_entry(tmp_path, key: bytes, value: bytes) -> str:
    """A copy of mlp_ref's checkpoint whose `key` entry is replaced by `value`."""
    prefix = str(copy_checkpoint(tmp_path) / "model-0")
    entries = fixture_entries(prefix)
    entries[key] = value
    rewrite_index(prefix, entries)
    return prefix


def freeze_mlp(checkpoint, tmp_path):
    output = tmp_path / "out.pb"
    return run_cli(MLP / "model.pbtxt", checkpoint, "--outputs", "y", "-o", output), output


def test_encode_table_round_trips_the_fixture(tmp_path):
    """The helper itself: a re-encoded fixture index reads exactly as the original."""
    prefix = str(copy_checkpoint(tmp_path) / "model-0")
    before = BundleReader(prefix)
    expected = {key: before.read(key).tobytes() for key in before.contents()}
    rewrite_index(prefix, fixture_entries(prefix))
    after = BundleReader(prefix)
    assert {key: after.read(key).tobytes() for key in after.contents()} == expected


# ---- special files where the checkpoint's files should be ----------------------------------------

@pytest.mark.parametrize("which", ["index", "data"])
def test_checkpoint_file_that_is_a_fifo_is_an_error(tmp_path, which):
    prefix = copy_checkpoint(tmp_path) / "model-0"
    path = Path(f"{prefix}.index") if which == "index" else data_file(prefix)
    path.unlink()
    os.mkfifo(path)
    run, output = freeze_mlp(prefix.parent, tmp_path)
    assert_one_error(run, contains=f"{path} is a FIFO, not a regular file", output=output)


@pytest.mark.parametrize("which", ["index", "data"])
def test_checkpoint_file_symlinked_to_dev_zero_is_an_error(tmp_path, which):
    prefix = copy_checkpoint(tmp_path) / "model-0"
    path = Path(f"{prefix}.index") if which == "index" else data_file(prefix)
    path.unlink()
    path.symlink_to("/dev/zero")
    run, output = freeze_mlp(prefix, tmp_path)
    assert_one_error(run, contains=f"{path} is a character device, not a regular file", output=output)


@pytest.mark.parametrize("which", ["index", "data"])
def test_reader_refuses_a_fifo(tmp_path, which):
    """The native reader checks too (freezer.freeze() takes a prefix as it is, and a file may become
    special after the path was resolved). In a child, so that a regression fails instead of hanging."""
    prefix = copy_checkpoint(tmp_path) / "model-0"
    path = Path(f"{prefix}.index") if which == "index" else data_file(prefix)
    path.unlink()
    os.mkfifo(path)
    code = f"from freezer.io.bundle import BundleReader; BundleReader({str(prefix)!r}).read('layer0/b')"
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIME_LIMIT,
                             cwd=Path(__file__).parents[1], stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"reading a checkpoint whose {which} file is a FIFO hangs") from None
    assert f"CheckpointError: Checkpoint {'index' if which == 'index' else 'data file'} {path} is a FIFO, " \
           "not a regular file" in run.stderr, run.stderr


def test_checkpoint_argument_that_is_a_fifo_is_an_error(tmp_path):
    fifo = tmp_path / "model-0"
    os.mkfifo(fifo)
    run, output = freeze_mlp(fifo, tmp_path)
    assert_one_error(run, contains=f"Checkpoint {fifo} is a FIFO, not a regular file", output=output)


def test_state_file_that_is_a_fifo_is_an_error(tmp_path):
    folder = copy_checkpoint(tmp_path)
    (folder / "checkpoint").unlink()
    os.mkfifo(folder / "checkpoint")
    run, output = freeze_mlp(folder, tmp_path)
    assert_one_error(run, contains=f"state file {folder / 'checkpoint'} is a FIFO", output=output)


def test_state_file_naming_a_checkpoint_longer_than_the_system_allows_is_an_error(tmp_path):
    """Found by tests/test_fuzz.py: looking up a name longer than the system allows fails with
    ENAMETOOLONG, which pathlib's exists() does not take for "no such file"; it raised OSError."""
    folder = copy_checkpoint(tmp_path)
    name = "model" + "x" * 4096 + "-0"
    (folder / "checkpoint").write_text(f'model_checkpoint_path: "{name}"\n')
    with pytest.raises(CheckpointError) as raised:
        resolve_checkpoint(folder, tmp_path / "graph.pbtxt")
    assert str(raised.value) == (f"{folder / 'checkpoint'} names checkpoint {name}, but {name}.index is not in "
                                 f"{folder} (looked for {folder / name}.index); give the checkpoint prefix "
                                 "explicitly.")
    run, output = freeze_mlp(folder, tmp_path)
    assert_one_error(run, contains=f"names checkpoint {name}, but", output=output)


# ---- entries with impossible numbers ------------------------------------------------------------

@pytest.mark.parametrize("shape, message", [
    ([-1, 4], r"'layer0/w' has shape \[-1, 4\], with a negative dimension"),
    ([2**62, 4], r"'layer0/w' has shape \[4611686018427387904, 4\], too many elements"),
    ([2**32, 2**32], r"'layer0/w' has shape \[4294967296, 4294967296\], too many elements"),
    ([0, 2**62], r"'layer0/w' has shape \[0, 4611686018427387904\], too many"),  # numpy cannot shape it
    ([1] * 255, r"'layer0/w' has 255 dimensions"),
])
def test_index_entry_with_an_impossible_shape_is_an_error(tmp_path, shape, message):
    prefix = with_entry(tmp_path, b"layer0/w", entry_proto(shape=shape, offset=32, size=128))
    with pytest.raises(CheckpointError, match=rf"index {prefix}\.index is corrupt \({message}.*save the"):
        BundleReader(prefix)


def test_index_entry_claiming_1e12_elements_is_an_error(tmp_path):
    prefix = with_entry(tmp_path, b"layer0/w", entry_proto(shape=[10**12], offset=32, size=128))
    run, output = freeze_mlp(prefix, tmp_path)
    assert_one_error(run, contains="layer0/w", output=output)
    with pytest.raises(CheckpointError, match=r"is corrupt: 'layer0/w' 128 bytes stored for 1000000000000"):
        BundleReader(prefix).read("layer0/w")


@pytest.mark.parametrize("offset, size", [(10**15, 128), (32, 2**62), (2**63 - 1, 2**63 - 1)])
def test_index_entry_past_the_end_of_its_data_file_is_an_error(tmp_path, offset, size):
    prefix = with_entry(tmp_path, b"layer0/w", entry_proto(shape=[4, 8], offset=offset, size=size))
    with pytest.raises(CheckpointError, match=rf"{data_file(prefix)} is truncated: 'layer0/w' needs bytes"):
        BundleReader(prefix).read("layer0/w")


@pytest.mark.parametrize("changes, message", [
    ({"offset": -32}, "'layer0/w' has a negative offset or size"),
    ({"size": -1}, "'layer0/w' has a negative offset or size"),
    ({"shard_id": 3}, "'layer0/w' is in data shard 3, but there are 1"),
    ({"shard_id": -1}, "'layer0/w' is in data shard -1, but there are 1"),
])
def test_index_entry_with_a_bad_offset_size_or_shard_is_an_error(tmp_path, changes, message):
    prefix = with_entry(tmp_path, b"layer0/w", entry_proto(**{"shape": [4, 8], "offset": 32, "size": 128,
                                                              **changes}))
    with pytest.raises(CheckpointError, match=rf"is corrupt \({message}\)"):
        BundleReader(prefix)


def test_header_with_no_shards_is_an_error(tmp_path):
    prefix = with_entry(tmp_path, b"", header_proto(num_shards=0))
    with pytest.raises(CheckpointError, match=r"is corrupt \('layer0/b' is in data shard 0, but there are 0\)"):
        BundleReader(prefix)


# ---- wire types and varints ----------------------------------------------------------------------

@pytest.mark.parametrize("key, value, message", [
    (b"layer0/w", field(1, b"\x01") + field(2, shape_proto([4, 8])), "field 1 has wire type 2, not 0"),
    (b"layer0/w", field(1, DT_FLOAT) + field(2, 4), "field 2 has wire type 0, not 2"),
    (b"layer0/w", field(2, field(2, 4)), "field 2 has wire type 0, not 2"),  # a varint Dim
    (b"layer0/w", field(6, 5), "field 6 has wire type 0, not 5"),  # crc32c is fixed32
    (b"layer0/w", field(7, field(1, field(2, b"x"))), "field 2 has wire type 2, not 0"),
    (b"", field(1, 1) + field(3, 1), "field 3 has wire type 0, not 2"),  # a varint version
    (b"", field(1, b"\x01"), "field 1 has wire type 2, not 0"),
    (b"layer0/w", b"\x08" + b"\xff" * 10 + b"\x01", "bad varint"),  # 11 bytes
    (b"layer0/w", b"\x08" + b"\xff" * 9 + b"\x7f", "bad varint"),  # 10 bytes, more than 64 bits
    (b"layer0/w", b"\x0b", "unknown wire type 3"),
])
def test_entry_field_with_the_wrong_wire_type_is_an_error(tmp_path, key, value, message):
    prefix = with_entry(tmp_path, key, value)
    with pytest.raises(CheckpointError, match=rf"index {prefix}\.index is corrupt \({message}\)"):
        BundleReader(prefix)


def test_unknown_fields_are_skipped_whatever_their_wire_type(tmp_path):
    entries = fixture_entries(str(MLP / "ckpt" / "model-0"))
    value = entries[b"layer0/b"] + field(99, b"future") + field(98, 1)
    prefix = with_entry(tmp_path, b"layer0/b", value)
    assert BundleReader(prefix).read("layer0/b").shape == (8,)


# ---- string tensors -----------------------------------------------------------------------------

def with_string_tensor(tmp_path, stored: bytes, count: int) -> str:
    """mlp_ref's checkpoint with a DT_STRING tensor 's' of `count` elements stored as `stored`."""
    prefix = str(copy_checkpoint(tmp_path) / "model-0")
    with data_file(prefix).open("ab") as data:
        offset = data.tell()
        data.write(stored)
    entries = fixture_entries(prefix)
    entries[b"s"] = entry_proto(dtype=DT_STRING, shape=[count], offset=offset, size=len(stored))
    rewrite_index(prefix, entries)
    return prefix


@pytest.mark.parametrize("stored, count", [
    (varint(2**62) + b"\x00" * 4 + b"ab", 1),  # a huge length prefix
    (varint(2**64 - 1) + varint(2**64 - 1) + b"\x00" * 4, 2),
    (varint(2) + b"\x00" * 4 + b"ab", 10**12),  # a huge count
])
def test_string_tensor_with_a_huge_length_is_an_error(tmp_path, stored, count):
    prefix = with_string_tensor(tmp_path, stored, count)
    with pytest.raises(CheckpointError, match=r"is corrupt: 's' string lengths do not match the stored size"):
        BundleReader(prefix).read("s")


# ---- the table itself ---------------------------------------------------------------------------

def mlp_entries():
    return sorted(fixture_entries(str(MLP / "ckpt" / "model-0")).items())


@pytest.mark.parametrize("make_table, message", [
    # The index names the same data block over and over.
    (lambda: encode_table(None, data_blocks=[block(mlp_entries())] * 1000), "block at 0 overlaps the block before it"),
    # A restart count that claims more than the block holds.
    (lambda: encode_table(None, data_blocks=[block(mlp_entries())[:-4] + struct.pack("<I", 2**32 - 1)]),
     "bad restart count"),
])
def test_table_with_a_bad_block_layout_is_an_error(tmp_path, make_table, message):
    prefix = str(copy_checkpoint(tmp_path) / "model-0")
    Path(f"{prefix}.index").write_bytes(make_table())
    with pytest.raises(CheckpointError, match=rf"is corrupt \({message}\)"):
        BundleReader(prefix)


def test_table_block_bigger_than_the_file_is_an_error(tmp_path):
    prefix = str(copy_checkpoint(tmp_path) / "model-0")
    table = bytearray(encode_table(mlp_entries()))
    table[-48:] = footer(handle(0, 0), handle(0, 2**62))  # the index block: 4 EiB long
    Path(f"{prefix}.index").write_bytes(bytes(table))
    with pytest.raises(CheckpointError, match=r"is corrupt \(block at 0 runs past the end of the file\)"):
        BundleReader(prefix)


def test_table_keys_expanding_without_bound_are_an_error(tmp_path):
    """Prefix compression lets 3 bytes repeat a 100 KB key: 30,000 entries would be 3 GB of keys."""
    prefix = str(copy_checkpoint(tmp_path) / "model-0")
    entries = mlp_entries()
    long_key = b"k" * 100_000
    repeats = [((len(long_key), b""), b"")] * 30_000
    contents = block(entries + [(long_key, b"")] + repeats)
    Path(f"{prefix}.index").write_bytes(encode_table(None, data_blocks=[contents]))
    run, output = freeze_mlp(prefix, tmp_path)
    assert_one_error(run, contains="keys add up to more than 16 times the file's size", output=output)


# ---- partitioned (sliced) tensors ---------------------------------------------------------------

PARTITIONED = FIXTURES / "partitioned" / "ckpt"


def sliced_emb(tmp_path, full_shape, slices) -> str:
    """fixtures/partitioned's checkpoint with 'emb' claiming `full_shape` and listing `slices`;
    its stored slices stay as they are ([0:4], [4:7] and [7:10] of 4 columns)."""
    prefix = str(copy_checkpoint(tmp_path, PARTITIONED) / "model")
    entries = fixture_entries(prefix)
    entries[b"emb"] = entry_proto(shape=full_shape, slices=slices)
    rewrite_index(prefix, entries)
    return prefix


def test_partitioned_variable_claiming_1e9_rows_is_an_error_before_allocating(tmp_path):
    """One stored [4, 4] slice of a claimed [1e9, 4] tensor: 14.9 GiB if allocated before the
    coverage check. The graph is a [1e9, 4] variable read whole."""
    prefix = sliced_emb(tmp_path, [10**9, 4], [((0, 4), (0, 4))])
    graph = tmp_path / "graph.pbtxt"
    graph.write_text('node { name: "emb" op: "VariableV2" attr { key: "dtype" value { type: DT_FLOAT } }'
                     ' attr { key: "shape" value { shape { dim { size: 1000000000 } dim { size: 4 } } } } }'
                     ' node { name: "y" op: "Identity" input: "emb" attr { key: "T" value { type: DT_FLOAT } } }')
    output = tmp_path / "out.pb"
    run = run_cli(graph, prefix, "--outputs", "y", "-o", output)
    assert_one_error(run, contains="The slices of 'emb'", output=output)
    with pytest.raises(CheckpointError, match=r"The slices of 'emb' .* do not cover the part"):
        BundleReader(prefix).read("emb")


@pytest.mark.parametrize("slices, message", [
    ([((0, 4), (0, 4)), ((0, 4), (0, 4))], r"'emb' lists slice \[\(0, 4\), \(0, 4\)\], which is not stored once"),
    ([((0, 5), (0, -1))], r"'emb' lists slice \[\(0, 5\), \(0, -1\)\], which is not stored once"),
    ([((8, 4), (0, -1))], r"'emb' lists slice \[\(8, 4\), \(0, -1\)\], which is not inside its shape \[10, 4\]"),
    ([((0, 4),)], r"'emb' lists slice \[\(0, 4\)\], which is not inside its shape \[10, 4\]"),
    ([((-1, 4), (0, -1))], r"'emb' lists slice \[\(-1, 4\), \(0, -1\)\], which is not inside its shape \[10, 4\]"),
])
def test_partitioned_entry_with_bad_slices_is_an_error(tmp_path, slices, message):
    prefix = sliced_emb(tmp_path, [10, 4], slices)
    with pytest.raises(CheckpointError, match=rf"is corrupt \({message}\)"):
        BundleReader(prefix)


def test_stored_slice_of_the_wrong_shape_is_an_error(tmp_path):
    prefix = str(copy_checkpoint(tmp_path, PARTITIONED) / "model")
    entries = fixture_entries(prefix)
    slice_key = _slice_key(b"emb", ((0, 4), (0, 4)))
    entries[slice_key] = entry_proto(shape=[40, 4], offset=12, size=640)
    rewrite_index(prefix, entries)
    with pytest.raises(CheckpointError, match=r"is corrupt \(the stored slice .* of 'emb' is not a float tensor"):
        BundleReader(prefix)


def test_overlapping_slices_are_an_error(tmp_path):
    """Rows [0:4] listed twice (as columns [0:4] and as whole columns), rows [4:7] not at all: for
    rows [1:8] the stored parts add up to as many elements as asked for, yet leave a gap."""
    prefix = str(copy_checkpoint(tmp_path, PARTITIONED) / "model")
    entries = fixture_entries(prefix)
    entries[_slice_key(b"emb", ((0, 4), (0, -1)))] = entries[_slice_key(b"emb", ((0, 4), (0, 4)))]
    entries[b"emb"] = entry_proto(shape=[10, 4], slices=[((0, 4), (0, 4)), ((0, 4), (0, -1)), ((7, 3), (0, 4))])
    rewrite_index(prefix, entries)
    with pytest.raises(CheckpointError, match=r"is corrupt \(slices of 'emb' overlap\)"):
        BundleReader(prefix).read("emb", "10 4 1,7:-")
