"""Fixtures for the review app's tests (helpers in review_helpers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from review_helpers import HOSTILE, ROOT, SCRIPT_ANSWER, Live, grader, make_run_folder


@pytest.fixture
def run_out(tmp_path) -> Path:
    """Three students, two with notebooks: one answer shared, one hostile id, one
    answer that is a script."""
    same = "Dividing by p keeps the expected output equal to the input."
    answers = {"ada": {"Inline Question 1": same, "Inline Question 2": "fewer units"},
               HOSTILE: {"Inline Question 1": same, "Inline Question 2": SCRIPT_ANSWER}}
    return make_run_folder(tmp_path / "grades", {"ada": 4.0, "bob": 10.0, HOSTILE: 0.0},
                           answers)


@pytest.fixture(scope="session")
def quiz_out(tmp_path_factory) -> Path:
    """The example quiz graded for real, with a hostile student added."""
    base = tmp_path_factory.mktemp("quiz")
    answers = base / "answers"
    shutil.copytree(ROOT / "examples" / "answers", answers)
    (answers / "mallory.md").write_text(f"## Q1\n\n{SCRIPT_ANSWER}\n\n## Q2\n\ndx = dout\n",
                                        encoding="utf-8")
    out = base / "quiz_grades"
    grader("quiz", ROOT / "quizzes" / "quiz8", answers, "--out", out, "--sandbox", "process")
    return out


@pytest.fixture
def fresh_quiz(quiz_out, tmp_path) -> Path:
    """A copy of the graded quiz folder this test may decide in."""
    out = tmp_path / "quiz_grades"
    shutil.copytree(quiz_out, out, ignore=shutil.ignore_patterns("review.sqlite*"))
    return out


@pytest.fixture
def live():
    servers = []

    def start(*folders: Path, grader_name: str = "ta-one") -> Live:
        server = Live(list(folders), grader_name)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
