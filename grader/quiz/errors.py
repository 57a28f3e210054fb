"""Errors of the quiz checker.

A student's formula that cannot be read is not a failure of the grader: these errors are
caught by the checker and turned into a ``review`` verdict that shows where reading
stopped. They still derive from :class:`GraderError` so nothing escapes the one root.
"""

from __future__ import annotations

from ..errors import GraderError


class AnswerError(GraderError):
    """A formula in an answer could not be read or understood."""

    def __init__(self, message: str, *, pos: int | None = None, text: str = "") -> None:
        super().__init__(message)
        self.pos = pos
        self.text = text

    def where(self) -> str:
        """The answer text with a caret under the character where reading stopped."""
        if self.pos is None or not self.text:
            return ""
        line_start = self.text.rfind("\n", 0, self.pos) + 1
        line_end = self.text.find("\n", self.pos)
        line = self.text[line_start:None if line_end < 0 else line_end]
        return f"{line}\n{' ' * (self.pos - line_start)}^"


class ParseError(AnswerError):
    """The text is not a formula the parser accepts (syntax, unknown command)."""


class NormalizeError(AnswerError):
    """The formula parsed but uses something the checker cannot give a meaning to."""


class TooBig(GraderError):
    """An answer over one of the checker's bounds (size, depth, exponent, time).

    Not an :class:`AnswerError`: the handlers that turn one unreadable formula into a
    note let it pass, so one bound hit sends the whole answer to review."""
