"""Build and drive ``tests/cpp/load_and_run.cc``: run a GraphDef with the TF C++ API.

The test suite uses this to prove a frozen ``.pb`` loads and runs in C++, not
just in Python. The loader is compiled once against the headers and shared
libraries shipped in the installed TensorFlow wheel and cached under
``tests/cpp/build/`` keyed by a hash of (source, TF version, compiler, flags).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2

CPP_DIR = Path(__file__).resolve().parent / "cpp"
SOURCE = CPP_DIR / "load_and_run.cc"
BUILD_DIR = CPP_DIR / "build"

# The wheel ships only versioned sonames (no unversioned .so symlink).
_TF_LIBS = ("libtensorflow_cc.so.2", "libtensorflow_framework.so.2")

COMPILE_TIMEOUT = 600  # seconds; a cold build takes ~10 s
RUN_TIMEOUT = 120


def _compiler() -> str:
    cxx = shutil.which(os.environ.get("CXX", "g++"))
    if cxx is None:
        raise RuntimeError("no C++ compiler found (g++ or $CXX)")
    return cxx


def _build_command(cxx: str, output: Path) -> list[str]:
    lib_dir = Path(tf.sysconfig.get_lib())
    libs = [lib_dir / name for name in _TF_LIBS]
    missing = [str(p) for p in libs if not p.exists()]
    if missing:
        raise RuntimeError(f"TensorFlow C++ libraries not found: {missing}")
    # TF headers as -isystem so their many deprecation warnings stay quiet
    # while warnings in our own source remain visible.
    cflags = []
    for flag in tf.sysconfig.get_compile_flags():
        cflags += ["-isystem", flag[2:]] if flag.startswith("-I") else [flag]
    return [
        cxx, *cflags, "-O1", "-Wall", "-Wextra",
        str(SOURCE), "-o", str(output),
        # Without --no-as-needed the linker drops libtensorflow_cc (main uses
        # few of its symbols directly) and the DirectSession factory is never
        # registered: NewSession() then fails at runtime.
        "-Wl,--no-as-needed", *map(str, libs),
        f"-Wl,-rpath,{lib_dir}",
    ]


@functools.lru_cache(maxsize=None)
def build_loader() -> Path:
    """Compile ``load_and_run`` (once per source/TF/flags hash) and return its path."""
    cxx = _compiler()
    probe = _build_command(cxx, Path("OUT"))
    cxx_version = subprocess.run(
        [cxx, "--version"], capture_output=True, text=True, check=True
    ).stdout
    key = hashlib.sha256()
    for part in (SOURCE.read_bytes(), tf.__version__.encode(),
                 cxx_version.encode(), shlex.join(probe).encode()):
        key.update(part)
        key.update(b"\0")
    binary = BUILD_DIR / f"load_and_run-{key.hexdigest()[:16]}"
    if binary.exists():
        return binary

    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    # Build to a unique temp name and rename atomically, so concurrent test
    # processes never see (or run) a half-written binary.
    fd, tmp_name = tempfile.mkstemp(prefix=binary.name + ".", suffix=".tmp", dir=BUILD_DIR)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        cmd = _build_command(cxx, tmp)
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
        if proc.returncode != 0:
            raise RuntimeError(
                f"compiling {SOURCE.name} failed (exit {proc.returncode}):\n"
                f"$ {shlex.join(cmd)}\n{proc.stdout}{proc.stderr}"
            )
        os.replace(tmp, binary)
    finally:
        tmp.unlink(missing_ok=True)
    for stale in BUILD_DIR.glob("load_and_run-*"):  # drop builds of old keys
        if stale != binary and not stale.name.endswith(".tmp"):
            stale.unlink(missing_ok=True)
    return binary


def run_graph_in_cpp(
    graph_path: str | os.PathLike,
    feeds: Mapping[str, np.ndarray],
    fetches: Sequence[str],
    targets: Iterable[str] = (),
    *,
    timeout: float = RUN_TIMEOUT,
) -> dict[str, np.ndarray]:
    """Run a binary GraphDef with the TF C++ API and return ``{fetch: array}``.

    ``feeds`` maps tensor names (``"x:0"`` or ``"x"``) to arrays; ``targets``
    are op names run first in a separate ``Session::Run`` (e.g. table
    initializers). String outputs come back as object arrays of ``bytes``.
    Raises ``RuntimeError`` carrying the loader's stderr if anything fails.
    """
    if isinstance(fetches, str) or isinstance(targets, str):
        raise TypeError("fetches/targets must be sequences of names, not a str")
    binary = build_loader()
    fetches = list(fetches)
    with tempfile.TemporaryDirectory(prefix="load_and_run-") as tmp:
        tmp_dir = Path(tmp)
        out_dir = tmp_dir / "out"
        out_dir.mkdir()
        cmd = [str(binary), str(Path(graph_path)), str(out_dir)]
        for i, (name, value) in enumerate(feeds.items()):
            feed_file = tmp_dir / f"feed_{i}.pb"
            feed_file.write_bytes(tf.make_tensor_proto(value).SerializeToString())
            cmd += ["--feed", f"{name}={feed_file}"]
        for name in fetches:
            cmd += ["--fetch", name]
        for name in targets:
            cmd += ["--target", name]

        env = dict(os.environ)
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")  # hide TF's INFO chatter
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=timeout, env=env)
        except subprocess.TimeoutExpired as e:
            raise RuntimeError(
                f"load_and_run timed out after {timeout}s: {shlex.join(cmd)}\n"
                f"stderr:\n{e.stderr or ''}"
            ) from e
        if proc.returncode != 0:
            raise RuntimeError(
                f"load_and_run failed (exit {proc.returncode}): {shlex.join(cmd)}\n"
                f"stderr:\n{proc.stderr}"
            )

        results: dict[str, np.ndarray] = {}
        for i, name in enumerate(fetches):
            proto = tensor_pb2.TensorProto.FromString((out_dir / f"{i}.pb").read_bytes())
            results[name] = tf.make_ndarray(proto)
        return results
