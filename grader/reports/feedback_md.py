"""<student>/feedback.md: what passed, what did not and why, in words a student can act on.

Tests that are not ``visible`` are named with their points, but their messages are
left out: those messages may describe the hidden checks. Everything that came from a
submission (its id, exception text) is escaped or fenced, so the file renders the same
in any Markdown viewer and cannot inject HTML into a page that shows it.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..results import SubmissionResult
from .files import atomic_write
from .words import (
    adjustment_text,
    applied,
    deadline_notes,
    graded_files,
    sandbox_text,
    split_notes,
    status_text,
)

# Enough to stop links, images, code spans, bold and tables; "_", "-" and "." are left alone
# so test names stay readable in a plain-text viewer (mid-line they can at most italicise).
_MARKDOWN = re.compile(r"([\\`*\[\]|])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_HIDDEN_NOTE = {
    "hidden": "hidden test: its details are not shown",
    "after_due_date": "details are shown after the due date",
    "after_published": "details are shown when grades are published",
}


def inline(text: str) -> str:
    """Text safe on one Markdown line: no markup, no HTML, no control characters."""
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", " ".join(str(text).split()))
    text = _MARKDOWN.sub(r"\\\1", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def block(text: str) -> str:
    """Verbatim text in a fence longer than any run of backticks inside it."""
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", str(text).rstrip())
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _points(score: float, max_score: float) -> str:
    return f"{score:g} / {max_score:g}"


def render(result: SubmissionResult, notebook: str | None = None) -> str:
    lines = [f"# Feedback for {inline(result.student)}", "",
             f"**Score: {_points(result.score, result.max_score)}**", "",
             status_text(result), ""]
    changes = applied(result.adjustments)
    if changes:
        lines += ["## Changes to your score", "",
                  f"Score as graded by the tests: {_points(result.raw_score, result.max_score)}",
                  ""]
        lines += [f"- {inline(adjustment_text(a))}" for a in changes]
        lines.append("")
    for note in deadline_notes(result.adjustments):
        # The deadline policy decided on this submission without changing the score.
        lines += [f"**{inline(adjustment_text(note))}**", ""]
    notes, output = split_notes(result.output)
    if output:
        lines += [block(output), ""]
    if result.files:
        lines += ["Files graded: " + inline(graded_files(result.files, result.absent)), ""]
    if notes:
        lines += ["## Notes from the grader", ""]
        lines += [f"- {inline(note)}" for note in notes]
        lines.append("")
    passed = [t for t in result.tests if t.passed]
    failed = [t for t in result.tests if not t.passed]
    if failed:
        lines += [f"## Not passed ({len(failed)})", ""]
        for test in failed:
            lines.append(f"### {inline(test.name)} ({_points(test.score, test.max_score)})")
            lines.append("")
            if test.visibility != "visible":
                lines += [f"*{_HIDDEN_NOTE.get(test.visibility, 'details are not shown')}*", ""]
            elif test.output:
                lines += [block(test.output), ""]
    if passed:
        lines += [f"## Passed ({len(passed)})", ""]
        lines += [f"- {inline(t.name)} ({_points(t.score, t.max_score)})" for t in passed]
        lines.append("")
    if not result.tests:
        lines += ["No tests ran for this submission.", ""]
    if notebook:
        lines += ["## Your notebook", "", inline(notebook),
                  "", "Your answers to the inline questions are read by a TA.", ""]
    if result.sandbox:
        lines += ["## How your code was run", "",
                  f"Your code ran in the {sandbox_text(result.sandbox)}", ""]
    return "\n".join(lines)


def write(result: SubmissionResult, folder: Path, notebook: str | None = None) -> Path:
    path = Path(folder) / "feedback.md"
    atomic_write(path, render(result, notebook))
    return path
