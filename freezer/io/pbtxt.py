"""Fast parsing of text-format protobufs (GraphDef, MetaGraphDef, ...), identical to text_format.

`google.protobuf.text_format` tokenizes in Python one token at a time and sets every field through the
message API: ~9 s for a 23 MB GraphDef that parses from binary in 0.03 s. `parse_text` instead

1. cuts the text into *events* with one compiled regular expression (`_EVENT`): a scalar field
   `name: value`, a scalar list `name: [a, b]`, a message field given as one whole `{...}` block, the
   start of a message field that cannot be a block (`name {`, `name: {`, `name <`), its end (`}`, `>`),
   a comment, or anything else. Whitespace and the optional `,`/`;` after a field go with the event,
   so one loop iteration handles one field. A short text is cut all at once (`findall`); a long one
   one event at a time, by positions, so memory stays linear in the text whatever it holds;
2. translates each event to protobuf *wire format* in one growing bytearray, driven by the message
   descriptors (field numbers, types, labels; a map field is a repeated entry message on the wire).
   Per-type tables of field encoders are built once, and scalar encoders remember the bytes of tokens
   they have seen; long escaped strings are unescaped a chunk at a time;
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
Text nesting messages deeper than protobuf's limit is refused on both paths (`NestingTooDeep`).
"""

from __future__ import annotations

import codecs
import functools
import re
import struct
import sys
import typing

from google.protobuf import descriptor, message as message_module, text_encoding, text_format

from freezer.io.wire import varint

_FD = descriptor.FieldDescriptor

# --------------------------------------------------------------------------- events

# Repeats a group as often as it can and never gives an iteration back. The patterns below never
# need to (each loop is followed by what it cannot match), and a plain `*` of a group keeps a
# backtracking entry per iteration: gigabytes for a tensor_content of millions of escapes. Python
# 3.10 has no possessive quantifiers; there the same patterns match the same, with that memory.
_LOOP = b"*+" if sys.version_info >= (3, 11) else b"*"

# text_format's own token grammar: identifiers, numbers, quoted strings with escapes.
_WORD = rb"[a-zA-Z_][0-9a-zA-Z_+-]*|(?:[0-9+-]|\.[0-9])[0-9a-zA-Z_.+-]*"
_STRING = (rb"\"[^\"\n\\]*(?:\\.[^\"\n\\]*)" + _LOOP + rb"\""
           rb"|'[^'\n\\]*(?:\\.[^'\n\\]*)" + _LOOP + rb"'")
# One value token. Adjacent literals ("a" "b") are left to text_format: TensorFlow never writes them,
# and a token known to be one literal needs no second scan to be split.
_VALUE = rb"(?:" + _STRING + rb")(?!\s*[\"'])|" + _WORD
_LIST = rb"\[\s*(?:(?:" + _VALUE + rb")\s*(?:,\s*(?:" + _VALUE + rb")\s*)" + _LOOP + rb")?\]"

# A `{...}` block nested at most _BLOCK_DEPTH deep (a whole NodeDef is 6), without comments (which
# could hide a brace or a quote) and with short strings only: a block is matched again at each level
# it nests, which is cheap for the small blocks worth remembering but not for a 10 MB tensor_content.
# Written as unrolled loops, so a failed match costs linear time.
_BLOCK_DEPTH = 6
_PLAIN = rb"[^{}<>\"'#]*"
_SHORT_STRING = (rb"\"[^\"\n\\]{0,999}(?:\\.[^\"\n\\]{0,999}){0,99}\""
                 rb"|'[^'\n\\]{0,999}(?:\\.[^'\n\\]{0,999}){0,99}'")
_BLOCK = rb"\{" + _PLAIN + rb"(?:(?:" + _SHORT_STRING + rb")" + _PLAIN + rb")" + _LOOP + rb"\}"
for _ in range(_BLOCK_DEPTH - 1):
    _BLOCK = (rb"\{" + _PLAIN + rb"(?:(?:" + _SHORT_STRING + rb"|" + _BLOCK + rb")" + _PLAIN + rb")"
              + _LOOP + rb"\}")

