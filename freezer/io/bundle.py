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

import math
import mmap
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import crc32c
from tensorboard.compat.proto import types_pb2

from freezer.errors import CheckpointError, UnsupportedCheckpoint
from freezer.graph import format_suggestions, nearest
from freezer.io.checkpoint import open_checkpoint_file
from freezer.tensors import dtype_name

if TYPE_CHECKING:  # numpy is imported where values are read: reading the index (`freezer inspect`) needs none
    import numpy as np

_TABLE_MAGIC = 0xDB4775248B80FB57
_FOOTER_SIZE = 48
_TRAILER_SIZE = 5
_BUNDLE_VERSION = 1  # kTensorBundleVersion: checkpoints needing a newer reader are refused
_SAVE_AGAIN = "save the checkpoint again"
_STRING_ESCAPES = {b"\x00": b"\x00\xff", b"\xff": b"\xff\x00"}
_MAX_RANK = 254  # TensorShape::MaxDimensions(): TF itself holds no tensor of higher rank
_NUMPY_MAX_RANK = 32  # numpy 1.x's limit (numpy 2 allows 64): higher ranks cannot become arrays
_MAX_ELEMENTS = ((1 << 63) - 1) // 16  # more elements of the widest dtype overflow an int64 byte count
_KEY_EXPANSION = 16  # see _read_table



class _Corrupt(ValueError):
    """Raised by the parsers below; turned into a CheckpointError naming the file."""


# ---- protobuf wire format --------------------------------------------------------------------

