"""Run a notebook's code cells through a sandbox session, one call per cell, and turn each
untrusted reply into outputs of the executed notebook (see :mod:`submitted`).

Everything a reply holds is bounded here before it is kept: text through
:func:`convert.outputs` (per cell and per notebook), figures through a
:class:`replaybox.Replayer` (checked, then drawn in a child process with a time budget),
notes to a fixed number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..run.errors import LimitExceeded, StudentError, WorkerFailure
from . import convert
from .plotcheck import MAX_FIGURES_PER_CELL, saved_names

RUNNER_MODULE = "_grader_nbrunner"
MAX_NOTES = 50  # per notebook, in the result (every note stays in the executed cell)


def _draw(reply: dict, number: int, image_dir: Path, saved: list[Path], replayer):
    """PNGs for the cell's figure records (drawn by ``replayer``), saved; (pngs, notes)."""
    figures = reply.get("figures")
    figures = figures if isinstance(figures, list) else []
    pngs, notes = [], []
    if len(figures) > MAX_FIGURES_PER_CELL:
        notes.append(f"the cell drew {len(figures)} figures; only the first "
                     f"{MAX_FIGURES_PER_CELL} were drawn")
    for k, record in enumerate(figures[:MAX_FIGURES_PER_CELL], 1):
        png, figure_notes = replayer.render(record)
        notes += [f"figure {k}: {note}" for note in figure_notes]
        if png is None:
            continue
        pngs.append(png)
        image_dir.mkdir(parents=True, exist_ok=True)
        for name in [f"cell{number:02d}_figure{k}.png", *saved_names(record)]:
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

    def note(self, notes: list[str]) -> None:
        room = MAX_NOTES - len(self.notes)
        if room > 0:
            self.notes += notes[:room]
        if len(notes) > room >= 0:  # once, where the cut happens
            self.notes.append("... more notes are in the executed notebook")


def run_cells(nb, session, *, cell_timeout: float, image_dir: Path, replayer) -> CellRun:
    """Execute ``nb``'s code cells through ``session``, filling in their outputs."""
    run = CellRun()
    try:
        session.call(f"{RUNNER_MODULE}:start")
    except WorkerFailure as error:
        status, message = _classify(error)
        return run.stop(status, None, message)
    count = 0
    text_budget = [convert.MAX_TEXT_CHARS]
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
        pngs, drawing_notes = _draw(reply, number, image_dir, run.images, replayer)
        notes += convert.worker_notes(reply) + drawing_notes
        run.note([f"cell {number}: {note}" for note in notes])
        cell.execution_count = count
        cell.outputs = convert.outputs(reply, count, notes, pngs, text_budget)
        if reply.get("status") == "timeout":
            return run.stop("limit", number, f"timed out after {cell_timeout:g} s (per-cell limit)")
        if reply.get("status") != "ok":
            ename = convert._text(reply, "ename", 200) or "Error"
            evalue = " ".join(convert._text(reply, "evalue", 2000).split())[:300]
            return run.stop("cell_error", number, f"{ename}: {evalue}")
    return run
