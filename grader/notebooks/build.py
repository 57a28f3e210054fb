"""Build the student and solution notebooks from the notebook source.

The bytes must depend on the source alone so that ``grader release --check`` can tell a
hand-edited or stale notebook from a fresh build: cell ids are derived from position and
content, there are no outputs, execution counts or timestamps, and the kernel metadata is
fixed rather than copied from whatever interpreter runs the build.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import nbformat
from nbformat import v4

from .source import ANSWER_PROMPT, ANSWER_TAG, QUESTION_TAG, CellSpec, NotebookSource, load_source

VARIANTS = ("student", "solution")
SOURCES = "notebook"  # inside solutions/: one <Name>.toml per notebook the release builds

_METADATA = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                   "name": "python3"},
    "language_info": {"name": "python", "file_extension": ".py",
                      "mimetype": "text/x-python", "pygments_lexer": "ipython3"},
}


def _cell_id(index: int, spec: CellSpec) -> str:
    # The student variant's text is hashed so both versions share ids cell for cell.
    key = f"{index}\0{spec.kind}\0{spec.question}\0{spec.source}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def _answer_text(spec: CellSpec, variant: str) -> str:
    if variant == "solution" and spec.solution:
        return spec.solution
    return ANSWER_PROMPT


def build_notebook(source: NotebookSource, variant: str) -> nbformat.NotebookNode:
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    nb = v4.new_notebook(metadata=dict(_METADATA))
    for index, spec in enumerate(source.cells):
        cell_id = _cell_id(index, spec)
        if spec.kind == "code":
            cell = v4.new_code_cell(spec.source, id=cell_id)
        elif spec.kind == "answer":
            cell = v4.new_markdown_cell(
                _answer_text(spec, variant), id=cell_id,
                # Extraction reads these, never the text, so a student may rewrite the prompt.
                metadata={"tags": [ANSWER_TAG], "question": spec.question, "deletable": False})
        elif spec.kind == "question":
            cell = v4.new_markdown_cell(
                spec.source, id=cell_id,
                metadata={"tags": [QUESTION_TAG], "question": spec.question})
        else:
            cell = v4.new_markdown_cell(spec.source, id=cell_id)
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    """Serialise exactly as Jupyter does (sorted keys, one-space indent, final newline)."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def render(source_path: Path) -> dict[str, tuple[str, str]]:
    """variant -> (file name, notebook text) for the source at ``source_path``."""
    source = load_source(source_path)
    return {variant: (f"{source.name}.ipynb", dumps(build_notebook(source, variant)))
            for variant in VARIANTS}


def _write_if_changed(path: Path, text: str) -> Path:
    data = text.encode("utf-8")
    # Untouched files keep their mtime, so re-running a release is a true no-op.
    if not path.is_file() or path.read_bytes() != data:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return path


def write_notebooks(src_root: Path, dest_root: Path) -> list[Path]:
    """Release step: the student notebooks into ``dest_root``; returns the paths written.

    ``src_root`` is the solutions folder (its ``notebook/*.toml`` are the sources);
    ``dest_root`` is the folder being released. When that folder is the project's own ``assignment/``
    (a real release, not ``--check`` nor ``--out``), the solution notebook beside the
    source is refreshed too, so one ``grader release`` keeps both notebooks current while
    ``--check`` stays free of side effects. The committed solution notebook is compared
    with a fresh build by the test suite. A solutions folder without a notebook source
    releases no notebook, like the other optional steps.
    """
    src_root, dest_root = Path(src_root), Path(dest_root)
    written = []
    for source in notebook_sources(src_root):
        built = render(source)
        name, student = built["student"]
        if dest_root.resolve() == (src_root.parent / "assignment").resolve():
            write_solution_notebook(src_root, source, built)
        written.append(_write_if_changed(dest_root / name, student))
    return written


def notebook_sources(src_root: Path) -> list[Path]:
    """The notebook sources of a solutions folder: ``notebook/*.toml`` and the one each
    assignment's manifest there names (``[notebook] source``)."""
    from ..course import ASSIGNMENTS, MANIFEST, load
    found = dict.fromkeys(p.resolve() for p in sorted((src_root / SOURCES).glob("*.toml")))
    for manifest in sorted((src_root / ASSIGNMENTS).glob(f"*/{MANIFEST}")):
        source = load(manifest).notebook
        if source is not None and source.is_file():
            found.setdefault(source.resolve(), None)
    return list(found)


def write_solution_notebook(src_root: Path, source: Path, built: dict | None = None) -> Path:
    """Write ``solutions/<Name>.ipynb`` (model answers, no outputs) from ``source``."""
    src_root = Path(src_root)
    name, solution = (built or render(source))["solution"]
    return _write_if_changed(src_root / name, solution)
