"""The quiz's side of reviewing: what ``grader quiz`` checked, and the TAs' verdicts on it.

``grader quiz`` keeps only files a person reads, so it also saves the checker's results
as data (``OUT/quiz_results.json``: every answer's text, verdict, points, reason) for the
review app and for ``grader review --export``. The TAs' verdicts live in
``OUT/review.sqlite`` and are applied on the way to the reports, by every ``grader
quiz`` run and every export, so a re-run never loses them.

A verdict is keyed by student, question and the hash of the answer's text (spacing
ignored): when a student's answer changes, the verdict is stale and the answer goes back
to the checker's verdict until a TA looks again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from pathlib import Path

from ..errors import GraderError
from ..reports.files import atomic_write
from .decisions import Decision, DecisionStore

RESULTS = "quiz_results.json"
DECISIONS = "review.sqlite"
FORMAT = 1
# The TA's verdict on an answer -> the quiz's verdict word.
QUIZ_VERDICT = {"accept": "correct", "partial": "partial", "reject": "incorrect"}


def answer_hash(text: str) -> str:
    """What a decision on an answer is keyed by: its words, whatever the spacing."""
    return hashlib.sha256(" ".join(str(text).split()).encode("utf-8", "surrogatepass")
                          ).hexdigest()[:32]


def checked(results: list, quiz, out: Path) -> list:
    """What ``grader quiz`` calls between checking and reporting: save the checker's
    results (``OUT/quiz_results.json``) and return them with the TAs' verdicts applied."""
    results = [replace(r, questions=tuple(replace(q, answer=_answer(r, q))
                                          for q in r.questions)) for r in results]
    save(results, quiz, out)
    return decided(results, out)


def save(results, quiz, out: Path) -> Path:
    """Write ``OUT/quiz_results.json`` from the checker's results (before any TA verdict)."""
    data = {"format": FORMAT, "quiz_dir": str(Path(quiz.path).resolve()), "title": quiz.title,
            "max_score": quiz.max_score,
            "questions": [{"id": q.id, "title": q.title, "points": q.points, "text": q.text}
                          for q in quiz.questions],
            "results": [{"student": r.student, "source": r.source, "max_score": r.max_score,
                         "questions": [asdict(q) for q in r.questions]} for r in results]}
    path = Path(out) / RESULTS
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return path


def _answer(result, question) -> str:
    """The answer's text: the checker keeps it for some verdicts only, so read the file
    again (through the quiz's own bounded reader) for the others."""
    if question.answer or not result.source:
        return question.answer
    from ..quiz.answers import read_answer
    try:
        section = read_answer(Path(result.source), result.student).section(question.qid)
    except Exception:  # noqa: BLE001 - an unreadable file reads as no answer
        return ""
    return section.text if section is not None else ""


def load(out: Path) -> dict:
    """The saved data of a quiz output folder; a one-line error when there is none."""
    path = Path(out) / RESULTS
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GraderError("no quiz_results.json here: run `grader quiz` again with this "
                          "--out to make the folder reviewable", path=out) from None
    except (OSError, ValueError) as error:
        raise GraderError(f"cannot read the quiz results ({error})", path=path) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise GraderError("quiz results in an unknown format; run `grader quiz` again",
                          path=path)
    return data


def results_of(data: dict) -> list:
    """The saved results as the quiz's own data classes."""
    from ..quiz.result import Part, QuestionResult, StudentResult

    out = []
    for r in data["results"]:
        questions = tuple(
            QuestionResult(**{**q, "forms": tuple(q["forms"]), "messages": tuple(q["messages"]),
                              "tags": tuple(q["tags"]),
                              "parts": tuple(Part(**p) for p in q["parts"])})
            for q in r["questions"])
        out.append(StudentResult(r["student"], questions, r["max_score"], r["source"]))
    return out


def store(out: Path) -> DecisionStore:
    return DecisionStore(Path(out) / DECISIONS)


def current(out: Path) -> dict[tuple[str, str, str], Decision]:
    """The TAs' current verdicts on this quiz folder's answers (none when nobody decided)."""
    path = Path(out) / DECISIONS
    return DecisionStore(path).current("quiz") if path.exists() else {}


def decided(results: list, out: Path) -> list:
    """``results`` with every TA verdict that still matches its answer applied."""
    return apply(results, current(out))


def apply(results: list, decisions: dict[tuple[str, str, str], Decision]) -> list:
    out = []
    for r in results:
        questions = tuple(_applied(q, decisions.get(("quiz", r.student, q.qid)))
                          for q in r.questions)
        out.append(replace(r, questions=questions))
    return out


def is_current(decision: Decision | None, answer: str) -> bool:
    return (decision is not None and not decision.withdrawn
            and decision.content_hash == answer_hash(answer))


def _applied(q, decision: Decision | None):
    if not is_current(decision, q.answer):
        return q
    note = f"Graded by a TA ({decision.by})" if decision.by else "Graded by a TA"
    note += f": {decision.reason}" if decision.reason.strip() else "."
    messages = q.messages + (note,)
    if decision.verdict == "comment":
        return replace(q, messages=messages)
    verdict = QUIZ_VERDICT[decision.verdict]
    score = {"correct": q.max_score, "incorrect": 0.0}.get(
        verdict, min(max(float(decision.points or 0.0), 0.0), q.max_score))
    return replace(q, verdict=verdict, score=score, messages=messages, review_reason="")
