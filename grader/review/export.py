"""Rewrite an output folder's reports with the TAs' current decisions, without regrading.

For a ``grader run`` folder: the stored results of the last run's class, the same
adjustment sources as ``grader run`` (overrides, then the late penalty when its policy is
given), then the same report writer, plus ``inline_grades.csv`` for the notebooks'
inline questions. For a ``grader quiz`` folder: the saved checker results with the TAs'
verdicts, through the quiz's own report writer. What the reports say about the run itself
(requested sandbox level, limits, suite version) is recovered from this installation and
the environment, as a run with default flags would state it.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from ..errors import UsageError
from ..reports.files import atomic_write
from ..reports.safe_text import csv_cell
from .folders import QuizFolder, RunFolder
from .inline import INLINE_POINTS, inline_items

INLINE_GRADES = "inline_grades.csv"


def export(folder: RunFolder | QuizFolder, *, submissions: Path | None = None,
           deadline: Path | None = None) -> list[Path]:
    """Write the folder's reports; returns the main files written."""
    if isinstance(folder, QuizFolder):
        return export_quiz(folder)
    return export_run(folder, submissions=submissions, deadline=deadline)


def run_sources(folder: RunFolder, *, submissions: Path | None = None,
                deadline: Path | None = None) -> list:
    """The adjustment sources ``grader run`` would use for this folder."""
    from ..config import Config, load_deadline
    from ..run.pipeline import adjustment_sources

    policy = load_deadline(deadline) if deadline is not None else None
    if policy is not None and submissions is None:
        raise UsageError("--deadline needs --submissions (the submission times come from it)")
    config = Config(out_dir=folder.out, deadline=policy)
    return adjustment_sources(folder.out, config, submissions=submissions,
                              students=list(folder.folders))


def export_run(folder: RunFolder, *, submissions: Path | None = None,
               deadline: Path | None = None) -> list[Path]:
    from ..adjust import adjusted_all
    from ..config import load_limits
    from ..notebooks.classwide import recorded_summaries
    from ..reports import ReportFacts, write_reports
    from ..run.pipeline import _sandbox_descriptions

    if deadline is None and _had_late_penalties(folder):
        # Rewriting without the policy would silently take the penalties away.
        raise UsageError("these reports hold late penalties: give the same --submissions "
                         "and --deadline as to `grader run`", path=folder.out)
    results = list(folder.results().values())
    students = [r.student for r in results]
    facts = ReportFacts(notebooks=recorded_summaries(folder.out, students),
                        limits=load_limits({}), suite_version=_suite_version(),
                        sandbox_descriptions=_sandbox_descriptions(results))
    sources = run_sources(folder, submissions=submissions, deadline=deadline)
    written = write_reports(adjusted_all(results, sources), out_dir=folder.out, facts=facts)
    paths = [written["gradebook"], written["report"]]
    if folder.inline_answers():
        paths.append(write_inline_grades(folder))
    return paths


def write_inline_grades(folder: RunFolder) -> Path:
    """``inline_grades.csv``: every inline answer of a handed-in notebook and the TA's
    verdict on it (empty until decided; stale when the answer changed since)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "question", "verdict", "points", "max_points", "comment",
                     "by", "at", "stale"])
    for item in inline_items(folder):
        d = item.decision
        decided = d is not None and not d.withdrawn
        points = "" if not decided or item.points is None else f"{item.points:g}"
        writer.writerow([csv_cell(item.student), csv_cell(item.target),
                         item.verdict if decided and not item.stale else "",
                         "" if item.stale else points, f"{INLINE_POINTS:g}",
                         csv_cell(d.reason) if decided else "",
                         csv_cell(d.by) if decided else "",
                         _when(d.at) if decided else "", "yes" if item.stale else ""])
    path = folder.out / INLINE_GRADES
    atomic_write(path, buffer.getvalue())
    return path


def export_quiz(folder: QuizFolder) -> list[Path]:
    from ..quiz.model import load_quiz
    from ..quiz.report import write_reports
    from . import quizdata

    quiz_dir = Path(folder.data.get("quiz_dir", ""))
    if not quiz_dir.exists():
        raise UsageError(f"the quiz these answers were checked against is gone ({quiz_dir}); "
                         "run `grader quiz` again", path=folder.out)
    quiz = load_quiz(quiz_dir)
    write_reports(quizdata.decided(folder.results(), folder.out), quiz, folder.out)
    return [folder.out / "quiz_gradebook.csv", folder.out / "review.md"]


def _had_late_penalties(folder: RunFolder) -> bool:
    for name in folder.folders.values():
        try:
            data = json.loads((folder.out / name / "results.json").read_text(encoding="utf-8"))
            if any(a.get("kind") == "late" for a in data["extra_data"]["adjustments"]):
                return True
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return False


def _suite_version() -> str:
    from .. import course, paths
    from ..errors import GraderError
    from ..run.stage import suite_version
    try:
        suite = course.find(course.resolve(None)).suite
        return suite_version(suite, paths.solutions_dir() / "cs231n",
                             paths.assignment_dir() / "cs231n")
    except (OSError, GraderError):
        return ""


def _when(at: float) -> str:
    import time
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))
