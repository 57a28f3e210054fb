"""The trusted judge: one in-process pytest session grades a batch of staged submissions.

Each submission's worker session opens at its first test and closes right after its last;
its :class:`SubmissionResult` goes to ``on_result`` at that moment. Whatever goes wrong with
one submission (its code, its worker, or the grader itself) ends up in that submission's
result and status; the batch carries on, and every submission gets exactly one result.

A check that raised something other than a failure is judged by running it again, at once,
against the reference solution (:meth:`_Batch.recheck`): if it passes there, what made it
raise was this submission's values, and the check is failed with the exception's text;
otherwise (it raises or fails on correct code too, or cannot be rechecked) the grader is at
fault and the submission gets ``internal_error``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from ..errors import InternalError
from ..paths import solutions_dir
from ..reports.words import tidy_output
from ..results import STATUSES, SubmissionResult, TestResult
from ..suites import contexts
from ..suites.plugin import JudgePlugin, Outcome
from .local_session import LocalSession
from .model import Layout, StagedSubmission, default_layout
from .proxy import SYNTAX_ERRORS, Failure, Stopped, Student, StudentRaised, clean

log = logging.getLogger(__name__)

# The hidden suite runs alone: no ini file, conftest, cache, terminal output, third-party
# plugins or assertion rewriting (whose introspection would print test source to students).
PYTEST_ARGS = (
    "-c", os.devnull, "--noconftest", "--disable-plugin-autoload", "--assert=plain",
    "--capture=no", "--import-mode=importlib",
    "-p", "no:terminal", "-p", "no:cacheprovider", "-p", "no:warnings", "-p", "no:stepwise",
    "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin", "-p", "no:faulthandler",
    # Its capture handlers would wrap every phase of every item, and swallow what the judge
    # itself logs while a test runs.
    "-p", "no:logging",
    # These two run gc.collect() five times at the end of every session (~15 ms per
    # submission at 24 per chunk) to report exceptions nobody reads here.
    "-p", "no:unraisableexception", "-p", "no:threadexception",
)

# Worst first: a submission's status is the worst thing that happened to it.
_PRECEDENCE = ("internal_error", "missing", "syntax_error", "import_error", "timeout", "limit",
               "crashed", "graded")
assert set(_PRECEDENCE) == set(STATUSES)
OUTPUT_SHOWN = 2000  # characters of the student's own printed output kept in the summary
INTERNAL = "the grader failed while running this check; your submission will be regraded"
CRASHED_ON_VALUES = "this check could not use what your code returned"


class SubmissionState:
    """Everything the judge learns about one submission while its tests run."""

    def __init__(self, staged: StagedSubmission, *, sandbox: str) -> None:
        self.staged = staged
        self.sandbox = sandbox
        self.session = None
        self.student: Student | None = None
        self.blocked: tuple[str, str] | None = None  # (status, message) when no test can run
        self.statuses: list[str] = []
        self.notes: list[str] = []  # summary lines for the student
        self.tests: list[TestResult] = []
        self.output = ""
        self.started: float | None = None  # when its worker was first opened
        self.reported = False

    def block(self, status: str, message: str) -> None:
        self.blocked = (status, message)
        self.statuses.append(status)

    def block_on_import(self, failure: Failure, events) -> None:
        self.block(_import_status(failure, events), _import_message(failure))

    def note_import_problem(self, failure: Failure, events, name: str) -> None:
        self.statuses.append(_import_status(failure, events))
        self.notes.append(_import_message(failure) + f" The checks that use {name} could "
                          "not run.")

    def record(self, outcome: Outcome, recheck=None) -> None:
        """Score one test. ``recheck(outcome)`` is True when the test, which raised, passes
        on the reference solution: then the exception came from this submission's values."""
        info, error = outcome.info, outcome.error
        status, message = "passed", ""
        if outcome.skipped:
            status, message = "failed", "this check did not run"
        elif error is not None:
            status, message = _classify(error)
            if status == "error" and recheck is not None and recheck(outcome):
                status, message = "failed", _crash_message(error)
                log.warning("%s crashed on the values of %s, and passes on the reference: "
                            "failed (the check should validate those values)", info.name,
                            self.staged.student,
                            exc_info=(type(error), error, error.__traceback__))
            elif status == "error":
                log.error("internal error in %s for %s", info.name, self.staged.student,
                          exc_info=(type(error), error, error.__traceback__))
                self.statuses.append("internal_error")
        self.tests.append(TestResult(
            name=info.name, score=info.points if status == "passed" else 0.0,
            max_score=info.points, output=message, visibility=info.visibility,
            status=status, duration=round(outcome.duration, 6)))

    def close(self) -> None:
        if self.student is not None:
            self.statuses.extend(kind for kind, _ in self.student.events)
        if self.session is not None:
            session, self.session = self.session, None
            try:
                self.output = session.output() or ""
            except Exception:
                log.exception("could not read the output of %s", self.staged.student)
            try:
                session.close()
            except Exception:
                log.exception("could not close the worker of %s", self.staged.student)

    def result(self, catalogue) -> SubmissionResult:
        self.close()
        status = min(self.statuses or ["graded"], key=_PRECEDENCE.index)
        score = sum(t.score for t in self.tests)
        max_score = sum(t.max_score for t in self.tests) or sum(i.points for i in catalogue)
        return SubmissionResult(
            student=self.staged.student, status=status, score=score, max_score=max_score,
            tests=tuple(self.tests), execution_time=round(time.perf_counter() - self.started, 4) if self.started else 0.0,
            sandbox=self.sandbox, content_hash=self.staged.content_hash,
            output=self._summary(status, score, max_score), files=tuple(self.staged.files),
            absent=_absent(self.staged))

    def internal_result(self, catalogue, reason: str) -> SubmissionResult:
        self.close()
        tests = tuple(TestResult(name=i.name, score=0.0, max_score=i.points, output=reason,
                                 visibility=i.visibility, status="error") for i in catalogue)
        return SubmissionResult(
            student=self.staged.student, status="internal_error", score=0.0,
            max_score=sum(i.points for i in catalogue), tests=tests,
            sandbox=self.sandbox, content_hash=self.staged.content_hash,
            output=f"Not graded: {reason}.", files=tuple(self.staged.files),
            absent=_absent(self.staged))

    def _summary(self, status: str, score: float, max_score: float) -> str:
        passed = sum(t.passed for t in self.tests)
        lines = [f"{passed} of {len(self.tests)} checks passed ({score:g}/{max_score:g})."]
        if self.blocked:
            lines.append(self.blocked[1])
        lines += self.notes + [f"Note: {p}" for p in self.staged.problems if not self.blocked]
        lines += [message for kind, message in (self.student.events if self.student else ())][:3]
        if status == "internal_error":
            lines.append("The grader itself failed on part of this submission; it will be "
                         "regraded.")
        if self.output.strip():
            shown = self.output if len(self.output) <= OUTPUT_SHOWN else (
                self.output[:OUTPUT_SHOWN] + "\n... (output cut)")
            lines.append("Output printed by your code:\n" + shown)
        # The worker's own notes (imports it skipped, Python warnings) become "Note:" lines:
        # "Output printed by your code" keeps only what the student's code printed.
        return tidy_output("\n".join(lines))


