"""Fast parsing of text-format protobufs (GraphDef, MetaGraphDef, ...), identical to text_format.

`google.protobuf.text_format` tokenizes in Python one token at a time and sets every field through the
message API: ~9 s for a 23 MB GraphDef that parses from binary in 0.03 s. `parse_text` instead

1. cuts the text into *events* with one compiled regular expression (`_event_pattern`): a scalar field
   `name: value` (a plain `"string"` without escapes, the most common, has its own group), a scalar
   list `name: [a, b]`, a map entry given as one whole `{...}` block, the start of any other message
   field (`name {`, `name: {`, `name <`), its end (`}`, `>`), a comment, or anything else. Whitespace
   and the optional `,`/`;` after a field go with the event, so one loop iteration handles one field.
   The text is cut into events a piece of about 64 KB at a time (`findall`, one C call per piece), at
   line starts that no valid event spans, so memory stays linear in the text whatever it holds;
2. translates each event to protobuf *wire format* in one growing bytearray, driven by per-type tables
   of the message descriptors (field numbers, types, labels; a map field is a repeated entry message
   on the wire), built once. A message field's length goes in front of its body when it closes;
3. converts each distinct map entry text once per parse: a TensorFlow graph repeats the same
   `attr { ... }` blocks thousands of times (186k attr entries but 6k distinct texts in a 54k-node
   graph), while its nodes are all different and are read field by field, each byte scanned once;
4. reads a GraphDef's nodes laid out as TensorFlow writes them (`_CANONICAL_NODE`) a whole node at a
   time: one match gives the name, op, inputs, device and the run of attr blocks, which splits into
   the blocks at known line starts, each converted (or remembered) as in 3. Anything else between
   those nodes is read event by event as above. This halves the time of a text GraphDef;
5. hands the bytes to `message.ParseFromString`, protobuf's C parser (a GraphDef's a piece of about
   1 MB at a time, to `MergeFromString`: parsing pieces of wire format in turn builds what parsing
   them whole would, and the whole would be held beside the graph it becomes).

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
import dataclasses
import functools
import itertools
import operator
import re
import struct
import sys
import typing
from collections.abc import Callable

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
# Adjacent literals ("a" "b") are left to text_format: TensorFlow never writes them, and a token known
# to be one literal needs no second scan to be split.
_ONE_LITERAL = rb"(?!\s*[\"'])"
_VALUE = rb"(?:" + _STRING + rb")" + _ONE_LITERAL + rb"|" + _WORD
_LIST = rb"\[\s*(?:(?:" + _VALUE + rb")\s*(?:,\s*(?:" + _VALUE + rb")\s*)" + _LOOP + rb")?\]"

# A `{...}` block nested at most _BLOCK_DEPTH deep (an attr entry holding a tensor is 5), without
# comments (which could hide a brace or a quote) and with short strings only: a block is matched
# again at each level it nests, which is cheap for the small blocks worth remembering but not for a
# 10 MB tensor_content. Written as unrolled loops, so a failed match costs linear time.
_BLOCK_DEPTH = 6
_PLAIN = rb"[^{}<>\"'#]*"
_SHORT_STRING = (rb"\"[^\"\n\\]{0,999}(?:\\.[^\"\n\\]{0,999}){0,99}\""
                 rb"|'[^'\n\\]{0,999}(?:\\.[^'\n\\]{0,999}){0,99}'")
_BLOCK = rb"\{" + _PLAIN + rb"(?:(?:" + _SHORT_STRING + rb")" + _PLAIN + rb")" + _LOOP + rb"\}"
for _ in range(_BLOCK_DEPTH - 1):
    _BLOCK = (rb"\{" + _PLAIN + rb"(?:(?:" + _SHORT_STRING + rb"|" + _BLOCK + rb")" + _PLAIN + rb")"
              + _LOOP + rb"\}")

_END = rb"\s*[,;]?"  # any field may be followed by one `,` or `;`

# After a string: the `,`/`;` that may end its field, and no second literal (TensorFlow never writes
# adjacent literals, "a" "b"; text_format's concatenation of them is left to it). `\s*+` gives no
# whitespace back, so the quote cannot be found by stopping short of it.
_STRING_END = rb"\s*+(?![\"'])[,;]?"

# One match per event, its groups numbered as below (a comment matches none). The names of the map
# fields the message can hold go in {MAP_NAMES}: only their `{...}` blocks are matched whole (see
# `_event_pattern`).
_EVENT_TEMPLATE = (
    rb"\s*(?:"
    + rb"([}>])" + _END                                   # 1 close: the end of a message field
    + rb"|({MAP_NAMES})(?![0-9A-Za-z_])"                  # 2 map name,
    + rb"\s*(?::\s*)?(" + _BLOCK + rb")" + _END           # 3 block: a whole map entry
    + rb"|([A-Za-z_][0-9A-Za-z_]*)\s*(?:"                 # 4 name, then one of:
    + rb":\s*(?:(\"[^\"\n\\]*\")" + _STRING_END           #   5 plain: a string without escapes
    + rb"|(" + _VALUE + rb")" + _END + rb")"              #   6 value: any other scalar
    + rb"|:\s*(" + _LIST + rb")" + _END                   #   7 items: a list of scalars
    + rb"|(?::\s*)?([{<]))"                               #   8 opener: the start of a message field
    + rb"|#[^\n]*"                                        # a comment (no group)
    + rb"|(\S))"                                          # 9 junk: anything else
)
_LIST_ITEM = re.compile(rb"[\[,]\s*(" + _VALUE + rb")")
_CLOSER = {b"{": b"}", b"<": b">"}
_QUOTES = (b'"', b"'")
_RUN_OF_BACKSLASHES = re.compile(rb"(?<!\\)\\")

# Where the text is cut into pieces, each cut into events on its own: at the start of a line that
# starts a field (`name:`, `name {`, `name <`). No token spans a line break (strings and comments end
# at one), and no valid event ends there unfinished (its value or brace would be missing); a block
# the cut goes through is read as its opener, fields and close instead, with the same bytes. A text
# that is not valid gets text_format's verdict in any case.
_PIECE_START = re.compile(rb"\n(?=[ \t]*[A-Za-z_][0-9A-Za-z_]*[ \t]*[:{<])")
_PIECE = 1 << 16
_WIRE_PIECE = 1 << 20  # wire bytes of a GraphDef parsed at a time
# How much map entry text a parse remembers on first sight (see _Parser).
_MEMO_TEXT = 1 << 22
_event_groups = operator.methodcaller("groups", b"")

# protobuf's C++ and upb parsers refuse a binary message nested deeper than this (TensorFlow's
# ReadBinaryProto too), and text_format recurses in Python once per level: deeper text is refused.
MAX_DEPTH = 100
# Brace tokens, and what may hold a brace that is not one: strings (to the closing quote, or to the
# end of the line as text_format's tokenizer reads an unterminated one) and comments.
_NESTING = re.compile(rb"([{<])|([}>])|#[^\n]*"
                      rb"|\"[^\"\n\\]*(?:\\.[^\"\n\\]*)" + _LOOP + rb"\"?"
                      rb"|'[^'\n\\]*(?:\\.[^'\n\\]*)" + _LOOP + rb"'?")
# Long strings (tensor_content) are unescaped, and the text checked to be UTF-8, this many bytes at a
# time, so the work memory stays small whatever the length.
_CHUNK = 1 << 20


# A node as TensorFlow writes it (text_format's layout: two spaces a level, fields in number order,
# one per line), from the line break before it to its closing brace: name, op, inputs, device as
# strings without escapes, then a run of attr blocks, each ended by the first line less indented
# than its body. Other fields, other layouts and escapes make a node that this does not match.
_PLAIN_LINE = rb"\"([^\"\n\\]*)\"\n"
_NODE_FROM_LINE_START = (
    rb"node \{\n  name: " + _PLAIN_LINE + rb"  op: " + _PLAIN_LINE
    + rb"((?:  input: \"[^\"\n\\]*\"\n)" + _LOOP + rb")"
    + rb"(?:  device: " + _PLAIN_LINE + rb")?"
    + rb"((?:  attr \{\n(?:    [^\n]*\n)" + _LOOP + rb"  \}\n)" + _LOOP + rb")"
    + rb"\}(?=\n)")
_CANONICAL_NODE = re.compile(rb"\n" + _NODE_FROM_LINE_START)
_FIRST_NODE = re.compile(_NODE_FROM_LINE_START)  # at the very start of the text, no line before it
_GRAPH_DEFS = ("tensorflow.GraphDef", "tensorboard.GraphDef")  # TensorFlow's, and tensorboard.compat's copy
_INPUT_LINE_START = len(b'  input: "')
_BETWEEN_INPUTS = b'"\n  input: "'
_BETWEEN_INPUTS_TEXT = _BETWEEN_INPUTS.decode()
# An attr body line starts with four spaces: `\n  attr ` starts a block, and only there.
_ATTR_LINE_START = len(b"  attr ")
_BETWEEN_ATTRS = b"\n  attr "


class _Unsupported(Exception):
    """The fast path met something it leaves to text_format."""


class NestingTooDeep(text_format.ParseError):
    """The text nests messages deeper than MAX_DEPTH, which no protobuf parser reads back."""


@dataclasses.dataclass(frozen=True)
class NodeFields:
    """The name, op and input entries of each node of a GraphDef, in graph order, as the parse read
    them: a graph index takes them from here instead of asking protobuf for each (see GraphIndex)."""

    names: list[str]
    ops: list[str]  # one string object per op name
    inputs: list[list[str]]
    # The positions of the nodes with an attr entry that `parse_text`'s `note_attr` was true of (None:
    # none was given). Each distinct entry is asked once, so an index can read the attrs of these
    # nodes alone where it would otherwise read every node's.
    noted: list[int] | None = None


def parse_text(data: bytes, message, note_attr: Callable[[bytes], bool] | None = None) -> NodeFields | None:
    """Fill `message` (a protobuf message, e.g. GraphDef or MetaGraphDef) from text-format bytes.

    Replaces what `message` held (unlike text_format.Parse, which merges into it), then holds exactly
    what `text_format.Parse(data.decode(), message)` gives an empty message. Anything the fast path
    does not understand goes to text_format, which raises `text_format.ParseError` (with a line number)
    on invalid text, or `UnicodeDecodeError` when `data` is not UTF-8. Text nesting messages more than
    MAX_DEPTH deep raises `NestingTooDeep` (a ParseError), from either path.

    Returns the NodeFields of a GraphDef whose nodes were all laid out as TensorFlow writes them
    (each read in one step), else None. `note_attr`, given the wire bytes of one attr entry as a
    NodeDef holding only it, says whether the nodes holding it go in `NodeFields.noted`.
    """
    try:
        if not data.isascii():
            _check_utf8(data)  # text_format refuses non-UTF-8 anywhere, comments included
        wire = bytearray()
        parser = _Parser(_event_pattern(message.DESCRIPTOR))
        if message.DESCRIPTOR.full_name in _GRAPH_DEFS:
            message.Clear()
            read = parser.graph_to_wire(data, _table(message.DESCRIPTOR), wire, message.MergeFromString, note_attr)
            message.MergeFromString(wire)  # what is left
        else:
            read = None
            parser.to_wire(data, 0, len(data), _table(message.DESCRIPTOR), wire)
            message.ParseFromString(wire)
    except (_Unsupported, UnicodeDecodeError, message_module.DecodeError):
        # The failed ParseFromString may have left part of the message behind.
        message.Clear()
        _check_nesting(data)  # before text_format recurses through it
        text_format.Parse(data.decode("utf-8"), message)
        return None
    return read if read is not None and len(read.names) == len(message.node) else None


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


class _Parser:
    """One parse: the event pattern for the message type, and the wire bytes of the map entry texts
    met so far.

    `memo` maps (a field's memo id, text) to (wire bytes, depth, noted). A text is remembered the
    first time it is met while the memo holds less than _MEMO_TEXT bytes of text; after that, only
    once it is met a second time, the first meeting leaving just hash((memo id, text)) -> None, so
    that a graph of unique entries costs an int for each, not a copy of its text. `noted`: what
    `note` said of the wire bytes, for the entries of the field `noted_field` (a memo id); False for
    the others.
    """

    def __init__(self, event_pattern: re.Pattern):
        self.event_pattern = event_pattern
        self.memo: dict = {}
        self.memo_text_left = _MEMO_TEXT
        self.noted_field: str | None = None
        self.note: Callable[[bytes], bool] | None = None

    def graph_to_wire(self, text: bytes, table: "_Table", out: bytearray,
                      merge: Callable[[bytearray], object],
                      note_attr: Callable[[bytes], bool] | None = None) -> NodeFields:
        """to_wire for a whole GraphDef text, reading each node in TensorFlow's layout in one step;
        returns the fields of the nodes so read (`noted`: those with an attr entry `note_attr` is
        true of). Between two nodes, once `out` holds _WIRE_PIECE bytes or more, they go to `merge`
        and `out` is emptied.

        The text between two such nodes (other fields, nodes laid out otherwise) is read by to_wire,
        which refuses it unless its braces balance: then reading it apart from the nodes around it
        gives the bytes reading the whole text would, and the singular fields it sets are shared.
        """
        read = NodeFields([], [], [], [] if note_attr is not None else None)
        names, ops, entries, noted = read.names, read.ops, read.inputs, read.noted
        op_names: dict[bytes, str] = {}  # each op name one string
        node_field = table.messages[b"node"]
        attr_field = node_field.table.messages[b"attr"]
        if note_attr is not None:
            self.noted_field, self.note = attr_field.memo_id, note_attr
        name, op, one_input, device = (_StringHeads(node_field.table.strings[field][0])
                                       for field in (b"name", b"op", b"input", b"device"))
        name_heads, op_heads, input_heads = name.short, op.short, one_input.short  # inline, in the loop
        memo = self.memo
        # Each name read once as a string: an input naming a node (most do) is that string again,
        # not a copy (a graph of 300k nodes would hold 18 MB of copies).
        name_strings: dict[str, str] = {}
        seen: set = set()
        start = 0
        for node in _canonical_nodes(text):  # one step per node of graphs of a million: kept inline
            if node.start() > start:
                self.to_wire(text, start, node.start(), table, out, seen)
            name_text, op_text, inputs, device_text, attrs = node.groups()
            node_name = name_text.decode()
            names.append(name_strings.setdefault(node_name, node_name))
            op_name = op_names.get(op_text)
            if op_name is None:
                op_name = op_names[op_text] = op_text.decode()
            ops.append(op_name)
            if inputs:
                written = inputs[_INPUT_LINE_START:-2].decode().split(_BETWEEN_INPUTS_TEXT)
                if len(written) == 1:  # most nodes (a list display is made to its size)
                    entries.append([name_strings.get(written[0], written[0])])
                else:  # a slice kept: the only list of its exact size (split's and list()'s have room
                    # to grow, at 300k nodes 7-26 MB)
                    entries.append(list(map(name_strings.get, written, written))[:])
            else:
                entries.append([])
            out += node_field.tag
            body_start = len(out)
            out += name_heads[len(name_text)] if len(name_text) < 128 else name.head(name_text)
            out += name_text
            out += op_heads[len(op_text)] if len(op_text) < 128 else op.head(op_text)
            out += op_text
            if inputs:  # `  input: "a"\n  input: "b"\n`: the strings hold no quote to split at
                for input_text in inputs[_INPUT_LINE_START:-2].split(_BETWEEN_INPUTS):
                    out += input_heads[len(input_text)] if len(input_text) < 128 else one_input.head(input_text)
                    out += input_text
            if device_text is not None:
                out += device.head(device_text)
                out += device_text
            if attrs:  # `  attr {...}\n` blocks, each the `{...}` a map entry event would match
                is_noted = False
                for block in attrs[_ATTR_LINE_START:-1].split(_BETWEEN_ATTRS):
                    remembered = memo.get((attr_field.memo_id, block)) or self._block(block, attr_field)
                    out += remembered[0]
                    if remembered[1] >= MAX_DEPTH:  # the node is 1 deep
                        _checked_depth(1 + remembered[1])
                    is_noted = is_noted or remembered[2]
                if is_noted and noted is not None:
                    noted.append(len(names) - 1)
            out[body_start:body_start] = varint(len(out) - body_start)
            start = node.end()
            if len(out) >= _WIRE_PIECE:
                merge(out)
                out.clear()
        if start < len(text):
            self.to_wire(text, start, len(text), table, out, seen)
        return read

    def to_wire(self, text: bytes, start: int, end: int, table, out: bytearray, seen: set | None = None) -> int:
        """Append to `out` the wire bytes of the message (of the type `table` describes) that
        `text[start:end]` sets; return how deep message fields nest in it (0: none). `seen` holds the
        singular fields already set (by text read before)."""
        strings, scalars, messages = table
        seen = set() if seen is None else seen  # singular fields (and oneofs) set in the current message
        stack = []  # the enclosing messages: (their table, seen, where the body starts, closer)
        deepest = 0
        memo = self.memo
        try:
            for close, map_name, block, name, plain, value, items, opener, junk in self._events(text, start, end):
                if plain:  # the most common event first: name: "text"
                    tag, slot = strings[name]
                    if slot is not None:  # as _mark does, inline
                        if slot in seen:
                            raise _Unsupported("singular field set twice")
                        seen.add(slot)
                    size = len(plain) - 2
                    out += tag
                    if size < 128:  # a one-byte length
                        out.append(size)
                        out += plain[1:-1]
                    else:
                        out += varint(size)
                        out += memoryview(plain)[1:-1]
                elif block:
                    field = messages[map_name]
                    if field.slot is not None:  # (a map field is repeated, unless a name means else)
                        _mark(seen, field.slot)
                    remembered = memo.get((field.memo_id, block)) or self._block(block, field)
                    out += remembered[0]
                    depth = len(stack) + remembered[1]
                    if depth > deepest:
                        deepest = _checked_depth(depth)
                elif opener:
                    tag, slot, field_table, _ = messages[name]
                    if slot is not None:
                        _mark(seen, slot)
                    out += tag
                    stack.append(((strings, scalars, messages), seen, len(out), _CLOSER[opener]))
                    (strings, scalars, messages), seen = field_table, set()
                    if len(stack) > deepest:
                        deepest = _checked_depth(len(stack))
                elif close:
                    if not stack:
                        raise _Unsupported("unbalanced close")
                    (strings, scalars, messages), seen, body_start, closer = stack.pop()
                    if close != closer:
                        raise _Unsupported("mismatched delimiters")
                    out[body_start:body_start] = varint(len(out) - body_start)
                elif value:
                    encode, slot = scalars[name]
                    if slot is not None:
                        _mark(seen, slot)
                    encode(out, value)
                elif items:
                    encode, slot = scalars[name]
                    if slot is not None:  # text_format takes `[...]` for repeated fields only
                        raise _Unsupported("list for a singular field")
                    for item in _list_items(items):
                        encode(out, item)
                elif junk:
                    raise _Unsupported(f"unexpected {junk!r}")
        except KeyError as unknown:  # an unknown name, or a field given a value of the wrong kind
            raise _Unsupported(f"field {unknown}") from None
        if stack:
            raise _Unsupported("unclosed message")
        return deepest

    def _events(self, text: bytes, start: int, end: int):
        """The events of text[start:end]: tuples of the pattern's groups, b"" for those that did not
        match, cut a piece at a time (see _PIECE_START); a piece that no line start cuts short
        enough is matched one event at a time, so that a list of its events is never held."""
        return itertools.chain.from_iterable(self._pieces(text, start, end))

    def _pieces(self, text: bytes, start: int, end: int):
        while start < end:
            cut = _PIECE_START.search(text, start + _PIECE, end) if end - start > _PIECE else None
            piece_end = cut.end() if cut else end
            if piece_end - start > 2 * _PIECE:
                yield map(_event_groups, self.event_pattern.finditer(text, start, piece_end))
            else:
                yield self.event_pattern.findall(text, start, piece_end)
            start = piece_end

    def _block(self, block: bytes, field: "_MessageField") -> tuple:
        """The tag, length and body of a map entry given as one `{...}` block that is not in the memo,
        how deep it nests (1: no message inside) and whether it is noted; remembered as the class says."""
        body = bytearray()
        depth = 1 + self.to_wire(block, 1, len(block) - 1, field.table, body)
        wire = field.tag + varint(len(body)) + body
        remembered = wire, depth, field.memo_id == self.noted_field and self.note(wire)
        key = field.memo_id, block
        met_once = hash(key)
        if len(block) < self.memo_text_left or met_once in self.memo:
            self.memo[key] = remembered
            self.memo_text_left -= len(block)
        else:
            self.memo[met_once] = None
        return remembered


def _canonical_nodes(text: bytes):
    """The matches of the nodes in TensorFlow's layout, the text's first node included."""
    first = _FIRST_NODE.match(text)
    if first is not None:
        yield first
    yield from _CANONICAL_NODE.finditer(text, first.end() if first is not None else 0)


class _StringHeads:
    """The tag and length that go before a string field's bytes, made once for the short ones."""

    def __init__(self, tag: bytes):
        self.tag = tag
        self.short = [tag + bytes([length]) for length in range(128)]

    def head(self, value: bytes) -> bytes:
        return self.short[len(value)] if len(value) < 128 else self.tag + varint(len(value))


def _checked_depth(depth: int) -> int:
    if depth > MAX_DEPTH:  # the fallback's nesting check says where
        raise _Unsupported("nested too deep")
    return depth


def _list_items(items: bytes):
    if len(items) > _PIECE:  # one at a time
        return (item.group(1) for item in _LIST_ITEM.finditer(items))
    return _LIST_ITEM.findall(items)


def _mark(seen: set, slot) -> None:
    # text_format refuses most repeats of a singular field, and two members of one oneof.
    if slot in seen:
        raise _Unsupported("singular field set twice")
    seen.add(slot)


# --------------------------------------------------------------------------- descriptor tables

_TABLES: dict = {}
_PATTERNS: dict = {}


class _Table(typing.NamedTuple):
    """How to encode each field of a message type, by field name (bytes), one dict per event kind.

    `slot` is None for repeated fields, else what a second appearance would repeat (the field number,
    or the oneof's name).
    """

    strings: dict  # string and bytes fields: name -> (tag, slot), for plain strings
    scalars: dict  # every non-message field: name -> (encode, slot); encode(out, token) appends
    messages: dict  # message fields: name -> _MessageField


class _MessageField(typing.NamedTuple):
    tag: bytes
    slot: typing.Any
    table: _Table  # of the field's type
    # Tells this field's remembered blocks from another's with the same text: its full name, as the
    # id() of a field descriptor is not the field's (protobuf makes a new object each time it is asked).
    memo_id: str


def _table(message_descriptor) -> _Table:
    """The _Table of a message type. Built once per type; a table is registered before it is filled,
    so recursive types (AttrValue -> NameAttrList -> AttrValue) work."""
    cached = _TABLES.get(message_descriptor)
    if cached is not None:
        return cached
    table = _TABLES[message_descriptor] = _Table({}, {}, {})
    for field in message_descriptor.fields:
        name = field.name.encode()
        slot = None if field.is_repeated else _slot(field)
        if field.type == _FD.TYPE_MESSAGE:
            field_table = _table(field.message_type)
            table.messages[name] = _MessageField(_tag(field, 2), slot, field_table, field.full_name)
        elif field.type != _FD.TYPE_GROUP:  # groups are left to text_format
            table.scalars[name] = (_scalar_encoder(field), slot)
            if field.type in (_FD.TYPE_STRING, _FD.TYPE_BYTES):
                table.strings[name] = (_tag(field, 2), slot)
    return table


def _event_pattern(message_descriptor) -> re.Pattern:
    """_EVENT_TEMPLATE for a message type, matching whole blocks for the map fields it can hold."""
    cached = _PATTERNS.get(message_descriptor)
    if cached is None:
        names = b"|".join(sorted(_map_field_names(message_descriptor, set()))) or rb"(?!)"
        cached = _PATTERNS[message_descriptor] = re.compile(_EVENT_TEMPLATE.replace(b"{MAP_NAMES}", names))
    return cached


def _map_field_names(message_descriptor, visited: set) -> set:
    """The names (bytes) of the map fields of a message type and of every type it can hold."""
    names: set = set()
    if message_descriptor in visited:
        return names
    visited.add(message_descriptor)
    for field in message_descriptor.fields:
        if field.type == _FD.TYPE_MESSAGE:
            if field.message_type.GetOptions().map_entry:
                names.add(field.name.encode())
            names |= _map_field_names(field.message_type, visited)
    return names


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
