"""Engines read variable values out of a checkpoint.

An engine module offers `open_checkpoint(prefix)`, returning a reader with `contents() -> {key:
(dtype, shape)}` and `read_all(variables, on_read) -> {variable name: numpy array}`, calling
`on_read(variable)` as each is read. `freezer.engines.read`
checks the variables against the checkpoint's contents first, so every engine reports a missing
key or a mismatch in the same words.

* `native` (default): reads the checkpoint files itself, without TensorFlow: V2 TensorBundles
  (`freezer.io.bundle`) and V1 single-file checkpoints (`freezer.io.v1_checkpoint`).
* `session`: TensorFlow restores the keys in a v1 Session; the reference behaviour.

When the native reader meets a checkpoint it cannot read (a dtype it does not know, a big-endian
bundle) and TensorFlow is installed, the session engine takes over and a note says so.

This package's own module imports nothing, so the CLI can name the engines without loading numpy.
"""

ENGINES = ("native", "session")
DEFAULT_ENGINE = "native"