def _varint(buf, pos: int) -> tuple[int, int]:
    """The varint at buf[pos] and the position after it: at most 10 bytes, at most 64 bits."""
    if pos < len(buf) and buf[pos] < 0x80:  # one byte: every tag, dtype and small size
        return buf[pos], pos + 1
    value = shift = 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise _Corrupt("bad varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            if value >> 64:
                raise _Corrupt("bad varint")
            return value, pos


def _int64(value: int) -> int:
    """A varint decoded as a signed int64 (negative numbers are 10-byte two's complement)."""
    return value - (1 << 64) if value >= 1 << 63 else value


_VARINT, _FIXED64, _BYTES, _FIXED32 = 0, 1, 2, 5  # the wire types these protos use


def _fields(buf, kinds: dict[int, int] | None = None):
    """Yield (field number, value) of a serialized message: ints, or memoryviews for
    length-delimited fields. With `kinds` (field number -> wire type), only the fields it names,
    each checked to have that wire type (a parser would otherwise get bytes where it expects an
    int, or the reverse); other fields are skipped, as protobuf skips unknown fields."""
    buf = memoryview(buf)
    pos, end = 0, len(buf)
    while pos < end:
        tag, pos = _varint(buf, pos)
        number, kind = tag >> 3, tag & 7
        if kind == _VARINT:
            value, pos = _varint(buf, pos)
        elif kind in (_FIXED64, _FIXED32):
            width = 8 if kind == _FIXED64 else 4
            value, pos = int.from_bytes(buf[pos:pos + width], "little"), pos + width
        elif kind == _BYTES:
            size, pos = _varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        else:
            raise _Corrupt(f"unknown wire type {kind}")
        if pos > end:
            raise _Corrupt("truncated message")
        if kinds is None:
            yield number, value
        elif number in kinds:
            if kind != kinds[number]:
                raise _Corrupt(f"field {number} has wire type {kind}, not {kinds[number]}")
            yield number, value


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


_ENTRY_FIELDS = {1: _VARINT, 2: _BYTES, 3: _VARINT, 4: _VARINT, 5: _VARINT, 6: _FIXED32, 7: _BYTES}


def _parse_entry(buf) -> _Entry:
    dtype = shard_id = offset = size = crc = 0
    shape, slices = (), []
    for number, value in _fields(buf, _ENTRY_FIELDS):
        if number == 1:
            dtype = _int64(value)
        elif number == 2:
            shape = _parse_shape(value)
        elif number == 3:
            shard_id = _int64(value)
        elif number == 4:
            offset = _int64(value)
        elif number == 5:
            size = _int64(value)
        elif number == 6:
            crc = value
        else:
            slices.append(_parse_slice(value))
    return _Entry(dtype, shape, shard_id, offset, size, crc, tuple(slices))


def _parse_shape(buf) -> tuple[int, ...]:
    dims = []
    for number, dim in _fields(buf, {2: _BYTES, 3: _VARINT}):
        if number == 2:  # repeated Dim
            dims.append(_dim_size(dim))
        elif dim:
            raise _Corrupt("tensor shape of unknown rank")
    return tuple(dims)


def _dim_size(buf) -> int:
    """Dim {int64 size = 1; string name = 2}: the first size given (nothing after it is read)."""
    for _, size in _fields(buf, {1: _VARINT}):
        return _int64(size)
    return 0


def _parse_slice(buf) -> tuple[tuple[int, int], ...]:
    """TensorSliceProto: repeated Extent {int64 start = 1; oneof {int64 length = 2}}."""
    extents = []
    for _, extent in _fields(buf, {1: _BYTES}):
        parts = {n: _int64(v) for n, v in _fields(extent, {1: _VARINT, 2: _VARINT})}
        extents.append((parts.get(1, 0), parts[2]) if 2 in parts else (0, -1))
    return tuple(extents)


def _parse_header(buf) -> tuple[int, int, int]:
    """BundleHeaderProto -> (num_shards, endianness (0 little, 1 big), version.min_consumer)."""
    num_shards = endianness = min_consumer = 0
    for number, value in _fields(buf, {1: _VARINT, 2: _VARINT, 3: _BYTES}):
        if number == 1:
            num_shards = _int64(value)
        elif number == 2:
            endianness = value
        else:
            min_consumer = next((_int64(v) for _, v in _fields(value, {2: _VARINT})), 0)
    return num_shards, endianness, min_consumer


def _check_entry(name: str, entry: _Entry, num_shards: int) -> None:
    """Refuse an entry whose numbers no checkpoint can hold, before anything is sized by them."""
    if len(entry.shape) > _MAX_RANK:
        raise _Corrupt(f"'{name}' has {len(entry.shape)} dimensions, TensorFlow allows {_MAX_RANK}")
    if any(dim < 0 for dim in entry.shape):
        raise _Corrupt(f"'{name}' has shape {list(entry.shape)}, with a negative dimension")
    if _nonzero_product(entry.shape) > _MAX_ELEMENTS:
        raise _Corrupt(f"'{name}' has shape {list(entry.shape)}, too many elements for any tensor")
    if not 0 <= entry.shard_id < num_shards:
        raise _Corrupt(f"'{name}' is in data shard {entry.shard_id}, but there are {num_shards}")
    if entry.offset < 0 or entry.size < 0:
        raise _Corrupt(f"'{name}' has a negative offset or size")
    for extents in entry.slices:
        if len(extents) != len(entry.shape) or any(
                (start, length) != (0, -1) and not 0 <= start <= start + length <= dim
                for (start, length), dim in zip(extents, entry.shape)):
            raise _Corrupt(f"'{name}' lists slice {list(extents)}, which is not inside its shape "
                           f"{list(entry.shape)}")


def _nonzero_product(shape) -> int:
    """The product of the nonzero dimensions: numpy sizes even an empty array by it. Stops early
    (any result over the bound is as bad), so a hostile rank cannot make big-integer work."""
    product = 1
    for dim in shape:
        product *= dim or 1
        if product > _MAX_ELEMENTS:
            break
    return product


# ---- the .index table ---------------------------------------------------------------------------

def _unmask(masked: int) -> int:
    """Undo crc32c::Mask (rotate right by 15 bits, add a constant). TF masks every crc it stores,
    because a crc computed over data that itself holds crcs is otherwise a weak check."""
    rot = (masked - 0xA282EAD8) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


def _read_table(data: bytes) -> list[tuple[bytes, memoryview]]:
    """All (key, value) pairs of a table file, in key order.

    Keys are prefix-compressed, so a few bytes can stand for a long key. TF's writer stores a whole
    key at least every 16 entries (its restart interval), so its keys add up to at most 16 times the
    file's size; a file whose keys add up to more is refused before it can fill memory with them.
    """
    if len(data) < _FOOTER_SIZE:
        raise _Corrupt("file too short for a table footer")
    footer = memoryview(data)[-_FOOTER_SIZE:]
    if int.from_bytes(footer[-8:], "little") != _TABLE_MAGIC:
        raise _Corrupt("bad table magic number")
    _, pos = _block_handle(footer, 0)  # the metaindex block: TF writes no filters, nothing in it
    index_handle, _ = _block_handle(footer, pos)
    entries: list[tuple[bytes, memoryview]] = []
    key_budget = _KEY_EXPANSION * len(data)
    index = _block_entries(_read_block(data, *index_handle), key_budget)
    key_budget -= sum(len(key) for key, _ in index)
    next_block = 0
    for _, handle in index:
        (offset, size), _ = _block_handle(handle, 0)
        # Data blocks follow each other in the file: an index that names a block twice (or
        # blocks that overlap) would make the reader decode the same bytes without end.
        if offset < next_block:
            raise _Corrupt(f"block at {offset} overlaps the block before it")
        next_block = offset + size + _TRAILER_SIZE
        block = _block_entries(_read_block(data, offset, size), key_budget)
        key_budget -= sum(len(key) for key, _ in block)
        entries.extend(block)
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


def _block_entries(block: memoryview, key_budget: int) -> list[tuple[bytes, memoryview]]:
    """Decode a block's entries in order, refusing keys that add up to more than `key_budget`
    bytes. Restart points only speed up seeking, which a reader that loads every key once does
    not need: each entry's `shared` count rebuilds its key."""
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
        key_budget -= shared + unshared
        if key_budget < 0:
            raise _Corrupt(f"its keys add up to more than {_KEY_EXPANSION} times the file's size")
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
            for key, entry in self._entries.items():
                _check_entry(_name(key), entry, self._num_shards)
            self._slice_keys = self._stored_slice_keys()
        except _Corrupt as error:
            raise CheckpointError(f"Checkpoint index {self._index} is corrupt ({error}); "
                                  f"{_SAVE_AGAIN}.") from None
        if endianness != 0 or min_consumer > _BUNDLE_VERSION:
            what = "big-endian" if endianness != 0 else f"format version {min_consumer}"
            raise UnsupportedCheckpoint(f"Checkpoint {self._index} is {what}")
        self._shards: dict[int, tuple[str, object]] = {}

    def _read_index_file(self) -> bytes:
        try:
            with open_checkpoint_file(self._index, "Checkpoint index") as (file, size):
                return file.read(size)  # never more than the file holds when it is opened
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
        if not slice_spec and not entry.slices:  # the usual case: one stored tensor, read whole
            return self._tensor(key, entry)
        if slice_spec:
            wanted = self._slice_bounds(key, entry, slice_spec)
        else:  # a tensor stored in slices, read whole
            wanted = _bounds(entry.shape, ((0, -1),) * len(entry.shape))
        if not entry.slices:
            return self._tensor(key, entry)[tuple(slice(a, b) for a, b in wanted)]
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

    def _slice_bounds(self, key: str, entry: _Entry, slice_spec: str) -> tuple[tuple[int, int], ...]:
        """(start, stop) per dimension of the part of `key` a "full shape and slice" spec names."""
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
        return wanted

    def _assemble(self, key: str, entry: _Entry, wanted) -> np.ndarray:
        """The `wanted` region of a tensor saved in slices: usually exactly one stored slice.
        Otherwise it is put together from the stored slices it overlaps. They must cover it, and
        their bytes must be in the data files, before the region is allocated: the full shape in
        the index is only a claim, and a region no bigger than the stored bytes is not."""
        raw_key = key.encode("utf-8", "surrogateescape")
        parts = []
        for extents in entry.slices:
            bounds = _bounds(entry.shape, extents)
            if bounds == wanted:
                return self._tensor(key, self._entry_of_slice(raw_key, extents))
            overlap = tuple((max(a, c), min(b, d)) for (a, b), (c, d) in zip(bounds, wanted))
            if all(lo < hi for lo, hi in overlap):
                parts.append((bounds, overlap, self._entry_of_slice(raw_key, extents)))
        shape = [b - a for a, b in wanted]
        covered = sum(math.prod(hi - lo for lo, hi in overlap) for _, overlap, _ in parts)
        if not parts or covered != math.prod(shape):
            raise CheckpointError(f"The slices of '{key}' in {self._index} do not cover the part "
                                  f"{wanted} the graph asks for; the graph and the checkpoint do "
                                  "not match.")
        import numpy as np

        stored = [self._tensor(key, part) for _, _, part in parts]  # views: nothing copied yet
        out = np.empty(shape, dtype=stored[0].dtype)
        filled = np.zeros(shape, dtype=bool)  # slices that overlap each other leave a gap
        for (bounds, overlap, _), values in zip(parts, stored):
            source = tuple(slice(lo - a, hi - a) for (lo, hi), (a, _) in zip(overlap, bounds))
            target = tuple(slice(lo - a, hi - a) for (lo, hi), (a, _) in zip(overlap, wanted))
            if filled[target].any():
                raise CheckpointError(f"Checkpoint index {self._index} is corrupt (slices of "
                                      f"'{key}' overlap); {_SAVE_AGAIN}.")
            filled[target] = True
            out[target] = values[source]
        out.flags.writeable = False
        return out

    def _stored_slice_keys(self) -> set[bytes]:
        """The keys the slices of partitioned tensors are stored under. Each listed slice must be
        stored once, as an entry of the tensor's dtype and the slice's shape: so the slices cost no
        more memory than the keys already read, and a read can trust what it finds there."""
        keys: set[bytes] = set()
        for key, entry in self._entries.items():
            for extents in entry.slices:
                slice_key = _slice_key(key, extents)
                stored = self._entries.get(slice_key)
                shape = tuple(b - a for a, b in _bounds(entry.shape, extents))
                if stored is None or slice_key in keys:
                    raise _Corrupt(f"'{_name(key)}' lists slice {list(extents)}, which is not "
                                   "stored once")
                if stored.dtype != entry.dtype or stored.shape != shape or stored.slices:
                    raise _Corrupt(f"the stored slice {list(extents)} of '{_name(key)}' is not "
                                   f"a {dtype_name(entry.dtype)} tensor of shape {list(shape)}")
                keys.add(slice_key)
        return keys

    def _entry_of_slice(self, key: bytes, extents) -> _Entry:
        return self._entries[_slice_key(key, extents)]  # __init__ checked that it is stored

    # -- data

    def _tensor(self, key: str, entry: _Entry) -> np.ndarray:
        import numpy as np

        from freezer.tensors import NUMPY_DTYPES

        if len(entry.shape) > _NUMPY_MAX_RANK:
            raise CheckpointError(f"Tensor '{key}' in {self._index} has {len(entry.shape)} "
                                  f"dimensions; freezer reads at most {_NUMPY_MAX_RANK}.")
        path, data = self._shard(entry.shard_id)
        end = entry.offset + entry.size
        if end > len(data):
            raise CheckpointError(f"Checkpoint data file {path} is truncated: '{key}' needs bytes "
                                  f"up to {end}, the file has {len(data)}; copy it again or "
                                  f"{_SAVE_AGAIN}.")
        stored = memoryview(data)[entry.offset:end]
        count = math.prod(entry.shape)  # exact: an int64 product could wrap to a small number
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
                with open_checkpoint_file(path, "Checkpoint data file") as (file, size):
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
    import numpy as np

    if not stored and count == 0:  # TF reads a 0-byte string entry as empty (it writes 4 bytes)
        return np.empty(0, dtype=object), 0
    if count > len(stored):  # each length takes a byte at least: this bounds the loop below
        raise _Corrupt("string lengths do not match the stored size")
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
