"""A reader for V1 checkpoints that never imports TensorFlow.

A V1 checkpoint is one file (`model.ckpt`, `model.ckpt-1000`; no `.index`, no `.data-*`), written by
`Saver(write_version=SaverDef.V1)` and by TensorFlow before 1.0; many TF-slim pretrained models come
as one. It is the same LevelDB-style table as a V2 `.index` (read by `freezer.io.bundle`), and every
value in it is a `SavedTensorSlices` message (tensorflow/core/util/saved_tensor_slice.proto):

* the empty key holds `meta` (field 1), a `SavedTensorSliceMeta`: `repeated SavedSliceMeta tensor = 1`
  (`name = 1`, full `shape = 2`, `type = 3`, `repeated TensorSliceProto slice = 4`: the slices
  stored; a whole tensor is one slice whose every extent is full) and `VersionDef versions = 2`;
* every other key is one stored slice, encoded like a V2 slice key (OrderedCode of 0, the name, the
  rank, then start and length per dimension, length -1 for a full extent), and holds `data`
  (field 2), a `SavedSlice`: `name = 1`, `slice = 2`, `TensorProto data = 3`. That TensorProto has
  no dtype or shape, only the typed value field TensorFlow's `Fill` writes: `float_val`, `int_val`
  for every narrow integer, `half_val` with float16 bit patterns, `scomplex_val` as (re, im)
  pairs, `string_val`, ... one value per element of the slice, in row-major order.

Nothing holds a per-tensor checksum: the table's block checksums (verified) cover the values.
"""

from __future__ import annotations

import math

import numpy as np
from google.protobuf.message import DecodeError
from tensorboard.compat.proto import tensor_pb2, types_pb2

from freezer.errors import CheckpointError, UnsupportedCheckpoint
from freezer.graph import format_suggestions, nearest
from freezer.io.bundle import (_BYTES, _NUMPY_MAX_RANK, _VARINT, _bounds,
                               _check_entry, _Corrupt, _Entry, _fields, _int64, _parse_shape,
                               _parse_slice, _read_table, _slice_key, parse_slice_spec)
from freezer.io.checkpoint import open_checkpoint_file
from freezer.tensors import _VALUE_FIELDS, NUMPY_DTYPES, dtype_name

_CHECKPOINT_VERSION = 1  # TF_CHECKPOINT_VERSION: files needing a newer reader are refused
_SAVE_AGAIN = "save the checkpoint again"

# The numpy type each TensorProto value field holds, before the cast to the tensor's own type
# (int8 values travel in `int_val` as int32, float16 ones in `half_val` as int32 bit patterns).
_FIELD_DTYPES = {
    "float_val": np.dtype("<f4"), "double_val": np.dtype("<f8"), "half_val": np.dtype("<i4"),
    "int_val": np.dtype("<i4"), "int64_val": np.dtype("<i8"), "uint32_val": np.dtype("<u4"),
    "uint64_val": np.dtype("<u8"), "bool_val": np.dtype("?"), "scomplex_val": np.dtype("<f4"),
    "dcomplex_val": np.dtype("<f8"),
}


