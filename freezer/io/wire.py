"""Protobuf wire-format encoding, for the writers that build serialized messages piece by piece."""

from __future__ import annotations

import functools

LENGTH_DELIMITED = 2  # wire type of bytes, strings and embedded messages


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
