"""Fixtures for pipeline tests: a tiny support package, class folders and a scripted judge."""

from __future__ import annotations

from pathlib import Path

import fakejudge
import pytest
from classbuilder import Recorder

from grader.run import pipeline

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