class V1CheckpointReader:
    """Reads the tensors of the V1 checkpoint file at `path`, with the interface of
    `freezer.io.bundle.BundleReader`: `contents()` and `read(key, slice_spec)`.

    The file is read once, whole (its size bounds what is read); `read()` decodes the stored slices
    it needs and returns read-only arrays, strings as object arrays of `bytes`.
    """

    def __init__(self, path: str):
        self._path = str(path)
        data = _read_file(self._path)
        try:
            table = _read_table(data)
            if not table or table[0][0] != b"":
                raise _Corrupt("no table of contents under the empty key")
            self._tensors = _parse_meta(_field(table[0][1], 1), self._path)
            self._stored = dict(table[1:])
        except _Corrupt as error:
            raise CheckpointError(f"Checkpoint {self._path} is corrupt ({error}); {_SAVE_AGAIN}.") from None

    def contents(self) -> dict[str, tuple[int, tuple[int, ...]]]:
        """Every tensor's name -> (DataType enum, full shape)."""
        return {_name(name): (tensor.dtype, tensor.shape) for name, tensor in self._tensors.items()}

    def read(self, key: str, slice_spec: str = "") -> np.ndarray:
        """Tensor `key`, or the part of it named by a "full shape and slice" spec ("10 4 0,5:-")."""
        name = key.encode("utf-8", "surrogateescape")
        tensor = self._tensors.get(name)
        if tensor is None:
            hint = format_suggestions(nearest(key, self.contents(), 3))
            raise CheckpointError(f"Tensor '{key}' is not in checkpoint {self._path}.{hint}")
        if len(tensor.shape) > _NUMPY_MAX_RANK:
            raise CheckpointError(f"Tensor '{key}' in {self._path} has {len(tensor.shape)} dimensions; "
                                  f"freezer reads at most {_NUMPY_MAX_RANK}.")
        wanted = self._wanted(key, tensor.shape, slice_spec)
        array = self._assemble(key, tensor, wanted)
        array.flags.writeable = False
        return array

    def _wanted(self, key: str, shape: tuple[int, ...], slice_spec: str) -> tuple[tuple[int, int], ...]:
        """(start, stop) per dimension of the part of `key` the slice spec asks for (all without one)."""
        if not slice_spec:
            return _bounds(shape, ((0, -1),) * len(shape))
        try:
            spec_shape, extents = parse_slice_spec(slice_spec)
        except ValueError as error:
            raise CheckpointError(f"Bad slice spec {slice_spec!r} for '{key}' ({error}); "
                                  "expected e.g. '10 4 0,5:-'.") from None
        if spec_shape != shape:
            raise CheckpointError(f"Slice spec {slice_spec!r} is for shape {list(spec_shape)}, but '{key}' "
                                  f"in {self._path} has shape {list(shape)}; the graph and the checkpoint "
                                  "do not match.")
        wanted = _bounds(shape, extents)
        if any(not 0 <= start <= stop <= dim for (start, stop), dim in zip(wanted, shape)):
            raise CheckpointError(f"Bad slice spec {slice_spec!r} for '{key}' (the slice lies outside "
                                  "the shape); expected e.g. '10 4 0,5:-'.")
        return wanted

    def _assemble(self, key: str, tensor: _Entry, wanted) -> np.ndarray:
        """The `wanted` region of `key` from its stored slices: usually exactly one of them.

        Nothing is allocated for the region until the stored slices are shown to cover it and
        their values have been decoded, so the claims of a corrupt file cost no memory."""
        stored = [(_bounds(tensor.shape, extents), extents) for extents in tensor.slices]
        for bounds, extents in stored:
            if bounds == wanted:
                return self._slice_values(key, tensor, extents, bounds)
        overlaps = []
        for bounds, extents in stored:
            overlap = tuple((max(a, c), min(b, d)) for (a, b), (c, d) in zip(bounds, wanted))
            if all(lo < hi for lo, hi in overlap):
                overlaps.append((bounds, extents, overlap))
        if sum(_volume(overlap) for *_, overlap in overlaps) != _volume(wanted):
            raise CheckpointError(f"The slices of '{key}' in {self._path} do not cover the part "
                                  f"{wanted} the graph asks for; the graph and the checkpoint do not "
                                  "match.")
        parts = [(self._slice_values(key, tensor, extents, bounds), bounds, overlap)
                 for bounds, extents, overlap in overlaps]
        out = np.empty([stop - start for start, stop in wanted], dtype=NUMPY_DTYPES[tensor.dtype])
        written = np.zeros(out.shape, dtype=bool)  # stored slices must not overlap (TF refuses that too)
        for values, bounds, overlap in parts:
            source = tuple(slice(lo - a, hi - a) for (lo, hi), (a, _) in zip(overlap, bounds))
            target = tuple(slice(lo - a, hi - a) for (lo, hi), (a, _) in zip(overlap, wanted))
            if written[target].any():
                raise CheckpointError(f"Checkpoint {self._path} is corrupt (stored slices of '{key}' "
                                      f"overlap); {_SAVE_AGAIN}.")
            written[target] = True
            out[target] = values[source]
        return out

    def _slice_values(self, key: str, tensor: _Entry, extents, bounds) -> np.ndarray:
        """The decoded values of one stored slice, shaped like it."""
        value = self._stored.get(_slice_key(key.encode("utf-8", "surrogateescape"), extents))
        if value is None:
            raise CheckpointError(f"Checkpoint {self._path} lists a slice of '{key}' that it does not "
                                  f"store; {_SAVE_AGAIN}.")
        if tensor.dtype not in _VALUE_FIELDS:
            raise UnsupportedCheckpoint(f"Tensor '{key}' in {self._path} has dtype "
                                        f"{dtype_name(tensor.dtype)}")
        try:
            values = _decode_values(_field(_field(value, 2), 3), tensor.dtype)
            if values.size != _volume(bounds):
                raise _Corrupt(f"{values.size} values stored for a slice of {_volume(bounds)}")
        except _Corrupt as error:
            raise CheckpointError(f"Checkpoint {self._path} is corrupt: '{key}' {error}; "
                                  f"{_SAVE_AGAIN}.") from None
        return values.reshape([stop - start for start, stop in bounds])


