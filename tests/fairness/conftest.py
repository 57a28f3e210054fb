"""Fixtures of the fairness tests: submissions real students wrote (patterns only, rebuilt
from the reference solution), graded through the real sandbox, judge and reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.ci.command import grade_one
from grader.reports import feedback_md
from grader.run import levels
from grader.run.executors import DEFAULT_JUDGE, DEFAULT_SLOT


@pytest.fixture(scope="session")
def level() -> str:
    return levels.choose("auto").level


@pytest.fixture
def grade(tmp_path, level):
    """grade(layers=..., fc_net=...) -> (SubmissionResult, feedback.md text)."""
    def run(name: str = "student", **files: str):
        folder = tmp_path / "class" / name
        folder.mkdir(parents=True)
        for stem, text in files.items():
            (folder / f"{stem}.py").write_text(text, encoding="utf-8")
        result = grade_one(Path(folder), sandbox=level, judge=DEFAULT_JUDGE,
                        slot_factory=DEFAULT_SLOT, suite_dir=None,
                        assignment_dir=None)
        return result, feedback_md.render(result)
    return run
