"""What a MetaGraphDef says beyond its GraphDef: each variable's initializer.

TensorFlow records every variable it created as a `VariableDef` in the graph's variable collections;
`initializer_name` is the op `global_variables_initializer` runs for it. That answer beats any guess
made from the graph's shape (a graph may assign a variable in several places).
"""

from __future__ import annotations

from pathlib import Path

from google.protobuf import message
from tensorboard.compat.proto import meta_graph_pb2, variable_pb2

from freezer.errors import GraphError
from freezer.graph import parse_input

# tf.compat.v1.GraphKeys that hold VariableDefs (a variable may sit in several of them).
VARIABLE_COLLECTIONS = ("variables", "local_variables", "model_variables", "trainable_variables",
                        "moving_average_variables", "metric_variables")


def declared_initializers(meta: meta_graph_pb2.MetaGraphDef, path: Path) -> dict[str, str]:
    """Variable node name → the name of the op that initializes it, from the variable collections."""
    initializers: dict[str, str] = {}
    for collection in VARIABLE_COLLECTIONS:
        if collection not in meta.collection_def:
            continue
        for serialized in meta.collection_def[collection].bytes_list.value:
            variable = variable_pb2.VariableDef()
            try:
                variable.ParseFromString(serialized)
            except message.DecodeError:
                raise GraphError(f"{path}: the {collection!r} collection holds a corrupt VariableDef; "
                                 "re-export the MetaGraphDef with TensorFlow.") from None
            if variable.variable_name and variable.initializer_name:
                initializers[parse_input(variable.variable_name).node] = variable.initializer_name
    return initializers