def _read_file(path: str) -> bytes:
    """The whole file, if it is a regular file: its size bounds what is read."""
    try:
        with open_checkpoint_file(path, "Checkpoint") as (file, size):
            return file.read(size)
    except FileNotFoundError:
        raise CheckpointError(f"Checkpoint {path} not found; give the checkpoint prefix "
                              "(ckpt/model.ckpt-1000) or the folder holding it.") from None
    except OSError as error:
        raise CheckpointError(f"Cannot read checkpoint {path} ({error.strerror}); check the "
                              "file's permissions.") from None


# ---- SavedTensorSlices -------------------------------------------------------------------------

def _field(buf, number: int) -> memoryview:
    """The last occurrence of message field `number` (empty if absent), as protobuf merges them."""
    found = memoryview(b"")
    for _, value in _fields(buf, {number: _BYTES}):
        found = value
    return found


def _parse_meta(meta, path: str) -> dict[bytes, _Entry]:
    """SavedTensorSliceMeta -> {tensor name: entry (dtype, shape, stored slices)}, each checked as
    a V2 index entry is: ranks, dimensions and element counts TF can hold, slices inside the shape."""
    tensors: dict[bytes, _Entry] = {}
    for number, value in _fields(meta, {1: _BYTES, 2: _BYTES}):
        if number == 1:
            name, entry = _parse_tensor_meta(value)
            if name in tensors:
                raise _Corrupt(f"tensor '{_name(name)}' is listed twice")
            _check_entry(_name(name), entry, num_shards=1)
            tensors[name] = entry
        else:
            min_consumer = next((_int64(v) for _, v in _fields(value, {2: _VARINT})), 0)
            if min_consumer > _CHECKPOINT_VERSION:
                raise UnsupportedCheckpoint(f"Checkpoint {path} is of format version {min_consumer}")
    return tensors


def _parse_tensor_meta(buf) -> tuple[bytes, _Entry]:
    """SavedSliceMeta {name = 1, shape = 2, type = 3, repeated slice = 4}."""
    name, dtype, shape, slices = b"", 0, (), []
    for number, value in _fields(buf, {1: _BYTES, 2: _BYTES, 3: _VARINT, 4: _BYTES}):
        if number == 1:
            name = bytes(value)
        elif number == 2:
            shape = _parse_shape(value)
        elif number == 3:
            dtype = _int64(value)
        else:
            slices.append(_parse_slice(value))
    return name, _Entry(dtype=dtype, shape=shape, slices=tuple(slices))


def _decode_values(data, dtype: int) -> np.ndarray:
    """The values of a SavedSlice's TensorProto, as a flat array of `dtype`."""
    field = _VALUE_FIELDS[dtype]
    try:
        proto = tensor_pb2.TensorProto.FromString(bytes(data))
    except DecodeError:
        raise _Corrupt("is not a valid TensorProto") from None
    values = getattr(proto, field)
    if dtype == types_pb2.DT_STRING:
        out = np.empty(len(values), dtype=object)
        out[:] = list(values)
        return out
    raw = np.array(values, dtype=_FIELD_DTYPES[field])
    target = NUMPY_DTYPES[dtype]
    if field in ("scomplex_val", "dcomplex_val"):
        if raw.size % 2:
            raise _Corrupt("has an odd number of complex parts")
        return raw.view(target)
    if field == "half_val":  # 16-bit patterns: float16's, or bfloat16's (kept as uint16)
        return raw.astype("<u2").view(target)
    return raw.astype(target)  # narrow integers wrap, as TensorFlow's static_cast does


def _volume(bounds) -> int:
    return math.prod(stop - start for start, stop in bounds)


def _name(key: bytes) -> str:
    return key.decode("utf-8", "surrogateescape")
