"""`python -m freezer` behaves like the `freezer` command."""

from freezer.cli import freezer_app

freezer_app(prog_name="python -m freezer")
