"""Helpers for suite tests: stage folders and grade them in-process in one batch."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import course
from grader.run.judge import judge
from grader.run.local_session import LocalSlot
from grader.run.model import Submission
from grader.run.stage import SupportPackage, prepare, write_staged

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "solutions" / "assignments" / "dropout" / "suite"


def stage_folders(folders: list[Path], dest: Path) -> list:
    support = SupportPackage.load(ROOT / "assignment")
    staged = []
    for folder in folders:
        files = {name: folder / name for name in course.layout("dropout").names
                 if (folder / name).is_file()}
        prepared = prepare(Submission(student=folder.name, files=files))
        staged.append(write_staged(prepared, dest / folder.name, support))
    return staged


def grade(folders: list[Path], dest: Path, *, seed: int = 0) -> dict:
    """Results by student; the shared numpy stream is seeded so a run is repeatable."""
    np.random.seed(seed)
    results = {}
    judge(stage_folders(folders, dest), slot=LocalSlot(), suite_dir=SUITE,
          on_result=lambda r: results.setdefault(r.student, r))
    return results


