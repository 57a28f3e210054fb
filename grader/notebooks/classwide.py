"""Run every student's notebook of a class and write the TA review sheet.

One call for ``grader run`` (or any tool that grades a folder of submissions): each
student's notebook runs in a sandbox slot of its own thread against the student's code
staged exactly as the judge stages it, the executed copy and plots land in
``OUT/<student>/notebook/``, and every student's inline answers land in
``OUT/inline_answers.html`` and ``.md``. Threads are enough: the trusted side only waits
on the sandboxed workers (and on the child processes that draw their figures).

A failure while handling one student's notebook, whatever raised it, becomes that
student's result (status ``grader_error``, the traceback in ``OUT/logs/notebooks.log``)
and the other notebooks still run. Each result records the hash of the notebook it came
from, so a notebook that was never run (an interrupted run) or that changed since is run
again by the next run even when the student's code is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import tempfile
import threading
import time
import traceback
from dataclasses import asdict
from pathlib import Path

from .. import course, paths
from ..config import Config
from ..errors import GraderError
from . import intake
from .answers import extract_answers
from .review import write_review_sheet
from .source import load_source
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


def notebook_digest(folder: Path, name: str | None = None) -> str:
    """Hash of what :func:`process` would read for this student: the notebook's bytes, or
    the problem that stands in for it (a link, an unreadable file)."""
    digest = hashlib.sha256()
    located = intake.locate(folder, name)
    digest.update("\0".join(located.problems).encode("utf-8", "replace") + b"\0")
    if located.path is not None:
        digest.update(located.path.relative_to(folder).as_posix().encode("utf-8", "replace"))
        try:
            digest.update(b"\0" + intake.read_bytes(located.path))
        except GraderError as error:
            digest.update(b"\0error\0" + str(error).encode("utf-8", "replace"))
    return digest.hexdigest()


def _record(result: NotebookResult, folder: Path, digest: str = "") -> None:
    data = asdict(result)
    data["executed_path"] = result.executed_path and result.executed_path.name
    data["images"] = [p.name for p in result.images]
    data["notebook_sha256"] = digest
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notebook_result.json").write_text(
        json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def _recorded_digest(folder: Path) -> str | None:
    """The notebook hash an earlier result was recorded for; None when there is none or
    when the grader failed on it (so the next run tries again)."""
    try:
        data = json.loads((folder / "notebook_result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("status") == "grader_error":
        return None
    return str(data.get("notebook_sha256") or "")


def _failed(notebook: Path, error: BaseException, what: str,
            folder: Path | None = None, name: str | None = None) -> NotebookResult:
    """The result for a student whose notebook the grader could not handle; the answers
    are still read for the TA sheet when they can be."""
    first = (str(error).splitlines() or [""])[0]
    message = f"{what} ({type(error).__name__}: {first})" if first else \
        f"{what} ({type(error).__name__})"
    answers = {}
    located = intake.locate(folder, name).path if folder is not None else None
    if located is not None:
        try:
            answers = extract_answers(located)
        except Exception:  # noqa: BLE001, S110 - the failure is reported already
            pass
    return NotebookResult(notebook.name, "grader_error", False,
                          error=" ".join(message.split())[:300], answers=answers,
                          notes=("the details are in the grader's logs/notebooks.log",))


def _log(out_dir: Path, lock: threading.Lock, student: str, error: BaseException) -> None:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    try:
        with lock:
            (out_dir / "logs").mkdir(parents=True, exist_ok=True)
            with open(out_dir / "logs" / "notebooks.log", "a", encoding="utf-8",
                      errors="replace") as log:
                log.write(f"==== {time.strftime('%Y-%m-%d %H:%M:%S')} notebook of "
                          f"{student!r}\n{text}")
    except OSError:
        pass


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
            error=str(data.get("error", "")),
            notes=len(data["notes"]) if isinstance(data.get("notes"), list) else 0)
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
    wall time one cell may take before the sandbox kills it. ``students`` are the students
    whose notebooks must run (a re-run passes those whose code changed); another
    student's notebook runs only when no result of that same notebook is recorded (never
    with ``config.only``), and otherwise keeps the answers an earlier run recorded. A
    student's notebook never makes this raise: failures are in the results.
    """
    from ..reports.files import folder_names
    from ..run.discover import discover
    from ..run.model import Submission
    from ..run.sandbox import SandboxSlot
    from ..run.stage import SupportPackage, prepare, write_staged

    submissions, out_dir = Path(submissions), Path(out_dir)

    notebook_file = course.notebook_name(config.assignment)
    folders = _folders(submissions, out_dir)
    # The same safe, one-to-one folder names the reports use: ids are untrusted text.
    report_folder = {s: out_dir / name for s, name in folder_names(list(folders)).items()}
    notebooks, digests = {}, {}
    for student, folder in folders.items():
        notebook = find_notebook(folder, notebook_file)
        if notebook is None:
            continue
        digests[student] = notebook_digest(folder, notebook_file)
        # Also run notebooks never recorded (an interrupted run) or changed since, unless
        # the run was limited to some students (--only).
        stale = _recorded_digest(report_folder[student] / "notebook") != digests[student]
        if students is None or student in students or (stale and not config.only):
            notebooks[student] = notebook
    subs = {s.student: s for s in discover(submissions, config.assignment, exclude=(out_dir,))}
    support = SupportPackage.load(Path(assignment_dir or paths.assignment_dir()))
    limits = notebook_limits(config.limits, cell_seconds=cell_seconds)
    make_slot = slot_factory or SandboxSlot
    todo: queue.Queue = queue.Queue()
    for student in notebooks:
        todo.put(student)
    results: dict[str, NotebookResult] = {}
    slot_errors: list[BaseException] = []
    log_lock = threading.Lock()
    scratch = Path(tempfile.mkdtemp(prefix="grader-notebooks-"))

    def finish(student: str, result: NotebookResult) -> None:
        folder = report_folder[student] / "notebook"
        try:
            _record(result, folder, digests[student])
        except Exception as error:  # noqa: BLE001 - e.g. a full disk: the result is still kept
            _log(out_dir, log_lock, student, error)
        results[student] = result
        if on_result is not None:
            try:
                on_result(student, result)
            except Exception as error:  # noqa: BLE001 - progress output must not stop the class
                _log(out_dir, log_lock, student, error)

    def grade_one(student: str, slot, index: int) -> None:
        staged = scratch / "staged" / f"slot{index}"
        try:
            sub = subs.get(student) or Submission(student)
            code = write_staged(prepare(sub), staged, support).root
            # The folder, not the path: process() looks again and notes the links it skipped.
            result = process(folders[student], slot, report_folder[student] / "notebook",
                             code_root=code, name=notebook_file)
            if result is None:  # the notebook went away since it was found
                result = _failed(notebooks[student], FileNotFoundError("notebook vanished"),
                                 "the notebook could not be run")
        except Exception as error:  # noqa: BLE001 - one student's failure is their result
            _log(out_dir, log_lock, student, error)
            result = _failed(notebooks[student], error, "the grader could not run this notebook",
                             folders[student], notebook_file)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
        finish(student, result)

    def work(index: int) -> None:
        try:
            with make_slot(level=config.sandbox, limits=limits,
                           workdir=scratch / f"slot{index}") as slot:
                while True:
                    try:
                        student = todo.get_nowait()
                    except queue.Empty:
                        return
                    grade_one(student, slot, index)
        except Exception as error:  # noqa: BLE001 - a slot that cannot start: reported below
            slot_errors.append(error)
            _log(out_dir, log_lock, "(sandbox slot)", error)

    threads = [threading.Thread(target=work, args=(i,), daemon=True)
               for i in range(max(1, min(config.jobs, len(notebooks))))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for student, notebook in notebooks.items():  # when every slot failed to start or broke
        if student not in results:
            error = slot_errors[0] if slot_errors else RuntimeError("not run")
            finish(student, _failed(notebook, error,
                                    "the notebook could not be run: the sandbox failed"))
    answers = {s: (results[s].answers if s in results
                   else _recorded_answers(report_folder[s] / "notebook")) for s in folders}
    manifest = course.find(config.assignment or course.resolve(None))
    questions = load_source(manifest.notebook).questions() if manifest.notebook else None
    write_review_sheet(answers, out_dir, questions=questions,
                       title=f"{manifest.title}: inline answers")
    return results
