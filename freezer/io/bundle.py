"""A TensorBundle V2 checkpoint reader that never imports TensorFlow.

A V2 checkpoint `<prefix>` is one `<prefix>.index` file plus data shards
`<prefix>.data-00000-of-0000N` (format: tensorflow/core/util/tensor_bundle/tensor_bundle.{h,cc}).

The .index is a LevelDB-style sorted table (tsl/lib/io/format.cc, block.cc, table_format.txt):

    [data block][trailer] ... [metaindex block][trailer] [index block][trailer] [footer: 48 bytes]

* footer: two block handles (varint64 offset, varint64 size: the metaindex and the index block),
  zero padding to 40 bytes, then the magic 0xdb4775248b80fb57 as a little-endian uint64.
* trailer (5 bytes after each block): compression type (0 = none; TF never compresses the index)
  and the masked crc32c of the block contents plus that type byte.
* block: entries `varint32 shared, varint32 non_shared, varint32 value_size, key[shared:], value`
  (each key drops the prefix it shares with the previous key, except at restart points), then the
  restart offsets (uint32 each) and their count (uint32). The index block maps keys to the block
  handles of the data blocks, in key order.

The entry with the empty key is a BundleHeaderProto (num_shards, endianness, version); every other
entry is a BundleEntryProto: dtype, shape, shard_id, offset, size, masked crc32c of the stored bytes,
and, for a tensor saved in slices (partitioned variables), the list of its slices. Each slice is then
stored under its own key: an OrderedCode encoding of (0, name, rank, start/length per dimension).

A numeric tensor is its raw little-endian bytes at data[offset:offset+size]. A DT_STRING tensor is
`varint64 length per element, masked crc32c of the lengths, the bytes of every element`; its entry
crc32c covers each length as a little-endian uint32 (uint64 if it does not fit), then the 4 stored
checksum bytes, then the element bytes.

The protos are few and small, so they are decoded here by hand with a tiny wire-format decoder
(tensorboard's proto package has no tensor_bundle_pb2).
"""

from __future__ import annotations

import mmap
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

import crc32c
import numpy as np
from tensorboard.compat.proto import types_pb2

from freezer.errors import CheckpointError
from freezer.graph import format_suggestions, nearest
from freezer.tensors import NUMPY_DTYPES, dtype_name

_TABLE_MAGIC = 0xDB4775248B80FB57
_FOOTER_SIZE = 48
_TRAILER_SIZE = 5
_BUNDLE_VERSION = 1  # kTensorBundleVersion: checkpoints needing a newer reader are refused
_SAVE_AGAIN = "save the checkpoint again"
_STRING_ESCAPES = {b"\x00": b"\x00\xff", b"\xff": b"\xff\x00"}



class UnsupportedCheckpoint(CheckpointError):
    """A checkpoint the native reader cannot read (V1 format, unknown dtype, ...); the session
    engine (TensorFlow itself) can. `reason` says what it is; the message adds what to do."""

    def __init__(self, reason: str):
        super().__init__(f"{reason}, which the native reader does not read; use --engine session "
                         "(it needs TensorFlow: pip install 'tf-freezer[tf]').")
        self.reason = reason


class _Corrupt(ValueError):
    """Raised by the parsers below; turned into a CheckpointError naming the file."""


# ---- protobuf wire format --------------------------------------------------------------------

