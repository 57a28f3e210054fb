"""The notebook source: a TOML list of cells from which both notebook versions are built.

Keeping the source as data (not as an .ipynb) means one file yields the student and the
solution notebooks, diffs stay readable, and nothing about a Jupyter session (outputs,
execution counts, random cell ids) can leak into the released files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tomllib

from ..errors import InputFileError

KINDS = ("markdown", "code", "question", "answer")
# What a student sees in an answer cell; also how extraction recognises an untouched one.
ANSWER_PROMPT = "*Your answer:*"
ANSWER_TAG = "inline-answer"
QUESTION_TAG = "inline-question"


@dataclass(frozen=True)
class CellSpec:
    kind: str
    source: str = ""  # markdown or code; for answer cells, empty
    question: str = ""  # question and answer cells: "Inline Question 1"
    solution: str = ""  # answer cells: the model answer


@dataclass(frozen=True)
class NotebookSource:
    name: str  # file stem of the built notebooks (and of the one students submit)
    cells: tuple[CellSpec, ...]
    path: Path

    def questions(self) -> dict[str, str]:
        """Question label -> its prompt (markdown without the heading line)."""
        prompts = {}
        for cell in self.cells:
            if cell.kind == "question":
                lines = cell.source.splitlines()
                body = lines[1:] if lines and lines[0].lstrip().startswith("#") else lines
                prompts[cell.question] = "\n".join(body).strip()
        return prompts


def _text(value, *, where: str, path: Path) -> str:
    if not isinstance(value, str):
        raise InputFileError(f"{where}: expected a string, got {type(value).__name__}", path=path)
    # TOML multi-line strings keep the newline before the closing quotes; cells do not.
    return value.strip("\n")


def load_source(path: Path) -> NotebookSource:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError("notebook source not found", path=path) from None
    except tomllib.TOMLDecodeError as error:
        raise InputFileError(f"not valid TOML: {error}", path=path) from None
    name = data.get("name")
    if not isinstance(name, str) or not name.isidentifier():
        raise InputFileError("`name` must be a plain file stem such as \"Lab3\"", path=path)
    raw_cells = data.get("cells")
    if not isinstance(raw_cells, list) or not raw_cells:
        raise InputFileError("expected at least one [[cells]] table", path=path)

    cells, asked = [], set()
    for number, raw in enumerate(raw_cells, start=1):
        where = f"cell {number}"
        kind = raw.get("kind")
        if kind not in KINDS:
            raise InputFileError(f"{where}: kind must be one of {', '.join(KINDS)}, got {kind!r}",
                                 path=path)
        unknown = set(raw) - {"kind", "source", "question", "solution"}
        if unknown:
            raise InputFileError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}", path=path)
        question = _text(raw.get("question", ""), where=where, path=path)
        if kind in ("question", "answer") and not question:
            raise InputFileError(f"{where}: a {kind} cell needs `question`", path=path)
        if kind == "answer":
            if question not in asked:
                raise InputFileError(f"{where}: answer to {question!r} comes before its question",
                                     path=path)
            cell = CellSpec(kind, question=question,
                            solution=_text(raw.get("solution", ""), where=where, path=path))
        else:
            source = _text(raw.get("source", ""), where=where, path=path)
            if not source:
                raise InputFileError(f"{where}: empty `source`", path=path)
            cell = CellSpec(kind, source=source, question=question)
            if kind == "question":
                if question in asked:
                    raise InputFileError(f"{where}: {question!r} is asked twice", path=path)
                asked.add(question)
        cells.append(cell)
    return NotebookSource(name=name, cells=tuple(cells), path=Path(path))
