"""Submissions for the ``grader ci`` tests, built from the reference so they track it,
and a reader of results.json that checks the Gradescope schema.

Folders are named by the outcome they must get: passes_all, randn_bug, empty, os_exit.
"""

from __future__ import annotations

import json
from pathlib import Path

from grader import paths
from grader.results import VISIBILITIES

REFERENCE = paths.solutions_dir() / "cs231n" / "layers.py"
CORRECT_MASK = "(np.random.rand(*x.shape) < p)"


def reference_layers() -> str:
    text = REFERENCE.read_text(encoding="utf-8")
    assert CORRECT_MASK in text, "the reference changed how it draws the mask; update the fixture"
    return text


SUBMISSIONS = {
    "passes_all": {"layers.py": reference_layers},
    # The classic mistake: normal draws keep a unit with probability Phi(p), not p.
    "randn_bug": {"layers.py": lambda: reference_layers().replace(
        CORRECT_MASK, "(np.random.randn(*x.shape) < p)")},
    "empty": {},
    "os_exit": {"layers.py": lambda: "import os\n\nos._exit(0)\n"},
}


def read_results(path: Path) -> dict:
    """results.json, checked against the Gradescope schema the platform accepts."""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data["score"], float) and isinstance(data["execution_time"], float)
    assert isinstance(data["output"], str) and data["output"].strip()
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert test["visibility"] in VISIBILITIES
        assert 0 <= test["score"] <= test["max_score"]
    return data
