"""Run a student's Dropout.ipynb inside the grading sandbox and collect what it produced.

The notebook is untrusted code, so it runs where the student's modules run: in a sandbox
worker with no network and the same limits. No Jupyter runs there. A small runner module
(``nbrunner.py``, staged as ``_grader_nbrunner.py``) executes the code cells one call at a
time in one namespace; every call answers with plain data, and this trusted side builds
the executed notebook with nbformat. One call per cell means the sandbox's per-call wall
time is a per-cell limit, and an endless loop is killed and named like any hostile code.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..errors import GraderError
from ..run.errors import LimitExceeded, StudentError, WorkerFailure
from . import convert, replay
from .answers import answers_from_notebook, read_notebook

NOTEBOOK_NAME = "Dropout.ipynb"
RUNNER_MODULE = "_grader_nbrunner"
# Worker-side modules, staged under names a student's own files are unlikely to use.
_STAGED = {"_grader_nbrunner.py": "nbrunner.py", "_grader_plotshim.py": "plotshim.py"}
NOTEBOOK_CELL_SECONDS = 180.0  # the regularization experiment takes ~15 s on one core
NOTEBOOK_SECONDS = 600.0
STUDENT_FILES = {"layers.py": "cs231n/layers.py", "fc_net.py": "cs231n/classifiers/fc_net.py"}


@dataclass(frozen=True)
class NotebookResult:
    notebook: str  # file name as submitted
    status: str  # ran | cell_error | limit | crashed | unreadable
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
                            error=self.error)


def describe_run(notebook: str, *, ran_to_end: bool, images: int, failed_cell: int | None,
                 error: str) -> str:
    """One line on how a notebook ran, for the grader's output and the student's feedback."""
    if ran_to_end:
        return f"{notebook} ran to the end ({images} image(s) saved)."
    if failed_cell is None:
        return f"{notebook} was not run: {error}"
    return f"{notebook} stopped at cell {failed_cell}: {error}"


def notebook_limits(base, *, cell_seconds: float = NOTEBOOK_CELL_SECONDS):
    """Limits for a slot that runs notebooks: a cell may train two nets, so a call may take
    far longer than one unit-test call; memory, processes and files stay as graded code's."""
    from dataclasses import replace
    total = max(base.submission_timeout, NOTEBOOK_SECONDS, cell_seconds)
    return replace(base, call_timeout=float(cell_seconds), submission_timeout=total,
                   cpu_seconds=max(base.cpu_seconds, int(total)))


def find_notebook(folder: Path) -> Path | None:
    """The submitted notebook in a student folder (top level or one level down), if any."""
    folder = Path(folder)
    candidates = [p for pattern in ("*.ipynb", "*/*.ipynb") for p in sorted(folder.glob(pattern))]
    for path in candidates:
        # Executed copies a student submits by mistake are not their notebook.
        if (path.name.lower() == NOTEBOOK_NAME.lower() and path.is_file()
                and not path.is_symlink()):
            return path
    return None


def _copy_tree(src: Path, dest: Path) -> None:
    """Regular files only: a symlink in a submission must not pull in the file it names."""
    for path in sorted(src.rglob("*")):
        if path.is_symlink() or "__pycache__" in path.parts:
            continue
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)


def _prepare(scratch: Path, code_root: Path | None, student_dir: Path) -> None:
    if code_root is not None:
        _copy_tree(Path(code_root) / "cs231n", scratch / "cs231n")
    else:
        from ..paths import assignment_dir
        from ..run.stage import read_student_file
        _copy_tree(assignment_dir() / "cs231n", scratch / "cs231n")
        for name, rel in STUDENT_FILES.items():
            for candidate in (student_dir / name, student_dir / rel):
                if candidate.is_file() and not candidate.is_symlink():
                    (scratch / rel).write_bytes(read_student_file(candidate))
                    break
    for staged_name, ours in _STAGED.items():
        shutil.copyfile(Path(__file__).with_name(ours), scratch / staged_name)


def _draw(reply: dict, number: int, image_dir: Path, saved: list[Path]):
    """PNGs for the cell's figure records (drawn here), saved; returns (pngs, notes)."""
    figures = reply.get("figures")
    pngs, notes = [], []
    for k, record in enumerate(figures[:8] if isinstance(figures, list) else [], 1):
        png, figure_notes = replay.render(record)
        notes += figure_notes
        if png is None:
            continue
        pngs.append(png)
        image_dir.mkdir(parents=True, exist_ok=True)
        for name in [f"cell{number:02d}_figure{k}.png", *replay.saved_names(record)]:
            path = image_dir / name
            path.write_bytes(png)
            if path not in saved:
                saved.append(path)
    return pngs, notes


