"""Fixtures for judge tests: staged submissions built with the pipeline's own staging."""

from __future__ import annotations

import pytest
from judge_helpers import REFERENCE_LAYERS, ROOT

from grader.run.model import Submission
from grader.run.stage import SupportPackage, prepare, write_staged


@pytest.fixture(scope="session")
def support() -> SupportPackage:
    return SupportPackage.load(ROOT / "assignment")


@pytest.fixture
def make_staged(tmp_path, support):
    """make_staged(student, layers=<text or None>, fc_net=<text or None>) -> StagedSubmission."""
    def make(student: str, *, layers: str | None = REFERENCE_LAYERS, fc_net: str | None = None):
        folder = tmp_path / "submissions" / student
        folder.mkdir(parents=True)
        files = {}
        for name, text in (("layers.py", layers), ("fc_net.py", fc_net)):
            if text is not None:
                (folder / name).write_text(text, encoding="utf-8")
                files[name] = folder / name
        problems = () if files else ("No layers.py was found in the folder.",)
        prepared = prepare(Submission(student=student, files=files, problems=problems))
        return write_staged(prepared, tmp_path / "staged" / student, support)
    return make
