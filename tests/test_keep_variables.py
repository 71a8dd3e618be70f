"""--keep-variables, --only-variables and --init-op, as TensorFlow's freeze_graph offers them."""

import numpy as np
import pytest
from tensorboard.compat.proto import types_pb2

import freezer
from cli_runs import freeze
from freezer.errors import OptionError
from freezer.tensors import make_tensor_proto
from fixture_models import load_fixture
from graphs import graph, node, variable

tf = pytest.importorskip("tensorflow")


@pytest.fixture
def mlp_ref():
    """The committed mlp_ref fixture, read-only (conftest.py's `mlp` is a copy to change)."""
    return load_fixture("mlp_ref")


def test_kept_variable_stays_a_variable_with_its_initializer(mlp_ref, tmp_path):
    result = freezer.freeze_files(mlp_ref.graph, mlp_ref.checkpoint, outputs="y", output=tmp_path / "f.pb",
                                  keep_variables=["layer2/w"])
    ops = {node.name: node.op for node in result.graph_def.node}
    assert ops["layer2/w"] == "VariableV2" and ops["layer2/w/Assign"] == "Assign"
    assert ops["layer2/b"] == "Const" and len(result.variables) == 5
    assert result.init_op == "freezer/init"  # the graph's own `init` also initializes frozen variables
    assert "Run 'freezer/init' once before the outputs: it initializes the kept variables (layer2/w)." in result.notes
    # The kept variable is live: initialize it, load the trained value, and the outputs are the original's.
    trained = tf.train.load_checkpoint(str(mlp_ref.checkpoint)).get_tensor("layer2/w")
    with tf.Graph().as_default() as graph:
        tf.import_graph_def(tf.compat.v1.GraphDef.FromString(result.output_path.read_bytes()), name="")
        load = tf.raw_ops.Assign(ref=graph.get_tensor_by_name("layer2/w:0"), value=trained)
        with tf.compat.v1.Session() as session:
            session.run(result.init_op)
            session.run(load)
            actual = session.run("y:0", mlp_ref.inputs)
    np.testing.assert_allclose(actual, mlp_ref.expected["y:0"], rtol=1e-6)


def test_only_variables_freezes_just_those(mlp_ref, tmp_path):
    result = freezer.freeze_files(mlp_ref.graph, mlp_ref.checkpoint, outputs="y", output=tmp_path / "f.pb",
                                  only_variables=["layer0/w", "layer0/b"])
    assert sorted(v.name for v in result.variables) == ["layer0/b", "layer0/w"]
    kept = sorted(node.name for node in result.graph_def.node if node.op == "VariableV2")
    assert kept == ["layer1/b", "layer1/w", "layer2/b", "layer2/w"]


def test_unknown_kept_variable(mlp_ref):
    with pytest.raises(OptionError, match="--keep-variables layer2/ww: no variable 'layer2/ww' in the graph; give variable node "
                                          "names as the graph has them. "
                                          "Did you mean: layer2/w"):
        freezer.freeze_files(mlp_ref.graph, mlp_ref.checkpoint, outputs="y", keep_variables=["layer2/ww"])


def test_cli_takes_comma_lists(mlp_ref, tmp_path):
    done = freeze(*mlp_ref.cli_args(), "-o", tmp_path / "f.pb", "--only-variables", "layer0/w, layer0/b")
    assert done.exit_code == 0, done.output
    assert "\nFroze 2 variable(s)" in done.stdout


@pytest.fixture(scope="module")
def doubling_model(tmp_path_factory):
    """y = 3 * v, and an op `double_v` that assigns 2 * v to v."""
    folder = tmp_path_factory.mktemp("init_op")
    with tf.Graph().as_default() as graph:
        v = tf.compat.v1.get_variable("v", [2], initializer=tf.compat.v1.constant_initializer([1.5, -2.0]),
                                      use_resource=True)
        tf.compat.v1.assign(v, v * 2, name="double_v")
        tf.multiply(v.read_value(), 3.0, name="y")
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, str(folder / "ckpt" / "model"))
    (folder / "model.pb").write_bytes(graph.as_graph_def().SerializeToString())
    return folder


def test_init_op_runs_before_values_are_read(doubling_model, tmp_path):
    result = freezer.freeze_files(doubling_model / "model.pb", doubling_model / "ckpt", outputs="y",
                                  output=tmp_path / "f.pb", init_ops=["double_v"], engine="session")
    with tf.Graph().as_default(), tf.compat.v1.Session() as session:
        tf.import_graph_def(tf.compat.v1.GraphDef.FromString(result.output_path.read_bytes()), name="")
        np.testing.assert_allclose(session.run("y:0"), [9.0, -12.0])


def test_init_op_needs_the_session_engine(doubling_model):
    with pytest.raises(OptionError, match="--init-op runs ops of the graph, which needs TensorFlow; "
                                          "add --engine session."):
        freezer.freeze_files(doubling_model / "model.pb", doubling_model / "ckpt", outputs="y",
                             init_ops=["double_v"])


