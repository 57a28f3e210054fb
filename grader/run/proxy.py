"""The ``student`` the hidden suites use: student code called through a worker session.

What every assignment's suite gets; an assignment adds its own conveniences (its suite
package's ``prepare_student``, see :mod:`grader.suites.plugin`). Nothing here imports
student code. Every call goes through a :class:`WorkerSession` (the
sandboxed one, or the in-process test double) and comes back as plain data or an opaque
handle. Errors from the worker become :class:`Failure` exceptions whose text is what the
student reads; what stopped the worker is also recorded in ``Student.events`` so the judge
can set the submission's status even when a test catches the failure.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from pathlib import Path

from ..errors import InternalError
from ..paths import solutions_dir
from .errors import LimitExceeded, ProtocolError, StudentError, WorkerCrashed
from .lockstep import session_for, side_by_side

SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
# Directory part of a path: students see file names only, never where the grader keeps them.
_DIRS = re.compile(r"(?<![\w.\-])(?:[A-Za-z]:)?(?:[/\\][^\s\"'(),:;<>\[\]]+)+[/\\](?=[^/\\\s])")
# The worker's tracebacks name only the submission's own files, by their staged path.
_LOCATION = re.compile(r"([\w\-]+\.py)\"?(?:, line |:)(\d+)")


class Failure(Exception):
    """A check failed; ``str(failure)`` is the student-facing explanation."""


class StudentRaised(Failure):
    """Student code raised an exception."""

    def __init__(self, message: str, *, type_name: str = "") -> None:
        super().__init__(message)
        self.type_name = type_name


class Stopped(Failure):
    """The worker was stopped by a limit, died, or broke the protocol."""

    def __init__(self, message: str, *, kind: str = "crashed") -> None:
        super().__init__(message)
        self.kind = kind  # a submission status: "timeout", "limit" or "crashed"


def clean(text: str) -> str:
    """Student-facing text: directories removed, length bounded."""
    text = _DIRS.sub("", str(text)).strip()
    return text if len(text) <= 600 else text[:600] + " ..."


def location(traceback_text: str) -> str:
    """'layers.py line 42' for the innermost frame in the student's files, else ''."""
    found = _LOCATION.findall(traceback_text or "")
    return f"{found[-1][0]} line {found[-1][1]}" if found else ""


def describe_student_error(what: str, error: StudentError) -> str:
    if error.type_name in SYNTAX_ERRORS:
        return f"{what} failed: {error.type_name}: {clean(error.message)}"
    where = location(error.traceback_text)
    message = clean(error.message)
    text = f"{what} raised {error.type_name}" + (f": {message}" if message else "")
    return text + (f" ({where})" if where else "")


def limit_kind(error: LimitExceeded) -> str:
    return "timeout" if "wall" in str(error.limit).lower() else "limit"


class Student:
    """One submission as the hidden tests see it."""

    def __init__(self, session, *, files: tuple[str, ...],
                 sources: dict[str, bytes] | None = None,
                 unavailable: dict[str, str] | None = None) -> None:
        self._session = session
        self.files = tuple(files)
        self.sources = dict(sources or {})  # submitted name -> staged source, read as text
        # submitted name -> why that optional file cannot be used (it failed to import)
        self.unavailable = dict(unavailable or {})
        self.events: list[tuple[str, str]] = []  # (status kind, student-facing message)
        self.memo: dict = {}  # results several tests share (see grader.suites.shared)

    @property
    def session(self):
        """The worker session, or inside :meth:`side_by_side` the caller's batching lane."""
        return session_for(self._session)

    def side_by_side(self, functions) -> list[tuple[bool, object]]:
        """Run ``functions`` with their calls batched (see :mod:`grader.run.lockstep`)."""
        return side_by_side(self._session, functions)

    def guard(self, what: str, action, *args, **kwargs):
        """Run one session operation, turning worker errors into failures."""
        try:
            return action(*args, **kwargs)
        except StudentError as error:
            raise StudentRaised(describe_student_error(what, error),
                                type_name=error.type_name) from None
        except LimitExceeded as error:
            message = f"{what} was stopped: it exceeded the {error.limit} limit"
            self.events.append((limit_kind(error), message))
            raise Stopped(message, kind=limit_kind(error)) from None
        except WorkerCrashed as error:
            message = f"the process running {what} died ({clean(error.detail)})"
            self.events.append(("crashed", message))
            raise Stopped(message, kind="crashed") from None
        except ProtocolError as error:
            message = f"{what} sent back something the grader cannot accept ({clean(error.detail)})"
            self.events.append(("crashed", message))
            raise Stopped(message, kind="crashed") from None

    def call(self, target: str, *args, **kwargs):
        name = target.rpartition(":")[2]
        return self.guard(name, self.session.call, target, *args, **kwargs)


def reference_package() -> types.ModuleType:
    """The reference course package (solutions/), imported in the trusted process, with
    every module the course's manifests name (submitted files, functions) imported."""
    from .. import course
    root = solutions_dir()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    modules = course.modules()
    tops = sorted({name.split(".")[0] for name in modules})
    if len(tops) != 1:
        raise InternalError(f"the course's manifests name modules of {len(tops)} packages "
                            f"({', '.join(tops) or 'none'}); the reference is one package")
    package = importlib.import_module(tops[0])
    for module in modules:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if not (error.name and module.startswith(error.name)):
                raise
    origin = Path(package.__file__).resolve()
    if root.resolve() not in origin.parents:
        raise InternalError(f"the {tops[0]} package imported by the grader is {origin}, "
                            f"not the reference solution under {root}")
    return package


