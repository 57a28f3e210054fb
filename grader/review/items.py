"""Answers to grade by hand, as the question-by-question pages show them.

An :class:`Item` is one student's answer to one question with the checker's verdict and
reason and the newest TA decision on it. Items with the same answer (spacing ignored) to
the same question form a :class:`Group`, so one decision grades them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from .decisions import Decision
from .quizdata import answer_hash

FILTERS = ("undecided", "all", "decided", "stale")


@dataclass(frozen=True)
class Item:
    kind: str  # "quiz" | "inline"
    student: str
    target: str  # the quiz question's id or the inline question's label
    answer: str
    checker: str  # the checker's verdict ("review", "correct", ...); "" for inline answers
    why: str  # the checker's reason and reading, for the TA
    max_points: float
    decision: Decision | None = None  # the newest decision on this answer (maybe withdrawn)
    checker_points: float | None = None

    @property
    def content_hash(self) -> str:
        return answer_hash(self.answer)

    @property
    def stale(self) -> bool:
        d = self.decision
        return d is not None and not d.withdrawn and d.content_hash != self.content_hash

    @property
    def decided(self) -> bool:
        d = self.decision
        return d is not None and not d.withdrawn and not self.stale and d.verdict != "comment"

    @property
    def undecided(self) -> bool:
        """Waiting for a TA: every inline answer, and the quiz answers sent to review."""
        if self.decided:
            return False
        return self.kind == "inline" or self.checker == "review" or self.stale

    @property
    def verdict(self) -> str:
        return self.decision.verdict if self.decided else ""

    @property
    def points(self) -> float | None:
        if not self.decided:
            return self.checker_points
        return {"accept": self.max_points, "reject": 0.0}.get(
            self.decision.verdict, self.decision.points)


@dataclass(frozen=True)
class Group:
    """Identical answers to one question."""

    items: tuple[Item, ...]

    @property
    def first(self) -> Item:
        return self.items[0]

    @property
    def key(self) -> str:
        return self.first.content_hash

    @property
    def students(self) -> list[str]:
        return [i.student for i in self.items]

    @property
    def undecided(self) -> bool:
        return any(i.undecided for i in self.items)

    def matches(self, *, show: str = "undecided", verdict: str = "",
                student: str = "") -> bool:
        if student and student not in self.students:
            return False
        if verdict and not any(verdict in (i.checker, i.verdict) for i in self.items):
            return False
        if show == "undecided":
            return self.undecided
        if show == "decided":
            return any(i.decided for i in self.items)
        if show == "stale":
            return any(i.stale for i in self.items)
        return True


def groups(items: list[Item]) -> list[Group]:
    """Items grouped by identical answer, in the order of each group's first student."""
    by_answer: dict[str, list[Item]] = {}
    for item in sorted(items, key=lambda i: i.student):
        by_answer.setdefault(item.content_hash, []).append(item)
    return [Group(tuple(found)) for found in by_answer.values()]


def quiz_items(folder, qid: str | None = None) -> list[Item]:
    """Every answer of a quiz folder (to one question, if given)."""
    decisions = folder.decisions.current("quiz")
    points = {q["id"]: float(q["points"]) for q in folder.questions()}
    items = []
    for result in folder.results():
        for q in result.questions:
            if qid is not None and q.qid != qid:
                continue
            why = [q.review_reason] if q.review_reason else []
            why += [m for m in q.messages if m and m != q.review_reason]
            why += [f"{p.name}: {'right' if p.ok else p.message or 'wrong'}" for p in q.parts]
            if q.reading:
                why.append("The checker read: " + q.reading)
            items.append(Item("quiz", result.student, q.qid, q.answer, q.verdict,
                              "\n".join(why), points.get(q.qid, q.max_score),
                              decisions.get(("quiz", result.student, q.qid)), q.score))
    return items
