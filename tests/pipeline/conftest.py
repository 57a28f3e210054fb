"""Fixtures for pipeline tests: a tiny support package, class folders and a scripted judge."""

from __future__ import annotations

import io
from pathlib import Path

import fakejudge
import pytest
from rich.console import Console

from grader.run import pipeline
from grader.run.progress import PlainProgress

SKELETON = {
    "cs231n/__init__.py": "",
    "cs231n/layers.py": "def dropout_forward(x, p):\n    raise NotImplementedError\n",
    "cs231n/layer_utils.py": "from .layers import *\n",
    "cs231n/classifiers/__init__.py": "from .fc_net import *\n",
    "cs231n/classifiers/fc_net.py": "class FullyConnectedNet:\n    pass\n",
}


@pytest.fixture
def assignment(tmp_path) -> Path:
    root = tmp_path / "assignment"
    for rel, text in SKELETON.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


@pytest.fixture
def suite(tmp_path) -> Path:
    root = tmp_path / "suite"
    root.mkdir()
    (root / "test_dropout.py").write_text("# the fake judge does not read this\n")
    return root


def make_class(root: Path, students: dict[str, str]) -> Path:
    """One folder per student holding layers.py with the given text."""
    for student, text in students.items():
        (root / student).mkdir(parents=True, exist_ok=True)
        (root / student / "layers.py").write_text(text or "x = 1\n")  # empty is refused
    return root


class Recorder(PlainProgress):
    def __init__(self):
        self.buffer = io.StringIO()
        super().__init__(Console(file=self.buffer, width=200))
        self.results = []

    def advance(self, result):
        self.results.append(result)
        super().advance(result)

    @property
    def text(self):
        return self.buffer.getvalue()


@pytest.fixture
def run_class(assignment, suite, tmp_path):
    """Grade a folder with the fake judge; returns (exit code, progress recorder)."""
    def run(submissions: Path, *, out: Path | None = None, **options):
        recorder = Recorder()
        options.setdefault("jobs", 2)
        code = pipeline.main(submissions=submissions, out=out or tmp_path / "grades",
                             judge=fakejudge.judge, slot_factory=options.pop(
                                 "slot_factory", fakejudge.FakeSlot),
                             assignment_dir=assignment, suite_dir=suite, progress=recorder,
                             **options)
        return code, recorder
    return run
