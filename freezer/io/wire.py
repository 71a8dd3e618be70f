"""Protobuf wire-format encoding, for the writers that build serialized messages piece by piece."""

from __future__ import annotations

import functools
import struct

LENGTH_DELIMITED = 2  # wire type of bytes, strings and embedded messages
_START_GROUP, _END_GROUP = 3, 4


@functools.lru_cache(maxsize=1 << 16)
def varint(number: int) -> bytes:
    """Base-128 varint; a negative number as its 64-bit two's complement, like protobuf."""
    number &= (1 << 64) - 1
    out = bytearray()
    while number > 0x7F:
        out.append(number & 0x7F | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def length_delimited_header(field_number: int, length: int) -> bytes:
    """Tag and length of a length-delimited field whose `length` bytes follow."""
    return varint(field_number << 3 | LENGTH_DELIMITED) + varint(length)


def unknown_fields(message) -> bytes:
    """The fields of `message` its type does not declare, as they would be serialized after its
    known ones (protobuf keeps them as it read them, and writes them there)."""
    from google.protobuf import unknown_fields as unknown  # protobuf's own reader of them

    return b"".join(_encoded(field) for field in unknown.UnknownFieldSet(message))


def _encoded(field) -> bytes:
    tag = varint(field.field_number << 3 | field.wire_type)
    if field.wire_type == 0:
        return tag + varint(field.data)
    if field.wire_type == 1:
        return tag + struct.pack("<Q", field.data)
    if field.wire_type == LENGTH_DELIMITED:
        return tag + varint(len(field.data)) + field.data
    if field.wire_type == _START_GROUP:
        return tag + b"".join(map(_encoded, field.data)) + varint(field.field_number << 3 | _END_GROUP)
    return tag + struct.pack("<I", field.data)  # wire type 5
