"""The checks of a frozen graph, each given the one defect it exists to catch."""

import re

import numpy as np
import pytest
from tensorboard.compat.proto import attr_value_pb2, types_pb2

from freezer import check
from freezer.graph import GraphIndex
from freezer.errors import CheckError
from freezer.io.frozen import FrozenGraph
from freezer.passes.rewrite import value_tensor
from graphs import const, graph, node, variable


def test_clean_graph_passes():
    check.check_frozen(FrozenGraph(graph(const("a", [1.0]), node("y", "Identity", "a", T=types_pb2.DT_FLOAT))))


def test_duplicate_names():
    with pytest.raises(CheckError, match="more than once: a"):
        check.check_unique_names(GraphIndex(graph(node("a", "NoOp"), node("a", "NoOp"))))


@pytest.mark.parametrize("name", ["x:1", "^x", "a/b:0"])
def test_a_node_name_that_reads_as_a_tensor_name(name):
    """An entry naming such a node means another node's port (or a control input) to TensorFlow."""
    with pytest.raises(CheckError, match="has a ':' or starts with '\\^'"):
        check.check_names_are_not_tensor_names(GraphIndex(graph(node("x", "NoOp"), node(name, "NoOp"),
                                                                node("y", "Identity", name))))


def test_a_caret_inside_a_name_passes():
    """The quick scan joins the names with newlines: a name holding "\\n^" must not be taken for one
    starting with '^'."""
    check.check_names_are_not_tensor_names(GraphIndex(graph(node("a\n^b", "NoOp"), node("b", "NoOp"))))


def test_dangling_input():
    with pytest.raises(CheckError, match="Node y takes input 'gone:1', which is not in the graph"):
        check.check_inputs_resolve(GraphIndex(graph(node("y", "Identity", "gone:1"))))


def test_dangling_control_input():
    with pytest.raises(CheckError, match="'\\^gone'"):
        check.check_inputs_resolve(GraphIndex(graph(node("y", "NoOp", "^gone"))))


@pytest.mark.parametrize("nodes, error", [
    ([node("y", "Identity", "gone")], "Node y takes input 'gone', which is not in the graph"),
    ([node("x", "NoOp"), node("y", "Identity", "^x", "x")], "takes the data input 'x' after a control input"),
    ([node("x", "NoOp"), node("y", "Identity", "x:99999999999")], "whose port is out of range"),
    ([node("a", "Identity", "b"), node("b", "Identity", "a")], "The graph has a cycle through a, b"),
    ([node("y", "Identity", "x"), node("x", "Placeholder")], None),  # out of order, and fine
])
def test_the_whole_check_still_finds_what_the_plain_shortcut_does_not_vouch_for(nodes, error):
    """check_graph skips the input and cycle checks when every entry names an earlier node as it
    is; anything else gets both."""
    if error is None:
        check.check_graph(GraphIndex(graph(*nodes)))
        return
    with pytest.raises(CheckError, match=re.escape(error)):
        check.check_graph(GraphIndex(graph(*nodes)))


def test_variable_left():
    with pytest.raises(CheckError, match=r"v \(VariableV2\)"):
        check.check_no_training_ops(GraphIndex(graph(variable("v"))))


def test_assign_left():
    with pytest.raises(CheckError, match=r"a \(AssignSub\)"):
        check.check_no_training_ops(GraphIndex(graph(node("a", "AssignSub"))))


def test_ref_type_left():
    with pytest.raises(CheckError, match="s \\(RefSwitch\\) still has a reference type in attr 'T'"):
        check.check_no_ref_types(GraphIndex(graph(node("s", "RefSwitch", T=types_pb2.DT_FLOAT_REF))))


def test_resource_op_fed_a_const():
    g = graph(const("w", [1.0]), node("r", "ResourceGather", "w", "i", dtype=types_pb2.DT_FLOAT,
                                       Tindices=types_pb2.DT_INT32), const("i", [0], types_pb2.DT_INT32))
    g.node[1].attr["dtype"].type = types_pb2.DT_RESOURCE  # an op typed on a resource
    with pytest.raises(CheckError, match="fed the frozen variable w"):
        check.check_no_folded_resources(GraphIndex(g))


def test_size_limit_names_largest_constants(monkeypatch):
    monkeypatch.setattr(check, "PROTO_LIMIT", 100)
    big = const("big", [0.0] * 64)
    with pytest.raises(CheckError) as error:
        check.check_size(FrozenGraph(graph(big, const("small", [0.0]))))
    assert str(error.value) == ("The frozen graph would be 0.0 MiB, over protobuf's 2 GiB limit; largest constants: "
                                "big (float [64], 0.0 MiB), small (float [1], 0.0 MiB); choose outputs that need "
                                "fewer of them.")


