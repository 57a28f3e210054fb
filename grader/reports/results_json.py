"""<student>/results.json in the Gradescope autograder schema.

Every test carries its ``visibility``; Gradescope shows a ``hidden`` test to staff only
and the ``after_*`` ones once the due date passes or grades are published, so the
details stay in the file for staff. Share feedback.md, not this file, with a student
directly.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..results import VISIBILITIES, SubmissionResult
from .files import atomic_write
from .words import STATUS_TEXT, adjustment_text, applied


def to_gradescope(result: SubmissionResult) -> dict:
    summary = STATUS_TEXT.get(result.status, result.status)
    if result.output:
        summary += "\n\n" + result.output
    changes = applied(result.adjustments)
    if changes:
        summary += "\n\n" + "\n".join(adjustment_text(a) for a in changes)
    return {
        "score": _num(result.score),
        "execution_time": _num(result.execution_time, 3),
        "output": summary,
        "stdout_visibility": "hidden",
        "tests": [{
            "name": test.name,
            "score": _num(test.score),
            "max_score": _num(test.max_score),
            "status": "passed" if test.passed else "failed",
            "output": test.output,
            "visibility": test.visibility if test.visibility in VISIBILITIES else "hidden",
        } for test in result.tests],
        "extra_data": {
            "student": result.student,
            "status": result.status,
            "max_score": _num(result.max_score),
            "sandbox": result.sandbox,
            "content_hash": result.content_hash,
            "files": list(result.files),
            "raw_score": None if result.raw_score is None else _num(result.raw_score),
            "adjustments": [_adjustment(a) for a in result.adjustments],
        },
    }


def _adjustment(adjustment) -> dict:
    return {"kind": adjustment.kind, "target": adjustment.target,
            "before": _num(adjustment.before), "after": _num(adjustment.after),
            "reason": adjustment.reason, "by": adjustment.by, "at": _num(adjustment.at, 3),
            "stale": adjustment.stale}


def _num(value: float, digits: int = 4) -> float:
    # NaN is not JSON; Gradescope rejects a file that has one.
    value = float(value)
    return round(value, digits) if math.isfinite(value) else 0.0


def render(result: SubmissionResult) -> str:
    return json.dumps(to_gradescope(result), indent=2, ensure_ascii=False) + "\n"


def write(result: SubmissionResult, folder: Path) -> Path:
    path = Path(folder) / "results.json"
    atomic_write(path, render(result))
    return path
