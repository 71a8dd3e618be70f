"""Names inside a FunctionDef.

A function body names tensors differently from a GraphDef: an input entry is `arg` (a function
argument, by name), `node:output_arg:index` (element `index` of the node's output list
`output_arg`, e.g. `read:value:0`) or `^node` (a control input); `ret` maps each output argument
to one of the first two forms. A GraphDef writes `node:port` instead (see `freezer.graph`).
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class FunctionInput:
    """One input entry (or `ret` value) of a function body, parsed."""

    node: str  # a node's name, or an argument's when `output` is None
    output: str | None = None  # the node's output argument; None for a function argument
    index: int = 0
    control: bool = False

    @property
    def is_argument(self) -> bool:
        return self.output is None and not self.control

    def __str__(self) -> str:
        if self.control:
            return f"^{self.node}"
        return self.node if self.output is None else f"{self.node}:{self.output}:{self.index}"


def parse_function_input(name: str) -> FunctionInput:
    """Parse `arg`, `node:output_arg:index`, `node:output_arg` (index 0) or `^node`."""
    if name.startswith("^"):
        return FunctionInput(name[1:], control=True)
    parts = name.split(":")
    if len(parts) == 1:
        return FunctionInput(name)
    if len(parts) == 2:
        return FunctionInput(parts[0], parts[1])
    if len(parts) == 3 and parts[2].isdigit():
        return FunctionInput(parts[0], parts[1], int(parts[2]))
    raise ValueError(f"{name!r} is not a function input name (arg, node:output:index or ^node)")

