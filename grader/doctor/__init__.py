"""``grader doctor``: what this machine can isolate, proven live, and how to get more.

For every sandbox level it checks the kernel features the level is made of, starts the
level and lets the escape probe try it (see :mod:`grader.run.probe`), then grades the
reference solution under it, which must get full marks. Exits 1 when no isolating level
works (only ``process`` is left).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..run.levels import ISOLATING, LEVELS
from .facts import Fact, all_facts


@dataclass(frozen=True)
class LevelReport:
    level: str
    works: bool
    detail: str  # the probe's finding, or why the level did not start
    reference: str = ""  # the reference solution's score under it
    seconds: float = 0.0
    fix: str = ""
    leaks: tuple[str, ...] | None = None  # what the escape probe managed (None: not probed)


def main(*, console=None, grade_reference: bool = True) -> int:
    from rich.console import Console

    from .render import render
    console = console or Console(highlight=False)
    facts = all_facts()
    with console.status("trying each sandbox level"), ThreadPoolExecutor(len(LEVELS)) as pool:
        reports = list(pool.map(lambda level: check_level(level, facts, grade_reference),
                                LEVELS))
    render(console, facts, reports)
    return 0 if any(r.works and r.level in ISOLATING for r in reports) else 1


def check_level(level: str, facts: list[Fact], grade_reference: bool) -> LevelReport:
    from ..run.levels import prerequisite
    from ..run.probe import probe
    started = time.monotonic()
    reason = prerequisite(level)
    if reason is not None:
        return LevelReport(level, False, reason, fix=_fix(level, facts, reason))
    found = probe(level)
    problem = found.problem()
    if problem is not None:
        return LevelReport(level, False, problem, seconds=found.seconds,
                           fix=_fix(level, facts, problem),
                           leaks=found.leaks if found.started else None)
    detail = ("the escape probe was stopped at every attempt" if not found.leaks else
              "the escape probe could " + ", ".join(found.leaks))
    reference = _grade_reference(level) if grade_reference else ""
    works = not reference.startswith("failed")
    return LevelReport(level, works, detail, reference, time.monotonic() - started,
                       fix="" if works else "see the reference grading's message",
                       leaks=found.leaks)


def _fix(level: str, facts: list[Fact], reason: str) -> str:
    wanted = {"bwrap": ("bubblewrap", "user namespaces"), "landlock": ("Landlock", "seccomp"),
              "process": ("seccomp",)}[level]
    fixes = [f.fix for f in facts if f.name in wanted and not f.ok and f.fix]
    if fixes:
        return "; ".join(fixes)
    if level == "bwrap" and ("namespace" in reason or "Operation not permitted" in reason):
        return ("this machine (often a container) forbids user namespaces: run the container "
                "with --security-opt seccomp=unconfined --security-opt apparmor=unconfined, "
                "or use the landlock level")
    return "report this message to the grader's maintainers: " + reason


def _grade_reference(level: str) -> str:
    """The reference solution graded by the hidden suite at ``level``."""
    from .. import paths
    from ..ci.command import grade_one

    solution = paths.solutions_dir() / "cs231n" / "layers.py"
    if not solution.is_file():
        return "skipped (no reference solution in this edition)"
    work = Path(tempfile.mkdtemp(prefix="grader-doctor-"))
    try:
        folder = work / "reference"
        folder.mkdir()
        shutil.copyfile(solution, folder / "layers.py")
        result = grade_one(folder, sandbox=level)
    except Exception as error:  # noqa: BLE001 - the doctor reports, whatever failed
        return f"failed: {type(error).__name__}: {error}"
    finally:
        shutil.rmtree(work, ignore_errors=True)
    score = f"{result.score:g}/{result.max_score:g}"
    if result.status != "graded" or result.score != result.max_score:
        return f"failed: {score} ({result.status})"
    return score
