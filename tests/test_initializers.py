"""Which op a frozen graph's consumer runs once: the graph's own group op, or one freezer adds."""

from freezer.graph import GraphIndex
from freezer.initializers import ensure_init_op, table_initializers
from graphs import graph, node


def tables_graph():
    return graph(node("t1", "HashTableV2"), node("t2", "HashTableV2"),
                 node("init_t1", "InitializeTableV2", "t1"), node("init_t2", "InitializeTableV2", "t2"),
                 node("init_all_tables", "NoOp", "^init_t1", "^init_t2"))


def test_the_graphs_group_op_is_reused_when_it_runs_exactly_the_needed_initializers():
    index = GraphIndex(tables_graph())
    assert ensure_init_op(index, table_initializers(index, {"t1", "t2"})) == "init_all_tables"


def test_a_group_op_that_also_fills_unused_tables_is_not_reused():
    g = tables_graph()
    index = GraphIndex(g)
    name = ensure_init_op(index, table_initializers(index, {"t1"}))
    assert name == "freezer/init_all_tables"
    assert list(g.node[-1].input) == ["^init_t1"]
