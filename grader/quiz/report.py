"""Quiz reports: the gradebook CSV, each student's feedback, the review list.

Rendering only: every number and word comes from the results. Everything a student
wrote passes :mod:`grader.quiz.safe_text` on the way out: CSV cells cannot be formulas,
no control character reaches a file, messages show no host path, and every student has
a folder of their own (``folders.csv`` maps ids to folders). Files are replaced
atomically.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

from ..reports.files import atomic_write
from .model import Quiz
from .result import QuestionResult, StudentResult
from .safe_text import csv_cell, folder_names, printable, scrub_paths

_VERDICT_WORDS = {"correct": "correct", "partial": "partly correct", "incorrect": "incorrect",
                  "review": "to be graded by a person", "missing": "no answer"}


def _points(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:g}"


def gradebook_rows(results: list[StudentResult], quiz: Quiz) -> list[list[str]]:
    header = ["student", "score", "max_score"]
    for q in quiz.questions:
        header += [q.id, f"{q.id}_verdict"]
    rows = [header]
    for r in results:
        row = [r.student, _points(r.score), _points(r.max_score)]
        for q in r.questions:
            row += [_points(q.score), q.verdict]
        rows.append(row)
    return [[csv_cell(cell) for cell in row] for row in rows]


def _csv(rows: list[list[str]], terminator: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=terminator).writerows(rows)
    return buffer.getvalue()


def write_gradebook(results: list[StudentResult], quiz: Quiz, path: Path) -> None:
    atomic_write(path, _csv(gradebook_rows(results, quiz), "\r\n"))


def _fence(text: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}\n{text.rstrip()}\n{ticks}"


def _shorten(text: str, limit: int = 3000) -> str:
    """At most ``limit`` characters of an answer in the review list."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n... ({len(text) - limit:,} more characters in the answer file)"


def _part(part) -> str:
    if part.ok:
        return f"{part.name}: right"
    text = part.message or "wrong"
    return text if text.startswith(part.name) else f"{part.name}: {text}"


def _question_md(q: QuestionResult, quiz: Quiz, *, for_review: bool = False) -> list[str]:
    question = quiz.question(q.qid)
    score = "pending" if q.score is None else f"{q.score:g} / {q.max_score:g}"
    lines = [f"## {q.qid.upper()}: {question.title} ({score}, {_VERDICT_WORDS[q.verdict]})", ""]
    part_texts = [_part(p) for p in q.parts]
    shown = {p.message for p in q.parts}
    if not for_review:
        lines += [f"- {m}" for m in q.messages if m not in shown]
    lines += [f"- {t}" for t in part_texts]
    if q.reading and (for_review or q.verdict != "correct"):
        lines += ["", "How the checker read your answer:" if not for_review else
                  "The checker's reading:", "", _fence(q.reading)]
    if for_review:
        lines += ["", "The answer:", "", _fence(_shorten(q.answer) or "(empty)")]
    return lines + [""]


def feedback_md(result: StudentResult, quiz: Quiz) -> str:
    lines = [f"# {quiz.title}: feedback for {result.student}", ""]
    pending = " (some answers are still being graded by a person)" if result.pending else ""
    lines += [f"Score: {result.score:g} / {result.max_score:g}{pending}", ""]
    for q in result.questions:
        lines += _question_md(q, quiz)
    return "\n".join(lines)


def review_md(results: list[StudentResult], quiz: Quiz) -> str:
    items = [(r, q) for r in results for q in r.questions if q.verdict == "review"]
    lines = [f"# {quiz.title}: answers for a person to grade", "",
             (f"{len(items)} answer(s) the checker could not decide with confidence. "
              "Each shows why, what the checker read, and the answer as written."), ""]
    for r, q in items:
        lines += [f"# {r.student}: {q.qid.upper()}", "", f"Why: {q.review_reason}", ""]
        lines += _question_md(q, quiz, for_review=True)[2:]
    return "\n".join(lines)


def _scrubbed(q: QuestionResult) -> QuestionResult:
    return replace(q, messages=tuple(scrub_paths(m) for m in q.messages),
                   review_reason=scrub_paths(q.review_reason),
                   parts=tuple(replace(p, message=scrub_paths(p.message)) for p in q.parts))


def write_reports(results: list[StudentResult], quiz: Quiz, out: Path) -> dict[str, str]:
    """Write the reports into ``out``; returns the folder of each student id."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    results = [replace(r, questions=tuple(_scrubbed(q) for q in r.questions))
               for r in results]
    folders = folder_names([r.student for r in results])
    write_gradebook(results, quiz, out / "quiz_gradebook.csv")
    for r in results:
        atomic_write(out / folders[r.student] / "feedback.md", printable(feedback_md(r, quiz)))
    rows = [["student", "folder", "answer_file"]] + [
        [r.student, folders[r.student], Path(r.source).name if r.source else ""]
        for r in results]
    atomic_write(out / "folders.csv", _csv([[csv_cell(c) for c in row] for row in rows]))
    atomic_write(out / "review.md", printable(review_md(results, quiz)))
    return folders


def check_text(q: QuestionResult, quiz: Quiz) -> str:
    """What ``grader quiz --check`` prints for one answer (control characters shown as
    escapes, host paths replaced)."""
    question = quiz.question(q.qid)
    score = "pending" if q.score is None else f"{q.score:g} / {q.max_score:g}"
    lines = [f"{q.qid.upper()} ({question.title}): {q.verdict}  [{score}]"]
    if q.forms:
        lines.append(f"matched form: {', '.join(q.forms)}")
    if q.reading:
        lines += ["reading:"] + [f"  {line}" for line in q.reading.splitlines()]
    if q.messages or q.parts:
        lines.append("feedback:")
        shown = {p.message for p in q.parts}
        lines += [f"  - {m}" for m in q.messages if m not in shown]
        lines += [f"  - {_part(p)}" for p in q.parts]
    return printable(scrub_paths("\n".join(lines)))
