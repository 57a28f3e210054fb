"""gradebook.csv: one row per student, one column per test, in suite order."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..results import SubmissionResult
from .files import atomic_write
from .safe_text import csv_cell
from .words import adjustment_text

HEAD = ["student", "score", "max_score", "status"]
# Only when some score was changed after grading: the score as graded, and what changed it.
ADJUSTED = ["raw_score", "adjustments"]
# Only when a deadline policy was applied: hours past the student's due date, or past their
# extension (blank when on time or when no time is known; the adjustments column says which,
# and whether the grace period or an extension meant no penalty).
LATENESS = ["lateness"]



def test_names(results: list[SubmissionResult]) -> list[str]:
    """Every test name, in the suite's order (the longest result's order, then any others)."""
    names: dict[str, None] = {}
    for result in sorted(results, key=lambda r: -len(r.tests)):
        for test in result.tests:
            names.setdefault(test.name, None)
    return list(names)


def render(results: list[SubmissionResult]) -> str:
    tests = test_names(results)
    adjusted = any(r.adjustments for r in results)
    deadline = any(a.kind == "late" for r in results for a in r.adjustments)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEAD + (ADJUSTED if adjusted else []) + (LATENESS if deadline else [])
                    + [csv_cell(t) for t in tests])
    for result in sorted(results, key=lambda r: r.student):
        scores = {t.name: t.score for t in result.tests}
        extra = []
        if adjusted:
            raw = result.score if result.raw_score is None else result.raw_score
            extra = [_number(raw),
                     csv_cell(" | ".join(adjustment_text(a) for a in result.adjustments))]
        if deadline:
            extra.append(_lateness(result))
        writer.writerow([csv_cell(result.student), _number(result.score),
                         _number(result.max_score), result.status] + extra
                        + [_number(scores[t]) if t in scores else "" for t in tests])
    return buffer.getvalue()


def write(results: list[SubmissionResult], out_dir: Path) -> Path:
    path = Path(out_dir) / "gradebook.csv"
    atomic_write(path, render(results))
    return path


def _lateness(result: SubmissionResult) -> str:
    late = next((a for a in result.adjustments if a.kind == "late" and not a.stale), None)
    if late is None or not late.late_seconds or late.late_seconds <= 0:
        return ""
    return _number(round(late.late_seconds / 3600, 2))


def _number(value: float) -> str:
    value = round(float(value), 4)
    return str(int(value)) if value.is_integer() else repr(value)
