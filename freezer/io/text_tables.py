"""A lookup table's text file, read as TensorFlow's `InitializeTableFromTextFile(V2)` reads it.

The op fills a table with one entry per line. Lines end at `\\n`; one `\\r` before it (or at the end
of the file) is dropped; text after the last `\\n` is a line when it is not empty. An empty line is
an error. Each of the key and the value comes from the line as `index` says:

    -2  the whole line             (string, or an integer parsed from it)
    -1  the line number from 0, plus `offset`   (int64 only)
    ≥0  that column of the line split at every `delimiter` byte (empty columns count)

Numbers are parsed as TensorFlow (2.21: abseil's SimpleAtoi/SimpleAtof/SimpleAtod) parses them,
ASCII white space around them dropped: integers are an optional sign and decimal digits; floats an
optional `+` or `-`, then decimal digits (`1.`, `.5`, `2e-3`), a hex float (`0x1.8p3`), `inf`,
`infinity` or `nan(payload)` in any case, rounded to nearest with ties to even. An int32 gets
`offset` added; an int64 does not (TensorFlow's kernel does exactly that). With `vocab_size` ≥ 0
only that many lines are read, and a file with fewer is an error; a table that would get no entry,
or a key repeated with another value, is an error too, as TensorFlow fails to initialize the table
from that file. `tests/test_assets.py` checks all of this against TensorFlow's kernel.
"""

from __future__ import annotations

import dataclasses
import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
from tensorboard.compat.proto import types_pb2

from freezer.errors import GraphError
from freezer.io.files import NotRegularFile, open_regular_file
from freezer.tensors import NUMPY_DTYPES, dtype_name

MAX_FILE_BYTES = 2**30  # embedded in the frozen graph, which protobuf caps at 2 GiB
WHOLE_LINE = -2
LINE_NUMBER = -1
_SHOWN = 40  # characters of a bad field an error quotes

_SPACES = b" \t\n\v\f\r"  # abseil's ascii_isspace, stripped around a number
_INTEGER = re.compile(rb"([+-]?)([0-9]+)")
# abseil's SimpleAtof: a "+" it drops, then from_chars: "-", inf/infinity/nan(chars), a hex float
# after 0x (p exponent), or decimal digits with at least one digit and an e exponent.
_FLOAT = re.compile(rb"([+-]?)(?:(inf(?:inity)?)|(nan)(?:\(([0-9a-z_]*)\))?"
                    rb"|0x(?=\.?[0-9a-f])([0-9a-f]*)(?:\.([0-9a-f]*))?(?:p([+-]?[0-9]+))?"
                    rb"|(?=\.?[0-9])([0-9]*)(?:\.([0-9]*))?(?:e([+-]?[0-9]+))?)", re.IGNORECASE)
_KEPT = 800  # significant digits kept: more than the 767 that can decide how a double rounds
_INTEGER_RANGES = {types_pb2.DT_INT32: (-2**31, 2**31 - 1), types_pb2.DT_INT64: (-2**63, 2**63 - 1)}
_FLOAT32_OVERFLOW = Fraction(2**128)  # where float32 rounding meets infinity (IEEE: an even "next" value)
# The dtypes TensorFlow's kernel can make of a field (its SetValue); others fail on the first line.
_PARSED = frozenset({types_pb2.DT_INT32, types_pb2.DT_INT64, types_pb2.DT_FLOAT, types_pb2.DT_DOUBLE,
                     types_pb2.DT_STRING})


@dataclasses.dataclass(frozen=True)
class TextFileFormat:
    """How one initializer reads its file: its attributes, and the key and value dtypes of its table."""

    key_index: int
    value_index: int
    key_dtype: int
    value_dtype: int
    delimiter: bytes = b"\t"
    vocab_size: int = -1
    offset: int = 0


def check_format(fmt: TextFileFormat, owner: str) -> None:
    """Refuse what TensorFlow's kernel refuses before it reads a line; `owner` names the initializer."""
    problem = _format_problem(fmt)
    if problem:
        raise GraphError(f"{owner[:1].upper()}{owner[1:]} {problem}, so TensorFlow cannot fill its table either; "
                         "export the model again.")


