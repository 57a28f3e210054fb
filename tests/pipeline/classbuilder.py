"""Helpers for pipeline tests: class folders and a progress display that records results."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from grader.run.progress import PlainProgress


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
