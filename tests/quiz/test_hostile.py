"""Hostile answers, one category at a time, each beside a correct control answer.

Every hostile answer must come back quickly as a verdict (``review`` with the message
"too large ... to check automatically" when a bound is hit), never as an exception, and
the control answer's verdict must not change. Whole classes with bombs, the wall-time
budget and the reports are in ``test_hostile_class.py``.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from grader.quiz import bounds
from grader.quiz.answers import Section, parse_answer, question_id, split_sections
from grader.quiz.blocks import display_blocks, fenced_blocks
from grader.quiz.grade import grade_answer, grade_question
from grader.quiz.model import load_quiz

ROOT = Path(__file__).resolve().parents[2]
QUIZ = load_quiz(ROOT / "quizzes" / "quiz8")
TOO_BIG = "too large or too deeply nested to check automatically"
CONTROL = {"q1": "H = D ⊙ Y / p", "q2": r"\frac{\partial L}{\partial Y} = "
           r"\frac{\partial L}{\partial H} \odot \frac{D}{p}",
           "q3": "O11 = X11W11 + X12W12 + X21W21 + X22W22\n"
                 "O12 = X12W11 + X13W12 + X22W21 + X23W22\n"
                 "O21 = X21W11 + X22W12 + X31W21 + X32W22\n"
                 "O22 = X22W11 + X23W12 + X32W21 + X33W22"}


def grade(qid: str, text: str):
    started = time.perf_counter()
    result = grade_question(QUIZ, QUIZ.question(qid), Section(qid, text, 1))
    return result, time.perf_counter() - started


def assert_refused(qid: str, text: str, *, within: float = 5.0) -> str:
    """The hostile answer is reviewed with the size message, fast; the control beside
    it is still correct."""
    result, seconds = grade(qid, text)
    assert result.verdict == "review" and result.score is None, (result.verdict,
                                                                  result.messages)
    assert TOO_BIG in result.review_reason and result.messages == (result.review_reason,)
    assert seconds < within, f"{seconds:.1f} s"
    control, _ = grade(qid, CONTROL[qid])
    assert control.verdict == "correct", control.messages
    return result.review_reason


# ------------------------------------------------------------ 1. headings and numbers

def test_a_heading_with_thousands_of_digits_is_no_question():
    text = ("## Q" + "9" * 5000 + "\nH = D Y\n## Q" + "0" * 5000 + "1\n" + CONTROL["q1"]
            + "\n## Q2\n" + CONTROL["q2"])
    sections = split_sections(text)
    assert set(sections) == {"q999999...", "q1", "q2"}
    assert sections["q1"].text == CONTROL["q1"] and sections["q1"].line == 3
    result = grade_answer(QUIZ, parse_answer(text, student="s"))
    assert [q.verdict for q in result.questions] == ["correct", "correct", "missing",
                                                     "missing"]


def test_question_ids_read_like_int_without_int():
    assert [question_id(d) for d in ("1", "007", "0", "0" * 9000 + "3")] == [
        "q1", "q7", "q0", "q3"]
    assert question_id("12345678") == "q123456..."


def test_many_repeated_headings_are_split_in_linear_time():
    text = "## Q1\nH = D ⊙ Y / p\n" * 40_000  # 640 kB, 40,000 headings
    started = time.perf_counter()
    sections = split_sections(text)
    assert time.perf_counter() - started < 5
    assert sections["q1"].text.count("H = D") == 40_000


@pytest.mark.parametrize("text", [
    "H = " + "9" * 5000 + " D ⊙ Y / p",
    "H = D ⊙ Y / " + "1" * 40 + "p",
])
def test_long_numbers_are_refused(text):
    assert_refused("q1", text)


# ------------------------------------------------------------ 2. depth and length

@pytest.mark.parametrize("text", [
    "H = " + r"\frac{1}{" * 1000 + "Y" + "}" * 1000,
    "H = " + r"\frac{1}{" * 30 + "Y" + "}" * 30,
    "H = " + "(" * 5000 + "D ⊙ Y / p" + ")" * 5000,
    "H = " + "[" * 30 + "D ⊙ Y / p" + "]" * 30,
    "H = " + r"\left(" * 2000 + "D ⊙ Y / p" + r"\right)" * 2000,
    "H = " + "-" * 3000 + "D ⊙ Y / p",
    "H = " + "-" * 300 + "D ⊙ Y / p",
    "H = " + "+".join(["Y"] * 3000),
    "H = " + "+".join(["Y"] * 100),
    "H = " + "^".join(["Y"] * 500),
    "H = Y_{" * 500 + "1" + "}" * 500,
    "H = " + r"\sqrt{" * 30 + "Y" + "}" * 30,
    "H = " + r"\begin{bmatrix}" * 30 + "Y" + r"\end{bmatrix}" * 30,
    "H = " + " + ".join(f"D_{{{k}}} Y" for k in range(500)),
])
def test_deep_or_long_formulas_are_refused(text):
    assert_refused("q1", text)


def test_a_long_answer_is_refused_before_reading():
    assert "characters" in assert_refused("q1", CONTROL["q1"] + "\n" + "word " * 5000)


def test_deep_q3_outputs_are_refused():
    assert_refused("q3", "O11 = " + "(" * 1000 + "X11W11" + ")" * 1000)


# ------------------------------------------------------------ 3. static bounds on the math

@pytest.mark.parametrize("text", [
    "H = Y^{10^{10}}",
    "H = (D+Y+p+1)^{60}",
    "H = D ⊙ Y / p^{p + 100}",
    "H = 9^{9^{9}} D Y",
    "H = 2^{2^{2^{2^{2}}}} D Y",
    r"H = \sqrt{999999999999999999999999999999^{32}} Y",
    "H = (D+Y)^{32} (p+1)^{32}",
    "H = D Y / (D+Y+p+1)^{12}",
    r"H = \begin{cases} (D+Y+p+1)^{12} & D=1 \\ 0 & \text{otherwise} \end{cases}",
    r"H = \sum_{a=1}^{50}\sum_{b=1}^{50}\sum_{c=1}^{50} D Y",
    "\n".join(["a = (Y+D+1)"] + ["a = a*a"] * 20 + ["H = a"]),
    "\n".join(["a = Y + D + p"] + ["a = a * (Y + D + p + 1)"] * 30 + ["H = a"]),
    "out = x\n" + "out *= (x + mask + p)\n" * 30,
    "\n".join(["H = D ⊙ Y / p"] * 101),
])
def test_math_bombs_are_refused_in_milliseconds(text):
    assert_refused("q1", text, within=2.0)


def test_q2_and_q3_bombs_are_refused():
    assert_refused("q2", r"dY = dH ⊙ (D+Y+p+1)^{60}")
    assert_refused("q3", "O11 = (X11+X12+W11+W12)^{40}")
    assert_refused("q3", "O = " + r"\begin{bmatrix}" + r"\\".join(
        " & ".join(["X11W11"] * 30) for _ in range(30)) + r"\end{bmatrix}")


def test_the_estimate_counts_what_expand_would_make():
    import sympy as sp

    d, y, p = sp.symbols("D Y p")
    assert bounds.check_expr((d + y) ** 4 * (p + 1)) is not None
    with pytest.raises(bounds.TooBig):
        bounds.check_expr((d + y + p + 1) ** 12)
    with pytest.raises(bounds.TooBig):
        bounds.check_power(sp.Integer(10) ** 29, sp.Integer(30))
    with pytest.raises(bounds.TooBig):
        bounds.check_power(y, sp.Integer(10) ** 10)


def test_answers_just_under_the_bounds_still_get_a_verdict():
    for text in ("H = D ⊙ Y / p^2", "H = (D ⊙ Y)^{2} / p", "H = " + "(" * 20 + "D ⊙ Y / p"
                 + ")" * 20, "H = D ⊙ Y / p + 0 " + "+ 0 " * 30):
        result, _ = grade("q1", text)
        assert result.verdict in ("correct", "incorrect", "partial"), (text, result.messages)
    assert grade("q1", "H = " + "(" * 20 + "D ⊙ Y / p" + ")" * 20)[0].verdict == "correct"


# ------------------------------------------------------------ 5. structures around formulas

def test_unclosed_fences_and_display_openers_are_scanned_linearly():
    for text in ("```\n" * 30_000 + "x", "~~~ a\n```\n" * 15_000, "\\[" * 100_000,
                 "$$ x \\[" * 30_000):
        started = time.perf_counter()
        fenced_blocks(text)
        display_blocks(text)
        assert time.perf_counter() - started < 3


def test_block_scanners_agree_with_the_patterns_they_replace():
    import re

    fence = re.compile(r"^\s*(```|~~~)[^\n]*\n(.*?)^\s*\1\s*$", re.MULTILINE | re.DOTALL)
    display = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]", re.DOTALL)
    samples = ["a\n```python\nx = 1\n```\nb\n~~~\ny\n~~~", "```\n```\n```\nz\n```",
               "  ```\nq\n  ```  \n", "~~~\n```\nx\n~~~\n```", "```\nno end",
               "$$a$$ b \\[c\\] $$$$ $$ d $$ \\[", "$x$ $$\n1\n$$ \\[ \\] \\[2\\]"]
    for text in samples:
        assert [b for _, _, b in fenced_blocks(text)] == [m.group(2) for m in
                                                          fence.finditer(text)]
        assert [b for _, _, b in display_blocks(text)] == [m.group(1) or m.group(2) for m
                                                           in display.finditer(text)]


def test_a_nothing_answer_of_question_marks_is_quick():
    result, seconds = grade("q1", "?" * 19_000 + "x")
    assert seconds < 3 and result.verdict == "review"


def test_hostile_python_in_the_code_question_is_a_review_not_a_crash(monkeypatch):
    from grader.quiz import code_check

    monkeypatch.setattr(code_check._Slot, "broken", "test: no sandbox")
    for code in ("out = " + "-" * 20_000 + "1", "out = " + "+".join(["x"] * 10_000)):
        result, seconds = grade("q4", f"```python\n{code}\n```")
        assert result.verdict == "review" and TOO_BIG in result.review_reason
        assert seconds < 5
    long = grade("q4", "```python\n" + "x = 1\n" * 20_000 + "```")[0]
    assert long.verdict == "review" and "characters" in long.review_reason
