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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEAD + (ADJUSTED if adjusted else []) + [csv_cell(t) for t in tests])
    for result in sorted(results, key=lambda r: r.student):
        scores = {t.name: t.score for t in result.tests}
        extra = []
        if adjusted:
            raw = result.score if result.raw_score is None else result.raw_score
            extra = [_number(raw),
                     csv_cell(" | ".join(adjustment_text(a) for a in result.adjustments))]
        writer.writerow([csv_cell(result.student), _number(result.score),
                         _number(result.max_score), result.status] + extra
                        + [_number(scores[t]) if t in scores else "" for t in tests])
    return buffer.getvalue()


def write(results: list[SubmissionResult], out_dir: Path) -> Path:
    path = Path(out_dir) / "gradebook.csv"
    atomic_write(path, render(results))
    return path


def _number(value: float) -> str:
    value = round(float(value), 4)
    return str(int(value)) if value.is_integer() else repr(value)
