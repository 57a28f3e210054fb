"""How the audit grades its catalogue: the one place that decides, so switching is one edit.

The catalogue goes through the same pipeline as a class (discover, stage, executor, judge,
store), so the audit measures the suite as students meet it. The isolation is the real
sandbox whenever it can start; the catalogue is our own code, so when it cannot, the audit
may fall back to running it in-process and says so.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from ..results import SubmissionResult

REAL_SLOT = "grader.run.sandbox:SandboxSlot"
LOCAL_SLOT = "grader.run.local_session:LocalSlot"


@dataclass(frozen=True)
class Graded:
    results: dict[str, SubmissionResult]  # student (variant name) -> result
    isolation: str  # what ran the catalogue, for the report


class _Quiet:
    """Progress sink: the audit prints its own report."""

    def start(self, *, total: int, skipped: int) -> None: ...
    def advance(self, result) -> None: ...
    def stop(self) -> None: ...
    def summary(self, summary) -> None: ...
    def note(self, line: str) -> None: ...


def sandbox_available() -> bool:
    try:
        module = importlib.import_module(REAL_SLOT.partition(":")[0])
    except Exception:  # noqa: BLE001 - absent, half-written or broken: not usable either way
        return False
    return hasattr(module, REAL_SLOT.partition(":")[2])


def choose_slot(slot_factory) -> tuple[object, str]:
    if slot_factory is not None:
        return slot_factory, "given by the caller"
    if sandbox_available():
        return REAL_SLOT, "sandboxed workers"
    return LOCAL_SLOT, "in-process (the sandbox is not available; the catalogue is trusted code)"


def grade_folder(submissions: Path, *, out: Path, jobs: int | None, sandbox: str,
                 suite_dir: Path | None = None, slot_factory=None,
                 require_sandbox: str | None = None, assignment: str | None = None) -> Graded:
    """Grade every folder under ``submissions`` through the pipeline; results by student."""
    from ..run import pipeline

    slot, isolation = choose_slot(slot_factory)
    config = pipeline.build_config(out=out, jobs=jobs, timeout=None, call_timeout=None,
                                   memory=None, sandbox=sandbox, force=True, only=None,
                                   executor="local", scheduler=None,
                                   require_sandbox=require_sandbox, assignment=assignment,
                                   suite_given=suite_dir is not None)
    summary = pipeline.grade(submissions=Path(submissions), config=config, progress=_Quiet(),
                             slot_factory=slot, suite_dir=suite_dir)
    return Graded({r.student: r for r in summary.results}, isolation)