_END = rb"\s*[,;]?"  # any field may be followed by one `,` or `;`

# One match per event, its groups numbered as below (a comment matches none).
_EVENT = re.compile(
    rb"\s*(?:"
    + rb"([}>])" + _END                                   # 1 close: the end of a message field
    + rb"|([A-Za-z_][0-9A-Za-z_]*)\s*(?:"                 # 2 name, then one of:
    + rb":\s*(?:(" + _VALUE + rb")" + _END                #   3 value: a scalar
    + rb"|(" + _LIST + rb")" + _END + rb")"               #   4 items: a list of scalars
    + rb"|(?::\s*)?(?:(" + _BLOCK + rb")" + _END          #   5 block: a whole message field
    + rb"|([{<])))"                                       #   6 opener: the start of one
    + rb"|#[^\n]*"                                        # a comment (no group)
    + rb"|(\S))"                                          # 7 junk: anything else
)
_CLOSE, _NAME, _SCALAR, _ITEMS, _BLOCK_FIELD, _OPENER, _JUNK = range(1, 8)
_LIST_ITEM = re.compile(rb"[\[,]\s*(" + _VALUE + rb")")
_CLOSER = {b"{": b"}", b"<": b">"}
_QUOTES = (b'"', b"'")
_RUN_OF_BACKSLASHES = re.compile(rb"(?<!\\)\\")

# protobuf's C++ and upb parsers refuse a binary message nested deeper than this (TensorFlow's
# ReadBinaryProto too), and text_format recurses in Python once per level: deeper text is refused.
MAX_DEPTH = 100
# Brace tokens, and what may hold a brace that is not one: strings (to the closing quote, or to the
# end of the line as text_format's tokenizer reads an unterminated one) and comments.
_NESTING = re.compile(rb"([{<])|([}>])|#[^\n]*"
                      rb"|\"[^\"\n\\]*(?:\\.[^\"\n\\]*)" + _LOOP + rb"\"?"
                      rb"|'[^'\n\\]*(?:\\.[^'\n\\]*)" + _LOOP + rb"'?")
# Text longer than this is read one event at a time, and its blocks and lists are not copied (see
# `_events`); shorter text is cut into events all at once, which is faster.
_SHORT_TEXT = 1 << 16
# Long strings (tensor_content) are unescaped, and the text checked to be UTF-8, this many bytes at a
# time, so the work memory stays small whatever the length.
_CHUNK = 1 << 20


class _Unsupported(Exception):
    """The fast path met something it leaves to text_format."""


class NestingTooDeep(text_format.ParseError):
    """The text nests messages deeper than MAX_DEPTH, which no protobuf parser reads back."""


def parse_text(data: bytes, message) -> None:
    """Fill `message` (a protobuf message, e.g. GraphDef or MetaGraphDef) from text-format bytes.

    Replaces what `message` held (unlike text_format.Parse, which merges into it), then holds exactly
    what `text_format.Parse(data.decode(), message)` gives an empty message. Anything the fast path
    does not understand goes to text_format, which raises `text_format.ParseError` (with a line number)
    on invalid text, or `UnicodeDecodeError` when `data` is not UTF-8. Text nesting messages more than
    MAX_DEPTH deep raises `NestingTooDeep` (a ParseError), from either path.
    """
    try:
        if not data.isascii():
            _check_utf8(data)  # text_format refuses non-UTF-8 anywhere, comments included
        wire = bytearray()
        _to_wire(data, 0, len(data), _table(message.DESCRIPTOR), {}, wire)
        message.ParseFromString(wire)
    except (_Unsupported, UnicodeDecodeError, message_module.DecodeError):
        # The failed ParseFromString may have left part of the message behind.
        message.Clear()
        _check_nesting(data)  # before text_format recurses through it
        text_format.Parse(data.decode("utf-8"), message)


