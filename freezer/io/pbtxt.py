"""Fast parsing of text-format protobufs (GraphDef, MetaGraphDef, ...), byte-identical to text_format.

`google.protobuf.text_format` tokenizes one character class at a time in Python and builds the message
field by field through the Python API: ~9 s for a 23 MB GraphDef that parses from binary in 0.03 s.
This module instead

1. cuts the whole text into *events* with one compiled regular expression: a scalar field
   (`name: value`, strings with their adjacent literals), a repeated scalar list (`name: [a, b]`), the
   opening of a message field (`name {`, `name: {`, `name <`), a closing `}`/`>`, or a junk character.
   Whitespace, `#` comments and the optional `,`/`;` after a field are absorbed in the same match, so
   one Python loop iteration handles one field;
2. translates each event to protobuf *wire format* right away, driven by the message descriptors
   (field numbers, types, labels; a map field is a repeated entry message on the wire). Each field's
   encoder is built once per descriptor and memoizes the bytes of values it has seen, so the common
   `size: -1` or `type: DT_FLOAT` costs a dict lookup;
3. hands the bytes to `message.ParseFromString`, protobuf's C parser.

Values are converted with text_format's own public helpers (`ParseInteger`, `ParseFloat`, `ParseBool`,
`ParseEnum`) and escapes with `text_encoding.CUnescape`, so every accepted value means what it means to
text_format. Whatever the fast path does not handle exactly like `text_format.Parse` -- unknown field
names, a singular field or oneof given twice, extensions and `Any` expansions (`[...]`), lists of
messages, groups, a float too large for float32, non-ASCII whitespace, any syntax error -- makes it give
up, and `text_format.Parse` parses the text instead (raising `ParseError` with line numbers for real
errors). Correctness first: the fast path never accepts text that text_format would reject.
"""

from __future__ import annotations

import functools
import re
import struct

from google.protobuf import descriptor, message as message_module, text_encoding, text_format

_FD = descriptor.FieldDescriptor

# --------------------------------------------------------------------------- tokens

# Whitespace and comments. A comment must run to the end of its line (the lookahead), so a regex
# backtrack can never end a comment early and read a token out of its inside.
_SKIP = rb"(?:\s|#[^\n]*(?![^\n]))*"
# text_format's own token grammar for values: identifiers, numbers, quoted strings with escapes.
_WORD = rb"[a-zA-Z_][0-9a-zA-Z_+-]*|(?:[0-9+-]|\.[0-9])[0-9a-zA-Z_.+-]*"
_STRING = rb"\"[^\"\n\\]*(?:\\.[^\"\n\\]*)*\"|'[^'\n\\]*(?:\\.[^'\n\\]*)*'"
_VALUE = rb"(?:" + _STRING + rb")(?:" + _SKIP + rb"(?:" + _STRING + rb"))*|" + _WORD
_LIST = rb"\[" + _SKIP + rb"(?:(?:" + _VALUE + rb")" + _SKIP + rb"(?:," + _SKIP + rb"(?:" + _VALUE + rb")" + _SKIP + rb")*)?\]"
# Every field may be followed by one `,` or `;`.
_END = _SKIP + rb"[,;]?"

# One event per match; findall gives (close, name, opener, value, items, junk) tuples.
_EVENT = re.compile(
    _SKIP + rb"(?:"
    + rb"([}>])" + _END                                   # close: end of a message field
    + rb"|([A-Za-z_][0-9A-Za-z_]*)" + _SKIP + rb"(?:"     # name:
    + rb"(?::" + _SKIP + rb")?([{<])"                     #   opener: start of a message field
    + rb"|:" + _SKIP + rb"(?:(" + _VALUE + rb")" + _END   #   value: one scalar
    + rb"|(" + _LIST + rb")" + _END + rb"))"              #   items: a list of scalars
    + rb"|(\S))"                                          # junk: anything else
)
_LIST_ITEM = re.compile(rb"[\[,]" + _SKIP + rb"(" + _VALUE + rb")" + _SKIP)
_CLOSER = {b"{": b"}", b"<": b">"}
_QUOTES = (b'"', b"'")


class _Unsupported(Exception):
    """The fast path met something it leaves to text_format."""


def parse_text(data: bytes, message) -> None:
    """Fill `message` (a protobuf message, e.g. GraphDef or MetaGraphDef) from text-format bytes.

    Gives exactly the message `text_format.Parse(data.decode(), message)` gives. Anything the fast path
    does not understand goes to text_format, which raises `text_format.ParseError` (with a line number)
    on invalid text, or `UnicodeDecodeError` when `data` is not UTF-8.
    """
    try:
        if not data.isascii():
            data.decode("utf-8")  # text_format refuses non-UTF-8 text anywhere, comments included
        wire = _to_wire(data, _table(message.DESCRIPTOR))
        message.ParseFromString(wire)
    except (_Unsupported, UnicodeDecodeError, message_module.DecodeError):
        text_format.Parse(data.decode("utf-8"), message)


