"""Every dtype TensorFlow saves, scalar and N-D, frozen byte-exactly by both engines (SCENARIOS 21)."""

import shutil

import numpy as np
import pytest

import freezer
from fixture_models import run_frozen

tf = pytest.importorskip("tensorflow")

DTYPES = ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool",
          "float16", "bfloat16", "float32", "float64", "complex64", "complex128", "string"]


def sample(dtype: str, shape, rng):
    if dtype == "string":
        return np.array([b"", b"\xff\x00raw", "ünï".encode(), b"x" * 300][: int(np.prod(shape))], dtype=object).reshape(shape)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.startswith("complex"):
        return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(dtype)
    if dtype.startswith(("float", "bfloat")):
        return (rng.normal(size=shape) * 100).astype(tf.as_dtype(dtype).as_numpy_dtype)
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


@pytest.fixture(scope="module")
def all_dtypes(tmp_path_factory):
    """A ref variable per dtype and shape (scalar and 2x2), each read by an output `<name>_out`."""
    folder = tmp_path_factory.mktemp("dtypes")
    rng = np.random.default_rng(5)
    values = {}
    with tf.Graph().as_default() as graph:
        for dtype in DTYPES:
            for shape, suffix in (((), "scalar"), ((2, 2), "matrix")):
                name = f"{dtype}_{suffix}"
                values[name] = sample(dtype, shape, rng)
                variable = tf.compat.v1.Variable(values[name], name=name, use_resource=dtype != "int8")
                tf.identity(variable.read_value() if dtype != "int8" else variable, name=f"{name}_out")
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, str(folder / "ckpt" / "model"))
    (folder / "model.pb").write_bytes(graph.as_graph_def().SerializeToString())
    return folder, values


@pytest.mark.parametrize("engine", ["native", "session"])
def test_every_dtype_is_frozen_exactly(all_dtypes, engine, tmp_path):
    folder, values = all_dtypes
    outputs = [f"{name}_out" for name in values]
    result = freezer.freeze_files(folder / "model.pb", folder / "ckpt", outputs=outputs,
                                  output=tmp_path / "frozen.pb", engine=engine)
    actual = run_frozen(result.output_path, {}, [f"{name}:0" for name in outputs])
    for name, want in values.items():
        got = np.asarray(actual[f"{name}_out:0"], dtype=object if want.dtype == object else None)
        assert got.dtype == want.dtype and got.shape == want.shape, name
        assert got.tobytes() == want.tobytes() if want.dtype != object else got.tolist() == want.tolist(), name


def test_both_engines_write_the_same_bytes(all_dtypes, tmp_path):
    folder, values = all_dtypes
    outputs = [f"{name}_out" for name in values]
    native, session = (freezer.freeze_files(folder / "model.pb", folder / "ckpt", outputs=outputs,
                                            output=tmp_path / f"{engine}.pb", engine=engine)
                       for engine in ("native", "session"))
    assert native.output_path.read_bytes() == session.output_path.read_bytes()


@pytest.mark.skipif(shutil.which("g++") is None, reason="g++ is needed to build the C++ loader")
def test_cpp_reads_the_same_values(all_dtypes, tmp_path):
    from cpp_loader import run_graph_in_cpp
    folder, values = all_dtypes
    names = [name for name in values if not name.startswith(("bfloat16", "uint32", "uint64"))]
    result = freezer.freeze_files(folder / "model.pb", folder / "ckpt", outputs=[f"{n}_out" for n in names],
                                  output=tmp_path / "frozen.pb")
    in_cpp = run_graph_in_cpp(result.output_path, {}, [f"{n}_out:0" for n in names])
    for name in names:
        want = values[name]
        got = np.asarray(in_cpp[f"{name}_out:0"], dtype=object if want.dtype == object else None)
        assert (got.tolist() == want.tolist()) if want.dtype == object else got.tobytes() == want.tobytes(), name
