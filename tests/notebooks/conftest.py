"""Fixtures for the notebook tests: the project's paths and small notebooks made on the fly."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat import v4

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "solutions" / "notebook" / "Dropout.toml"


def make_notebook(path: Path, *cells) -> Path:
    """Write a notebook whose cells are ("code"|"markdown", source[, metadata])."""
    nb = v4.new_notebook()
    for i, (kind, source, *meta) in enumerate(cells):
        maker = v4.new_code_cell if kind == "code" else v4.new_markdown_cell
        nb.cells.append(maker(source, id=f"c{i}", metadata=meta[0] if meta else {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


@pytest.fixture
def notebook_factory(tmp_path):
    def factory(name: str, *cells) -> Path:
        return make_notebook(tmp_path / name, *cells)
    return factory
