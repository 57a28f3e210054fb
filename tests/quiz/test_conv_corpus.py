"""The convolution quiz against its corpus of answers, as Quiz 8's (test_corpus.py).

Every automatic verdict must be the expected one (and its named form or mistake, when
the case names one); answers a person must decide must go to review. Run
``pytest tests/quiz/test_conv_corpus.py -s`` to see the figures, or ``python
tests/quiz/test_conv_corpus.py`` for every case in detail.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest
from corpus_cases import Case, toml_cases

from grader.quiz.answers import Section
from grader.quiz.grade import grade_question
from grader.quiz.model import load_quiz

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus_conv"
QUIZ = load_quiz(ROOT / "quizzes" / "conv")
MAX_REVIEW = 0.20  # the claims questions send every unrecognised statement to a person




def cases() -> list[Case]:
    out = []
    for path in sorted(CORPUS.glob("q*.toml")):
        out += toml_cases(path)
    return out


def evaluate() -> list[tuple[Case, object, bool]]:
    rows = []
    for case in cases():
        got = grade_question(QUIZ, QUIZ.question(case.qid), Section(case.qid, case.answer, 1))
        ok = got.verdict == case.expect and (not case.form or case.form in got.forms) and (
            not case.tag or case.tag in got.tags)
        rows.append((case, got, ok))
    return rows


@pytest.fixture(scope="module")
def evaluation():
    return evaluate()


def test_corpus_is_large_enough():
    assert len(cases()) >= 40
    assert {c.qid for c in cases()} == {q.id for q in QUIZ.questions}


def test_every_verdict_is_the_expected_one(evaluation):
    counts = Counter(g.verdict for _, g, _ in evaluation)
    print(f"\nconv quiz corpus: {len(evaluation)} answers: " +
          ", ".join(f"{counts[v]} {v}" for v in
                    ("correct", "partial", "incorrect", "missing", "review")))
    wrong = [f"{c.name}: expected {c.expect}{'/' + c.form if c.form else ''}"
             f"{'/' + c.tag if c.tag else ''}, got {g.verdict} {g.forms} {g.tags}"
             for c, g, ok in evaluation if not ok]
    assert not wrong, "\n".join(wrong)


def test_review_rate(evaluation):
    review = sum(g.verdict == "review" for _, g, _ in evaluation)
    assert review / len(evaluation) <= MAX_REVIEW


if __name__ == "__main__":
    for case, got, ok in evaluate():
        if not ok or "-v" in sys.argv:
            print(f"{'ok' if ok else 'BAD'} {case.name}: expected {case.expect} {case.tag} | "
                  f"got {got.verdict} {got.score} {got.forms} {got.tags}\n"
                  f"    {case.answer[:90]!r}\n    {got.reading[:300]!r}\n    {got.messages[:2]}")
