"""Hidden test suites, one package per assignment, run only by the trusted judge.

Suites are ordinary pytest modules. They get two fixtures from :mod:`grader.suites.plugin`:
``student`` (calls into the submission through the worker proxy) and ``ref`` (the reference
``cs231n`` package). A test fails with a :class:`Failure` (or a plain ``assert`` with a
message); its text is exactly what the student reads.

Every value that came from the submission is looked at through the comparison helpers of
:mod:`grader.suites.compare` (``real_array``, ``real_number``, ``equal``, ``close``, ...,
re-exported here), never with numpy's own comparisons.
"""

from __future__ import annotations

import contextlib
import copy

from grader.run.proxy import Failure, Stopped, StudentRaised

__all__ = ["NOT_SUBMITTED", "REAL_KINDS", "Failure", "NotSubmitted", "Stopped", "StudentRaised",
           "about", "below", "close", "close_number",
           "contexts", "describe", "directional_error", "entrywise_error", "equal",
           "finite_mean", "floats", "prefetch", "real_array", "real_number", "relative_error",
           "same_number", "shared", "shown", "together", "value_of", "zero_count"]


NOT_SUBMITTED = "was not submitted, so this check does not run here"


class NotSubmitted(Failure):
    """A public check that needs an optional file the student has not submitted (yet).

    ``grader check`` lists such checks as not run instead of failing them: the grader
    grades the submission without that file by the assignment's own rule.
    """

    def __init__(self, name: str, why: str = "") -> None:
        super().__init__(f"{name} {NOT_SUBMITTED}" + (f": {why}" if why else ""))


@contextlib.contextmanager
def about(context: str):
    """Prefix any failure inside the block with what was being checked.

    Any other exception keeps the context too (see :func:`contexts`): should the judge find
    that it came from the submission's values, the student reads where it happened.
    """
    try:
        yield
    except Failure as failure:
        raise _with_message(failure, f"{context}: {failure}") from None
    except Exception as error:
        known = error.__dict__.setdefault(_CONTEXTS, [])
        if context not in known:
            known.append(context)  # innermost first
        raise


_CONTEXTS = "_grader_contexts"


def contexts(error: BaseException) -> list[str]:
    """What :func:`about` blocks an exception passed through, outermost first."""
    return list(reversed(getattr(error, _CONTEXTS, ())))


def shared(student, key, compute):
    """``compute()`` once per submission; later tests get the same value or the same failure.

    Round trips to the worker dominate the suite's cost, so checks that need the same
    evidence (one train-mode sample serves the zero-fraction, scaling and mean checks)
    share it instead of drawing it again. An exception that is not a failure is kept too
    (by :func:`prefetch`) and raised again in each test that asks for the key.
    """
    if key not in student.memo:
        try:
            student.memo[key] = (True, compute())
        except Failure as failure:
            student.memo[key] = (False, failure)
    ok, value = student.memo[key]
    if not ok:
        if isinstance(value, Failure):
            raise _with_message(value, str(value))
        raise _again(value)
    return value


def _again(error: Exception) -> Exception:
    """A copy of a kept exception to raise in one more test: the contexts that test's
    ``about`` blocks add stay its own (the kept one keeps those of its computation)."""
    # Built by hand, not with copy.copy: a library may replace exceptions' __reduce_ex__
    # (distributed installs tblib's), and then copying can fail or share state.
    try:
        fresh = type(error).__new__(type(error))
        fresh.args = error.args
        fresh.__dict__.update(error.__dict__)
    except Exception:  # noqa: BLE001 - an exception that cannot be copied is raised as is
        return error
    fresh.__dict__[_CONTEXTS] = list(getattr(error, _CONTEXTS, ()))
    return fresh.with_traceback(error.__traceback__)


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
    side by side. Each key later gives its own value, failure or exception, exactly as if
    ``shared`` had computed it alone, so one failed call never fails another check: an
    exception raised while computing one key (a value the check could not handle, or a
    bug of ours) is raised in the test that asks for that key, and judged there."""
    todo = [(key, compute) for key, compute in computations.items() if key not in student.memo]
    for (key, _), (ok, value) in zip(todo, student.side_by_side([c for _, c in todo])):
        student.memo[key] = (ok, value)


def _with_message(failure: Failure, message: str) -> Failure:
    # A copy keeps the subclass and its fields (kind, type_name) for the judge.
    fresh = copy.copy(failure)
    fresh.args = (message,)
    return fresh


from .compare import (
    REAL_KINDS,
    below,
    close,
    close_number,
    describe,
    directional_error,
    entrywise_error,
    equal,
    finite_mean,
    floats,
    real_array,
    real_number,
    relative_error,
    same_number,
    shown,
    zero_count,
)
