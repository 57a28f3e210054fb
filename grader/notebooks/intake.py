"""A student's notebook file as hostile input: found without following links, bounded
before it is parsed, and rebuilt from the few plain values grading needs.

:func:`locate` looks for the assignment's notebook with ``lstat`` only: a symbolic link (to another
student's folder, to ``solutions/``) is never followed and is reported as a problem.
:func:`load` refuses a file that is too large, too deep, has too many cells or too much
source, drops outputs before anything else looks at them (they are discarded anyway), and
builds a fresh notebook holding only cell types, sources, ids, the answer tags and bounded
image attachments. The notebook metadata (kernel name included) is replaced by the
release's fixed metadata, so nothing a student wrote there reaches a TA's Jupyter.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import v4

from ..errors import InputFileError


def default_name() -> str:
    """The notebook file of the assignment GRADER_ASSIGNMENT (or the course's only one)
    names; callers that know the run's assignment pass its name instead."""
    from .. import course
    return course.notebook_name("")

MAX_NOTEBOOK_BYTES = 50 * 2**20
MAX_ENTRIES = 2_000  # directory entries looked at per folder
MAX_CELLS = 1_000  # a course notebook has tens
MAX_CELL_CHARS = 200_000  # one cell's source
MAX_SOURCE_CHARS = 4_000_000  # every cell's source together
MAX_ATTACHMENT_CHARS = 2 * 2**20  # one pasted image, as base64 text
MAX_ATTACHMENTS_CHARS = 8 * 2**20  # all of a notebook's pasted images
MAX_ATTACHMENTS_PER_CELL = 10
ATTACHMENT_TYPES = ("image/png", "image/jpeg", "image/gif")
MAX_TAGS, MAX_TAG_CHARS, MAX_NOTES = 20, 100, 20
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*\Z")


class Refused(ValueError):
    """The notebook is over a limit: the message is shown as it is."""


@dataclass(frozen=True)
class Located:
    path: Path | None  # the notebook, None when there is none
    problems: tuple[str, ...] = ()  # links seen where a notebook could have been


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as scan:
            entries = []
            for entry in scan:
                entries.append(entry)
                if len(entries) >= MAX_ENTRIES:
                    break
    except OSError:
        return []
    return sorted(entries, key=lambda e: e.name)


def _link_problem(shown: str) -> str:
    return (f"`{shown}` is a symbolic link; links are not followed when looking for your "
            "notebook. Submit the notebook itself.")


def locate(folder: Path, name: str | None = None) -> Located:
    """The notebook ``name`` (the assignment's ``<name>.ipynb``) at the top of
    ``folder`` or one folder down, never through a link.

    Links that could lead to a notebook (top-level links with a folder-like name or an
    ``.ipynb`` name, ``*.ipynb`` links one level down) are reported in ``problems``.
    """
    folder = Path(folder)
    wanted = (default_name() if name is None else name).lower()
    if not wanted:  # the assignment has no notebook
        return Located(None)
    try:
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            return Located(None, (_link_problem(folder.name),))
    except OSError:
        return Located(None)
    found: list[Path] = []
    problems: list[str] = []
    top = _entries(folder)
    for entry in top:
        # A link that could hold or be the notebook (a folder-like name, or *.ipynb); a
        # linked layers.py is discovery's business, not a notebook problem.
        if entry.is_symlink() and ("." not in entry.name.lstrip(".")
                                   or entry.name.lower().endswith(".ipynb")):
            problems.append(_link_problem(entry.name))
        elif entry.is_file(follow_symlinks=False) and entry.name.lower() == wanted:
            found.append(Path(entry.path))
    for entry in top:
        if entry.name.startswith((".", "__")) or not entry.is_dir(follow_symlinks=False):
            continue
        for inner in _entries(Path(entry.path)):
            if not inner.name.lower().endswith(".ipynb"):
                continue
            if inner.is_symlink():
                problems.append(_link_problem(f"{entry.name}/{inner.name}"))
            elif inner.is_file(follow_symlinks=False) and inner.name.lower() == wanted:
                found.append(Path(inner.path))
    return Located(found[0] if found else None, tuple(problems[:MAX_NOTES]))


def read_bytes(path: Path) -> bytes:
    """The file's bytes, refusing links, non-regular files and files over the size limit."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputFileError("notebook not found", path=path) from None
    except OSError as error:
        if os.path.islink(path):
            raise InputFileError("the notebook is a symbolic link; it was not followed. "
                                 "Submit the notebook itself.", path=path) from None
        raise InputFileError(f"notebook could not be read ({error.strerror})", path=path) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError("the notebook is not a regular file", path=path)
        if info.st_size > MAX_NOTEBOOK_BYTES:
            raise InputFileError(f"notebook is {info.st_size / 2**20:.0f} MB; the limit is "
                                 f"{MAX_NOTEBOOK_BYTES // 2**20} MB", path=path)
        chunks, size = [], 0
        while size <= MAX_NOTEBOOK_BYTES and (chunk := os.read(fd, 2**20)):
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
    except OSError as error:
        raise InputFileError(f"notebook could not be read ({error.strerror})", path=path) from None
    finally:
        os.close(fd)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise InputFileError(f"notebook is larger than {MAX_NOTEBOOK_BYTES // 2**20} MB",
                             path=path)
    return data


def _text(value, limit: int, what: str) -> str:
    """A cell's source (a string or a list of strings), refused above ``limit`` characters."""
    if isinstance(value, list):
        if len(value) > limit:
            raise Refused(f"{what} holds more than {limit:,} characters")
        value = "".join(v if isinstance(v, str) else "" for v in value)
    if not isinstance(value, str):
        return ""
    if len(value) > limit:
        raise Refused(f"{what} holds {len(value):,} characters; the limit is {limit:,}")
    return value


def _metadata(raw) -> dict:
    """Only what extraction reads: answer/question tags and the question label."""
    raw = raw if isinstance(raw, dict) else {}
    kept: dict = {}
    tags = raw.get("tags")
    if isinstance(tags, list):  # unique, non-empty, no commas: what nbformat's schema allows
        kept["tags"] = list(dict.fromkeys(t[:MAX_TAG_CHARS] for t in tags[:MAX_TAGS]
                                          if isinstance(t, str) and t and "," not in t))
    if isinstance(raw.get("question"), str):
        kept["question"] = raw["question"][:MAX_TAG_CHARS]
    return kept


def _attachments(raw, budget: list[int], where: str, notes: list[str]) -> dict:
    kept: dict = {}
    if not isinstance(raw, dict):
        return kept
    for name, bundle in list(raw.items())[:MAX_ATTACHMENTS_PER_CELL]:
        data = [(m, d) for m, d in bundle.items() if m in ATTACHMENT_TYPES and isinstance(d, str)
                ][:1] if isinstance(bundle, dict) else []
        if not (isinstance(name, str) and len(name) <= MAX_TAG_CHARS and data):
            notes.append(f"{where}: an attachment that is not a PNG, JPEG or GIF image was dropped")
        elif len(data[0][1]) > min(MAX_ATTACHMENT_CHARS, budget[0]):
            notes.append(f"{where}: attachment {name!r} is too large (the limit is "
                         f"{MAX_ATTACHMENT_CHARS // 2**20} MB per image, "
                         f"{MAX_ATTACHMENTS_CHARS // 2**20} MB per notebook); it was dropped")
        elif not _BASE64.match(data[0][1]):
            notes.append(f"{where}: attachment {name!r} is not base64 data; it was dropped")
        else:
            budget[0] -= len(data[0][1])
            kept[name] = dict(data)
    if len(raw) > MAX_ATTACHMENTS_PER_CELL:
        notes.append(f"{where}: only the first {MAX_ATTACHMENTS_PER_CELL} attachments were kept")
    return kept


def _raw_cells(data) -> list:
    if not isinstance(data, dict):
        raise TypeError("not a notebook (expected a JSON object)")
    if isinstance(data.get("worksheets"), list):  # nbformat 3
        cells = []
        for sheet in data["worksheets"][:MAX_CELLS]:
            more = sheet.get("cells") if isinstance(sheet, dict) else None
            cells += more[:MAX_CELLS + 1] if isinstance(more, list) else []
    else:
        cells = data.get("cells")
    if not isinstance(cells, list):
        raise TypeError("not a notebook (no list of cells)")
    if len(cells) > MAX_CELLS:
        raise Refused(f"the notebook has {len(cells):,} cells; the limit is {MAX_CELLS:,}")
    return cells


def _cell(raw, index: int, seen: set, budgets: dict, notes: list[str]):
    where = f"cell {index + 1}"
    kind = raw.get("cell_type")
    source = _text(raw.get("input" if "input" in raw and kind == "code" else "source"),
                   MAX_CELL_CHARS, where)
    budgets["source"] -= len(source)
    if budgets["source"] < 0:
        raise Refused(f"the notebook's cells hold more than {MAX_SOURCE_CHARS:,} characters")
    if kind == "heading":  # nbformat 3
        level = raw.get("level")
        level = level if isinstance(level, int) and 1 <= level <= 6 else 1
        kind, source = "markdown", "#" * level + " " + source
    cell_id = raw.get("id")
    if not (isinstance(cell_id, str) and _ID.match(cell_id)) or cell_id in seen:
        cell_id = f"cell-{index + 1}"
    seen.add(cell_id)
    metadata = _metadata(raw.get("metadata"))
    if kind == "code":
        return v4.new_code_cell(source, id=cell_id, metadata=metadata)
    if kind not in ("markdown", "raw"):
        notes.append(f"{where}: a cell of unknown type was dropped")
        return None
    maker = v4.new_markdown_cell if kind == "markdown" else v4.new_raw_cell
    cell = maker(source, id=cell_id, metadata=metadata)
    attachments = _attachments(raw.get("attachments"), budgets["attachments"], where, notes)
    if attachments:
        cell["attachments"] = attachments
    return cell


def parse(text: str, path: Path | None = None) -> tuple[nbformat.NotebookNode, list[str]]:
    """(a fresh, bounded v4 notebook, notes on what was dropped) from a notebook's JSON text."""
    from .build import _METADATA
    try:
        raw_cells = _raw_cells(json.loads(text))
        notes: list[str] = []
        budgets = {"source": MAX_SOURCE_CHARS, "attachments": [MAX_ATTACHMENTS_CHARS]}
        cells, seen = [], set()
        for index, raw in enumerate(raw_cells):
            cell = _cell(raw, index, seen, budgets, notes) if isinstance(raw, dict) else None
            if cell is not None:
                cells.append(cell)
        nb = v4.new_notebook(cells=cells, metadata=json.loads(json.dumps(_METADATA)))
        nbformat.validate(nb)
    except Refused as error:
        raise InputFileError(str(error), path=path) from None
    except RecursionError:
        raise InputFileError("not a readable notebook: its JSON is nested too deeply",
                             path=path) from None
    except Exception as error:  # noqa: BLE001 - json and nbformat raise many types on bad input
        first = (str(error).splitlines() or [type(error).__name__])[0][:200]
        raise InputFileError(f"not a readable notebook: {first}", path=path) from None
    if len(notes) > MAX_NOTES:
        notes = notes[:MAX_NOTES] + [f"... and {len(notes) - MAX_NOTES} more"]
    return nb, notes


def load(path: Path) -> tuple[nbformat.NotebookNode, list[str]]:
    """Read and rebuild an untrusted .ipynb; raises InputFileError with a clear message."""
    path = Path(path)
    return parse(read_bytes(path).decode("utf-8-sig", errors="replace"), path)