def _classify(error: WorkerFailure) -> tuple[str, str]:
    """(status, one-line message) for a call that produced no reply."""
    if isinstance(error, StudentError):  # the runner itself failed to import or start
        return "cell_error", f"{error.type_name}: {' '.join(error.message.split())[:300]}"
    status = "limit" if isinstance(error, LimitExceeded) else "crashed"
    return status, " ".join(str(error).split())[:300]


@dataclass
class CellRun:
    """How far a notebook got: filled in cell by cell by :func:`run_cells`."""

    status: str = "ran"
    failed_cell: int | None = None
    error: str = ""
    images: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def stop(self, status: str, cell: int | None, error: str) -> CellRun:
        self.status, self.failed_cell, self.error = status, cell, error
        return self


def run_cells(nb, session, *, cell_timeout: float, image_dir: Path) -> CellRun:
    """Execute ``nb``'s code cells through ``session``, filling in their outputs."""
    run = CellRun()
    try:
        session.call(f"{RUNNER_MODULE}:start")
    except WorkerFailure as error:
        status, message = _classify(error)
        return run.stop(status, None, message)
    count = 0
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        number, count = index + 1, count + 1
        source, notes = convert.to_python(str(cell.get("source", "")))
        try:
            reply = session.call(f"{RUNNER_MODULE}:run_cell", source, number, cell_timeout)
        except WorkerFailure as error:
            status, message = _classify(error)
            cell.outputs = [nbformat.v4.new_output("error", ename=type(error).__name__,
                                                   evalue=message, traceback=[])]
            return run.stop(status, number, message)
        if not isinstance(reply, dict):
            return run.stop("crashed", number, "the notebook runner sent malformed data")
        pngs, drawing_notes = _draw(reply, number, image_dir, run.images)
        notes += convert.worker_notes(reply) + drawing_notes
        run.notes += [f"cell {number}: {note}" for note in notes]
        cell.execution_count = count
        cell.outputs = convert.outputs(reply, count, notes, pngs)
        if reply.get("status") == "timeout":
            return run.stop("limit", number, f"timed out after {cell_timeout:g} s (per-cell limit)")
        if reply.get("status") != "ok":
            ename = convert._text(reply, "ename", 200) or "Error"
            evalue = " ".join(convert._text(reply, "evalue", 2000).split())[:300]
            return run.stop("cell_error", number, f"{ename}: {evalue}")
    return run


def process(submitted: Path, slot, out_dir: Path, *, code_root: Path | None = None,
            cell_timeout: float | None = None) -> NotebookResult | None:
    """Run a submitted notebook in ``slot`` and write its executed copy into ``out_dir``.

    ``submitted`` is the student's folder (the notebook is looked up in it) or the
    notebook itself. ``code_root`` holds the staged ``cs231n`` package the notebook runs
    against (the pipeline's staged submission); without it the released skeleton plus the
    student's ``layers.py``/``fc_net.py`` is used. Returns None when there is no notebook.
    Writes ``out_dir/Dropout.executed.ipynb`` and ``out_dir/notebook_images/*.png``.
    """
    submitted = Path(submitted)
    path = submitted if submitted.suffix == ".ipynb" else find_notebook(submitted)
    if path is None:
        return None
    student_dir = path.parent
    try:
        nb = read_notebook(path)
    except GraderError as error:
        return NotebookResult(path.name, "unreadable", False, error=str(error).split(": ", 1)[-1])
    answers = answers_from_notebook(nb)
    executed = copy.deepcopy(nb)
    for cell in executed.cells:  # outputs the student submitted are not evidence of anything
        if cell.get("cell_type") == "code":
            cell.outputs, cell.execution_count = [], None
    limits = getattr(slot, "limits", None)
    budget = cell_timeout or max(1.0, getattr(limits, "call_timeout", 60.0) - 1.0)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grader-notebook-") as scratch:
        _prepare(Path(scratch), code_root, student_dir)
        session = slot.open(Path(scratch))
        try:
            run = run_cells(executed, session, cell_timeout=budget,
                            image_dir=out_dir / "notebook_images")
        finally:
            session.close()
    executed_path = out_dir / f"{Path(NOTEBOOK_NAME).stem}.executed.ipynb"
    nbformat.write(executed, executed_path)
    return NotebookResult(path.name, run.status, run.status == "ran", run.failed_cell, run.error,
                          answers, executed_path, tuple(run.images), time.monotonic() - started,
                          tuple(run.notes))
