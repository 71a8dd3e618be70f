"""Fixtures shared by several test files.

Plain helpers are imported from the modules beside this one: `graphs` (tiny GraphDefs built in
code), `fixture_models` (the committed fixtures and TensorFlow runs of graphs), `cli_runs` (the
CLI in this process), `hostile` (the CLI or any command in a child under time and memory limits),
`checkpoint_files` (checkpoint bytes written or damaged by hand) and `cpp_loader` (graphs run in C++).
"""

import shutil
from pathlib import Path

import pytest

from fixture_models import FIXTURES


@pytest.fixture
def mlp(tmp_path) -> Path:
    """A copy of the mlp_ref fixture, to change at will: model.pbtxt, ckpt/model-0.* and its state file."""
    folder = tmp_path / "mlp"
    shutil.copytree(FIXTURES / "mlp_ref", folder)
    return folder


@pytest.fixture(scope="session")
def tf():
    """TensorFlow, for the tests that compare with it; they are skipped where it is not installed."""
    return pytest.importorskip("tensorflow")
