"""Paths and notebook makers shared by the notebook tests (a unique module name, so it
never clashes with another test folder's helpers when the whole suite is collected)."""

from __future__ import annotations

from pathlib import Path

import nbformat
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
