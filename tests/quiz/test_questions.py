"""Per-kind graders, the Q4 adapter's wrapping, the quiz file and the reports."""

from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from grader.errors import InputFileError, UsageError
from grader.quiz import main
from grader.quiz.answers import Section, answer_paths, split_sections
from grader.quiz.code_check import extract_code, wrap, wrap_settings
from grader.quiz.grade import grade_question
from grader.quiz.model import load_quiz
from grader.quiz.q3 import grade_outputs, reference
from grader.quiz.report import gradebook_rows

ROOT = Path(__file__).resolve().parents[2]
QUIZ = load_quiz(ROOT / "quizzes" / "quiz8")
reference_conv = QUIZ.domain.hook("reference_conv")  # Q4's reference, in the quiz's domain
Q4 = {k: v for k, v in wrap_settings(QUIZ.question("q4").settings).items()
      if k != "strip_lines"}


def grade(qid, text):
    return grade_question(QUIZ, QUIZ.question(qid), Section(qid, text, 1))


def test_q3_reference_is_cross_correlation_computed_by_sympy():
    ref = reference(QUIZ.question("q3"))
    x, w = sp.Symbol, sp.Symbol
    assert ref[(1, 2)] == (x("X_12") * w("W_11") + x("X_13") * w("W_12") +
                           x("X_22") * w("W_21") + x("X_23") * w("W_22"))
    conv = reference(QUIZ.question("q3"), "convolution")
    assert conv[(1, 1)] != ref[(1, 1)]


def test_q3_outputs_are_graded_separately():
    q = QUIZ.question("q3")
    text = ("O11 = X11W11 + X12W12 + X21W21 + X22W22\n"
            "O12 = X12W11 + X13W12 + X22W21 + X23W22\n"
            "O21 = X21W11 + X22W12 + X31W21 + X32W22\n"
            "O22 = X22W11 + X23W12 + X32W21")
    result = grade_outputs(q, Section("q3", text, 1), seed=8)
    assert result.verdict == "partial" and result.score == 3
    assert "X33 W22" in " ".join(result.messages)


def test_known_mistakes_get_their_message():
    assert "KEEP" in grade("q1", "H = D ⊙ Y / (1 - p)").messages[0]
    assert "upstream" in grade("q2", "dY = D / p").messages[0]
    assert "redraws" not in grade("q2", "dY = dH").messages[0]


def test_prose_contradiction_goes_to_review_not_to_a_verdict():
    result = grade("q1", "H = D ⊙ Y / p where p is the drop rate")
    assert result.verdict == "review" and result.score is None
    assert "D*Y/(1 - p)" in result.reading


def test_wrap_a_snippet_into_the_function():
    source = wrap("for n in range(N):\n    out = x\n", strip_lines=["data.describe()"], **Q4)
    assert "def conv_forward(x, w, b, pad, stride):" in source
    assert "    for n in range(N):" in source and source.rstrip().endswith("return out")


def test_wrap_keeps_a_students_function_and_adapts_its_signature():
    code = "def conv_forward_naive(x, w, b, conv_param):\n    return x, None\n"
    source = wrap(code, **Q4)
    assert "conv_forward_naive(x, w, b, {'pad': pad, 'stride': stride})" in source
    assert "result[0] if isinstance(result, tuple)" in source


def test_wrap_drops_handout_lines_and_refuses_broken_code():
    assert "data.describe" not in wrap("out = x\ndata.describe()\n",
                                       strip_lines=["data.describe()"], **Q4)
    with pytest.raises(SyntaxError):
        wrap("for n in range(N)\n    out = x\n", **Q4)


def test_code_is_found_in_fences_first():
    assert extract_code(Section("q4", "text\n```python\nout = x\n```\n", 1)) == "out = x\n"
    assert extract_code(Section("q4", "I ran out of time", 1)) is None


def test_reference_conv_matches_a_hand_computed_case():
    x = np.arange(9.0).reshape(1, 1, 3, 3)
    w = np.array([[[[1.0, 0.0], [0.0, 2.0]]]])
    out = reference_conv(x, w, np.array([0.5]), 0, 1)
    assert out[0, 0, 0, 1] == 1 + 2 * 5 + 0.5  # X12*W11 + X23*W22 + b


def test_quiz_file_errors_name_file_and_key(tmp_path):
    (tmp_path / "quiz.toml").write_text('[[questions]]\nid = "q1"\nkind = "formula"\n')
    with pytest.raises(InputFileError) as info:
        load_quiz(tmp_path)
    assert str(info.value).startswith(str(tmp_path / "quiz.toml"))
    assert "questions[0].points: missing" in str(info.value)
    (tmp_path / "quiz.toml").write_text("title = [")
    with pytest.raises(InputFileError, match="not valid TOML"):
        load_quiz(tmp_path)


def test_answers_folder_errors(tmp_path):
    with pytest.raises(UsageError):
        answer_paths(tmp_path / "nope")
    with pytest.raises(InputFileError):
        answer_paths(tmp_path)


def test_sections_split_on_headings():
    sections = split_sections("intro\n## Q1\nH = D\n### Question 2:\ndY = dH\n")
    assert sections["q1"].text == "H = D" and sections["q2"].text == "dY = dH"


def test_cli_writes_gradebook_feedback_and_review(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "ann.md").write_text("## Q1\nH = D ⊙ Y / p\n## Q2\ndY = dH ⊙ D\n")
    (answers / "ben.md").write_text("## Q1\nH = D ⊙ Y / p where p is the drop rate\n")
    assert main(quiz_dir=ROOT / "quizzes" / "quiz8", answers_dir=answers,
                out=tmp_path / "out", jobs=1) == 0
    rows = (tmp_path / "out" / "quiz_gradebook.csv").read_text().splitlines()
    assert rows[0] == "student,score,max_score,q1,q1_verdict,q2,q2_verdict,q3,q3_verdict," \
                      "q4,q4_verdict"
    assert rows[1].startswith("ann,3,12,2,correct,1,partial")
    assert rows[2].startswith("ben,0,12,,review")
    assert "ben: Q1" in (tmp_path / "out" / "review.md").read_text()
    assert (tmp_path / "out" / "ann" / "feedback.md").exists()


def test_gradebook_renders_review_as_pending(tmp_path):
    result = grade("q1", "H = D ⊙ Y / p or H = p D ⊙ Y")
    from grader.quiz.result import StudentResult
    rows = gradebook_rows([StudentResult("s", (result,), 2)], QUIZ)
    assert rows[1][3:5] == ["", "review"]
