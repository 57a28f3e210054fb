"""The one exception family of the grader.

Every error a user can cause derives from :class:`GraderError`. Library code raises
them with a message a person can act on; only ``grader/cli.py`` turns them into a
printed line and an exit code, so no traceback ever reaches a user for their mistake.
"""

from __future__ import annotations


class GraderError(Exception):
    """Root of every error the grader reports to a user."""

    exit_code = 2

    def __init__(self, message: str, *, path: object | None = None) -> None:
        self.path = None if path is None else str(path)
        super().__init__(message)

    def __str__(self) -> str:
        message = super().__str__()
        # One line, and the file named first when there is one.
        message = " ".join(message.split())
        return f"{self.path}: {message}" if self.path else message


class UsageError(GraderError):
    """The command was called wrongly (missing folder, bad option value)."""


class InputFileError(GraderError):
    """A file the user gave us is malformed (quiz TOML, answers, markers)."""


class ConfigError(GraderError):
    """A setting is invalid; the message names where the value came from."""


class SandboxUnavailable(GraderError):
    """The requested sandbox level cannot run on this machine."""


class InternalError(GraderError):
    """A bug or an environment failure inside the grader itself."""

    exit_code = 3
