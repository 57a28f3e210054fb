"""Results of checking quiz answers, as plain data for the reports."""

from __future__ import annotations

from dataclasses import dataclass, field

VERDICTS = ("correct", "partial", "incorrect", "review", "missing")


@dataclass(frozen=True)
class Part:
    """One separately graded piece of an answer (an output of Q3, a run of Q4)."""

    name: str
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class QuestionResult:
    qid: str
    verdict: str
    score: float | None  # None while a person has to decide (review)
    max_score: float
    forms: tuple[str, ...] = ()  # accepted forms the answer matched (vanilla, inverted)
    reading: str = ""  # what the checker read, shown to the student and the reviewer
    messages: tuple[str, ...] = ()  # feedback, one message per point
    review_reason: str = ""
    answer: str = ""  # the student's text, for the review list
    parts: tuple[Part, ...] = ()
    tags: tuple[str, ...] = field(default=(), compare=False)  # mistake tags found


@dataclass(frozen=True)
class StudentResult:
    student: str
    questions: tuple[QuestionResult, ...]
    max_score: float
    source: str = ""  # the answer file

    @property
    def score(self) -> float:
        return sum(q.score or 0.0 for q in self.questions)

    @property
    def pending(self) -> bool:
        return any(q.verdict == "review" for q in self.questions)
