"""The convolution quiz as data: its sets match the definition, its kinds come from the
registry, its domain block is its own, and `grader quiz` runs it end to end."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from grader.errors import ConfigError, InputFileError
from grader.quiz import build_config, kinds, main
from grader.quiz.answers import Section
from grader.quiz.grade import grade_question
from grader.quiz.model import load_quiz
from grader.quiz.positions import read_entries

ROOT = Path(__file__).resolve().parents[2]
QUIZ = load_quiz(ROOT / "quizzes" / "conv")


def receptive_field(out: tuple[int, int], *, size=5, filt=3, stride=2, pad=1):
    """1-based entries of a size x size input that feed output ``out`` (1-based)."""
    rows = [(out[0] - 1) * stride + k - pad for k in range(filt)]
    cols = [(out[1] - 1) * stride + k - pad for k in range(filt)]
    return {(r + 1, c + 1) for r in rows for c in cols if 0 <= r < size and 0 <= c < size}


def form_set(question, tag):
    form = next(f for f in question.accepted + question.wrong if f.name == tag)
    return read_entries(question, form.text, 1)[0]


def test_positions_forms_match_the_definition():
    q = QUIZ.question("q2")
    assert form_set(q, "receptive_field") == receptive_field((1, 2))
    assert form_set(q, "transposed") == receptive_field((2, 1))
    assert form_set(q, "stride_ignored") == receptive_field((1, 2), stride=1)
    padded = {(r + 1, c + 1) for r in range(3) for c in range(2, 5)}  # padded indices
    assert form_set(q, "padded_coordinates") == padded


def test_kinds_are_a_registry():
    assert {"formula", "outputs", "code", "positions", "claims"} <= set(kinds.names())
    assert kinds.get("code").sandboxed and not kinds.get("claims").sandboxed

    class Echo(kinds.Kind):
        name = "echo_test"

    try:
        kinds.register(Echo)
        assert kinds.get("echo_test").name == "echo_test"
    finally:
        kinds._KINDS.pop("echo_test", None)
    with pytest.raises(InputFileError, match="no question kind"):
        kinds.get("nope")


def test_the_domain_block_is_the_quizs_own():
    assert QUIZ.domain.name == "convolution" and not QUIZ.domain.module_path
    assert QUIZ.question("q1").symbol("P").aliases[:2] == ("pad", "padding")
    quiz8 = load_quiz(ROOT / "quizzes" / "quiz8")
    assert quiz8.domain.hook("read_prose") is not None
    # Without the dropout domain a formula's words change nothing.
    result = grade_question(QUIZ, QUIZ.question("q1"), Section(
        "q1", "Hout = 1 + (H + 2P - HH)/S, where p is the drop rate", 1))
    assert result.verdict == "correct"


def test_domain_mistakes_name_the_file_and_key(tmp_path):
    (tmp_path / "quiz.toml").write_text(
        '[domain]\nmodule = "nope.py"\n[[questions]]\nid = "q1"\nkind = "claims"\n'
        'points = 1\n[[questions.accepted]]\nname = "a"\npatterns = ["x"]\n')
    with pytest.raises(InputFileError, match="domain.module"):
        load_quiz(tmp_path)
    (tmp_path / "quiz.toml").write_text(
        '[[questions]]\nid = "q1"\nkind = "formula"\npoints = 1\ntarget = "H"\n'
        '[questions.symbols]\nH = "domain"\n[[questions.accepted]]\nname = "a"\nform = "H = 1"\n')
    with pytest.raises(InputFileError, match="defines no symbol 'H'"):
        load_quiz(tmp_path)


def test_config_is_built_and_validated_with_its_source(monkeypatch):
    config = build_config(jobs=2, call_timeout="3")
    assert config.jobs == 2 and config.limits.call_timeout == 3.0
    assert config.limits.submission_timeout == 60.0  # the quiz's own default
    monkeypatch.setenv("GRADER_TIMEOUT", "30")
    assert build_config().limits.submission_timeout == 30.0
    with pytest.raises(ConfigError, match="from --memory"):
        build_config(memory="lots")
    with pytest.raises(ConfigError, match="from --sandbox"):
        build_config(sandbox="none")


def test_example_class_end_to_end(tmp_path):
    out = tmp_path / "out"
    assert main(quiz_dir=ROOT / "quizzes" / "conv",
                answers_dir=ROOT / "examples" / "answers_conv", out=out,
                config=build_config(out=out, jobs=1)) == 0
    rows = {r["student"]: r for r in csv.DictReader((out / "quiz_gradebook.csv").open())}
    assert rows["ada"]["score"] == "12"
    assert rows["ben"]["q3_verdict"] == "incorrect" and rows["chen"]["q4_verdict"] == "review"
    assert "dout / 4" in (out / "review.md").read_text() or \
        "im2col" in (out / "review.md").read_text()