def _absent(staged: StagedSubmission) -> tuple[tuple[str, str], ...]:
    """The optional files not graded, with what the grader used in their place."""
    layout = staged.layout or default_layout()
    return tuple((name, instead) for name, instead in layout.when_absent
                 if name not in staged.files)


def _import_status(failure: Failure, events) -> str:
    if isinstance(failure, StudentRaised) and failure.type_name in SYNTAX_ERRORS:
        return "syntax_error"
    if isinstance(failure, Stopped) and failure.kind in ("timeout", "limit"):
        return failure.kind
    return "import_error"  # an exception, exit() or a dying worker while importing


def _import_message(failure: Failure) -> str:
    return f"Your code could not be imported: {failure}."


def _classify(error: BaseException) -> tuple[str, str]:
    """(test status, student-facing message) for the exception that ended a test."""
    if isinstance(error, Failure):
        return "failed", str(error)
    if isinstance(error, AssertionError):
        # Plain asserts carry only the test's message; never show the asserted source.
        text = str(error).split("\nassert ")[0].strip()
        return "failed", clean(text) or "this check failed"
    if type(error).__name__ == "Failed" and hasattr(error, "msg"):  # pytest.fail(...)
        return "failed", clean(error.msg)
    return "error", INTERNAL


def _crash_message(error: BaseException) -> str:
    """What a student reads when a check crashed on their values: where, and the exception."""
    text = clean(str(error))
    what = f"{type(error).__name__}: {text}" if text else type(error).__name__
    where = ": ".join(contexts(error))
    return clean(f"{where}: " * bool(where) + f"{CRASHED_ON_VALUES} ({what})")