# --------------------------------------------------------------------------- text -> wire


def _to_wire(data: bytes, table) -> bytes:
    """Wire-format bytes of the message whose fields (described by `table`) the text sets."""
    scalars, messages = table
    out: list[bytes] = []
    seen: set = set()  # singular fields (or oneofs) already set in the current message
    stack = []  # enclosing messages: (scalars, messages, out, seen, tag, closer)
    for close, name, opener, value, items, junk in _EVENT.findall(data):
        if value:
            encode, slot = _lookup(scalars, name)
            if slot is not None:
                _mark(seen, slot)
            out.append(encode(value))
        elif opener:
            tag, slot, sub_table = _lookup(messages, name)
            if slot is not None:
                _mark(seen, slot)
            stack.append((scalars, messages, out, seen, tag, _CLOSER[opener]))
            (scalars, messages), out, seen = sub_table, [], set()
        elif close:
            if not stack:
                raise _Unsupported("unbalanced close")
            body = b"".join(out)
            scalars, messages, out, seen, tag, closer = stack.pop()
            if close != closer:
                raise _Unsupported("mismatched delimiters")
            out += (tag, _varint(len(body)), body)
        elif items:
            encode, slot = _lookup(scalars, name)
            if slot is not None:  # `[...]` is only for repeated fields
                raise _Unsupported("list for a singular field")
            out += map(encode, _list_values(items))
        else:
            raise _Unsupported(f"unexpected {junk!r}")
    if stack:
        raise _Unsupported("unclosed message")
    return b"".join(out)


def _list_values(items: bytes) -> list[bytes]:
    """The value tokens of a `[a, b, ...]` list that _EVENT already checked."""
    values = []
    # Match item after item from the start (not findall, which could pick a token out of a comment).
    match = _LIST_ITEM.match(items)
    while match:
        values.append(match.group(1))
        match = _LIST_ITEM.match(items, match.end())
    return values


def _lookup(fields: dict, name: bytes):
    entry = fields.get(name)
    if entry is None:  # unknown name, or a message field given a scalar (or the reverse)
        raise _Unsupported(f"field {name!r}")
    return entry


def _mark(seen: set, slot) -> None:
    # text_format refuses most repeats of a singular field, and two members of one oneof.
    if slot in seen:
        raise _Unsupported("singular field repeated")
    seen.add(slot)


# --------------------------------------------------------------------------- descriptor tables

_TABLES: dict = {}


def _table(message_descriptor):
    """(scalars, messages) for a message type: field name (bytes) -> how to encode that field.

    scalars: name -> (encode(token) -> tag + value bytes, slot); messages: name -> (tag, slot,
    table of the field's type). `slot` is None for repeated fields, else the oneof or field number
    whose second appearance the fast path refuses. Built once per type; the dicts are registered
    before they are filled, so recursive types (AttrValue -> NameAttrList -> AttrValue) work.
    """
    cached = _TABLES.get(message_descriptor)
    if cached is not None:
        return cached
    scalars: dict = {}
    messages: dict = {}
    _TABLES[message_descriptor] = (scalars, messages)
    for field in message_descriptor.fields:
        key = field.name.encode()
        slot = None if field.is_repeated else _slot(field)
        if field.type == _FD.TYPE_MESSAGE:
            messages[key] = (_varint(field.number << 3 | 2), slot, _table(field.message_type))
        elif field.type != _FD.TYPE_GROUP:  # groups are left to text_format
            scalars[key] = (_scalar_encoder(field), slot)
    return _TABLES[message_descriptor]


def _slot(field):
    # Members of one oneof share a slot: text_format refuses setting two of them.
    return field.number if field.containing_oneof is None else field.containing_oneof.full_name


def _scalar_encoder(field):
    """encode(token) -> the field's tag and value in wire format, for one value token."""
    kind = field.type
    if kind in (_FD.TYPE_STRING, _FD.TYPE_BYTES):
        return _string_encoder(_varint(field.number << 3 | 2), kind == _FD.TYPE_STRING)
    wire_type, to_bytes = _NUMERIC[kind]
    parse = _numeric_parser(field)
    return _memoized(_varint(field.number << 3 | wire_type), lambda token: to_bytes(parse(token)))


