"""Where submissions are graded: pluggable executors that take chunks and yield results.

An executor receives chunks of :class:`PreparedSubmission` and yields one
:class:`SubmissionResult` per submission, in completion order. It never touches the
store or the reports; the grading process commits each result as it arrives.

The local executor runs ``--jobs`` judge processes, each owning one sandbox slot. Judge
processes import the hidden suites, so they are started with ``spawn`` (a fresh
interpreter, nothing inherited) and never fork student workers themselves: the sandbox
slot starts those from its own clean zygote.
"""

from __future__ import annotations

import importlib
import math
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Config
from ..errors import UsageError
from ..results import SubmissionResult
from .stage import PreparedSubmission, SupportPackage

DEFAULT_JUDGE = "grader.run.judge:judge"
DEFAULT_SLOT = "grader.run.sandbox:SandboxSlot"
MAX_CHUNK = 24  # big enough to amortise a pytest session, small enough to balance load


@dataclass(frozen=True)
class GradingSpec:
    """Everything a judge process needs; plain data, sent once per process."""

    config: Config
    support: SupportPackage
    suite_dir: Path
    scratch: Path  # private temporary folder of this run
    judge: str | Callable = DEFAULT_JUDGE  # "module:function" or a picklable callable
    slot_factory: str | Callable = DEFAULT_SLOT


class Executor(ABC):
    """Grades chunks somewhere; ``run`` yields each result as soon as it is known."""

    def __init__(self, spec: GradingSpec) -> None:
        self.spec = spec

    @abstractmethod
    def run(self, chunks: Iterable[list[PreparedSubmission]]) -> Iterator[SubmissionResult]:
        """Yield exactly one result per submitted item (an internal_error if all else fails)."""

    def close(self) -> None:
        """Stop everything still running. Safe to call twice."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def make_chunks(items: list, jobs: int) -> list[list]:
    """Chunks small enough that every process gets several (a slow one can't stall the run)."""
    if not items:
        return []
    size = max(1, min(MAX_CHUNK, math.ceil(len(items) / (4 * max(1, jobs)))))
    return [items[i:i + size] for i in range(0, len(items), size)]


def resolve(target: str | Callable) -> Callable:
    """A callable from "package.module:name" (imported where it runs) or the callable itself."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def internal_error(item: PreparedSubmission, why: str) -> SubmissionResult:
    """The verdict for a submission the grader itself could not grade."""
    return SubmissionResult(
        student=item.student, status="internal_error", score=0.0, max_score=0.0,
        content_hash=item.content_hash, files=tuple(sorted(item.texts)),
        output=("The grader failed while grading this submission, not because of your "
                f"code ({why}). It will be graded again."))


def get_executor(name: str, spec: GradingSpec, *, jobs: int,
                 scheduler: str | None = None) -> Executor:
    if name == "local":
        from .local_executor import LocalExecutor
        return LocalExecutor(spec, jobs=jobs)
    if name == "dask":
        try:
            importlib.import_module("dask.distributed")
        except ImportError:
            raise UsageError("--executor dask needs dask.distributed, which is not "
                             "installed: pip install 'grader[dask]'") from None
        try:
            module = importlib.import_module("grader.run.dask_executor")
        except ImportError:
            raise UsageError("--executor dask is not available in this version of the "
                             "grader; use --executor local") from None
        return module.DaskExecutor(spec, jobs=jobs, scheduler=scheduler)
    raise UsageError(f"unknown executor {name!r} from --executor: choose local or dask")


def grade_chunk(spec: GradingSpec, chunk: list[PreparedSubmission], *, slot, judge: Callable,
                stage_root: Path, on_result: Callable[[SubmissionResult], None]) -> None:
    """Stage a chunk into ``stage_root``, judge it in ``slot`` and report each result.

    This is the unit of work of every executor (a Dask task calls it too). The staging
    folders ``stage_root/000``... are reused by the next chunk: rewriting a few files is
    far cheaper than deleting and recreating folders.
    """
    from .stage import write_staged

    staged = [write_staged(item, stage_root / f"{i:03d}", spec.support)
              for i, item in enumerate(chunk)]
    level = getattr(slot, "level", "")

    def report(result: SubmissionResult) -> None:
        if not result.sandbox and level:
            result = replace(result, sandbox=level)
        on_result(result)

    judge(staged, slot=slot, suite_dir=spec.suite_dir, on_result=report)


class Attempts:
    """Bookkeeping shared by executors: what is in flight, what to retry, what failed."""

    def __init__(self, chunks: Iterable[list[PreparedSubmission]]) -> None:
        self.pending: deque[tuple[list[PreparedSubmission], int]] = deque(
            (list(chunk), 1) for chunk in chunks if chunk)
        self.outstanding = sum(len(c) for c, _ in self.pending)

    def lost(self, items: Iterable[PreparedSubmission], attempt: int,
             why: str) -> list[SubmissionResult]:
        """Items whose judge failed: retried once, alone (so one culprit can't sink others)."""
        failed = []
        for item in items:
            if attempt < 2:
                self.pending.appendleft(([item], attempt + 1))
            else:
                failed.append(internal_error(item, why))
        return failed

    def accept(self, result: SubmissionResult, item: PreparedSubmission) -> SubmissionResult:
        self.outstanding -= 1
        # What discovery and staging found wrong must reach the student even if the judge
        # did not repeat it.
        notes = [p for p in item.problems if p not in result.output]
        output = "\n".join(notes + ([result.output] if result.output else []))
        # The store is keyed by what the grading process hashed, whatever the judge says.
        return replace(result, student=item.student, content_hash=item.content_hash,
                       output=output)
