"""Run a student's notebook inside the grading sandbox and collect what it produced.

The notebook is untrusted code, so it runs where the student's modules run: in a sandbox
worker with no network and the same limits. No Jupyter runs there. A small runner module
(``nbrunner.py``, staged as ``_grader_nbrunner.py``) executes the code cells one call at a
time in one namespace; every call answers with plain data, and this trusted side builds
the executed notebook with nbformat. One call per cell means the sandbox's per-call wall
time is a per-cell limit, and an endless loop is killed and named like any hostile code.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..errors import GraderError
from . import intake
from .answers import answers_from_notebook
from .cells import RUNNER_MODULE, CellRun, run_cells  # noqa: F401 - re-exported
from .replaybox import Replayer

# Worker-side modules, staged under names a student's own files are unlikely to use.
_STAGED = {"_grader_nbrunner.py": "nbrunner.py", "_grader_plotshim.py": "plotshim.py"}
NOTEBOOK_CELL_SECONDS = 180.0  # the regularization experiment takes ~15 s on one core
NOTEBOOK_SECONDS = 600.0


@dataclass(frozen=True)
class NotebookResult:
    notebook: str  # file name as submitted
    status: str  # ran | cell_error | limit | crashed | unreadable | grader_error
    ran_to_end: bool
    failed_cell: int | None = None  # 1-based position among all cells
    error: str = ""  # one line: "NotImplementedError: ...", or the limit that stopped it
    answers: dict[str, str] = field(default_factory=dict)  # question -> markdown
    executed_path: Path | None = None
    images: tuple[Path, ...] = ()
    seconds: float = 0.0
    notes: tuple[str, ...] = ()  # magics and shell commands that were not run

    def summary(self) -> str:
        return describe_run(self.notebook, ran_to_end=self.ran_to_end,
                            images=len(self.images), failed_cell=self.failed_cell,
                            error=self.error, notes=len(self.notes))


def describe_run(notebook: str, *, ran_to_end: bool, images: int, failed_cell: int | None,
                 error: str, notes: int = 0) -> str:
    """One line on how a notebook ran, for the grader's output and the student's feedback."""
    told = f"; {notes} grader note(s) in the executed notebook" if notes else ""
    if ran_to_end:
        return f"{notebook} ran to the end ({images} image(s) saved{told})."
    if failed_cell is None:
        return f"{notebook} was not run: {error}"
    return f"{notebook} stopped at cell {failed_cell}: {error}" + (f" ({told[2:]})" if told else "")


def notebook_limits(base, *, cell_seconds: float = NOTEBOOK_CELL_SECONDS):
    """Limits for a slot that runs notebooks: a cell may train two nets, so a call may take
    far longer than one unit-test call; memory, processes and files stay as graded code's."""
    from dataclasses import replace
    total = max(base.submission_timeout, NOTEBOOK_SECONDS, cell_seconds)
    return replace(base, call_timeout=float(cell_seconds), submission_timeout=total,
                   cpu_seconds=max(base.cpu_seconds, int(total)))


def find_notebook(folder: Path, name: str | None = None) -> Path | None:
    """The submitted notebook in a student folder (top level or one level down), if any.

    Never follows a link (see :func:`intake.locate`). When there is no notebook but a link
    stands where one was looked for, the link's own path is returned (it is not opened), so
    that :func:`process` reports it as the student's problem instead of "no notebook".
    """
    name = intake.default_name() if name is None else name
    located = intake.locate(Path(folder), name)
    if located.path is not None or not located.problems:
        return located.path
    return Path(folder) / name


def _regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _copy_tree(src: Path, dest: Path) -> None:
    """Regular files only: a link in a submission must not pull in what it names."""
    for dirpath, dirnames, filenames in os.walk(src):  # os.walk never enters a linked folder
        dirnames[:] = [d for d in dirnames if d != "__pycache__"
                       and not os.path.islink(os.path.join(dirpath, d))]
        for name in filenames:
            path = Path(dirpath) / name
            if _regular(path):
                target = dest / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)


