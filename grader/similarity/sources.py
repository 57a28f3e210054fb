"""The code to compare: each student's files and the released skeleton, read as text.

Submissions are found exactly as ``grader run`` finds them and read with its reader (no
link followed, size-capped, encoding normalised). Notebooks are located and rebuilt by
the notebook intake (bounded, read as data); only their code cells are kept. Nothing a
student wrote is imported or run. A file that cannot be read becomes a note on that
student, never an error of the run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import GraderError, UsageError
from ..run.discover import discover, student_id
from ..run.stage import normalise_source, read_student_file

MAX_NOTEBOOK_CODE = 1_000_000  # characters of code cells compared, as for a .py file


@dataclass(frozen=True)
class SourceFile:
    name: str  # as submitted: "layers.py", or the notebook's file name for its code cells
    text: str  # for a notebook: its code cells, each under a "# cell N" line


@dataclass(frozen=True)
class Collected:
    student: str
    files: tuple[SourceFile, ...]
    notes: tuple[str, ...] = ()  # what could not be read, for the report


def collect(root: Path, *, exclude: tuple[Path, ...] = (),
            assignment: str = "") -> list[Collected]:
    """Every submission under ``root`` with the text of its files, sorted by student."""
    from .. import course
    root = Path(root)
    subs = discover(root, assignment, exclude=exclude)
    notebook_file = course.notebook_name(assignment)
    if not subs:
        raise UsageError("no submissions found (expected one folder per student, or an "
                         "LMS bulk download of layers.py files)", path=root)
    folders = _student_folders(root, exclude)
    out = []
    for sub in subs:
        files, notes = [], []
        for name in sorted(sub.files):
            text, note = read_text(sub.files[name], name)
            if text is not None:
                files.append(SourceFile(name, text))
            if note:
                notes.append(note)
        if sub.student in folders:
            notebook, note = notebook_code(folders[sub.student], notebook_file)
            if notebook is not None:
                files.append(notebook)
            if note:
                notes.append(note)
        if not files:
            notes.extend(f"not compared: {problem}" for problem in sub.problems[:1])
        out.append(Collected(sub.student, tuple(files), tuple(notes)))
    return out


def read_text(path: Path, name: str) -> tuple[str | None, str | None]:
    """(the file's text, a note) through the grader's own reader."""
    try:
        raw = read_student_file(path)
    except OSError as error:
        return None, f"{name} could not be read ({error.strerror or error}); not compared."
    except ValueError as error:
        return None, f"{name} {error}; not compared."
    data, note = normalise_source(raw, name)
    return data.decode("utf-8", "replace"), note


def _student_folders(root: Path, exclude: tuple[Path, ...]) -> dict[str, Path]:
    excluded = {os.path.realpath(p) for p in exclude}
    try:
        entries = list(os.scandir(root))
    except OSError:
        return {}
    return {student_id(e.name): Path(e.path) for e in entries
            if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
            and os.path.realpath(e.path) not in excluded}


def notebook_code(folder: Path, name: str | None = None) -> tuple[SourceFile | None, str | None]:
    """The code cells of the student's notebook ``name``, if they handed one in."""
    from ..notebooks import intake

    located = intake.locate(folder, name)
    if located.path is None:
        return None, None
    try:
        notebook, _ = intake.load(located.path)
    except GraderError as error:
        return None, f"{located.path.name}: {error}; not compared."
    return SourceFile(_notebook_label(name, located.path), notebook_script(notebook)), None


def notebook_script(notebook) -> str:
    """Code cells in order; IPython magics and shell lines become comments (not Python)."""
    parts, size = [], 0
    for number, cell in enumerate(notebook.cells, 1):
        if cell.get("cell_type") != "code":
            continue
        lines = [("# " + line) if line.lstrip().startswith(("%", "!")) else line
                 for line in str(cell.get("source", "")).split("\n")]
        block = f"# cell {number}\n" + "\n".join(lines).rstrip("\n") + "\n"
        size += len(block)
        if size > MAX_NOTEBOOK_CODE:
            break
        parts.append(block)
    return "\n".join(parts)


def skeleton_sources(assignment: Path) -> list[SourceFile]:
    """The released code students start from: every module of the package and the
    notebook's code cells."""
    assignment = Path(assignment)
    package = assignment / "cs231n"
    if not package.is_dir():
        raise UsageError("the released skeleton is missing (no cs231n/ package): run "
                         "`grader release`, or pass --skeleton", path=assignment)
    found = []
    for dirpath, dirnames, filenames in os.walk(package):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith(".py"):
                path = Path(dirpath) / name
                found.append(SourceFile(path.relative_to(assignment).as_posix(),
                                        path.read_text(encoding="utf-8", errors="replace")))
    import nbformat
    for notebook in sorted(assignment.glob("*.ipynb")):  # every released notebook's cells
        found.append(SourceFile(notebook.name,
                                notebook_script(nbformat.read(notebook, as_version=4))))
    return found


def _notebook_label(name: str | None, path: Path) -> str:
    # The assignment's own spelling of the file, whatever case the student saved it in.
    return name or path.name


def is_notebook(source: SourceFile) -> bool:
    return source.name.lower().endswith(".ipynb")
