"""The Dask executor: chunks graded on a Dask distributed cluster, verdicts stored here.

A chunk travels as one task holding plain data (the prepared submissions' bytes, the
support package's bytes, the limits), never a path of this machine: a worker may be
elsewhere. Each worker process keeps its sandbox slots between tasks (a zygote start
costs a few hundred ms) and runs the hidden suite in-process, like a local judge
process. It never forks student code itself: the slot's zygote, started by exec and
holding only numpy and the worker loop, does that.

Tasks are pure, and a task's results reach this process only when the whole task
ends. A worker dying mid-task therefore loses nothing and counts nothing twice: the
scheduler reruns the task elsewhere (up to its allowed-failures), this process alone
writes the store, and it accepts one verdict per submission handed out.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from .. import __version__, course, paths
from ..errors import GraderError, InternalError, UsageError
from ..results import SubmissionResult
from .executors import Attempts, Executor, GradingSpec, grade_chunk, make_chunks, resolve
from .stage import PreparedSubmission, suite_version

CONNECT_TIMEOUT = 10.0
WORKERS_TIMEOUT = 60.0
SCRATCH_PREFIX = "grader-dask-"  # + the worker's pid, so orphans can be told apart


@dataclass(frozen=True)
class TaskSpec:
    """What a worker needs besides the chunk: the spec, and the suite it must grade with."""

    spec: GradingSpec  # its host paths are only hints; see _worker_spec
    fingerprint: str  # grader version + hidden suite + reference solution


def fingerprint(suite_dir: Path) -> str:
    """What decides a verdict on a worker and is not shipped with the task."""
    version = suite_version(Path(suite_dir), paths.solutions_dir() / "cs231n")
    return hashlib.sha256(f"{__version__}\0{version}".encode()).hexdigest()[:16]


class DaskExecutor(Executor):
    def __init__(self, spec: GradingSpec, *, jobs: int = 1, scheduler: str | None = None,
                 connect_timeout: float | None = None,
                 workers_timeout: float | None = None) -> None:
        super().__init__(spec)
        import dask
        from distributed import Client

        address = scheduler or dask.config.get("scheduler-address", None)
        if not address:
            raise UsageError("--executor dask needs --scheduler ADDRESS "
                             "(e.g. --scheduler tcp://10.0.0.5:8786)")
        self.address = str(address)
        self.workers_timeout = workers_timeout or WORKERS_TIMEOUT
        try:
            self.client = Client(self.address, timeout=connect_timeout or CONNECT_TIMEOUT,
                                 set_as_default=False)
        except Exception as error:  # noqa: BLE001 - OSError, TimeoutError, ValueError...
            first = (str(error).strip().splitlines() or [type(error).__name__])[0]
            raise UsageError(f"cannot reach the Dask scheduler at {self.address}: "
                             f"{first[:200]}") from None
        self.task_spec = TaskSpec(spec, fingerprint(spec.suite_dir))
        self._futures: dict[str, tuple] = {}  # key -> (future, chunk, attempt)
        self._run = uuid.uuid4().hex[:8]
        self._count = 0

    def _parallelism(self) -> int:
        try:
            self.client.wait_for_workers(1, timeout=self.workers_timeout)
        except (TimeoutError, OSError):
            raise UsageError(f"the Dask scheduler at {self.address} has no workers: start "
                             f"some with `dask worker {self.address} --nthreads 1`") from None
        # One judge runs at a time per worker process (see grade_task), so threads beyond
        # one per process add nothing.
        return max(1, len(self.client.nthreads()))

    def run(self, chunks: Iterable[list[PreparedSubmission]]) -> Iterator[SubmissionResult]:
        from distributed import as_completed

        items = [item for chunk in chunks for item in chunk]
        attempts = Attempts(make_chunks(items, self._parallelism()))
        done = as_completed(loop=self.client.loop)
        try:
            while attempts.outstanding > 0:
                while attempts.pending:
                    done.add(self._submit(*attempts.pending.popleft()))
                if done.is_empty():
                    raise InternalError("the Dask executor lost track of its tasks")
                yield from self._collect(next(done), attempts)
        finally:
            self.close()

    def _submit(self, chunk: list[PreparedSubmission], attempt: int):
        self._count += 1
        # The first student in the key lets an operator find a stuck chunk on the dashboard.
        key = f"grade-{chunk[0].student[:40]}-{self._run}-{self._count}"
        future = self.client.submit(grade_task, self.task_spec, chunk, key=key, pure=False)
        self._futures[key] = (future, chunk, attempt)
        return future

    def _collect(self, future, attempts: Attempts) -> Iterator[SubmissionResult]:
        _, chunk, attempt = self._futures.pop(future.key)
        left = {item.student: item for item in chunk}
        try:
            outcome = future.result()
        except Exception as error:  # noqa: BLE001 - KilledWorker, a lost connection...
            why = (str(error).strip().splitlines() or [""])[0][:200]
            yield from _failed(attempts, left.values(), attempt,
                               f"its Dask task failed: {type(error).__name__} {why}".strip())
            return
        finally:
            future.release()
        if outcome.get("fatal"):
            code, message = outcome["fatal"]
            error = GraderError(f"on Dask worker {outcome.get('where', '?')}: {message}")
            error.exit_code = code
            raise error
        for data in outcome["results"]:
            result = SubmissionResult.from_dict(data)
            item = left.pop(result.student, None)
            if item is not None:  # an unknown or repeated student is not ours to store
                yield attempts.accept(result, item)
        if left:
            why = outcome.get("failed") or "the judge gave no result for it"
            yield from _failed(attempts, left.values(), attempt, why)

    def close(self) -> None:
        futures, self._futures = self._futures, {}
        client = getattr(self, "client", None)
        if client is None:
            return
        try:
            if futures:
                client.cancel([f for f, _, _ in futures.values()])
        finally:
            self.client = None
            client.close()


def _failed(attempts: Attempts, items, attempt: int, why: str) -> Iterator[SubmissionResult]:
    for result in attempts.lost(list(items), attempt, why):
        attempts.outstanding -= 1
        yield result


# ---- on a Dask worker ------------------------------------------------------------------

# pytest keeps process-wide state, so two judges in one process would corrupt each other:
# tasks of a worker with several threads wait here for their turn.
_judge_lock = threading.Lock()
_slots: dict[tuple, object] = {}
_specs: dict[str, GradingSpec] = {}


def grade_task(task: TaskSpec, chunk: list[PreparedSubmission]) -> dict:
    """Grade one chunk on this worker; every outcome is plain data."""
    import socket

    where = f"{socket.gethostname()} pid {os.getpid()}"
    results: list[dict] = []
    with _judge_lock:
        try:
            spec = _worker_spec(task)
            slot = _slot(spec)
            judge = resolve(spec.judge)
        except GraderError as error:
            return {"fatal": (error.exit_code, str(error)), "where": where, "results": []}
        try:
            # The staging folders are rewritten by the next task, never recreated.
            grade_chunk(spec, chunk, slot=slot, judge=judge, stage_root=spec.scratch / "stage",
                        on_result=lambda result: results.append(result.to_dict()))
        except Exception as error:  # noqa: BLE001 - a judge bug must not lose the chunk
            return {"results": results, "where": where,
                    "failed": f"the judge raised {type(error).__name__}: {error}"}
    return {"results": results, "where": where}


def _worker_spec(task: TaskSpec) -> GradingSpec:
    """The spec with this worker's own suite folder and scratch space.

    The folder the grading machine named is used when it exists here and holds the same
    suite (a cluster on one machine); otherwise the suite installed with this worker's
    grader, which must be the same version.
    """
    if task.fingerprint in _specs:
        return _specs[task.fingerprint]
    spec = task.spec
    installed = (course.find(spec.config.assignment).suite if spec.config.assignment
                 else Path(spec.suite_dir))
    for candidate in dict.fromkeys([Path(spec.suite_dir), installed]):
        if candidate.is_dir() and fingerprint(candidate) == task.fingerprint:
            break
    else:
        raise InternalError(
            f"this worker's grader ({__version__}, hidden suite {fingerprint(installed)}) "
            f"differs from the grading machine's (suite {task.fingerprint}): install the "
            "same grader version on every worker")
    from .scratch import scratch_root

    root = Path(scratch_root() or tempfile.gettempdir())
    _remove_orphans(root)
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=root))
    atexit.register(shutil.rmtree, scratch, True)
    _specs[task.fingerprint] = replace(spec, suite_dir=candidate, scratch=scratch)
    return _specs[task.fingerprint]


def _remove_orphans(root: Path) -> None:
    """Scratch folders of worker processes that were killed (no atexit ran for them)."""
    for folder in root.glob(f"{SCRATCH_PREFIX}*-*"):
        pid = folder.name[len(SCRATCH_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _slot(spec: GradingSpec):
    """This process's slot for these limits, started on first use and kept for later tasks."""
    config = spec.config
    key = (spec.slot_factory, config.sandbox, config.limits)
    if key not in _slots:
        workdir = spec.scratch / f"slot-{len(_slots)}"
        _slots[key] = resolve(spec.slot_factory)(level=config.sandbox, limits=config.limits,
                                                 workdir=workdir)
    return _slots[key]


@atexit.register
def _close_slots() -> None:
    for slot in list(_slots.values()):
        try:
            slot.close()
        except Exception:  # noqa: BLE001, S110 - exiting anyway; the zygote sees its socket close
            pass
    _slots.clear()
