"""Hidden test suites, one package per assignment, run only by the trusted judge.

Suites are ordinary pytest modules. They get two fixtures from :mod:`grader.suites.plugin`:
``student`` (calls into the submission through the worker proxy) and ``ref`` (the reference
``cs231n`` package). A test fails with a :class:`Failure` (or a plain ``assert`` with a
message); its text is exactly what the student reads.
"""

from __future__ import annotations

import contextlib

from grader.run.proxy import Failure, Stopped, StudentRaised

__all__ = ["Failure", "Stopped", "StudentRaised", "about"]


@contextlib.contextmanager
def about(context: str):
    """Prefix any failure inside the block with what was being checked."""
    try:
        yield
    except Failure as failure:
        failure.args = (f"{context}: {failure}",)
        raise
