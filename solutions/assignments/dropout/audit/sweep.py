"""Seed sweep: the hidden suite on correct implementations over many random streams.

A correct implementation must never lose a point by chance. The suite's statistical checks
bound that probability (README.md of the suite); the sweep measures it: every sweep index
grades correct code with a different random stream, and every point lost is a false failure.

Each index changes both sources of randomness a correct layer has:
* the global numpy stream (unseeded calls) is seeded with the index, and
* seeded calls map ``seed`` to a different stream (``seed + index``), which is still a
  correct implementation: the same seed repeats the same mask, which is all the suite asks.

The catalogue is our own code, so the sweep runs it in-process (LocalSlot): a sweep of
thousands of submissions then costs minutes, not an hour of sandbox start-ups.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from grader import course
from grader.audit import catalogue
from grader.paths import assignment_dir
from grader.run.judge import judge
from grader.run.local_session import LocalSlot
from grader.run.model import StagedSubmission, Submission
from grader.run.stage import SupportPackage, prepare, write_staged

OFFSET_VARIABLE = "GRADER_SWEEP_OFFSET"
_SEED_LINE = 'np.random.seed(dropout_param["seed"])'
_SHIFTED = ('np.random.seed((dropout_param["seed"] + int(__import__("os").environ.get('
            f'"{OFFSET_VARIABLE}", "0"))) % 2**32)')


@dataclass
class SweepReport:
    runs: int = 0
    failures: int = 0  # correct submissions that lost points
    lost: Counter = field(default_factory=Counter)  # test name -> times it failed
    examples: list[str] = field(default_factory=list)


class _SweepSlot(LocalSlot):
    """Opens each submission with the next sweep index's random streams."""

    def __init__(self, indices) -> None:
        super().__init__()
        self._indices = iter(indices)

    def open(self, staged: Path):
        index = next(self._indices)
        np.random.seed(index % 2**32)
        os.environ[OFFSET_VARIABLE] = str(index)
        return super().open(staged)


def _stage(folder: Path, root: Path) -> StagedSubmission:
    """The variant staged as any submission is: the released package plus its files."""
    layout = course.find("dropout").layout
    files = {name: folder / name for name in layout.names if (folder / name).is_file()}
    prepared = prepare(Submission(folder.name, files, layout=layout), suite="sweep")
    return write_staged(prepared, root, SupportPackage.load(assignment_dir()))


def correct_variants(names: list[str] | None = None) -> list[catalogue.Variant]:
    manifest = course.find("dropout")
    variants = [v for v in catalogue.load(manifest.catalogue, manifest.variants)
                if v.kind == "correct"]
    return [v for v in variants if names is None or v.name in names]


def sweep(indices, *, variants: list[catalogue.Variant] | None = None, batch: int = 100,
          suite_dir: Path | None = None, progress=None) -> SweepReport:
    """Grade every variant once per sweep index; count the points lost."""
    variants = correct_variants() if variants is None else variants
    suite_dir = suite_dir or course.find("dropout").suite
    report = SweepReport()
    indices = list(indices)
    with tempfile.TemporaryDirectory(prefix="grader-sweep-") as scratch:
        scratch = Path(scratch)
        staged = []
        for variant in variants:
            folder = catalogue.build(variant, scratch / "submissions")
            layers = folder / "layers.py"
            text = layers.read_text(encoding="utf-8")
            if _SEED_LINE in text:
                layers.write_text(text.replace(_SEED_LINE, _SHIFTED), encoding="utf-8")
            staged.append(_stage(folder, scratch / "staged" / variant.name))
        jobs = [(index, sub) for index in indices for sub in staged]

        def record(result) -> None:
            report.runs += 1
            lost = [t.name for t in result.tests if t.score < t.max_score]
            if lost or result.status != "graded":
                report.failures += 1
                report.lost.update(lost or [result.status])
                if len(report.examples) < 10:
                    report.examples.append(f"{result.student}: {result.status}; "
                                           + "; ".join(t.output for t in result.tests
                                                       if t.score < t.max_score)[:300])
            if progress:
                progress(report)

        for start in range(0, len(jobs), batch):
            chunk = jobs[start:start + batch]
            judge([sub for _, sub in chunk], slot=_SweepSlot([i for i, _ in chunk]),
                  suite_dir=suite_dir, on_result=record)
    os.environ.pop(OFFSET_VARIABLE, None)
    return report
