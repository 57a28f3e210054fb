"""What can go wrong inside a student's worker, as data for the judge.

These are not :class:`grader.errors.GraderError`: a student's code raising, hanging
or crashing is a verdict about the submission, not a failure of the grader. The
judge turns each into a failed test whose message is ``str(error)``, so every
message here is written for the student.
"""

from __future__ import annotations


class WorkerFailure(Exception):
    """A call into the student's worker did not produce a value."""

    def student_message(self) -> str:
        return str(self)


class StudentError(WorkerFailure):
    """The student's code raised an exception (including SystemExit)."""

    def __init__(self, type_name: str, message: str, traceback_text: str = "") -> None:
        self.type_name = type_name
        self.message = message
        self.traceback_text = traceback_text
        super().__init__(type_name, message, traceback_text)

    def __str__(self) -> str:
        head = f"{self.type_name}: {self.message}" if self.message else self.type_name
        return f"{head}\n{self.traceback_text}".rstrip() if self.traceback_text else head


class LimitExceeded(WorkerFailure):
    """A resource limit stopped the worker; ``limit`` names it in plain words."""

    def __init__(self, limit: str, detail: str = "") -> None:
        self.limit = limit
        self.detail = detail
        super().__init__(limit, detail)

    def __str__(self) -> str:
        text = f"limit exceeded: {self.limit}"
        return f"{text}: {self.detail}" if self.detail else text


class WorkerCrashed(WorkerFailure):
    """The worker died or stopped answering without a limit being the cause."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)

    def __str__(self) -> str:
        return f"the submission's process crashed: {self.detail}"


class ProtocolError(WorkerFailure):
    """The worker sent something that is not allowed data (or garbage)."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(detail)

    def __str__(self) -> str:
        return f"the submission's process sent invalid data: {self.detail}"