class _Reference:
    """The reference solution as a ``student``: for rechecking a check that raised.

    It runs in THIS process (``LocalSession``), which is right for our own code only; one
    per way a submission can be shaped (which files it has, which of them failed to
    import), opened on first use and closed with the batch.
    """

    def __init__(self) -> None:
        self.students: dict[tuple, Student | None] = {}
        self.sessions: list[LocalSession] = []

    def like(self, student: Student, layout: Layout | None) -> Student | None:
        key = (student.files, tuple(sorted(student.unavailable.items())))
        if key not in self.students:
            self.students[key] = self._open(student.files, dict(student.unavailable), layout)
        return self.students[key]

    def _open(self, files: tuple[str, ...], unavailable: dict[str, str],
              layout: Layout | None) -> Student | None:
        try:
            root = solutions_dir()
        except InternalError:  # the student edition of grader check has no solutions/
            return None
        if layout is None or not all((root / layout.paths[n]).is_file() for n in files):
            return None
        session = LocalSession(root)
        self.sessions.append(session)
        reference = Student(session, files=files, unavailable=unavailable)
        try:
            for name in files:
                if name not in unavailable:
                    session.import_module(layout.module(name))
        except Exception:
            log.exception("the reference solution could not be imported for a recheck")
            return None
        return reference

    def close(self) -> None:
        for session in self.sessions:
            session.close()
        self.sessions.clear()
        self.students.clear()