def deferred_consts(values: dict[str, np.ndarray]) -> FrozenGraph:
    """A frozen graph whose Consts hold `values` as the freeze leaves them: waiting for the writer."""
    deferred = {}
    consts = [node(name, "Const", dtype=types_pb2.DT_FLOAT, value=attr_value_pb2.AttrValue(
        tensor=value_tensor(name, value, types_pb2.DT_FLOAT, deferred))) for name, value in values.items()]
    return FrozenGraph(graph(*consts, const("small", [0.0])), deferred)


def mebibytes(count: int, value: float = 0.5) -> np.ndarray:
    return np.full(count * 2**18, value, np.float32)


def test_size_limit_counts_deferred_values(monkeypatch):
    monkeypatch.setattr(check, "PROTO_LIMIT", 2**20)
    with pytest.raises(CheckError, match=r"largest constants: big \(float \[524288\], 2.0 MiB\), small"):
        check.check_size(deferred_consts({"big": mebibytes(2)}))


def test_size_limit_names_the_five_largest_and_suggests_half_weights_when_they_would_fit(monkeypatch):
    monkeypatch.setattr(check, "PROTO_LIMIT", 16 * 2**20)
    with pytest.raises(CheckError) as error:
        check.check_size(deferred_consts({f"c{k}": mebibytes(k) for k in range(1, 7)}))
    assert str(error.value) == (
        "The frozen graph would be 21.0 MiB, over protobuf's 2 GiB limit; largest constants: "
        "c6 (float [1572864], 6.0 MiB), c5 (float [1310720], 5.0 MiB), c4 (float [1048576], 4.0 MiB), "
        "c3 (float [786432], 3.0 MiB), c2 (float [524288], 2.0 MiB); with --weights float16 (float32 constants "
        "stored as half) it would be about 10.5 MiB and fit.")


def test_size_limit_suggests_nothing_half_weights_would_not_fix(monkeypatch):
    monkeypatch.setattr(check, "PROTO_LIMIT", 8 * 2**20)  # halved, 10.5 MiB would still be too much
    with pytest.raises(CheckError, match="2.0 MiB\\); choose outputs that need fewer of them.$"):
        check.check_size(deferred_consts({f"c{k}": mebibytes(k) for k in range(1, 7)}))


def test_size_limit_counts_only_constants_half_weights_would_halve(monkeypatch):
    """Values beyond float16's range stay float32: 13.5 MiB halved, not 10.5."""
    monkeypatch.setattr(check, "PROTO_LIMIT", 13 * 2**20)
    values = {f"c{k}": mebibytes(k) for k in range(1, 6)} | {"c6": mebibytes(6, value=1e5)}
    with pytest.raises(CheckError, match="; choose outputs that need fewer of them.$"):
        check.check_size(deferred_consts(values))
    values["c6"] = mebibytes(6)  # now it fits float16, and halving everything brings 21 MiB to 10.5
    with pytest.raises(CheckError, match="it would be about 10.5 MiB and fit.$"):
        check.check_size(deferred_consts(values))


def test_library_function_still_reading_a_variable():
    g = graph(const("a", [1.0]))
    function = g.library.function.add()
    function.signature.name = "body"
    function.node_def.add(name="read", op="ReadVariableOp")
    with pytest.raises(CheckError, match=r"Function body still uses a variable: node read \(ReadVariableOp\)"):
        check.check_library_has_no_variables(g)


def test_a_call_taking_a_live_resource_and_an_ordinary_constant_passes():
    """While(loop counter Const, table handle): only the resource argument is a handle."""
    g = graph(const("counter", [0], types_pb2.DT_INT32), node("table", "HashTableV2"),
              node("loop", "While", "counter", "table"))
    g.node[2].attr["T"].list.type.extend([types_pb2.DT_INT32, types_pb2.DT_RESOURCE])
    check.check_no_folded_resources(GraphIndex(g))


def test_a_call_fed_a_folded_variable_as_its_resource_argument_fails():
    g = graph(const("x", [0.0]), const("w", [1.0]), node("call", "StatefulPartitionedCall", "x", "w"))
    g.node[2].attr["Tin"].list.type.extend([types_pb2.DT_FLOAT, types_pb2.DT_RESOURCE])
    with pytest.raises(CheckError, match="call \\(StatefulPartitionedCall\\) expects a variable's handle .* w"):
        check.check_no_folded_resources(GraphIndex(g))


