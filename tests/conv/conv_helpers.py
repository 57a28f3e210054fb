"""Helpers for the conv assignment's tests: its folders, its catalogue, in-process grading."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import course
from grader.audit import catalogue
from grader.run.judge import judge
from grader.run.local_session import LocalSlot
from grader.run.model import Submission
from grader.run.stage import SupportPackage, prepare, write_staged

ROOT = Path(__file__).resolve().parents[2]
CONV = ROOT / "solutions" / "assignments" / "conv"
SUITE = CONV / "suite"
PUBLIC = CONV / "public"
CATALOGUE = CONV / "audit" / "catalogue.toml"
VARIANTS = CONV / "audit" / "variants"
REFERENCE_LAYERS = ROOT / "solutions" / "cs231n" / "layers.py"
SKELETON_LAYERS = ROOT / "assignment" / "cs231n" / "layers.py"


def build_variant(variant: catalogue.Variant, dest: Path) -> Path:
    """The variant as a submission folder, built by the audit from the conv manifest."""
    return catalogue.build(variant, dest, course.find("conv").layout)


def folder_with(dest: Path, name: str, layers: str) -> Path:
    folder = Path(dest) / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "layers.py").write_text(layers, encoding="utf-8")
    return folder


def stage(folders: list[Path], dest: Path) -> list:
    support = SupportPackage.load(ROOT / "assignment")
    staged = []
    for folder in folders:
        files = {"layers.py": folder / "layers.py"}
        staged.append(write_staged(prepare(Submission(student=folder.name, files=files,
                                                      layout=course.find("conv").layout)),
                                   dest / folder.name, support))
    return staged


def grade(folders: list[Path], dest: Path, *, suite: Path = SUITE) -> dict:
    """Results by student, every folder in one judge batch, in-process (trusted code)."""
    np.random.seed(0)
    results = {}
    judge(stage(folders, dest), slot=LocalSlot(), suite_dir=suite,
          on_result=lambda r: results.setdefault(r.student, r))
    return results


def lost(result) -> dict:
    return {t.name: t.output for t in result.tests if t.score < t.max_score}