def _check_utf8(data: bytes) -> None:
    """Raise UnicodeDecodeError unless `data` is UTF-8, without holding a decoded copy of it all."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    start = 0
    try:
        for start in range(0, len(data), _CHUNK):
            decoder.decode(view[start:start + _CHUNK], final=start + _CHUNK >= len(data))
    except UnicodeDecodeError as error:  # positions in the chunk and the bytes carried over into it
        offset = start - len(decoder.getstate()[0])
        start, end = offset + error.start, offset + error.end
        raise UnicodeDecodeError("utf-8", data, start, end, error.reason) from None


def _check_nesting(text: bytes) -> None:
    depth = 0
    for token in _NESTING.finditer(text):
        if token.lastindex == 1:
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count(b"\n", 0, token.start()) + 1
                raise NestingTooDeep(f"messages nested more than {MAX_DEPTH} deep, protobuf's limit", line)
        elif token.lastindex == 2:
            depth -= 1


# --------------------------------------------------------------------------- text -> wire


def _to_wire(text: bytes, start: int, end: int, table, memo: dict, out: bytearray) -> int:
    """Append to `out` the wire bytes of the message (of the type `table` describes) that
    `text[start:end]` sets; return how deep message fields nest in it (0: none).

    `memo` remembers the wire bytes of `{...}` blocks during one parse (see `_block`).
    """
    scalars, messages = table
    seen: set = set()  # singular fields (and oneofs) already set in the current message
    stack = []  # the enclosing messages: (scalars, messages, seen, where the body starts, closer)
    deepest = 0
    for close, name, value, items, block, opener, junk in _events(text, start, end):
        if value:
            encode, slot = _lookup(scalars, name)
            if slot is not None:
                _mark(seen, slot)
            encode(out, value)
        elif block or opener:
            field = _lookup(messages, name)
            tag, slot, sub_table = field
            if slot is not None:
                _mark(seen, slot)
            if block:
                depth = len(stack) + _block(block, field, memo, out)
            else:
                out += tag
                stack.append((scalars, messages, seen, len(out), _CLOSER[opener]))
                (scalars, messages), seen = sub_table, set()
                depth = len(stack)
            if depth > deepest:
                deepest = depth
                if depth > MAX_DEPTH:  # the fallback's nesting check says where
                    raise _Unsupported("nested too deep")
        elif close:
            if not stack:
                raise _Unsupported("unbalanced close")
            scalars, messages, seen, body_start, closer = stack.pop()
            if close != closer:
                raise _Unsupported("mismatched delimiters")
            out[body_start:body_start] = varint(len(out) - body_start)
        elif items:
            encode, slot = _lookup(scalars, name)
            if slot is not None:  # text_format takes `[...]` for repeated fields only
                raise _Unsupported("list for a singular field")
            for item in _list_items(items):
                encode(out, item)
        elif junk:
            raise _Unsupported(f"unexpected {junk!r}")
    if stack:
        raise _Unsupported("unclosed message")
    return deepest


class _InPlace(typing.NamedTuple):
    """A long block or list, by its position in the text instead of a copy of it."""

    text: bytes
    start: int
    end: int


def _events(text: bytes, start: int, end: int):
    """The events of text[start:end]: (close, name, value, items, block, opener, junk) tuples, the
    groups of _EVENT that did not match empty.

    findall on a short text; on a long one, matches one at a time, with long blocks and lists as
    _InPlace, so that neither a list of all its events nor copies of its parts are ever held.
    """
    if end - start <= _SHORT_TEXT:
        return _EVENT.findall(text, start, end)
    return map(_event_in_place, _EVENT.finditer(text, start, end))


def _event_in_place(event: re.Match) -> tuple:
    group = event.lastindex
    if group == _BLOCK_FIELD or group == _ITEMS:
        start, end = event.span(group)
        if end - start > _SHORT_TEXT:
            fields = [b""] * 7
            fields[_NAME - 1], fields[group - 1] = event.group(_NAME), _InPlace(event.string, start, end)
            return tuple(fields)
    return event.groups(b"")


def _list_items(items):
    if isinstance(items, _InPlace):
        return (item.group(1) for item in _LIST_ITEM.finditer(*items))
    return _LIST_ITEM.findall(items)


def _block(block, field, memo: dict, out: bytearray) -> int:
    """Append the tag, length and body of a message field given as one `{...}` block; return how
    deep it nests (1: no message inside).

    `memo` maps (field, text) to (wire bytes, depth) for texts met at least twice, and
    hash((field, text)) to None for texts met once, so unique blocks (nodes) cost an int each, not a
    copy of their text.
    """
    if isinstance(block, _InPlace):
        return _nested(block.text, block.start + 1, block.end - 1, field, memo, out)
    key = (id(field), block)
    remembered = memo.get(key)
    if remembered is None:
        tag, _, sub_table = field
        body = bytearray()
        depth = 1 + _to_wire(block, 1, len(block) - 1, sub_table, memo, body)
        remembered = tag + varint(len(body)) + body, depth
        met_once = hash(key)
        if met_once in memo:
            memo[key] = remembered
        else:
            memo[met_once] = None
    out += remembered[0]
    return remembered[1]


def _nested(text: bytes, start: int, end: int, field, memo: dict, out: bytearray) -> int:
    """Append a message field whose (long) body is text[start:end], building it in place: its length
    goes in front once it is known. Returns how deep it nests."""
    tag, _, sub_table = field
    out += tag
    body_start = len(out)
    depth = 1 + _to_wire(text, start, end, sub_table, memo, out)
    out[body_start:body_start] = varint(len(out) - body_start)
    return depth


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
    """encode(out, token): append the field's tag and value in wire format, for one value token."""
    if field.type in (_FD.TYPE_STRING, _FD.TYPE_BYTES):
        return _string_encoder(_tag(field, 2), must_be_utf8=field.type == _FD.TYPE_STRING)
    wire_type, to_bytes = _NUMERIC[field.type]
    parse = _value_parser(field)
    return _memoized(_tag(field, wire_type), lambda token: to_bytes(parse(token)))


