"""The local executor: ``--jobs`` judge processes on this machine, fed from one work queue.

The grading process hands a chunk to whichever judge process is idle, so a slow or
hostile submission holds up only its own chunk. It knows at every moment which
submissions each judge process holds: when one dies or stops answering, its unfinished
submissions are retried once, each alone in a fresh process, and then recorded as
internal errors. Nothing is lost and nothing is reported twice.
"""

from __future__ import annotations

import os
import shutil
import signal
import traceback
from collections.abc import Iterable, Iterator
from multiprocessing import get_context
from multiprocessing.connection import wait
from time import monotonic

from ..errors import GraderError, InternalError
from ..results import SubmissionResult
from .executors import Attempts, Executor, GradingSpec, grade_chunk, resolve
from .stage import PreparedSubmission


class _Judge:
    """One judge process as seen from the grading process."""

    def __init__(self, context, spec: GradingSpec, index: int) -> None:
        self.index = index
        self.conn, child = context.Pipe(duplex=True)
        self.process = context.Process(target=judge_process, name=f"grader-judge-{index}",
                                       args=(child, spec, index, os.getpid()))
        self.process.start()
        child.close()
        self.log = spec.scratch / f"judge-{index}.log"
        self.ready = False
        self.was_ready = False
        self.dead = False
        self.inflight: dict[str, PreparedSubmission] = {}
        self.attempt = 1
        self.heard = monotonic()
        self.why = ""  # why it was stopped or what its judge raised

    def log_tail(self, lines: int = 3) -> str:
        try:
            text = self.log.read_text(errors="replace").strip().splitlines()
        except OSError:
            return ""
        return " | ".join(text[-lines:])


class LocalExecutor(Executor):
    def __init__(self, spec: GradingSpec, *, jobs: int, stall_timeout: float | None = None,
                 start_method: str = "spawn") -> None:
        super().__init__(spec)
        self.jobs = max(1, jobs)
        limits = spec.config.limits
        # Past this silence the judge process is hung beyond what the sandbox's own limits allow.
        self.stall_timeout = stall_timeout or 2 * limits.submission_timeout + 60
        self._context = get_context(start_method)
        self._judges: list[_Judge] = []
        self._started = 0
        self._failed_starts = 0

    def _start(self) -> None:
        self._judges.append(_Judge(self._context, self.spec, self._started))
        self._started += 1

    def run(self, chunks: Iterable[list[PreparedSubmission]]) -> Iterator[SubmissionResult]:
        attempts = Attempts(chunks)
        try:
            for _ in range(min(self.jobs, len(attempts.pending))):
                self._start()
            while attempts.outstanding > 0:
                self._dispatch(attempts)
                yield from self._poll(attempts)
        finally:
            self.close()

    def _dispatch(self, attempts: Attempts) -> None:
        for judge in self._judges:
            if judge.ready and not judge.inflight and attempts.pending:
                chunk, attempt = attempts.pending.popleft()
                judge.inflight = {item.student: item for item in chunk}
                judge.attempt, judge.ready, judge.heard = attempt, False, monotonic()
                judge.conn.send(chunk)
        busy = [j for j in self._judges if not j.dead]
        if attempts.pending and len(busy) < self.jobs:
            self._start()

    def _poll(self, attempts: Attempts) -> Iterator[SubmissionResult]:
        waitables = {}
        for judge in self._judges:
            waitables[judge.conn] = judge
            waitables[judge.process.sentinel] = judge
        for ready in wait(list(waitables), timeout=0.5):
            judge = waitables[ready]
            if judge.dead:
                continue
            if ready is judge.conn:
                try:
                    message = judge.conn.recv()
                except (EOFError, OSError):
                    yield from self._buried(judge, attempts)
                    continue
                yield from self._handle(judge, message, attempts)
            else:
                while judge.conn.poll():  # results sent just before it died still count
                    try:
                        message = judge.conn.recv()
                    except (EOFError, OSError):
                        break
                    yield from self._handle(judge, message, attempts)
                yield from self._buried(judge, attempts)
        for judge in self._judges:
            if judge.inflight and not judge.dead and monotonic() - judge.heard > self.stall_timeout:
                judge.why = f"its judge process stopped responding for {self.stall_timeout:.0f} s"
                judge.process.kill()  # the sentinel reports it on the next poll

    def _handle(self, judge: _Judge, message: tuple, attempts: Attempts):
        judge.heard = monotonic()
        kind = message[0]
        if kind == "result":
            result = SubmissionResult.from_dict(message[1])
            item = judge.inflight.pop(result.student, None)
            if item is not None:  # an unknown or repeated student is not ours to store
                yield attempts.accept(result, item)
        elif kind == "ready":
            if judge.inflight:  # the judge returned without a verdict for these
                why = judge.why or "the judge gave no result for it"
                yield from self._fail(attempts, judge.inflight.values(), judge.attempt, why)
                judge.inflight = {}
            judge.ready = judge.was_ready = True
            judge.why = ""
        elif kind == "failed":
            judge.why = message[1]
        elif kind == "fatal":
            error = GraderError(message[2])
            error.exit_code = message[1]
            raise error

    def _buried(self, judge: _Judge, attempts: Attempts) -> Iterator[SubmissionResult]:
        judge.dead = True
        judge.process.join(timeout=5)
        code = judge.process.exitcode
        # Students read ``why``: the judge's log (tracebacks through the hidden suite) is
        # for the instructor only and stays in OUT/logs.
        why = judge.why or f"its judge process died (exit code {code})"
        if not judge.was_ready:
            self._failed_starts += 1
            if self._failed_starts > self.jobs + 2:
                tail = judge.log_tail()
                raise InternalError(f"the judge processes cannot start: {why}"
                                    + (f": {tail}" if tail else ""))
        yield from self._fail(attempts, judge.inflight.values(), judge.attempt, why)
        judge.inflight = {}
        judge.conn.close()
        self._judges.remove(judge)

    @staticmethod
    def _fail(attempts: Attempts, items, attempt: int, why: str) -> Iterator[SubmissionResult]:
        for result in attempts.lost(list(items), attempt, why):
            attempts.outstanding -= 1
            yield result

    def close(self) -> None:
        for judge in self._judges:
            if judge.inflight:
                # Its results would no longer be stored; SIGTERM makes it close its slot now.
                judge.process.terminate()
                continue
            try:
                judge.conn.send(None)  # idle: finish and close the slot
            except OSError:
                pass
        deadline = monotonic() + 5
        for judge in self._judges:
            judge.process.join(timeout=max(0.0, deadline - monotonic()))
            if judge.process.is_alive():
                judge.process.kill()
                judge.process.join()
            judge.conn.close()
        self._judges = []


