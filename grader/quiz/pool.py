"""Math checks in worker processes that can be killed: a wall-time budget per answer.

sympy cannot be interrupted inside its own thread, so the formula and outputs questions
run in worker processes. The first workers are forked from the grading process while
it has no other thread (instant, as the process pool before them); replacements come
from a forkserver that has imported the checker (a fraction of a second once it runs,
and nothing of the grading process, such as the sandbox's sockets, is inherited).
Workers warm their caches before taking work, outside any budget. A worker checks one answer file at a time and reports each
question as it is decided; a supervisor thread of the grading process gives each
question ``budget`` seconds of wall time. When a question runs over, or the worker
dies (out of memory, a crash), the worker is killed, that question goes to review, and
a fresh worker goes on with the rest of the file from the results already reported.
Workers ignore Ctrl-C (the supervisor ends them), write nothing to the terminal, and
may grow by at most ``MEMORY`` bytes. They need nothing from ``__main__``, so they are
started without it: a script calling :func:`grade_class` needs no ``__main__`` guard.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal
import sys
import threading
import time
import types
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import wait

from ..errors import GraderError
from . import kinds
from .answers import AnswerFile
from .grade import grade_answer, grade_question, refused, warm_up
from .model import Quiz
from .result import QuestionResult, StudentResult

START_TIMEOUT = 120.0  # seconds a new worker may take to start and warm up
MEMORY = 2 << 30
_POLL = 0.25
_MAIN = threading.Lock()


@dataclass
class Task:
    index: int
    answer: AnswerFile
    done: dict = field(default_factory=dict)  # qid -> QuestionResult reported so far
    envs: dict = field(default_factory=dict)  # qid -> bindings those answers exported
    only: str = ""  # check just this question (grader quiz --check)
    fails: int = 0


def _context():
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return mp.get_context("spawn")


def _first_context(fallback):
    """Fork while this process has one thread (it has imported everything already)."""
    if "fork" in mp.get_all_start_methods() and threading.active_count() == 1:
        return mp.get_context("fork")
    return fallback


@contextmanager
def _bare_main():
    """A forkserver or spawn child re-runs the parent's ``__main__`` script (to unpickle
    what it defines) unless ``__main__`` names no file: workers get a bare one."""
    with _MAIN:
        saved = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            sys.modules["__main__"] = saved


class _Worker:
    def __init__(self, ctx, quiz: Quiz) -> None:
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(theirs, quiz), daemon=True,
                                name="grader-quiz-math")
        with _bare_main():
            self.proc.start()
        theirs.close()
        self.started = time.monotonic()
        self.ready = False
        self.task: Task | None = None
        self.since = 0.0

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()  # a worker this pool started, by its own handle
        self.proc.join(5)
        self.conn.close()


class MathPool:
    """``start(tasks)``, do other work, then ``results()``: index -> result."""

    def __init__(self, quiz: Quiz, *, jobs: int = 1, budget: float = 5.0) -> None:
        self.quiz, self.jobs, self.budget = quiz, max(1, jobs), budget
        self._ctx = _context()
        self._workers: list[_Worker] = []
        self._tasks: deque[Task] = deque()
        self._results: dict[int, object] = {}
        self._total = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._failed_starts = 0

    def __enter__(self) -> MathPool:  # noqa: PYI034 - not subclassed
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, tasks: list[Task]) -> None:
        self._tasks, self._total = deque(tasks), len(tasks)
        # Started here, in the calling thread, before the sandbox opens anything.
        first = _first_context(self._ctx)
        self._workers = [_Worker(first, self.quiz)
                         for _ in range(max(1, min(self.jobs, len(tasks))))]
        self._thread = threading.Thread(target=self._supervise, daemon=True,
                                        name="grader-quiz-supervisor")
        self._thread.start()

    def results(self) -> dict[int, object]:
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error
        return self._results

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(10)
        for worker in self._workers:
            worker.kill()
        self._workers = []

    # ---------------------------------------------------------------- supervisor
    def _supervise(self) -> None:
        try:
            while len(self._results) < self._total and not self._stop.is_set():
                self._step()
        except BaseException as error:  # noqa: BLE001 - re-raised by results()
            self._error = error

    def _step(self) -> None:
        for worker in self._workers:
            if worker.ready and worker.task is None and self._tasks:
                worker.task, worker.since = self._tasks.popleft(), time.monotonic()
                try:
                    worker.conn.send(worker.task)
                except (OSError, ValueError):  # it died before it saw the task
                    self._tasks.appendleft(worker.task)
                    worker.task = None
                    self._replace(worker, "checker_stopped")
        now = time.monotonic()
        ends = [w.since + self.budget for w in self._workers if w.task is not None]
        timeout = min([_POLL] + [max(0.0, end - now) + 0.01 for end in ends])
        for conn in wait([w.conn for w in self._workers], timeout):
            worker = next((w for w in self._workers if w.conn is conn), None)
            if worker is not None:
                self._receive(worker)
        now = time.monotonic()
        for worker in list(self._workers):
            if worker.task is not None and now - worker.since > self.budget:
                self._replace(worker, "too_slow")
            elif not worker.ready and now - worker.started > START_TIMEOUT:
                self._replace(worker, "checker_stopped")

    def _receive(self, worker: _Worker) -> None:
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                if message[0] == "ready":
                    worker.ready, self._failed_starts = True, 0
                elif message[0] == "q" and worker.task is not None:
                    _, qid, result, env = message
                    worker.task.done[qid], worker.task.envs[qid] = result, env
                    worker.since = time.monotonic()
                elif message[0] == "end" and worker.task is not None:
                    self._results[worker.task.index] = message[1]
                    worker.task = None
        except (EOFError, OSError, pickle.UnpicklingError, AttributeError, TypeError):
            self._replace(worker, "checker_stopped")

    def _replace(self, worker: _Worker, reason: str) -> None:
        """Kill ``worker``, send its current question to review, start another."""
        task, ready = worker.task, worker.ready
        worker.kill()
        if task is not None:
            self._fail(task, reason)
        elif not ready:
            self._failed_starts += 1
            if self._failed_starts >= 3:
                raise GraderError("the quiz checker's worker processes do not start "
                                  f"(exit code {worker.proc.exitcode})")
        self._workers[self._workers.index(worker)] = _Worker(self._ctx, self.quiz)

    def _fail(self, task: Task, reason: str) -> None:
        questions = [q for q in self.quiz.questions if not kinds.get(q.kind).sandboxed
                     and (not task.only or q.id == task.only)]
        current = next((q for q in questions if q.id not in task.done), None)
        if current is not None:
            task.done[current.id] = refused(current, task.answer.section(current.id),
                                            reason, seconds=self.budget)
        task.fails += 1
        if task.only:
            self._results[task.index] = task.done[task.only]
        elif current is None or task.fails > len(self.quiz.questions) + 1:
            self._results[task.index] = self._assemble(task)
        else:
            self._tasks.appendleft(task)

    def _assemble(self, task: Task) -> StudentResult:
        """The result of a file whose worker never finished it, from what it reported."""
        questions = tuple(task.done.get(q.id) or refused(
            q, task.answer.section(q.id), "checker_stopped") if not kinds.get(q.kind).sandboxed else
            QuestionResult(q.id, "review", None, q.points) for q in self.quiz.questions)
        return StudentResult(task.answer.student, questions, self.quiz.max_score,
                             str(task.answer.path or ""))


# -------------------------------------------------------------------- worker side
def _serve(conn, quiz: Quiz) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _silence()
    _limit_memory()
    warm_up(quiz)
    conn.send(("ready",))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        if task.only:
            question = quiz.question(task.only)
            result = grade_question(quiz, question, task.answer.section(question.id))
        else:
            def report(qid: str, result: QuestionResult, env: dict) -> None:
                _send(conn, ("q", qid, result, env))

            result = grade_answer(quiz, task.answer, done=task.done, envs=task.envs,
                                  skip_code=True, on_result=report)
        conn.send(("end", result))


def _send(conn, message: tuple) -> None:
    try:
        conn.send(message)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        # The bindings could not be sent: a later answer is then read without them.
        conn.send(message[:3] + ({},))


def _silence() -> None:
    """Nothing a worker prints (a warning quoting an answer) reaches the terminal."""
    import warnings

    warnings.simplefilter("ignore")
    devnull = os.open(os.devnull, os.O_WRONLY)
    for fd in (1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as handle:
            size = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = size + MEMORY
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass
