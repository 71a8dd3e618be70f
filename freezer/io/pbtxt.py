"""Fast parsing of text-format protobufs (GraphDef, MetaGraphDef, ...), identical to text_format.

`google.protobuf.text_format` tokenizes in Python one token at a time and sets every field through the
message API: ~9 s for a 23 MB GraphDef that parses from binary in 0.03 s. `parse_text` instead

1. cuts the text into *events* with one compiled regular expression (`_EVENT.findall`): a scalar field
   `name: value`, a scalar list `name: [a, b]`, a message field given as one whole `{...}` block, the
   start of a message field that cannot be a block (`name {`, `name: {`, `name <`), its end (`}`, `>`),
   a comment, or anything else. Whitespace and the optional `,`/`;` after a field go with the event,
   so one loop iteration handles one field;
2. translates each event to protobuf *wire format*, driven by the message descriptors (field numbers,
   types, labels; a map field is a repeated entry message on the wire). Per-type tables of field
   encoders are built once, and scalar encoders remember the bytes of tokens they have seen;
3. converts each distinct block text once per parse: a TensorFlow graph repeats the same `attr { ... }`
   blocks thousands of times (186k attr entries but 6k distinct texts in a 57k-node graph);
4. hands the bytes to `message.ParseFromString`, protobuf's C parser.

Values are converted by text_format's own public helpers (`ParseInteger`, `ParseFloat`, `ParseBool`,
`ParseEnum`, `text_encoding.CUnescape`), so a token means here what it means to text_format. Whatever
the fast path does not handle exactly like `text_format.Parse` makes it give up, and text_format parses
the text instead (raising `ParseError` with a line number on invalid text): unknown field names, a
singular field or oneof set twice, extensions and `Any` expansions (`[...]`), lists of messages, groups,
adjacent string literals (`"a" "b"`), comments inside a field, a float beyond float32, non-ASCII
whitespace, and every syntax error. The fast path never accepts text that text_format would reject.
"""

from __future__ import annotations

import functools
import re
import struct

from google.protobuf import descriptor, message as message_module, text_encoding, text_format

from freezer.io.wire import varint

_FD = descriptor.FieldDescriptor

# --------------------------------------------------------------------------- events

# text_format's own token grammar: identifiers, numbers, quoted strings with escapes.
_WORD = rb"[a-zA-Z_][0-9a-zA-Z_+-]*|(?:[0-9+-]|\.[0-9])[0-9a-zA-Z_.+-]*"
_STRING = rb"\"[^\"\n\\]*(?:\\.[^\"\n\\]*)*\"|'[^'\n\\]*(?:\\.[^'\n\\]*)*'"
# One value token. Adjacent literals ("a" "b") are left to text_format: TensorFlow never writes them,
# and a token known to be one literal needs no second scan to be split.
_VALUE = rb"(?:" + _STRING + rb")(?!\s*[\"'])|" + _WORD
_LIST = rb"\[\s*(?:(?:" + _VALUE + rb")\s*(?:,\s*(?:" + _VALUE + rb")\s*)*)?\]"

# A `{...}` block nested at most _BLOCK_DEPTH deep (a whole NodeDef is 6), without comments (which
# could hide a brace or a quote) and with short strings only: a block is matched again at each level
# it nests, which is cheap for the small blocks worth remembering but not for a 10 MB tensor_content.
# Written as unrolled loops, so a failed match costs linear time.
_BLOCK_DEPTH = 6
_PLAIN = rb"[^{}<>\"'#]*"
_SHORT_STRING = (rb"\"[^\"\n\\]{0,999}(?:\\.[^\"\n\\]{0,999}){0,99}\""
                 rb"|'[^'\n\\]{0,999}(?:\\.[^'\n\\]{0,999}){0,99}'")
_BLOCK = rb"\{" + _PLAIN + rb"(?:(?:" + _SHORT_STRING + rb")" + _PLAIN + rb")*\}"
for _ in range(_BLOCK_DEPTH - 1):
    _BLOCK = rb"\{" + _PLAIN + rb"(?:(?:" + _SHORT_STRING + rb"|" + _BLOCK + rb")" + _PLAIN + rb")*\}"

_END = rb"\s*[,;]?"  # any field may be followed by one `,` or `;`

# findall gives one (close, name, value, items, block, opener, junk) tuple per event.
_EVENT = re.compile(
    rb"\s*(?:"
    + rb"([}>])" + _END                                   # close: the end of a message field
    + rb"|([A-Za-z_][0-9A-Za-z_]*)\s*(?:"                 # name, then one of:
    + rb":\s*(?:(" + _VALUE + rb")" + _END                #   value: a scalar
    + rb"|(" + _LIST + rb")" + _END + rb")"               #   items: a list of scalars
    + rb"|(?::\s*)?(?:(" + _BLOCK + rb")" + _END          #   block: a whole message field
    + rb"|([{<])))"                                       #   opener: the start of one
    + rb"|#[^\n]*"                                        # a comment (all groups empty)
    + rb"|(\S))"                                          # junk: anything else
)
_LIST_ITEM = re.compile(rb"[\[,]\s*(" + _VALUE + rb")")
_CLOSER = {b"{": b"}", b"<": b">"}
_QUOTES = (b'"', b"'")


class _Unsupported(Exception):
    """The fast path met something it leaves to text_format."""


def parse_text(data: bytes, message) -> None:
    """Fill `message` (a protobuf message, e.g. GraphDef or MetaGraphDef) from text-format bytes.

    Replaces what `message` held (unlike text_format.Parse, which merges into it), then holds exactly
    what `text_format.Parse(data.decode(), message)` gives an empty message. Anything the fast path
    does not understand goes to text_format, which raises `text_format.ParseError` (with a line number)
    on invalid text, or `UnicodeDecodeError` when `data` is not UTF-8.
    """
    try:
        if not data.isascii():
            data.decode("utf-8")  # text_format refuses non-UTF-8 anywhere, comments included
        message.ParseFromString(_to_wire(data, _table(message.DESCRIPTOR), {}))
    except (_Unsupported, UnicodeDecodeError, message_module.DecodeError):
        # DecodeError: e.g. nesting deeper than the C parser's limit (100), which text_format accepts;
        # the failed ParseFromString may have left part of the message behind.
        message.Clear()
        text_format.Parse(data.decode("utf-8"), message)


# --------------------------------------------------------------------------- text -> wire


def _to_wire(text: bytes, table, memo: dict) -> bytes:
    """Wire-format bytes of the message (of the type `table` describes) that `text` sets.

    `memo` remembers the wire bytes of `{...}` blocks during one parse (see `_block`).
    """
    scalars, messages = table
    out: list[bytes] = []
    seen: set = set()  # singular fields (and oneofs) already set in the current message
    stack = []  # the enclosing messages: (scalars, messages, out, seen, tag, closer)
    for close, name, value, items, block, opener, junk in _EVENT.findall(text):
        if value:
            encode, slot = _lookup(scalars, name)
            if slot is not None:
                _mark(seen, slot)
            out.append(encode(value))
        elif block or opener:
            field = _lookup(messages, name)
            tag, slot, sub_table = field
            if slot is not None:
                _mark(seen, slot)
            if block:
                out.append(_block(block, field, memo))
            else:
                stack.append((scalars, messages, out, seen, tag, _CLOSER[opener]))
                (scalars, messages), out, seen = sub_table, [], set()
        elif close:
            if not stack:
                raise _Unsupported("unbalanced close")
            body = b"".join(out)
            scalars, messages, out, seen, tag, closer = stack.pop()
            if close != closer:
                raise _Unsupported("mismatched delimiters")
            out += (tag, varint(len(body)), body)
        elif items:
            encode, slot = _lookup(scalars, name)
            if slot is not None:  # text_format takes `[...]` for repeated fields only
                raise _Unsupported("list for a singular field")
            out += map(encode, _LIST_ITEM.findall(items))
        elif junk:
            raise _Unsupported(f"unexpected {junk!r}")
    if stack:
        raise _Unsupported("unclosed message")
    return b"".join(out)


def _block(block: bytes, field, memo: dict) -> bytes:
    """Tag, length and body of a message field given as one `{...}` block.

    `memo` maps (field, text) to wire bytes for texts met at least twice, and hash((field, text)) to
    None for texts met once, so unique blocks (nodes) cost an int each, not a copy of their text.
    """
    key = (id(field), block)
    encoded = memo.get(key)
    if encoded is None:
        tag, _, sub_table = field
        body = _to_wire(block[1:-1], sub_table, memo)
        encoded = tag + varint(len(body)) + body
        met_once = hash(key)
        if met_once in memo:
            memo[key] = encoded
        else:
            memo[met_once] = None
    return encoded


def _lookup(fields: dict, name: bytes):
    entry = fields.get(name)
    if entry is None:  # an unknown name, or a message field given a scalar (or the reverse)
        raise _Unsupported(f"field {name!r}")
    return entry


def _mark(seen: set, slot) -> None:
    # text_format refuses most repeats of a singular field, and two members of one oneof.
    if slot in seen:
        raise _Unsupported("singular field set twice")
    seen.add(slot)


# --------------------------------------------------------------------------- descriptor tables

_TABLES: dict = {}


def _table(message_descriptor):
    """(scalars, messages) for a message type: field name (bytes) -> how to encode that field.

    scalars: name -> (encode, slot), where encode(token) gives the field's tag and value bytes;
    messages: name -> (tag, slot, table of the field's type). `slot` is None for repeated fields, else
    what a second appearance would repeat (the field number, or the oneof's name). Built once per
    type; a table is registered before it is filled, so recursive types (AttrValue -> NameAttrList ->
    AttrValue) work.
    """
    cached = _TABLES.get(message_descriptor)
    if cached is not None:
        return cached
    scalars: dict = {}
    messages: dict = {}
    _TABLES[message_descriptor] = (scalars, messages)
    for field in message_descriptor.fields:
        name = field.name.encode()
        slot = None if field.is_repeated else _slot(field)
        if field.type == _FD.TYPE_MESSAGE:
            messages[name] = (_tag(field, 2), slot, _table(field.message_type))
        elif field.type != _FD.TYPE_GROUP:  # groups are left to text_format
            scalars[name] = (_scalar_encoder(field), slot)
    return scalars, messages


def _slot(field):
    oneof = field.containing_oneof
    return field.number if oneof is None else oneof.full_name


def _tag(field, wire_type: int) -> bytes:
    return varint(field.number << 3 | wire_type)


def _scalar_encoder(field):
    """encode(token) -> the field's tag and value in wire format, for one value token."""
    if field.type in (_FD.TYPE_STRING, _FD.TYPE_BYTES):
        return _string_encoder(_tag(field, 2), must_be_utf8=field.type == _FD.TYPE_STRING)
    wire_type, to_bytes = _NUMERIC[field.type]
    parse = _value_parser(field)
    return _memoized(_tag(field, wire_type), lambda token: to_bytes(parse(token)))


def _string_encoder(tag: bytes, must_be_utf8: bool):
    def encode(token: bytes) -> bytes:
        if token[:1] not in _QUOTES:
            raise _Unsupported("string expected")
        value = _unescape(token[1:-1], must_be_utf8) if b"\\" in token else token[1:-1]
        return tag + varint(len(value)) + value

    return encode


def _unescape(body: bytes, must_be_utf8: bool) -> bytes:
    """The bytes a string literal's body with escapes stands for, decoded as text_format does."""
    try:
        value = text_encoding.CUnescape(body.decode())
        if must_be_utf8:
            value.decode("utf-8")
    except ValueError as error:  # bad escapes, invalid UTF-8 in a string field
        raise _Unsupported(str(error)) from None
    return value


def _value_parser(field):
    """parse(token) -> the Python value text_format would set, for a non-string field."""
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
    """parse(token) on the token's text; text_format's ValueError for a token it refuses -> fallback."""
    def parse_token(token: bytes):
        try:
            return parse(token.decode())
        except ValueError as error:
            raise _Unsupported(str(error)) from None

    return parse_token


def _parse_enum(field, token: bytes) -> int:
    number = _guarded(functools.partial(text_format.ParseEnum, field))(token)
    if not -(1 << 31) <= number < 1 << 31:  # an open enum takes any number; int32 can't hold it
        raise _Unsupported("enum number out of range")
    return number


def _memoized(tag: bytes, value_bytes):
    """encode(token) = tag + value_bytes(token), remembering the first 4096 tokens' bytes."""
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


def _zigzag(number: int) -> bytes:
    return varint(number << 1 ^ number >> 63)


def _float32(number: float) -> bytes:
    # struct rounds like the C cast protobuf does when it stores a Python float in a float field.
    try:
        return struct.pack("<f", number)
    except OverflowError:  # what text_format does with a float beyond float32 is left to it
        raise _Unsupported("float32 overflow") from None


# field type -> (wire type, value -> bytes)
_NUMERIC = {
    _FD.TYPE_INT32: (0, varint), _FD.TYPE_INT64: (0, varint), _FD.TYPE_UINT32: (0, varint),
    _FD.TYPE_UINT64: (0, varint), _FD.TYPE_ENUM: (0, varint), _FD.TYPE_BOOL: (0, varint),
    _FD.TYPE_SINT32: (0, _zigzag), _FD.TYPE_SINT64: (0, _zigzag),
    _FD.TYPE_FIXED32: (5, struct.Struct("<I").pack), _FD.TYPE_SFIXED32: (5, struct.Struct("<i").pack),
    _FD.TYPE_FLOAT: (5, _float32),
    _FD.TYPE_FIXED64: (1, struct.Struct("<Q").pack), _FD.TYPE_SFIXED64: (1, struct.Struct("<q").pack),
    _FD.TYPE_DOUBLE: (1, struct.Struct("<d").pack),
}
