"""TAs' overrides of ``grader run`` scores, as an adjustment source for the reports.

An override names a test (or "" for the total), the points a TA decided, and why. It was
decided on one version of the submission (its content hash): while the stored result
has that hash the override applies; once the student resubmits (or the hidden suite
changes) it is recorded as stale, shown to the TAs and in the gradebook, and applied
only after a TA confirms it on the new version. It is never dropped by a regrade.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..results import Adjustment, SubmissionResult
from ..store import FILENAME
from .decisions import Decision, DecisionStore


class OverrideSource:
    """The current overrides in ``OUT/grades.sqlite`` (read once, when made)."""

    def __init__(self, out: Path,
                 decisions: dict[tuple[str, str, str], Decision] | None = None) -> None:
        if decisions is None:
            path = Path(out) / FILENAME
            decisions = DecisionStore(path).current("override") if path.exists() else {}
        self._by_student: dict[str, list[Decision]] = {}
        for decision in decisions.values():
            if decision.kind == "override" and not decision.withdrawn:
                self._by_student.setdefault(decision.student, []).append(decision)

    def adjustments(self, result: SubmissionResult) -> Iterator[Adjustment]:
        order = {test.name: n for n, test in enumerate(result.tests)}
        # Tests first, in suite order, then the total: an override of the total is the
        # TA's last word on a score that already holds their per-test changes.
        mine = sorted(self._by_student.get(result.student, ()),
                      key=lambda d: (d.target == "", order.get(d.target, len(order)), d.id))
        for d in mine:
            yield Adjustment("override", d.target, 0.0, float(d.points or 0.0), d.reason,
                             by=d.by, at=d.at, stale=d.content_hash != result.content_hash)
