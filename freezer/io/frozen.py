"""A frozen graph whose large constants stay outside the GraphDef until it is written.

Folding a 336 MB checkpoint into `tensor_content` fields, then serializing the GraphDef, would hold
the weights three times (mapped checkpoint, protos, serialized bytes). Instead a folded `Const`
keeps a `value` TensorProto with dtype and shape only, and its numbers stay in `deferred` (for the
native engine: read-only views of the memory-mapped checkpoint). The writer splices them in while
streaming the GraphDef to disk, producing exactly the bytes of
`materialized().SerializeToString(deterministic=True)`.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING
from tensorboard.compat.proto import graph_pb2, node_def_pb2, types_pb2

from freezer.io.wire import LENGTH_DELIMITED, length_delimited_header, unknown_fields, varint
from freezer.progress import NO_PROGRESS, Progress

if TYPE_CHECKING:  # numpy is imported where values are handled: reading a graph needs none of it
    import numpy as np

_NODE_FIELD = 1  # GraphDef.node
_ATTR_FIELD = 5  # NodeDef.attr (map entries: key = 1, value = 2)
_TENSOR_FIELD = 8  # AttrValue.tensor
_CONTENT_FIELD = 4  # TensorProto.tensor_content
_VALUE_ATTR = "value"
_NODE_TAG = varint(_NODE_FIELD << 3 | LENGTH_DELIMITED)
_NODES_PER_WRITE = 3 * 4096  # pieces (tag, length, node) gathered before a write
_COPIED_AT_MOST = 16 << 20  # deferred bytes put into the graph when it is written, not streamed
# The most a deferred value adds to the serialized GraphDef besides its bytes: tensor_content's tag
# and length (1 + up to 10 bytes), and the four lengths around it (the TensorProto's, the AttrValue's,
# the attr map entry's, the NodeDef's), each of which can grow from one byte to ten.
_MOST_DEFERRED_GROWTH = 11 + 4 * 9


@dataclasses.dataclass
class FrozenGraph:
    graph_def: graph_pb2.GraphDef  # Const nodes named in `deferred` lack their tensor_content
    deferred: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)

    def materialized(self) -> graph_pb2.GraphDef:
        """The complete GraphDef: deferred values are copied into their Const nodes (once)."""
        if self.deferred:
            for node in self.graph_def.node:
                if node.name in self.deferred:
                    node.attr[_VALUE_ATTR].tensor.tensor_content = _contiguous(self.deferred[node.name]).tobytes()
            self.deferred = {}
        return self.graph_def

    def node_sizes(self) -> dict[str, int]:
        """Serialized size of each node, deferred values included, without serializing or copying them."""
        return {node.name: (sum(map(len, _const_head(node, self.deferred[node.name].nbytes)))
                            + self.deferred[node.name].nbytes) if node.name in self.deferred else node.ByteSize()
                for node in self.graph_def.node}

    def byte_size(self) -> int:
        """Size of the serialized GraphDef."""
        nodes = sum(len(length_delimited_header(_NODE_FIELD, size)) + size for size in self.node_sizes().values())
        return nodes + _graph_without_nodes(self.graph_def).ByteSize()

    def byte_size_at_most(self) -> int:
        """An upper bound of `byte_size()` that serializes nothing (the GraphDef's own size is counted in C)."""
        return self.graph_def.ByteSize() + sum(value.nbytes + _MOST_DEFERRED_GROWTH for value in self.deferred.values())

    def write_binary(self, out, progress: Progress = NO_PROGRESS) -> None:
        """Stream the deterministic binary serialization into the file object `out`; `progress` hears
        of the deferred values, which are nearly all of a big graph's bytes. Values small enough
        to copy are put in first and the graph serialized in one call (a graph may have a million
        nodes, each a call when streamed)."""
        deferred_bytes = sum(value.nbytes for value in self.deferred.values())
        with progress.step("Writing", deferred_bytes) as advance:
            if deferred_bytes <= _COPIED_AT_MOST:
                out.write(self.materialized().SerializeToString(deterministic=True))
                advance(deferred_bytes)
            else:
                self._stream(out, advance)

    def _stream(self, out, advance) -> None:
        """Write the nodes, each deferred value from its own buffer, then the rest of the graph."""
        pending: list[bytes] = []  # small nodes' bytes, written together: a graph may have a million
        for node in self.graph_def.node:
            if node.name not in self.deferred:
                serialized = node.SerializeToString(deterministic=True)
                pending += (_NODE_TAG, varint(len(serialized)), serialized)
                if len(pending) > _NODES_PER_WRITE:
                    out.write(b"".join(pending))
                    pending.clear()
                continue
            out.write(b"".join(pending))
            pending.clear()
            pieces = self._pieces(node)
            out.write(length_delimited_header(_NODE_FIELD, sum(map(len, pieces))))
            for piece in pieces:  # the value's own buffer, not copied
                out.write(piece)
            advance(self.deferred[node.name].nbytes)
        out.write(b"".join(pending))
        out.write(_graph_without_nodes(self.graph_def).SerializeToString(deterministic=True))

    def _pieces(self, node: node_def_pb2.NodeDef) -> list:
        """The Const's serialization: its head, then the value's own buffer (not copied)."""
        content = memoryview(_contiguous(self.deferred[node.name]).reshape(-1).view("uint8"))
        return [*_const_head(node, len(content)), content]


def defer_value(value: np.ndarray, dtype: int) -> bool:
    """Whether a folded value of `dtype` should wait for the writer: non-empty numbers (strings, whose
    protos hold one field per element, go in at once)."""
    return dtype != types_pb2.DT_STRING and value.nbytes > 0


def _graph_without_nodes(graph_def: graph_pb2.GraphDef) -> graph_pb2.GraphDef:
    """Everything of the GraphDef but its nodes (library, versions, fields a newer TensorFlow added),
    which follow them on disk."""
    rest = graph_pb2.GraphDef()
    for field, value in graph_def.ListFields():
        if field.name == "node":
            continue
        if field.message_type is not None:
            getattr(rest, field.name).CopyFrom(value)
        else:
            setattr(rest, field.name, value)
    rest.MergeFromString(unknown_fields(graph_def))
    return rest


def _const_head(node: node_def_pb2.NodeDef, content_length: int) -> list[bytes]:
    """The serialized NodeDef of a Const up to its tensor_content bytes, as pieces.

    Deterministic serialization writes fields in number order and map entries sorted by key, so a
    node whose last attr is `value` ends with that entry, and a TensorProto holding only dtype and
    shape ends where tensor_content (field 4) goes: the content's `content_length` bytes follow.
    """
    if max(node.attr) != _VALUE_ATTR or node.HasField("experimental_debug_info") or node.HasField("experimental_type"):
        raise ValueError(f"Const {node.name} has fields after its value; it cannot be streamed")
    tensor_head = node.attr[_VALUE_ATTR].tensor.SerializeToString(deterministic=True)
    content_header = length_delimited_header(_CONTENT_FIELD, content_length)
    tensor_size = len(tensor_head) + len(content_header) + content_length
    attr_value_header = length_delimited_header(_TENSOR_FIELD, tensor_size)
    entry_key = length_delimited_header(1, len(_VALUE_ATTR)) + _VALUE_ATTR.encode()
    entry_value_header = length_delimited_header(2, len(attr_value_header) + tensor_size)
    entry_size = len(entry_key) + len(entry_value_header) + len(attr_value_header) + tensor_size
    without_value = node_def_pb2.NodeDef()
    without_value.CopyFrom(node)
    del without_value.attr[_VALUE_ATTR]
    return [without_value.SerializeToString(deterministic=True), length_delimited_header(_ATTR_FIELD, entry_size),
            entry_key, entry_value_header, attr_value_header, tensor_head, content_header]


def _contiguous(array: np.ndarray) -> np.ndarray:
    """C-ordered little-endian bytes (a view when the array already is: the common case)."""
    if array.dtype.byteorder == ">":
        array = array.astype(array.dtype.newbyteorder("<"))
    return array if array.flags.c_contiguous else array.copy(order="C")