def _format_problem(fmt: TextFileFormat) -> str | None:
    if len(fmt.delimiter) != 1:
        return f"has the delimiter {fmt.delimiter!r}, which is not one byte"
    for side, index, dtype in (("key", fmt.key_index, fmt.key_dtype), ("value", fmt.value_index, fmt.value_dtype)):
        if index < WHOLE_LINE:
            return f"reads its {side} from column {index}"
        table_has = f"its table's {side}s are {dtype_name(dtype)}"
        if index == LINE_NUMBER and dtype != types_pb2.DT_INT64:
            return f"takes its {side}s from line numbers, which are int64, but {table_has}"
        if index == WHOLE_LINE and dtype not in (types_pb2.DT_STRING, *_INTEGER_RANGES):
            return f"takes its {side}s from whole lines, but {table_has}"
        if index != LINE_NUMBER and dtype not in _PARSED:
            return f"would parse its {side}s as {dtype_name(dtype)}, which TensorFlow does not read from text"
    return None


def read_text_table(path: Path, fmt: TextFileFormat, owner: str) -> tuple[np.ndarray, np.ndarray]:
    """The keys and values the initializer `owner` would put in its table from the file at `path`."""
    check_format(fmt, owner)
    lines = _lines(_read_file(path, owner))
    read = lines if fmt.vocab_size < 0 else lines[:fmt.vocab_size]
    keys, values = _Columns(path, fmt).parse(read)
    if fmt.vocab_size > len(lines):
        raise GraphError(f"Table file {path} has {len(lines)} line(s) but {owner} reads vocab_size="
                         f"{fmt.vocab_size} of them; give the file the model was exported with.")
    if not read:
        raise GraphError(f"Table file {path} gives {owner} no entries (TensorFlow fails on a table file without "
                         "lines); give the file the model was exported with.")
    return keys, values


def _read_file(path: Path, owner: str) -> bytes:
    """The bytes of a regular file (after symlinks) of at most MAX_FILE_BYTES; a FIFO is never waited on."""
    try:
        with open_regular_file(path) as (file, size):
            if size > MAX_FILE_BYTES:
                raise GraphError(f"Table file {path} (read by {owner}) holds {size} bytes; freezer embeds "
                                 f"table files of at most {MAX_FILE_BYTES} bytes (1 GiB) in the frozen graph.")
            try:
                return file.read(size)
            except OSError as error:
                raise GraphError(f"Cannot read table file {path}: {error.strerror}; check the file.") from None
    except FileNotFoundError:
        raise GraphError(f"Table file {path} (read by {owner}) does not exist; copy the whole SavedModel "
                         "folder, assets/ included.") from None
    except NotRegularFile:
        raise GraphError(f"Table file {path} (read by {owner}) is not a regular file; give the file the "
                         "model was exported with.") from None
    except OSError as error:
        raise GraphError(f"Cannot read table file {path} (read by {owner}): {error.strerror}; check the file "
                         "and its permissions.") from None


def _lines(data: bytes) -> list[bytes]:
    """The lines TensorFlow's InputBuffer::ReadLine returns, empty ones included (they are errors)."""
    pieces = data.split(b"\n")
    last = pieces.pop()  # after the last newline: a line only if something is left of it
    last = last[:-1] if last.endswith(b"\r") else last
    if b"\r" in data:
        pieces = [piece[:-1] if piece.endswith(b"\r") else piece for piece in pieces]
    return pieces + [last] if last else pieces