# ---- inside a judge process -------------------------------------------------------------

_stopping = False


def judge_process(conn, spec: GradingSpec, index: int, parent: int) -> None:
    """Main loop of a judge process: open one slot, then judge chunks until told to stop."""
    workdir = spec.scratch / f"judge-{index}"
    workdir.mkdir(parents=True, exist_ok=True)
    _isolate(spec.scratch / f"judge-{index}.log", parent)
    try:
        judge = resolve(spec.judge)
        slot = resolve(spec.slot_factory)(level=spec.config.sandbox, limits=spec.config.limits,
                                         workdir=workdir / "slot")
    except GraderError as error:
        conn.send(("fatal", error.exit_code, str(error)))
        return
    except BaseException as error:  # noqa: BLE001 - any failure to start is reported, not lost
        traceback.print_exc()
        conn.send(("fatal", 3, (f"the grader's judge could not start: "
                               f"{type(error).__name__}: {error}")))
        return
    try:
        conn.send(("ready",))
        while True:
            try:
                chunk = conn.recv()
            except EOFError:
                return  # the grading process is gone
            if chunk is None or _stopping:
                return
            try:
                grade_chunk(spec, chunk, slot=slot, judge=judge,
                            stage_root=workdir / "stage",
                            on_result=lambda result: conn.send(("result", result.to_dict())))
            except (BrokenPipeError, EOFError):
                return
            except Exception as error:  # noqa: BLE001 - a judge bug must not lose the chunk
                traceback.print_exc()
                # Only the type: the message may quote the hidden suite (the log has it all).
                conn.send(("failed", f"the judge raised {type(error).__name__}"))
            if _stopping:
                return
            conn.send(("ready",))
    finally:
        slot.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _isolate(log, parent: int) -> None:
    """Own process group (a terminal Ctrl-C is the grading process's to handle), output to
    a log instead of the terminal, and die with the grading process even if it is SIGKILLed."""
    os.setpgrp()
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), 2)
    os.close(null)

    def stop(signum, frame):
        global _stopping
        _stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the closed pipe still ends the loop
    if os.getppid() != parent:
        os._exit(0)  # the grading process died before the line above took effect
