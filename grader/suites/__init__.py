"""Hidden test suites, one package per assignment, run only by the trusted judge.

Suites are ordinary pytest modules. They get two fixtures from :mod:`grader.suites.plugin`:
``student`` (calls into the submission through the worker proxy) and ``ref`` (the reference
``cs231n`` package). A test fails with a :class:`Failure` (or a plain ``assert`` with a
message); its text is exactly what the student reads.
"""

from __future__ import annotations

import contextlib
import copy

from grader.run.proxy import Failure, Stopped, StudentRaised

__all__ = ["Failure", "Stopped", "StudentRaised", "about", "shared"]


@contextlib.contextmanager
def about(context: str):
    """Prefix any failure inside the block with what was being checked."""
    try:
        yield
    except Failure as failure:
        raise _with_message(failure, f"{context}: {failure}") from None


def shared(student, key, compute):
    """``compute()`` once per submission; later tests get the same value or the same failure.

    Round trips to the worker dominate the suite's cost, so checks that need the same
    evidence (one train-mode sample serves the zero-fraction, scaling and mean checks)
    share it instead of drawing it again.
    """
    if key not in student.memo:
        try:
            student.memo[key] = (True, compute())
        except Failure as failure:
            student.memo[key] = (False, failure)
    ok, value = student.memo[key]
    if not ok:
        raise _with_message(value, str(value))
    return value


def _with_message(failure: Failure, message: str) -> Failure:
    # A copy keeps the subclass and its fields (kind, type_name) for the judge.
    fresh = copy.copy(failure)
    fresh.args = (message,)
    return fresh