class _Columns:
    """Turns lines into keys and values line by line, as TensorFlow inserts them, so the problem
    reported is the one on the first bad line."""

    def __init__(self, path: Path, fmt: TextFileFormat):
        self.path = path
        self.fmt = fmt
        self.split = max(fmt.key_index, fmt.value_index) >= 0
        self.columns = max(fmt.key_index, fmt.value_index) + 1

    def parse(self, lines: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        fmt = self.fmt
        if not self.split and fmt.key_dtype == types_pb2.DT_STRING and fmt.value_index == LINE_NUMBER:
            return self._vocabulary(lines)  # the common case, with no field to parse
        keys, values, seen = [], [], {}
        for number, line in enumerate(lines):
            fields = self._fields(number, line)
            key = self._field(number, line, fields, fmt.key_index, fmt.key_dtype)
            value = self._field(number, line, fields, fmt.value_index, fmt.value_dtype)
            self._insert(seen, number, key, value)
            keys.append(key)
            values.append(value)
        return _array(keys, fmt.key_dtype), _array(values, fmt.value_dtype)

    def _vocabulary(self, lines: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """Whole lines as keys, line numbers as values: only empty and repeated lines can be wrong."""
        empty = lines.index(b"") if b"" in lines else len(lines)
        if len(set(lines[:empty])) < empty:  # a repeated line has another line number: find the first
            seen: dict = {}
            for number, line in enumerate(lines[:empty]):
                self._insert(seen, number, line, number)
        if empty < len(lines):
            self._fail(empty, "is empty")
        values = np.arange(len(lines), dtype=np.int64) + np.int64(self.fmt.offset)  # wraps as int64 does
        return _array(lines, types_pb2.DT_STRING), values

    def _fields(self, number: int, line: bytes) -> list[bytes] | None:
        if not line:
            self._fail(number, "is empty")
        if not self.split:
            return None
        fields = line.split(self.fmt.delimiter)
        if len(fields) < self.columns:
            self._fail(number, f"has {len(fields)} column(s) split at {self.fmt.delimiter!r}, but the "
                               f"initializer reads column {self.columns - 1}")
        return fields

    def _field(self, number: int, line: bytes, fields: list[bytes] | None, index: int, dtype: int):
        if index == LINE_NUMBER:
            return _wrapped(number + self.fmt.offset, 64)
        text = line if index == WHOLE_LINE else fields[index]
        if dtype == types_pb2.DT_STRING:
            return text
        value = parse_number(text, dtype)
        if value is None:
            self._fail(number, f"{_shown(text)} is not a valid {dtype_name(dtype)}")
        return _wrapped(value + self.fmt.offset, 32) if dtype == types_pb2.DT_INT32 else value  # TF adds it here

    def _insert(self, seen: dict, number: int, key, value) -> None:
        earlier = seen.setdefault(key, value)
        if earlier is not value and earlier != value:  # NaN != NaN: TensorFlow refuses that as well
            self._fail(number, f"repeats the key {_shown(key)} with another value, which TensorFlow refuses")

    def _fail(self, number: int, problem: str):
        raise GraphError(f"Table file {self.path}, line {number + 1}: {problem}; fix the file (TensorFlow "
                         "cannot fill the table from it either) or give the one the model was exported with.")


def _wrapped(value: int, bits: int) -> int:
    """`value` as a signed integer of `bits` bits holds it (two's complement, as TensorFlow's C++ does)."""
    half = 2 ** (bits - 1)
    return (value + half) % (2 * half) - half


def parse_number(text: bytes, dtype: int) -> int | float | None:
    """The number TensorFlow (abseil's SimpleAtoi/SimpleAtof/SimpleAtod) parses from `text` for a
    table of `dtype`; None where it fails."""
    text = text.strip(_SPACES)
    if dtype in _INTEGER_RANGES:
        match = _INTEGER.fullmatch(text)
        if match is None or len(match.group(2).lstrip(b"0")) > 19:  # past int64 before int() works on it
            return None
        low, high = _INTEGER_RANGES[dtype]
        value = int(match.group(2)) * (-1 if match.group(1) == b"-" else 1)
        return value if low <= value <= high else None
    match = _FLOAT.fullmatch(text)
    if match is None:
        return None
    sign, infinity, nan, payload, hex_whole, hex_fraction, hex_power, whole, fraction, power = match.groups()
    negative = sign == b"-"
    if infinity is not None:
        value = math.inf
    elif nan is not None:
        value = _nan(payload, dtype)
    else:
        hex_fraction, fraction = hex_fraction or b"", fraction or b""
        exact = (_scaled(hex_whole + hex_fraction, 16, hex_power, len(hex_fraction), 2) if hex_whole is not None
                 else _scaled(whole + fraction, 10, power, len(fraction), 10))
        value = _rounded(exact, dtype)
    return -value if negative else value


def _scaled(digits: bytes, base: int, power: bytes | None, fraction_digits: int, power_base: int):
    """digits (in `base`, the last `fraction_digits` of them after the point) × power_base**power,
    exactly as a Fraction, with bounded work: digits past the first _KEPT are folded into one sticky
    digit, which cannot change how the value rounds to a double or a float; an exponent beyond every
    double gives 0.0 or math.inf directly."""
    digits = digits.lstrip(b"0")
    if not digits:
        return Fraction(0)
    scale = -fraction_digits * (4 if base == 16 else 1)  # in powers of power_base
    if len(digits) > _KEPT:
        dropped = digits[_KEPT:]
        scale += len(dropped) * (4 if base == 16 else 1)
        digits = digits[:_KEPT] + (b"1" if dropped.strip(b"0") else b"0")
        scale -= 4 if base == 16 else 1
    exponent_digits = (power or b"0").lstrip(b"+-").lstrip(b"0")
    if len(exponent_digits) > 9:
        return math.inf if not power.startswith(b"-") else 0.0
    order = scale + int(power or b"0") + len(digits) * (4 if base == 16 else 1)  # ≥ the value's order of magnitude
    limit = 1100 if power_base == 2 else 340  # past a double's range either way, with room for the digits
    if order > limit:
        return math.inf
    if order < -limit:
        return 0.0
    return Fraction(int(digits, base)) * Fraction(power_base) ** (scale + int(power or b"0"))


def _rounded(exact, dtype: int) -> float:
    """A nonnegative exact value rounded to the nearest double or float32 (ties to even), overflow to inf."""
    if isinstance(exact, float):
        return exact
    try:
        nearest_double = float(exact)  # int / int: correctly rounded
    except OverflowError:
        nearest_double = math.inf
    return nearest_double if dtype == types_pb2.DT_DOUBLE else _nearest_float32(exact, nearest_double)


def _nearest_float32(exact: Fraction, nearest_double: float) -> float:
    """Rounding through a double could err where the double lands on a float32 midpoint, so the
    float32 neighbours of that first guess are compared with the exact value."""
    with np.errstate(over="ignore"):
        first = np.float32(nearest_double)
    candidates = {first, np.nextafter(first, np.float32(0)), np.nextafter(first, np.float32(np.inf))}

    def distance(candidate: np.float32):
        value = _FLOAT32_OVERFLOW if np.isinf(candidate) else Fraction(float(candidate))
        odd = 0 if np.isinf(candidate) else int(candidate.view(np.uint32)) & 1
        return abs(value - exact), odd

    return float(min(candidates, key=distance))


def _nan(payload: bytes | None, dtype: int) -> float:
    """glibc's nan("payload"): a quiet NaN whose low mantissa bits are the payload read as a C
    integer literal (decimal, 0x hex or 0 octal) when all of it is one."""
    bits, quiet, mask = ((np.uint32, 0x7FC00000, 2**22 - 1) if dtype == types_pb2.DT_FLOAT
                         else (np.uint64, 0x7FF8000000000000, 2**51 - 1))
    number = _c_integer(payload or b"")
    pattern = bits(quiet | (number & mask if number is not None else 0))
    return float(np.array(pattern).view(np.float32 if dtype == types_pb2.DT_FLOAT else np.float64))


def _c_integer(text: bytes) -> int | None:
    """strtoull(text, base 0) when it reads all of text, saturating as strtoull does; else None."""
    match = re.fullmatch(rb"0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9][0-9]*)", text)
    if match is None:
        return None
    digits, base = next((group, base) for group, base in zip(match.groups(), (16, 8, 10)) if group is not None)
    digits = digits.lstrip(b"0") or b"0"
    return 2**64 - 1 if len(digits) > 22 else min(int(digits, base), 2**64 - 1)  # 22 octal digits pass 2**64


def _array(items: list, dtype: int) -> np.ndarray:
    if dtype == types_pb2.DT_STRING:
        array = np.empty(len(items), dtype=object)
        array[:] = items
        return array
    return np.array(items, dtype=NUMPY_DTYPES[dtype])


def _shown(field) -> str:
    text = repr(field)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."