def _prepare(scratch: Path, code_root: Path | None, student_dir: Path) -> None:
    if code_root is not None:
        _copy_tree(Path(code_root) / "cs231n", scratch / "cs231n")
    else:
        from ..paths import assignment_dir
        from ..run.stage import read_student_file
        _copy_tree(assignment_dir() / "cs231n", scratch / "cs231n")
        from .. import course
        from ..run.worker_notes import SUBMITTED, submitted_text
        submitted = []
        for name, rel in course.layout("").files:
            for candidate in (student_dir / name, student_dir / rel):
                # Every folder on the way is checked too: a linked cs231n/ is not followed.
                parts = candidate.relative_to(student_dir).parents
                if _regular(candidate) and not any(
                        os.path.islink(student_dir / p) for p in parts if str(p) != "."):
                    (scratch / rel).write_bytes(read_student_file(candidate))
                    submitted.append((rel, name))
                    break
        (scratch / SUBMITTED).write_text(submitted_text(submitted), encoding="utf-8")
    for staged_name, ours in _STAGED.items():
        shutil.copyfile(Path(__file__).with_name(ours), scratch / staged_name)


def _unreadable(name: str, error: str, notes=()) -> NotebookResult:
    return NotebookResult(name, "unreadable", False, error=" ".join(error.split())[:300],
                          notes=tuple(notes))


def process(submitted: Path, slot, out_dir: Path, *, code_root: Path | None = None,
            cell_timeout: float | None = None, name: str | None = None) -> NotebookResult | None:
    """Run a submitted notebook in ``slot`` and write its executed copy into ``out_dir``.

    ``submitted`` is the student's folder (the notebook is looked up in it, never through
    a link) or the notebook itself. ``code_root`` holds the staged ``cs231n`` package the
    notebook runs against (the pipeline's staged submission); without it the released
    skeleton plus the student's files is used. ``name`` is the assignment's notebook file
    (by default the course's). Returns None when there is no notebook. Writes
    ``out_dir/<name>.executed.ipynb`` and
    ``out_dir/notebook_images/*.png``.
    """
    submitted = Path(submitted)
    name = intake.default_name() if name is None else name
    try:  # a student folder may be named "x.ipynb" too
        folder = stat.S_ISDIR(os.lstat(submitted).st_mode)
    except OSError:
        folder = False
    if submitted.suffix.lower() == ".ipynb" and not folder:
        path, problems = submitted, ()
    else:
        located = intake.locate(submitted, name)
        path, problems = located.path, located.problems
    if path is None:
        return _unreadable(name, problems[0], problems) if problems else None
    problems = tuple(f"ignored: {p}" for p in problems)
    try:
        executed, intake_notes = intake.load(path)
    except GraderError as error:
        return _unreadable(path.name, str(error.args[0] if error.args else error), problems)
    # Outputs the student submitted were dropped by intake: they are not evidence of anything.
    answers = answers_from_notebook(executed)
    limits = getattr(slot, "limits", None)
    budget = cell_timeout or max(1.0, getattr(limits, "call_timeout", 60.0) - 1.0)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grader-notebook-") as scratch, Replayer() as replayer:
        _prepare(Path(scratch), code_root, path.parent)
        session = slot.open(Path(scratch))
        try:
            run = run_cells(executed, session, cell_timeout=budget,
                            image_dir=out_dir / "notebook_images", replayer=replayer)
        finally:
            session.close()
    executed_path = out_dir / f"{Path(name or path.name).stem}.executed.ipynb"
    nbformat.write(executed, executed_path)
    notes = CellRun(notes=[*problems, *intake_notes])
    notes.note(run.notes)
    return NotebookResult(path.name, run.status, run.status == "ran", run.failed_cell, run.error,
                          answers, executed_path, tuple(run.images), time.monotonic() - started,
                          tuple(notes.notes))
