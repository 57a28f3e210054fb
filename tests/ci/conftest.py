"""Fixtures of the grader ci tests (the cases themselves are in ci_cases.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ci_cases import SUBMISSIONS


@pytest.fixture
def submission(tmp_path):
    """make(kind) -> a folder holding that kind of submission."""
    def make(kind: str) -> Path:
        folder = tmp_path / "submissions" / kind
        folder.mkdir(parents=True)
        for name, text in SUBMISSIONS[kind].items():
            (folder / name).write_text(text(), encoding="utf-8")
        return folder
    return make
