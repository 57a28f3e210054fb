"""Run every student's Dropout.ipynb of a class and write the TA review sheet.

One call for ``grader run`` (or any tool that grades a folder of submissions): each
student's notebook runs in a sandbox slot of its own thread against the student's code
staged exactly as the judge stages it, the executed copy and plots land in
``OUT/<student>/notebook/``, and every student's inline answers land in
``OUT/inline_answers.html`` and ``.md``. Threads are enough: the trusted side only waits
on the sandboxed workers and draws their figures.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import tempfile
import threading
from dataclasses import asdict
from pathlib import Path

from .. import paths
from ..config import Config
from .review import write_review_sheet
from .submitted import (
    NOTEBOOK_CELL_SECONDS,
    NotebookResult,
    describe_run,
    find_notebook,
    notebook_limits,
    process,
)


def _folders(submissions: Path, out_dir: Path) -> dict[str, Path]:
    from ..run.discover import student_id
    out = out_dir.resolve()
    found = {}
    for entry in sorted(os.scandir(submissions), key=lambda e: e.name):
        if (entry.is_dir(follow_symlinks=False) and not entry.name.startswith((".", "__"))
                and Path(entry.path).resolve() != out):
            found[student_id(entry.name)] = Path(entry.path)
    return found


def _record(result: NotebookResult, folder: Path) -> None:
    data = asdict(result)
    data["executed_path"] = result.executed_path and result.executed_path.name
    data["images"] = [p.name for p in result.images]
    (folder / "notebook_result.json").write_text(
        json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _recorded_answers(folder: Path) -> dict[str, str]:
    """Answers an earlier run recorded (written by the trusted side, read as JSON only)."""
    try:
        data = json.loads((folder / "notebook_result.json").read_text(encoding="utf-8"))
        answers = data.get("answers") or {}
        return {str(k): str(v) for k, v in answers.items()} if isinstance(answers, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def recorded_summaries(out_dir: Path, students: list[str]) -> dict[str, str]:
    """student -> one line on how their notebook ran, from what the runs recorded."""
    from ..reports.files import folder_names

    summaries = {}
    for student, name in folder_names(list(students)).items():
        try:
            data = json.loads((Path(out_dir) / name / "notebook" / "notebook_result.json")
                              .read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        summaries[student] = describe_run(
            str(data.get("notebook", "")), ran_to_end=bool(data.get("ran_to_end")),
            images=len(data.get("images") or []), failed_cell=data.get("failed_cell"),
            error=str(data.get("error", "")))
    return summaries


def grade_notebooks(submissions: Path, out_dir: Path, *, config: Config,
                    assignment_dir: Path | None = None, slot_factory=None, on_result=None,
                    cell_seconds: float = NOTEBOOK_CELL_SECONDS,
                    students: set[str] | None = None) -> dict[str, NotebookResult]:
    """Run the class's notebooks; returns student -> result for students who submitted one.

    Writes ``OUT/<student>/notebook/`` (executed notebook, ``notebook_images/``,
    ``notebook_result.json``) and ``OUT/inline_answers.{html,md}`` listing every student
    folder, with empty answers for those without a notebook. ``on_result(student, result)``
    is called from worker threads as each notebook finishes. ``cell_seconds`` is the
    wall time one cell may take before the sandbox kills it. ``students`` limits the
    notebooks run to those students (a re-run skips unchanged submissions); the others
    keep the answers recorded by an earlier run on the review sheet.
    """
    from ..run.discover import discover
    from ..run.model import Submission
    from ..run.sandbox import SandboxSlot
    from ..run.stage import SupportPackage, prepare, write_staged

    submissions, out_dir = Path(submissions), Path(out_dir)
    from ..reports.files import folder_names

    folders = _folders(submissions, out_dir)
    # The same safe, one-to-one folder names the reports use: ids are untrusted text.
    report_folder = {s: out_dir / name for s, name in folder_names(list(folders)).items()}
    notebooks = {s: nb for s, f in folders.items() if (nb := find_notebook(f)) is not None
                 and (students is None or s in students)}
    subs = {s.student: s for s in discover(submissions, config.assignment, exclude=(out_dir,))}
    support = SupportPackage.load(Path(assignment_dir or paths.assignment_dir()))
    limits = notebook_limits(config.limits, cell_seconds=cell_seconds)
    make_slot = slot_factory or SandboxSlot
    todo: queue.Queue = queue.Queue()
    for student in notebooks:
        todo.put(student)
    results: dict[str, NotebookResult] = {}
    errors: list[BaseException] = []
    scratch = Path(tempfile.mkdtemp(prefix="grader-notebooks-"))

    def work(index: int) -> None:
        try:
            with make_slot(level=config.sandbox, limits=limits,
                           workdir=scratch / f"slot{index}") as slot:
                while True:
                    try:
                        student = todo.get_nowait()
                    except queue.Empty:
                        return
                    staged = scratch / "staged" / f"slot{index}"
                    sub = subs.get(student) or Submission(student)
                    code = write_staged(prepare(sub), staged, support).root
                    folder = report_folder[student] / "notebook"
                    result = process(notebooks[student], slot, folder, code_root=code)
                    _record(result, folder)
                    shutil.rmtree(staged, ignore_errors=True)
                    results[student] = result
                    if on_result is not None:
                        on_result(student, result)
        except BaseException as error:  # noqa: BLE001 - re-raised in the calling thread below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,), daemon=True)
               for i in range(max(1, min(config.jobs, len(notebooks))))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if errors:
        raise errors[0]
    answers = {s: (results[s].answers if s in results
                   else _recorded_answers(report_folder[s] / "notebook")) for s in folders}
    write_review_sheet(answers, out_dir)
    return results
