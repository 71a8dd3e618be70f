"""Checkpoint files written or damaged by hand, byte by byte.

Hostile-checkpoint and V1-checkpoint tests write protobuf fields and LevelDB-style tables themselves
so that every field can be wrong on purpose; the encoders here are the tests' own (not freezer's), so
a bug in freezer's wire code cannot hide in the inputs that test it.
"""

from __future__ import annotations

import struct
from pathlib import Path

import crc32c

TABLE_MAGIC = 0xDB4775248B80FB57  # the last 8 bytes of every table file


# ---- protobuf fields ------------------------------------------------------------------------------

def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative numbers as 10-byte two's complement, as protobuf writes them
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out + bytes([value]))


def field(number: int, value: bytes | int) -> bytes:
    """One protobuf field: bytes length-delimited (wire type 2), an int as a varint (wire type 0)."""
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


def fixed32_field(number: int, value: int) -> bytes:
    """One protobuf field of wire type 5 (a crc32c, say)."""
    return varint(number << 3 | 5) + struct.pack("<I", value)


def shape_proto(dims) -> bytes:
    """TensorShapeProto: one Dim {size} per entry of `dims`."""
    return b"".join(field(2, field(1, dim)) for dim in dims)


# ---- tables -----------------------------------------------------------------------------------------

def mask(crc: int) -> int:
    """crc32c::Mask, the inverse of the reader's _unmask."""
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def block(entries, restarts=(0,)) -> bytes:
    """A table block: every key written whole (shared = 0) unless an entry gives (shared, suffix)."""
    out = bytearray()
    for key, value in entries:
        shared, suffix = key if isinstance(key, tuple) else (0, key)
        out += varint(shared) + varint(len(suffix)) + varint(len(value)) + suffix + value
    return bytes(out + b"".join(struct.pack("<I", r) for r in restarts) + struct.pack("<I", len(restarts)))


def with_trailer(contents: bytes) -> bytes:
    """A block as a table file holds it: contents, compression type 0 (none), masked crc32c."""
    return contents + b"\x00" + struct.pack("<I", mask(crc32c.crc32c(contents + b"\x00")))


def handle(offset: int, size: int) -> bytes:
    return varint(offset) + varint(size)


def footer(metaindex_handle: bytes, index_handle: bytes) -> bytes:
    """A table file's last 48 bytes: the two block handles, padded to 40 bytes, and the magic."""
    return (metaindex_handle + index_handle).ljust(40, b"\x00") + struct.pack("<Q", TABLE_MAGIC)


# ---- a checkpoint's files -----------------------------------------------------------------------

def data_file(prefix, shard: int = 0, shards: int = 1) -> Path:
    return Path(f"{prefix}.data-{shard:05d}-of-{shards:05d}")


def flip_byte(path, offset: int, bits: int = 0xFF) -> None:
    """XOR the byte at `offset` of the file with `bits` (all eight by default)."""
    data = bytearray(Path(path).read_bytes())
    data[offset] ^= bits
    Path(path).write_bytes(bytes(data))