class _Batch:
    """The judge's side of the plugin: opens workers, keeps outcomes, emits results."""

    def __init__(self, staged, slot, on_result) -> None:
        self.states = [SubmissionState(s, sandbox=getattr(slot, "level", "")) for s in staged]
        self.size = len(self.states)
        self.slot = slot
        self.on_result = on_result
        self.catalogue: list = []
        self.callback_errors: list[BaseException] = []
        self.reference = _Reference()

    def student(self, index: int) -> Student:
        state = self.states[index]
        if state.student is None and state.blocked is None:
            self._open(state)
        if state.blocked is not None:
            raise Failure(state.blocked[1])
        return state.student

    def _open(self, state: SubmissionState) -> None:
        staged = state.staged
        layout = staged.layout or default_layout()
        missing = [name for name in layout.required if name not in staged.files]
        if missing:
            found = " ".join(staged.problems)
            state.block("missing", f"No {' or '.join(missing)} was found in your submission, "
                                   f"so nothing could be graded. {found}".strip())
            return
        state.started = time.perf_counter()
        try:
            state.session = self.slot.open(staged.root)
        except Exception as error:  # the sandbox itself failed: not the student's doing
            log.exception("could not open a worker for %s", staged.student)
            state.block("internal_error", "The grader could not start a worker for your code "
                        f"({type(error).__name__}); your submission will be regraded.")
            return
        student = Student(state.session, files=staged.files, sources=dict(staged.sources))
        # Required files first: when one cannot be imported, no check can run. An optional
        # one that fails leaves the checks that need it to say so.
        order = sorted(staged.files, key=lambda name: name not in layout.required)
        for name in order:
            try:
                student.guard(f"importing {name}", state.session.import_module,
                              layout.module(name))
            except Failure as failure:
                if name in layout.required:
                    state.block_on_import(failure, student.events)
                    return
                student.unavailable[name] = str(failure)
                state.note_import_problem(failure, student.events, name)
        state.student = student

    def record(self, index: int, outcome: Outcome) -> None:
        state = self.states[index]
        state.record(outcome, recheck=lambda outcome: self.recheck(state, outcome))

    def recheck(self, state: SubmissionState, outcome: Outcome) -> bool:
        """True when the test that raised for ``state`` passes on the reference solution.

        Only then did the exception depend on what this submission returned. Anything else
        (the recheck raises or fails too, the test cannot be rechecked, no reference is at
        hand) leaves it the grader's fault. The reference draws from numpy's global stream
        in this process: its state is put back, whatever else shares it.
        """
        if outcome.recheck is None or state.student is None:
            return False
        reference = self.reference.like(state.student, state.staged.layout or default_layout())
        if reference is None:
            return False
        stream = np.random.get_state()
        try:
            outcome.recheck(reference)
        except (KeyboardInterrupt, pytest.exit.Exception):
            raise
        except BaseException:  # the check fails on correct code too: the grader's fault
            log.exception("%s also fails on the reference solution", outcome.info.name)
            return False
        finally:
            np.random.set_state(stream)
        return True

    def finish(self, index: int) -> None:
        state = self.states[index]
        if state.reported:
            return
        try:
            result = state.result(self.catalogue)
        except Exception:
            log.exception("could not build the result of %s", state.staged.student)
            result = state.internal_result(self.catalogue, "the grader failed to assemble "
                                           "your result; your submission will be regraded")
        self._emit(state, result)

    def finish_unreported(self, reason: str) -> None:
        for state in self.states:
            if not state.reported:
                self._emit(state, state.internal_result(self.catalogue, reason))

    def _emit(self, state: SubmissionState, result: SubmissionResult) -> None:
        state.reported = True
        state.close()
        try:
            self.on_result(result)
        except Exception as error:  # the caller's failure must not cost the rest their grade
            log.exception("on_result failed for %s", state.staged.student)
            self.callback_errors.append(error)


@contextlib.contextmanager
def _no_foreign_rewriting():
    """Hide a host pytest's assertion-rewriting import hook while the suite is imported.

    A judge running inside another pytest session (the grader's own tests, a notebook
    kernel under pytest) would otherwise get the suite's asserts rewritten by the host, and
    a rewritten assert's message is the host's introspection, not the suite's words.
    """
    hooks = [h for h in sys.meta_path if type(h).__name__ == "AssertionRewritingHook"]
    for hook in hooks:
        sys.meta_path.remove(hook)
    try:
        yield
    finally:
        sys.meta_path[:0] = hooks


def judge(staged: list[StagedSubmission], *, slot, suite_dir: Path,
          on_result: Callable[[SubmissionResult], None]) -> None:
    """Grade ``staged`` with the hidden suite in ``suite_dir``; one result per submission."""
    if not staged:
        return
    batch = _Batch(list(staged), slot, on_result)
    plugin = JudgePlugin(batch)
    batch.catalogue = plugin.catalogue
    try:
        with warnings.catch_warnings(), _no_foreign_rewriting():
            warnings.simplefilter("ignore")
            pytest.main([str(suite_dir), "--rootdir", str(suite_dir), *PYTEST_ARGS],
                               plugins=[plugin])
    except Exception:
        log.exception("the hidden suite crashed")
    finally:
        batch.reference.close()
        if plugin.interrupted:
            batch.finish_unreported("grading was interrupted before your tests ran")
            for state in batch.states:
                state.close()
            raise KeyboardInterrupt
        reason = ("the hidden test suite is broken (" + "; ".join(plugin.problems) + ")"
                  if plugin.problems else "the grader stopped before your tests ran")
        if plugin.problems:
            log.error("hidden suite problems in %s: %s", suite_dir, plugin.problems)
        batch.finish_unreported(reason + "; your submission will be regraded")
    if batch.callback_errors:
        raise batch.callback_errors[0]