def test_unknown_init_op(doubling_model):
    with pytest.raises(OptionError, match="--init-op double: no op 'double' in the graph; give op names as the graph has them. "
                                          "Did you mean: double_v"):
        freezer.freeze_files(doubling_model / "model.pb", doubling_model / "ckpt", outputs="y",
                             init_ops=["double"], engine="session")


def test_empty_or_contradicting_lists(mlp_ref):
    with pytest.raises(OptionError, match="--only-variables names no variable"):
        freezer.freeze_files(mlp_ref.graph, mlp_ref.checkpoint, outputs="y", only_variables=[])
    with pytest.raises(OptionError, match="layer0/w is both kept .* and frozen"):
        freezer.freeze_files(mlp_ref.graph, mlp_ref.checkpoint, outputs="y", keep_variables=["layer0/w"],
                             only_variables=["layer0/w"])


def _updated_in_place(folder, use_resource: bool):
    """TensorFlow's convert_to_constants case: `v` (1.0) is kept, and the output first runs
    `v.assign(other + v)` with `other` (2.0) frozen. Writes model.pbtxt, model.meta and ckpt/;
    returns what TensorFlow gives for two runs of `out` after `v.initializer`."""
    with tf.Graph().as_default() as graph:
        v = tf.compat.v1.Variable(1.0, name="v", use_resource=use_resource)
        other = tf.compat.v1.Variable(2.0, name="other", use_resource=use_resource)
        update = v.assign(other + v)
        with tf.control_dependencies([update]):
            tf.identity(v.read_value(), name="out")
        saver = tf.compat.v1.train.Saver()
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            saver.save(session, str(folder / "ckpt" / "model"))
            session.run(v.initializer)
            expected = [session.run("out:0") for _ in range(2)]
        tf.io.write_graph(graph.as_graph_def(), str(folder), "model.pbtxt")
        saver.export_meta_graph(str(folder / "model.meta"))
    return expected


def _run_twice_after_init(path, init_op: str) -> list:
    with tf.Graph().as_default():
        tf.import_graph_def(tf.compat.v1.GraphDef.FromString(path.read_bytes()), name="")
        with tf.compat.v1.Session() as session:
            session.run(init_op)
            return [session.run("out:0") for _ in range(2)]


@pytest.mark.parametrize("use_resource", [True, False], ids=["resource", "ref"])
@pytest.mark.parametrize("graph_file", ["model.pbtxt", "model.meta"])
def test_kept_variable_updated_by_the_graph_gets_only_its_initializer(tmp_path, use_resource, graph_file):
    expected = _updated_in_place(tmp_path, use_resource)
    assert expected == [3.0, 5.0]
    result = freezer.freeze_files(tmp_path / graph_file, tmp_path / "ckpt", outputs="out",
                                  output=tmp_path / "f.pb", keep_variables=["v"])
    init = next(node for node in result.graph_def.node if node.name == result.init_op)
    assert list(init.input) == ["^v/Assign"]
    assert _run_twice_after_init(result.output_path, result.init_op) == expected


def _assigned_twice():
    """`v` assigned from two constants, neither named `v/Assign`: which one initializes it?"""
    consts = []
    for name, value in (("one", 1.0), ("two", 2.0)):
        const = node(name, "Const", dtype=types_pb2.DT_FLOAT)
        const.attr["value"].tensor.CopyFrom(make_tensor_proto(np.array(value, np.float32), types_pb2.DT_FLOAT))
        consts.append(const)
    return graph(variable("v", shape=()), *consts,
                 node("set_one", "Assign", "v", "one", T=types_pb2.DT_FLOAT),
                 node("set_two", "Assign", "v", "two", T=types_pb2.DT_FLOAT),
                 node("v/read", "Identity", "v", T=types_pb2.DT_FLOAT),
                 node("out", "Identity", "v/read", T=types_pb2.DT_FLOAT))


def test_kept_variable_with_two_candidate_initializers_is_an_error_naming_them():
    with pytest.raises(OptionError, match=r"^Variable v is kept but its initializer is ambiguous: set_one, "
                                          r"set_two assign it; name the one that gives its initial value with "
                                          r"--init-op, e.g. --init-op set_one\.$"):
        freezer.freeze(_assigned_twice(), None, outputs="out", keep_variables=["v"])


def test_init_op_chooses_a_kept_variables_initializer_without_tensorflow():
    result = freezer.freeze(_assigned_twice(), None, outputs="out", keep_variables=["v"], init_ops=["set_two"])
    init = next(node for node in result.graph_def.node if node.name == result.init_op)
    assert list(init.input) == ["^set_two"]
    assert "set_one" not in {node.name for node in result.graph_def.node}


def test_kept_variable_without_an_initializer_is_an_error():
    bare = graph(variable("v", shape=()), node("out", "Identity", "v", T=types_pb2.DT_FLOAT))
    with pytest.raises(OptionError, match=r"^Variable v is kept .* no op in the graph assigns it an initial value"):
        freezer.freeze(bare, None, outputs="out", keep_variables=["v"])
