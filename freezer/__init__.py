"""freezer: freeze TensorFlow graphs without TensorFlow's freeze_graph.

A GraphDef or MetaGraphDef plus a checkpoint in; one standalone GraphDef out, in which every
variable the outputs need is a Const and everything else is pruned. Importing this package never
imports TensorFlow.
"""

from freezer.api import FreezeResult, freeze, freeze_files
from freezer.errors import FreezerError

__all__ = ["FreezeResult", "FreezerError", "freeze", "freeze_files"]
__version__ = "0.1.0"
