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

__all__ = ["Failure", "Stopped", "StudentRaised", "about", "prefetch", "shared", "together",
           "value_of"]


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


def together(student, *functions):
    """The values of independent ``functions``, their calls into the student's code batched.

    Each function reads as if it ran alone; the calls they make at the same point go to the
    worker in one round trip (see :mod:`grader.run.lockstep`). All of them run to the end;
    then the failure of the first that failed, in the order given, is raised.
    """
    return [value_of(outcome) for outcome in student.side_by_side(functions)]


def value_of(outcome):
    """The value of one ``student.side_by_side`` outcome, or its failure raised here."""
    ok, value = outcome
    if not ok:
        raise value
    return value


def prefetch(student, computations: dict) -> None:
    """Compute the :func:`shared` values of ``computations`` (key -> function) not known yet,
    side by side. Each key later gives its own value or its own failure, exactly as if
    ``shared`` had computed it alone, so one failed call never fails another check."""
    todo = [(key, compute) for key, compute in computations.items() if key not in student.memo]
    for (key, _), (ok, value) in zip(todo, student.side_by_side([c for _, c in todo])):
        if not ok and not isinstance(value, Failure):
            raise value  # a grader bug, not a verdict: the test errors as it would alone
        student.memo[key] = (ok, value)


def _with_message(failure: Failure, message: str) -> Failure:
    # A copy keeps the subclass and its fields (kind, type_name) for the judge.
    fresh = copy.copy(failure)
    fresh.args = (message,)
    return fresh
