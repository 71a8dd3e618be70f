"""The reference engine: TensorFlow itself restores each variable's key in a v1 Session.

Keys and slices come from `freezer.variables` (the graph's own restore mapping), and only the
variables the outputs need are restored, so a checkpoint may lack variables the outputs never use.
TensorFlow is imported here, on first use, and nowhere in the core.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

import numpy as np

from tensorboard.compat.proto import types_pb2

from freezer.errors import CheckpointError
from freezer.variables import Variable


def import_tensorflow():
    """TensorFlow, imported quietly; without it, the one-line error that says how to install it."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TF errors become exceptions; its log lines only add noise
    try:
        with _native_stderr_silenced():
            import tensorflow as tf
    except ImportError:
        raise CheckpointError("The session engine needs TensorFlow; install it with "
                              "pip install 'tf-freezer[tf]'.") from None
    return tf


@contextlib.contextmanager
def _native_stderr_silenced():
    """Hide what TF's C++ start-up writes to fd 2 (absl prints it before honouring any log level)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class SessionCheckpoint:
    def __init__(self, prefix: str):
        self._prefix = prefix
        self._tf = import_tensorflow()

    def contents(self) -> dict[str, tuple[int, tuple[int, ...]]]:
        """Checkpoint key → (dtype enum, shape), as TensorFlow's CheckpointReader lists them."""
        tf = self._tf
        try:
            reader = tf.train.load_checkpoint(self._prefix)
            shapes = reader.get_variable_to_shape_map()
            dtypes = reader.get_variable_to_dtype_map()
        except (tf.errors.OpError, ValueError) as error:
            raise CheckpointError(_describe_failure(self._prefix, error)) from None
        return {key: (dtypes[key].as_datatype_enum, tuple(shape)) for key, shape in shapes.items()}

    def read_all(self, variables: list[Variable], on_read: Callable[[Variable], None]) -> dict[str, np.ndarray]:
        """Restore every variable's key (and slice) with one RestoreV2 op."""
        if not variables:
            return {}
        tf = self._tf
        graph = tf.Graph()
        with graph.as_default():
            restored = tf.raw_ops.RestoreV2(
                prefix=self._prefix,
                tensor_names=[v.key for v in variables],
                shape_and_slices=[v.slice_spec for v in variables],
                dtypes=[tf.dtypes.as_dtype(v.dtype) for v in variables])
        try:
            with tf.compat.v1.Session(graph=graph) as session:
                values = session.run(restored)
        except tf.errors.OpError as error:
            raise CheckpointError(_describe_failure(self._prefix, error)) from None
        for variable in variables:  # all at once: one op restores them
            on_read(variable)
        return {variable.name: _as_array(value, variable) for variable, value in zip(variables, values)}


    def read_after_init_ops(self, variables: list[Variable], graph_def, restorable: list[Variable],
                            init_ops: list[str]) -> dict[str, np.ndarray]:
        """Import the graph, restore `restorable` into its variables, run `init_ops`, then read."""
        tf = self._tf
        graph = tf.Graph()
        with graph.as_default():
            tf.import_graph_def(without_devices(tf, graph_def), name="")
            restored = tf.raw_ops.RestoreV2(
                prefix=self._prefix, tensor_names=[v.key for v in restorable],
                shape_and_slices=[v.slice_spec for v in restorable],
                dtypes=[tf.dtypes.as_dtype(v.dtype) for v in restorable])
            assigns = [_assign(tf, graph, v, value) for v, value in zip(restorable, restored)]
            reads = {v.name: _read(tf, graph, v) for v in variables}
        try:
            with tf.compat.v1.Session(graph=graph) as session:
                session.run(assigns)
                session.run(init_ops)
                values = session.run(reads)
                return {variable.name: _as_array(values[variable.name], variable) for variable in variables}
        except tf.errors.OpError as error:
            raise CheckpointError(f"Running --init-op {', '.join(init_ops)} failed: "
                                  f"{' '.join(error.message.split())}") from None


def _as_array(value, variable: Variable) -> np.ndarray:
    """Session results as the engines' contract has them: strings as object arrays of bytes (a
    scalar string comes back as plain `bytes`)."""
    return np.asarray(value, dtype=object if variable.dtype == types_pb2.DT_STRING else None)


def without_devices(tf, graph_def):
    """A TF GraphDef of ours without devices: `/job:ps` placements name no device here."""
    copy = tf.compat.v1.GraphDef.FromString(graph_def.SerializeToString())
    for node in copy.node:
        node.device = ""
    return copy


def _assign(tf, graph, variable: Variable, value):
    handle = graph.get_tensor_by_name(variable.name + ":0")
    if handle.dtype == tf.resource:
        return tf.raw_ops.AssignVariableOp(resource=handle, value=value)
    return tf.raw_ops.Assign(ref=handle, value=value, validate_shape=False)


def _read(tf, graph, variable: Variable):
    handle = graph.get_tensor_by_name(variable.name + ":0")
    if handle.dtype == tf.resource:
        return tf.raw_ops.ReadVariableOp(resource=handle, dtype=tf.dtypes.as_dtype(variable.dtype))
    return tf.identity(handle)


def open_checkpoint(prefix: str) -> SessionCheckpoint:
    return SessionCheckpoint(prefix)


def _describe_failure(prefix: str, error: Exception) -> str:
    text = (getattr(error, "message", None) or str(error)).replace("Graph execution error:", "")
    # TF appends where in its own Python the failing op was built; the first lines say what failed.
    detail = " ".join(text.split("Detected at node")[0].split())[:400]
    return (f"Cannot read checkpoint {prefix}: {detail.rstrip('.')}. "
            "The checkpoint files may be corrupt or truncated; save the checkpoint again.")
