"""Changes to a graded score after grading: a TA's override, a late penalty.

The judge's verdict is never edited in place. A *source* (the TAs' decisions in the
store, an assignment's deadline policy) looks at a result and says what it changes; this
module applies those changes in a fixed order and records each one as an
:class:`~grader.results.Adjustment` beside the result, with the score as graded kept in
``raw_score``. Reports only render what is recorded here.

Sources run in the order given, each on the result the previous ones left, so a late
penalty applies to the score a TA decided the work deserves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from .results import Adjustment, SubmissionResult


class AdjustmentSource(Protocol):
    def adjustments(self, result: SubmissionResult) -> Iterable[Adjustment]:
        """What this source changes in ``result``; ``before`` is filled in by :func:`apply`."""


def apply(result: SubmissionResult, adjustment: Adjustment) -> SubmissionResult:
    """``result`` with ``adjustment`` applied (a stale one is only recorded)."""
    raw = result.score if result.raw_score is None else result.raw_score
    if adjustment.target:
        test = next((t for t in result.tests if t.name == adjustment.target), None)
        if test is None:  # the test is gone (a new suite): nothing left to change
            adjustment = replace(adjustment, stale=True)
        else:
            adjustment = replace(adjustment, before=test.score,
                                 after=_bounded(adjustment.after, test.max_score))
    else:
        adjustment = replace(adjustment, before=result.score,
                             after=_bounded(adjustment.after, result.max_score))
    recorded = result.adjustments + (adjustment,)
    if adjustment.stale:
        return replace(result, adjustments=recorded, raw_score=raw)
    tests = result.tests
    if adjustment.target:
        tests = tuple(replace(t, score=adjustment.after) if t.name == adjustment.target else t
                      for t in tests)
    score = _bounded(result.score + adjustment.after - adjustment.before, result.max_score)
    return replace(result, tests=tests, score=score, adjustments=recorded, raw_score=raw)


def adjusted(result: SubmissionResult,
             sources: Sequence[AdjustmentSource]) -> SubmissionResult:
    """``result`` after every source, in order."""
    for source in sources:
        for adjustment in source.adjustments(result):
            result = apply(result, adjustment)
    return result


def adjusted_all(results: Iterable[SubmissionResult],
                 sources: Sequence[AdjustmentSource]) -> list[SubmissionResult]:
    return [adjusted(result, sources) for result in results]


def _bounded(value: float, most: float) -> float:
    # An override or penalty never takes a score below zero or above what it is out of.
    return min(max(float(value), 0.0), float(most))
