"""The notebook's inline questions of a ``grader run`` folder, as items to grade by hand.

Only students who handed in a notebook have inline answers (a blank one included: the
TA decides on it too). Inline questions carry no points in the score the hidden suite
gives; a TA's verdict on each is out of ``INLINE_POINTS`` and goes to
``inline_grades.csv`` with the comment, for the course to weigh as it likes.
"""

from __future__ import annotations

from functools import lru_cache

from .items import Item

INLINE_POINTS = 1.0


@lru_cache(maxsize=1)
def _prompts() -> tuple[tuple[str, str], ...]:
    from ..notebooks.review import _default_questions
    return tuple(_default_questions().items())


def prompts() -> dict[str, str]:
    """Inline question label -> its prompt, from the notebook's source."""
    return dict(_prompts())


def inline_items(folder, target: str | None = None) -> list[Item]:
    decisions = folder.decisions.current("inline")
    items = []
    for student, answers in folder.inline_answers().items():
        for label in _labels(answers):
            if target is not None and label != target:
                continue
            items.append(Item("inline", student, label, answers.get(label, ""), "", "",
                              INLINE_POINTS, decisions.get(("inline", student, label))))
    return items


def questions(folder) -> list[str]:
    """Every inline question label, the notebook's order first."""
    found: dict[str, None] = dict.fromkeys(prompts())
    for answers in folder.inline_answers().values():
        found.update(dict.fromkeys(answers))
    return list(found)


def _labels(answers: dict[str, str]) -> list[str]:
    return list(dict.fromkeys([*prompts(), *answers]))
