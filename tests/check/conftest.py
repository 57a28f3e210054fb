"""Fixtures of the grader check tests: a student's assignment folder (helpers in
check_helpers.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import paths


@pytest.fixture(autouse=True)
def no_job_summary(monkeypatch):
    """Run in GitHub Actions, the tests must not write into the real job summary."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def skeleton(tmp_path) -> Path:
    """A copy of the released skeleton, as a student gets it."""
    folder = tmp_path / "assignment"
    for part in ("cs231n", "tests"):
        shutil.copytree(paths.assignment_dir() / part, folder / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return folder


@pytest.fixture
def solved(skeleton) -> Path:
    """The skeleton with the reference layers.py and fc_net.py filled in."""
    for rel in ("cs231n/layers.py", "cs231n/classifiers/fc_net.py"):
        shutil.copyfile(paths.solutions_dir() / rel, skeleton / rel)
    return skeleton