def _varint(buf, pos: int) -> tuple[int, int]:
    """The varint at buf[pos] and the position after it."""
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise _Corrupt("bad varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _int64(value: int) -> int:
    """A varint decoded as a signed int64 (negative numbers are 10-byte two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


def _fields(buf):
    """Yield (field number, value) of a serialized message: ints, or memoryviews for
    length-delimited fields."""
    buf = memoryview(buf)
    pos = 0
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        kind = tag & 7
        if kind == 0:
            value, pos = _varint(buf, pos)
        elif kind in (1, 5):
            width = 8 if kind == 1 else 4
            value, pos = int.from_bytes(buf[pos:pos + width], "little"), pos + width
        elif kind == 2:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        else:
            raise _Corrupt(f"unknown wire type {kind}")
        if pos > len(buf):
            raise _Corrupt("truncated message")
        yield tag >> 3, value


@dataclass(frozen=True)
class _Entry:
    """A BundleEntryProto. `slices` holds, per stored slice, (start, length) per dimension, with
    length -1 for "the whole dimension"."""

    dtype: int = 0
    shape: tuple[int, ...] = ()
    shard_id: int = 0
    offset: int = 0
    size: int = 0
    crc32c: int = 0
    slices: tuple[tuple[tuple[int, int], ...], ...] = ()


def _parse_entry(buf) -> _Entry:
    values: dict = {"slices": []}
    names = {1: "dtype", 3: "shard_id", 4: "offset", 5: "size", 6: "crc32c"}
    for number, value in _fields(buf):
        if number in names:
            values[names[number]] = value
        elif number == 2:
            values["shape"] = _parse_shape(value)
        elif number == 7:
            values["slices"].append(_parse_slice(value))
    values["slices"] = tuple(values["slices"])
    return _Entry(**values)


def _parse_shape(buf) -> tuple[int, ...]:
    dims = []
    for number, dim in _fields(buf):
        if number == 2:  # repeated Dim {int64 size = 1; string name = 2}
            dims.append(next((_int64(v) for n, v in _fields(dim) if n == 1), 0))
        elif number == 3 and dim:
            raise _Corrupt("tensor shape of unknown rank")
    return tuple(dims)


def _parse_slice(buf) -> tuple[tuple[int, int], ...]:
    """TensorSliceProto: repeated Extent {int64 start = 1; oneof {int64 length = 2}}."""
    extents = []
    for number, extent in _fields(buf):
        if number == 1:
            parts = {n: _int64(v) for n, v in _fields(extent)}
            extents.append((parts.get(1, 0), parts[2]) if 2 in parts else (0, -1))
    return tuple(extents)


def _parse_header(buf) -> tuple[int, int, int]:
    """BundleHeaderProto -> (num_shards, endianness (0 little, 1 big), version.min_consumer)."""
    num_shards = endianness = min_consumer = 0
    for number, value in _fields(buf):
        if number == 1:
            num_shards = value
        elif number == 2:
            endianness = value
        elif number == 3:
            min_consumer = next((v for n, v in _fields(value) if n == 2), 0)
    return num_shards, endianness, min_consumer


# ---- the .index table ---------------------------------------------------------------------------

def _unmask(masked: int) -> int:
    """Undo crc32c::Mask (rotate right by 15 bits, add a constant). TF masks every crc it stores,
    because a crc computed over data that itself holds crcs is otherwise a weak check."""
    rot = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def _read_table(data: bytes) -> list[tuple[bytes, memoryview]]:
    """All (key, value) pairs of a table file, in key order."""
    if len(data) < _FOOTER_SIZE:
        raise _Corrupt("file too short for a table footer")
    footer = memoryview(data)[-_FOOTER_SIZE:]
    if int.from_bytes(footer[-8:], "little") != _TABLE_MAGIC:
        raise _Corrupt("bad table magic number")
    _, pos = _block_handle(footer, 0)  # the metaindex block: TF writes no filters, nothing in it
    index_handle, _ = _block_handle(footer, pos)
    entries = []
    for _, handle in _block_entries(_read_block(data, *index_handle)):
        entries.extend(_block_entries(_read_block(data, *_block_handle(handle, 0)[0])))
    return entries


def _block_handle(buf, pos: int) -> tuple[tuple[int, int], int]:
    offset, pos = _varint(buf, pos)
    size, pos = _varint(buf, pos)
    return (offset, size), pos


def _read_block(data: bytes, offset: int, size: int) -> memoryview:
    """A block's contents, after checking the crc32c in its trailer."""
    end = offset + size
    if end + _TRAILER_SIZE > len(data) - _FOOTER_SIZE:
        raise _Corrupt(f"block at {offset} runs past the end of the file")
    view = memoryview(data)
    stored = int.from_bytes(view[end + 1:end + _TRAILER_SIZE], "little")
    if crc32c.crc32c(view[offset:end + 1]) != _unmask(stored):  # covers the type byte too
        raise _Corrupt(f"block at {offset} fails its crc32c check")
    if data[end] != 0:
        raise _Corrupt(f"block at {offset} is compressed (type {data[end]}), TF never writes that")
    return view[offset:end]


def _block_entries(block: memoryview) -> list[tuple[bytes, memoryview]]:
    """Decode a block's entries in order. Restart points only speed up seeking, which a reader
    that loads every key once does not need: each entry's `shared` count rebuilds its key."""
    if len(block) < 4:
        raise _Corrupt("block too short")
    num_restarts = int.from_bytes(block[-4:], "little")
    limit = len(block) - 4 - 4 * num_restarts
    if limit < 0:
        raise _Corrupt("bad restart count")
    entries, key, pos = [], b"", 0
    while pos < limit:
        shared, pos = _varint(block, pos)
        unshared, pos = _varint(block, pos)
        value_size, pos = _varint(block, pos)
        if shared > len(key) or pos + unshared + value_size > limit:
            raise _Corrupt("bad block entry")
        key = key[:shared] + bytes(block[pos:pos + unshared])
        pos += unshared
        entries.append((key, block[pos:pos + value_size]))
        pos += value_size
    return entries


# ---- slice keys and slice specs ------------------------------------------------------------------

def _slice_key(name: bytes, extents) -> bytes:
    """checkpoint::EncodeTensorNameSlice: the key a stored slice of `name` lives under."""
    out = bytearray(b"\x00")  # OrderedCode number 0: every slice key starts with it
    # OrderedCode string: 0x00 -> 00 ff, 0xff -> ff 00, then the 00 01 separator.
    out += re.sub(rb"[\x00\xff]", lambda m: _STRING_ESCAPES[m.group()], name) + b"\x00\x01"
    out += _ordered_unsigned(len(extents))
    for start, length in extents:
        out += _ordered_signed(start) + _ordered_signed(length)
    return bytes(out)


def _ordered_unsigned(value: int) -> bytes:
    """OrderedCode WriteNumIncreasing: a length byte, then big-endian bytes without leading zeros."""
    body = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return bytes([len(body)]) + body


def _ordered_signed(value: int) -> bytes:
    """OrderedCode WriteSignedNumIncreasing: n bytes hold [-2**(7n-1), 2**(7n-1)) as two's
    complement with the top n bits (spilling into the second byte) flipped to encode n."""
    n = next(n for n in range(1, 11) if -(1 << (7 * n - 1)) <= value < 1 << (7 * n - 1))
    body = bytearray((value % (1 << (8 * n))).to_bytes(n, "big"))
    header = ((1 << n) - 1) << (16 - n)
    body[0] ^= header >> 8
    if n > 1:
        body[1] ^= header & 0xFF
    return bytes(body)


def parse_slice_spec(spec: str) -> tuple[tuple[int, ...], tuple[tuple[int, int], ...]]:
    """TF's "full shape and slice" string, e.g. "10 4 0,5:-" -> ((10, 4), ((0, 5), (0, -1)))."""
    *dims, slice_text = spec.split()
    if not dims:
        raise ValueError("need the full shape and a slice")
    extents = []
    for part in slice_text.split(":"):
        if part == "-":
            extents.append((0, -1))
        else:
            start, length = part.split(",")
            extents.append((int(start), int(length)))
    if len(extents) != len(dims):
        raise ValueError("the slice and the shape have different ranks")
    return tuple(int(d) for d in dims), tuple(extents)


def _bounds(shape, extents) -> tuple[tuple[int, int], ...]:
    """(start, stop) per dimension, with whole-dimension extents resolved against `shape`."""
    return tuple((0, dim) if length == -1 else (start, start + length)
                 for dim, (start, length) in zip(shape, extents))


# ---- the reader ----------------------------------------------------------------------------------

class BundleReader:
    """Reads the tensors of a V2 checkpoint `prefix` (the path without `.index`).

    `read()` returns read-only numpy arrays. A stored tensor (or stored slice) is a view of the
    memory-mapped data file, not a copy: possibly unaligned, and a slice of a whole tensor is a
    strided view; only a region assembled from several stored slices is a fresh array. Copy an
    array if you need to write to it. Arrays stay valid after close(): they keep their mapping
    alive. Strings come back as an object array of `bytes`. Every read checks the crc32c.
    """

    def __init__(self, prefix: str):
        self._prefix = str(prefix)
        self._index = self._prefix + ".index"
        data = self._read_index_file()
        try:
            table = _read_table(data)
            if not table or table[0][0] != b"":
                raise _Corrupt("no header entry")
            self._num_shards, endianness, min_consumer = _parse_header(table[0][1])
            self._entries = {key: _parse_entry(value) for key, value in table[1:]}
        except _Corrupt as error:
            raise CheckpointError(f"Checkpoint index {self._index} is corrupt ({error}); "
                                  f"{_SAVE_AGAIN}.") from None
        if endianness != 0 or min_consumer > _BUNDLE_VERSION:
            what = "big-endian" if endianness != 0 else f"format version {min_consumer}"
            raise UnsupportedCheckpoint(f"Checkpoint {self._index} is {what}")
        self._slice_keys = {_slice_key(key, extents) for key, entry in self._entries.items()
                            for extents in entry.slices}
        self._shards: dict[int, tuple[str, object]] = {}

    def _read_index_file(self) -> bytes:
        try:
            with open(self._index, "rb") as file:
                return file.read()
        except FileNotFoundError:
            if os.path.isfile(self._prefix) or list(Path(self._prefix).parent.glob(
                    Path(self._prefix).name + "-?????-of-?????")):
                raise UnsupportedCheckpoint(
                    f"Checkpoint {self._prefix} is a V1 checkpoint (no .index file)") from None
            raise CheckpointError(f"Checkpoint index {self._index} not found; give the prefix of "
                                  "a TensorFlow checkpoint (the path without .index).") from None
        except OSError as error:
            raise CheckpointError(f"Cannot read checkpoint index {self._index} "
                                  f"({error.strerror}); check the file's permissions.") from None

    # -- public API

    def contents(self) -> dict[str, tuple[int, tuple[int, ...]]]:
        """Every tensor key -> (DataType enum, shape); partitioned tensors once, whole."""
        return {_name(key): (entry.dtype, entry.shape) for key, entry in self._entries.items()
                if key not in self._slice_keys}

    def read(self, key: str, slice_spec: str = "") -> np.ndarray:
        """Tensor `key`, or the part of it named by a "full shape and slice" spec ("10 4 0,5:-")."""
        entry = self._entry(key.encode("utf-8", "surrogateescape"))
        wanted = _bounds(entry.shape, ((0, -1),) * len(entry.shape))
        if slice_spec:
            try:
                shape, extents = parse_slice_spec(slice_spec)
            except ValueError as error:
                raise CheckpointError(f"Bad slice spec {slice_spec!r} for '{key}' ({error}); "
                                      "expected e.g. '10 4 0,5:-'.") from None
            wanted = _bounds(shape, extents)
            if any(not 0 <= a <= b <= dim for (a, b), dim in zip(wanted, shape)):
                raise CheckpointError(f"Bad slice spec {slice_spec!r} for '{key}' (the slice lies "
                                      "outside the shape); expected e.g. '10 4 0,5:-'.")
            if shape != entry.shape:
                raise CheckpointError(f"Slice spec {slice_spec!r} is for shape {list(shape)}, but "
                                      f"'{key}' in {self._index} has shape {list(entry.shape)}; "
                                      "the graph and the checkpoint do not match.")
        if not entry.slices:
            whole = self._tensor(key, entry)
            return whole if not slice_spec else whole[tuple(slice(a, b) for a, b in wanted)]
        return self._assemble(key, entry, wanted)

    def close(self) -> None:
        for _, buffer in self._shards.values():
            try:
                buffer.close()
            except (BufferError, AttributeError):
                pass  # arrays still view it (or it is b""); it is unmapped when they are freed
        self._shards.clear()

    def __enter__(self) -> BundleReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- entries and slices

    def _entry(self, key: bytes) -> _Entry:
        entry = self._entries.get(key)
        if entry is None or key in self._slice_keys:
            name = _name(key)
            hint = format_suggestions(nearest(name, self.contents(), 3))
            raise CheckpointError(f"Tensor '{name}' is not in checkpoint {self._index}.{hint}")
        return entry

    def _assemble(self, key: str, entry: _Entry, wanted) -> np.ndarray:
        """The `wanted` region of a tensor saved in slices: usually exactly one stored slice."""
        raw_key = key.encode("utf-8", "surrogateescape")
        parts = [(_bounds(entry.shape, extents), extents) for extents in entry.slices]
        for bounds, extents in parts:
            if bounds == wanted:
                return self._tensor(key, self._entry_of_slice(raw_key, extents))
        out = None
        covered = 0
        for bounds, extents in parts:
            overlap = [(max(a, c), min(b, d)) for (a, b), (c, d) in zip(bounds, wanted)]
            if any(lo >= hi for lo, hi in overlap):
                continue
            stored = self._tensor(key, self._entry_of_slice(raw_key, extents))
            if out is None:
                out = np.empty([b - a for a, b in wanted], dtype=stored.dtype)
            source = tuple(slice(lo - a, hi - a) for (lo, hi), (a, _) in zip(overlap, bounds))
            target = tuple(slice(lo - a, hi - a) for (lo, hi), (a, _) in zip(overlap, wanted))
            out[target] = stored[source]
            covered += int(np.prod([hi - lo for lo, hi in overlap]))
        if out is None or covered != out.size:
            raise CheckpointError(f"The slices of '{key}' in {self._index} do not cover the part "
                                  f"{wanted} the graph asks for; the graph and the checkpoint do "
                                  "not match.")
        out.flags.writeable = False
        return out

    def _entry_of_slice(self, key: bytes, extents) -> _Entry:
        entry = self._entries.get(_slice_key(key, extents))
        if entry is None:
            raise CheckpointError(f"Checkpoint index {self._index} lists a slice of "
                                  f"'{_name(key)}' that it does not store; {_SAVE_AGAIN}.")
        return entry

    # -- data

    def _tensor(self, key: str, entry: _Entry) -> np.ndarray:
        path, data = self._shard(entry.shard_id)
        end = entry.offset + entry.size
        if end > len(data):
            raise CheckpointError(f"Checkpoint data file {path} is truncated: '{key}' needs bytes "
                                  f"up to {end}, the file has {len(data)}; copy it again or "
                                  f"{_SAVE_AGAIN}.")
        stored = memoryview(data)[entry.offset:end]
        count = int(np.prod(entry.shape))
        try:
            if entry.dtype == types_pb2.DT_STRING:
                array, crc = _strings(stored, count)
            elif entry.dtype in NUMPY_DTYPES:
                dtype = NUMPY_DTYPES[entry.dtype]
                if entry.size != count * dtype.itemsize:
                    raise _Corrupt(f"{entry.size} bytes stored for {count} values")
                array, crc = np.frombuffer(stored, dtype=dtype), crc32c.crc32c(stored)
            else:
                raise UnsupportedCheckpoint(
                    f"Tensor '{key}' in {self._index} has dtype {dtype_name(entry.dtype)}")
        except _Corrupt as error:
            raise CheckpointError(f"Checkpoint data file {path} is corrupt: '{key}' {error}; "
                                  f"{_SAVE_AGAIN}.") from None
        if crc != _unmask(entry.crc32c):
            raise CheckpointError(f"Checkpoint data file {path} is corrupt: '{key}' fails its "
                                  f"crc32c check; {_SAVE_AGAIN}.")
        return array.reshape(entry.shape)

    def _shard(self, shard_id: int):
        """(path, buffer) of a data shard, memory-mapped on first use."""
        if shard_id not in self._shards:
            path = f"{self._prefix}.data-{shard_id:05d}-of-{self._num_shards:05d}"
            try:
                with open(path, "rb") as file:
                    size = os.fstat(file.fileno()).st_size
                    # mmap refuses empty files; a shard of only empty tensors is one.
                    data = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if size else b""
            except FileNotFoundError:
                raise CheckpointError(f"Checkpoint data file {path} is missing (named by "
                                      f"{self._index}); copy every .data-* file of the checkpoint "
                                      "beside its .index.") from None
            except OSError as error:
                raise CheckpointError(f"Cannot read checkpoint data file {path} "
                                      f"({error.strerror}); check the file.") from None
            self._shards[shard_id] = (path, data)
        return self._shards[shard_id]


def _strings(stored: memoryview, count: int) -> tuple[np.ndarray, int]:
    """Decode a DT_STRING tensor: (object array of bytes, crc32c as TF computes it)."""
    if not stored and count == 0:  # TF reads a 0-byte string entry as empty (it writes 4 bytes)
        return np.empty(0, dtype=object), 0
    lengths, pos = [], 0
    for _ in range(count):
        length, pos = _varint(stored, pos)
        lengths.append(length)
    if pos + 4 > len(stored) or pos + 4 + sum(lengths) != len(stored):
        raise _Corrupt("string lengths do not match the stored size")
    # TF checksums each length as a fixed-width integer, not as the varint bytes on disk.
    crc = 0
    for length in lengths:
        crc = crc32c.crc32c(struct.pack("<I" if length <= 0xFFFFFFFF else "<Q", length), crc)
    length_crc = stored[pos:pos + 4]
    if _unmask(int.from_bytes(length_crc, "little")) != crc:
        raise _Corrupt("string lengths fail their crc32c check")
    crc = crc32c.crc32c(stored[pos:], crc)  # the stored length checksum, then every string's bytes
    out = np.empty(count, dtype=object)
    pos += 4
    for i, length in enumerate(lengths):
        out[i] = bytes(stored[pos:pos + length])
        pos += length
    out.flags.writeable = False
    return out, crc


def _name(key: bytes) -> str:
    return key.decode("utf-8", "surrogateescape")