def _string_encoder(tag: bytes, must_be_utf8: bool):
    def encode(out: bytearray, token: bytes) -> None:
        if token[:1] not in _QUOTES:
            raise _Unsupported("string expected")
        if b"\\" not in token:
            if len(token) > _CHUNK:  # not copied again
                out += tag
                out += varint(len(token) - 2)
                out += memoryview(token)[1:-1]
            else:
                out += tag + varint(len(token) - 2) + token[1:-1]
            return
        out += tag
        value_start = len(out)
        _unescape(token, must_be_utf8, out)
        out[value_start:value_start] = varint(len(out) - value_start)

    return encode


def _unescape(token: bytes, must_be_utf8: bool, out: bytearray) -> None:
    """Append the bytes a string literal with escapes stands for, decoded as text_format does
    (text_encoding.CUnescape), a chunk at a time."""
    utf8 = codecs.getincrementaldecoder("utf-8")() if must_be_utf8 else None
    try:
        for chunk in _escape_chunks(token):
            value = text_encoding.CUnescape(str(chunk, "utf-8"))
            if utf8:
                utf8.decode(value)
            out += value
        if utf8:
            utf8.decode(b"", final=True)
    except ValueError as error:  # bad escapes, invalid UTF-8 in a string field
        raise _Unsupported(str(error)) from None


def _escape_chunks(token: bytes):
    """The literal's body in pieces of about _CHUNK bytes, cut only where a run of
    backslashes starts: an escape never holds a backslash, so there one escape has ended and the next
    begins (and the run, whose length decides what it means, stays whole)."""
    view = memoryview(token)
    start, end = 1, len(token) - 1  # inside the quotes
    while end - start > _CHUNK:
        cut = _RUN_OF_BACKSLASHES.search(token, start + _CHUNK, end)
        if cut is None:
            break
        yield view[start:cut.start()]
        start = cut.start()
    yield view[start:end]


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
    """encode(out, token): append tag + value_bytes(token), remembering the first 4096 tokens' bytes."""
    memo: dict = {}

    def encode(out: bytearray, token: bytes) -> None:
        encoded = memo.get(token)
        if encoded is None:
            encoded = tag + value_bytes(token)
            if len(memo) < 4096:
                memo[token] = encoded
        out += encoded

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