def test_a_cycle_outside_a_while_loop():
    g = graph(node("a", "Add", "b", "x"), node("b", "Relu", "a"), node("x", "Placeholder"))
    with pytest.raises(CheckError, match="cycle through a, b that is not a while loop"):
        check.check_acyclic(GraphIndex(g))


def test_an_input_read_twice_is_waited_for_once_per_entry():
    g = graph(node("x", "Placeholder"), node("square", "Mul", "x", "x:0"), node("y", "Add", "square", "square", "^x"))
    check.check_acyclic(GraphIndex(g))
    g.node.append(node("loop", "Add", "loop", "loop:0"))  # reads itself, twice
    with pytest.raises(CheckError, match="cycle through loop that is not a while loop"):
        check.check_acyclic(GraphIndex(g))


def test_a_while_loop_cycle_is_fine():
    g = graph(node("x", "Placeholder"), node("enter", "Enter", "x"), node("merge", "Merge", "enter", "next"),
              node("body", "Identity", "merge"), node("next", "NextIteration", "body"))
    check.check_acyclic(GraphIndex(g))


@pytest.mark.parametrize("seed", range(200))
def test_the_quick_cycle_walk_agrees_with_kahns_algorithm(seed):
    """check_acyclic asks a depth-first walk first and Kahn's algorithm only to name a cycle: both
    must see the same cycles, back edges out of a NextIteration left out, on any graph."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 12))
    names = [f"n{i}" for i in range(size)]
    ops = ["NextIteration" if rng.random() < 0.15 else "Identity" for _ in names]
    nodes = []
    for at, (name, op) in enumerate(zip(names, ops)):
        # Half the graphs read only earlier nodes and back edges, as TensorFlow writes them.
        sources = names if seed % 2 else names[:at] + [n for n, o in zip(names, ops) if o == "NextIteration"]
        sources = sources or [name]
        inputs = [str(rng.choice(sources)) + (":1" if rng.random() < 0.2 else "") for _ in range(rng.integers(0, 3))]
        inputs += ["^" + str(rng.choice(sources)) for _ in range(rng.integers(0, 2))]
        nodes.append(node(name, op, *inputs))
    index = GraphIndex(graph(*nodes))
    assert check._has_cycle(index) == bool(check._unordered(index))
    assert not (check._inputs_come_first(index) and check._has_cycle(index))  # the shortcut before both


def test_a_graph_out_of_order_without_a_cycle_is_fine():
    g = graph(node("y", "Mul", "x", "c:0", "^init"), node("c", "Const"), node("x", "Placeholder"), node("init", "NoOp"))
    index = GraphIndex(g)
    assert not check._inputs_come_first(index)
    check.check_acyclic(index)


@pytest.mark.parametrize("nodes, in_order", [
    ([node("x", "Placeholder"), node("y", "Identity", "x"), node("z", "AddN", "y", "x")], True),
    ([node("y", "Identity", "x"), node("x", "Placeholder")], False),  # reads a later node
    ([node("x", "Placeholder"), node("y", "Identity", "x:0")], False),  # not a name as it is: the loop decides
    ([node("x", "Placeholder"), node("y", "Identity", "^x")], False),
    ([node("x", "Placeholder"), node("y", "Identity", "gone")], False),
    ([node("x", "Identity", "x")], False),  # reads itself
])
def test_the_shortcut_for_plain_entries_in_order(nodes, in_order):
    """Most graphs name each input's node as it is, before its reader: told without a loop in
    Python. Anything else is left to the loop, which knows ports, controls and back edges."""
    index = GraphIndex(graph(*nodes))
    assert check._plain_entries_come_first(index.nodes.positions, index.entries.values()) == in_order


def test_ordered_inputs_with_ports_and_controls_need_no_walk():
    index = GraphIndex(graph(node("x", "Placeholder"), node("init", "NoOp"), node("y", "Split", "x:0"),
                             node("z", "AddN", "y:1", "x", "^init")))
    assert check._inputs_come_first(index)


def test_the_in_memory_freeze_checks_the_size_too(monkeypatch):
    """A freeze checks the size after its passes, once their index is gone: `freezer.freeze()`,
    which writes nothing, must still refuse a graph over the limit."""
    import freezer
    monkeypatch.setattr(check, "PROTO_LIMIT", 100)
    big = graph(const("big", [0.0] * 64), node("y", "Identity", "big", T=types_pb2.DT_FLOAT))
    with pytest.raises(CheckError, match=r"over protobuf's 2 GiB limit; largest constants: big \(float \[64\]"):
        freezer.freeze(big, None, outputs=["y"])
    monkeypatch.setattr(check, "PROTO_LIMIT", 1000)
    assert freezer.freeze(big, None, outputs=["y"]).nodes_after == 2
