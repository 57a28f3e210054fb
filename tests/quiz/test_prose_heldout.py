"""Held-out answers where the words around a formula change what it means.

Each case has the verdict a careful TA gives and the verdicts the checker may give: the
TA's, or ``review`` where the words can only be weighed by a person (never a confident
wrong verdict). ``before`` is what the checker said before these cases were handled.
Controls (``before`` equal to the TA's verdict) must not change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.quiz.answers import Section, read_answer
from grader.quiz.grade import grade_answer, grade_question
from grader.quiz.model import load_quiz

ROOT = Path(__file__).resolve().parents[2]
QUIZ = load_quiz(ROOT / "quizzes" / "quiz8")

Q3_ZERO = """Using 0-based indices (row, column from 0):
O00 = X00 W00 + X01 W01 + X10 W10 + X11 W11
O01 = X01 W00 + X02 W01 + X11 W10 + X12 W11
O10 = X10 W00 + X11 W01 + X20 W10 + X21 W11
O11 = X11 W00 + X12 W01 + X21 W10 + X22 W11"""
Q3_ONE = """O11 = X11 W11 + X12 W12 + X21 W21 + X22 W22
O12 = X12 W11 + X13 W12 + X22 W21 + X23 W22
O21 = X21 W11 + X22 W12 + X31 W21 + X32 W22
O22 = X22 W11 + X23 W12 + X32 W21 + X33 W22"""

# (question, answer, TA verdict, verdicts the checker may give, verdict before the fix)
CASES = [
    # 1. cases in words. Q1 accepts vanilla and inverted dropout, so Q2 alone accepts
    # both backward forms; consistency with the student's own Q1 is checked on the file.
    ("q2", "dL/dY_i = dL/dH_i if unit i was kept, and 0 if it was dropped",
     "correct", {"correct"}, "incorrect"),
    ("q2", "dL/dY_i = dL/dH_i / p if unit i was kept, and 0 if it was dropped",
     "correct", {"correct"}, "incorrect"),
    ("q2", "dY_i = dH_i / p when neuron i is kept; 0 otherwise",
     "correct", {"correct"}, "incorrect"),
    ("q2", "dL/dY_i = dL/dH_i if unit i was dropped, and 0 if it was kept",
     "incorrect", {"incorrect", "review"}, "incorrect"),
    ("q2", "dL/dY_i = dL/dH_i * p if unit i was kept, and 0 if it was dropped",
     "incorrect", {"incorrect", "review"}, "incorrect"),
    ("q2", (r"$$\frac{\partial L}{\partial Y_i} = \begin{cases} \frac{\partial L}"
           r"{\partial H_i}/p & \text{if not dropped} \\ 0 & \text{otherwise}\end{cases}$$"),
     "correct", {"correct"}, "incorrect"),
    ("q2", "dY = dH ⊙ D / p for the dropped units only",
     "incorrect", {"incorrect", "review"}, "correct"),
    ("q2", "dY = dH ⊙ D / p if D = 1, 0 otherwise", "correct", {"correct"}, "correct"),
    # 2. a mask drawn anew for the backward pass
    ("q2", ("dL/dY = dL/dH ⊙ D, where a fresh Bernoulli(p) mask D is sampled for the "
           "backward pass"), "incorrect", {"incorrect", "review"}, "correct"),
    ("q2", "dY = dH ⊙ D / p, where D is not the same mask as in the forward pass",
     "incorrect", {"incorrect", "review"}, "correct"),
    ("q2", "dY = dH ⊙ D / p, with D drawn again during the backward pass",
     "incorrect", {"incorrect", "review"}, "correct"),
    ("q2", "dY = dH ⊙ D / p (we do not resample the mask, it is the one from forward)",
     "correct", {"correct"}, "correct"),
    ("q2", "dY = dH ⊙ D / p, where D is the mask sampled in the forward pass",
     "correct", {"correct"}, "correct"),
    # 3. a claimed form that contradicts the formula
    ("q2", ("dL/dY = dL/dH ⊙ D (this is inverted dropout, so the gradient is the same as "
           "vanilla)"), "review", {"review"}, "correct"),
    ("q1", "H = D ⊙ Y (this is inverted dropout, so it is the same as vanilla)",
     "review", {"review"}, "correct"),
    ("q2", "dY = dH ⊙ D / p (vanilla dropout)", "review", {"review"}, "correct"),
    ("q1", "H = D ⊙ Y. Unlike inverted dropout, vanilla dropout scales at test time.",
     "correct", {"correct"}, "correct"),
    ("q1", "H = D ⊙ Y / p. Unlike vanilla dropout, inverted dropout divides by p.",
     "correct", {"correct"}, "correct"),
    ("q2", "dY = dH ⊙ D / p (inverted dropout)", "correct", {"correct"}, "correct"),
    # element-wise versus matrix product in words
    ("q2", "dY = D dH / p, a matrix multiplication", "incorrect", {"incorrect", "review"},
     "correct"),
    ("q2", "dY = dH @ D / p (element-wise)", "review", {"review"}, "incorrect"),
    ("q2", "dY = dH ⊙ D / p (element-wise, not a matrix product)", "correct", {"correct"},
     "correct"),
    ("q2", "dY = dH ⊙ D^T / p", "incorrect", {"incorrect"}, "incorrect"),
    # 4. Q3 with 0-based indices
    ("q3", Q3_ZERO, "correct", {"correct"}, "incorrect"),
    ("q3", Q3_ZERO.replace("Using 0-based indices (row, column from 0):\n", ""),
     "correct", {"correct"}, "incorrect"),
    ("q3", "\n".join(line.replace("O00", "O_{00}") for line in Q3_ZERO.split("\n")[1:])
     .replace("X00", "X_{00}"), "correct", {"correct"}, "incorrect"),
    ("q3", Q3_ONE, "correct", {"correct"}, "correct"),
    ("q3", Q3_ONE.replace("O11 = X11 W11", "O11 = X00 W11"), "incorrect",
     {"incorrect", "partial", "review"}, "partial"),
    ("q3", Q3_ZERO.replace("O11 = X11 W00", "O11 = X11 W01"), "partial",
     {"partial", "review"}, "incorrect"),
]


@pytest.mark.parametrize("qid,answer,ta,allowed,before", CASES,
                         ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_heldout_verdict(qid, answer, ta, allowed, before):
    got = grade_question(QUIZ, QUIZ.question(qid), Section(qid, answer, 1))
    assert got.verdict in allowed, (got.verdict, got.reading, got.messages)
    if before in allowed:  # a control: its verdict must not have changed
        assert got.verdict == before


def test_cases_in_words_follow_q1_form(tmp_path):
    """Q2 in vanilla form after an inverted Q1 gets the consistency credit, as a LaTeX
    cases answer would; with the 1/p it is fully correct."""
    for q2, verdict in (("dL/dY_i = dL/dH_i if unit i was kept, and 0 if it was dropped",
                         "partial"),
                        ("dL/dY_i = dL/dH_i / p if unit i was kept, and 0 if it was dropped",
                         "correct")):
        path = tmp_path / "s.md"
        path.write_text(f"## Q1\nH = D ⊙ Y / p\n\n## Q2\n{q2}\n", encoding="utf-8")
        result = grade_answer(QUIZ, read_answer(path))
        assert next(q for q in result.questions if q.qid == "q2").verdict == verdict