def _string_encoder(tag: bytes, utf8: bool):
    def encode(token: bytes) -> bytes:
        quote = token[:1]
        if quote not in _QUOTES:
            raise _Unsupported("string expected")
        # The common case, one literal without escapes, is its own value; the rest goes to CUnescape.
        if token[-1:] == quote and token.count(quote) == 2 and b"\\" not in token:
            value = token[1:-1]
        else:
            value = _unescape(token, utf8)
        return tag + _varint(len(value)) + value

    return encode


def _unescape(token: bytes, utf8: bool) -> bytes:
    """The bytes of adjacent string literals, decoded exactly as text_format does."""
    literals = re.findall(_STRING, token)
    try:
        value = b"".join(text_encoding.CUnescape(literal[1:-1].decode("utf-8")) for literal in literals)
        if utf8:
            value.decode("utf-8")  # string fields must hold valid UTF-8
    except ValueError as error:  # includes UnicodeDecodeError
        raise _Unsupported(str(error)) from None
    return value


def _numeric_parser(field):
    """parse(token) -> Python value, by text_format's own rules for the field's type."""
    kind = field.type
    if kind == _FD.TYPE_ENUM:
        return functools.partial(_parse_enum, field)
    if kind in (_FD.TYPE_FLOAT, _FD.TYPE_DOUBLE):
        return _guarded(text_format.ParseFloat)
    if kind == _FD.TYPE_BOOL:
        return _guarded(text_format.ParseBool)
    is_signed = kind in (_FD.TYPE_INT32, _FD.TYPE_INT64, _FD.TYPE_SINT32, _FD.TYPE_SINT64,
                         _FD.TYPE_SFIXED32, _FD.TYPE_SFIXED64)
    is_long = kind in (_FD.TYPE_INT64, _FD.TYPE_UINT64, _FD.TYPE_SINT64, _FD.TYPE_FIXED64,
                       _FD.TYPE_SFIXED64)
    return _guarded(functools.partial(text_format.ParseInteger, is_signed=is_signed, is_long=is_long))


def _guarded(parse):
    def parse_token(token: bytes):
        try:
            return parse(token.decode())
        except ValueError as error:
            raise _Unsupported(str(error)) from None

    return parse_token


def _parse_enum(field, token: bytes) -> int:
    try:
        number = text_format.ParseEnum(field, token.decode())
    except ValueError as error:
        raise _Unsupported(str(error)) from None
    if not -(1 << 31) <= number < (1 << 31):  # an open enum takes any number text_format can't store
        raise _Unsupported("enum number out of range")
    return number


def _memoized(tag: bytes, value_bytes):
    """encode(token) = tag + value_bytes(token), remembering up to 4096 tokens' bytes."""
    memo: dict = {}

    def encode(token: bytes) -> bytes:
        encoded = memo.get(token)
        if encoded is None:
            encoded = tag + value_bytes(token)
            if len(memo) < 4096:
                memo[token] = encoded
        return encoded

    return encode


# --------------------------------------------------------------------------- wire encoding


@functools.lru_cache(maxsize=1 << 16)
def _varint(number: int) -> bytes:
    """Base-128 varint; negative numbers as their 64-bit two's complement, like protobuf."""
    number &= (1 << 64) - 1
    out = bytearray()
    while number > 0x7F:
        out.append(number & 0x7F | 0x80)
        number >>= 7
    out.append(number)
    return bytes(out)


def _zigzag(number: int) -> bytes:
    return _varint(number << 1 ^ number >> 63)


def _float32(number: float) -> bytes:
    try:
        return struct.pack("<f", number)
    except OverflowError:  # text_format's result for a float beyond float32 is left to it
        raise _Unsupported("float32 overflow") from None


def _packer(fmt: str):
    def pack(number) -> bytes:
        return struct.pack(fmt, number)

    return pack


# field type -> (wire type, value -> bytes)
_NUMERIC = {
    _FD.TYPE_INT32: (0, _varint), _FD.TYPE_INT64: (0, _varint), _FD.TYPE_UINT32: (0, _varint),
    _FD.TYPE_UINT64: (0, _varint), _FD.TYPE_ENUM: (0, _varint), _FD.TYPE_BOOL: (0, _varint),
    _FD.TYPE_SINT32: (0, _zigzag), _FD.TYPE_SINT64: (0, _zigzag),
    _FD.TYPE_FIXED32: (5, _packer("<I")), _FD.TYPE_SFIXED32: (5, _packer("<i")),
    _FD.TYPE_FLOAT: (5, _float32),
    _FD.TYPE_FIXED64: (1, _packer("<Q")), _FD.TYPE_SFIXED64: (1, _packer("<q")),
    _FD.TYPE_DOUBLE: (1, _packer("<d")),
}
