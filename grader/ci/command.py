"""``grader ci``: grade one submission the way an autograder container does.

The contract with the platform is the file, not the exit code: a ``results.json`` in the
Gradescope schema is written before grading starts (so a container killed mid-way still
leaves a verdict) and replaced by the real one at the end. Whatever goes wrong inside the
grader becomes a zero with an explanation in that file. Only a misuse that leaves no place
to write the file (an unwritable ``--results``) is an error of the command itself.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from .. import course, paths
from ..config import Config, check_sandbox_level, load_limits
from ..errors import SandboxUnavailable, UsageError
from ..reports import results_json
from ..reports.files import atomic_write
from ..reports.words import graded_files, tidy_output
from ..results import SubmissionResult
from ..run import levels
from ..run.executors import DEFAULT_JUDGE, DEFAULT_SLOT
from ..run.proxy import clean
from ..run.stage import SupportPackage, suite_version
from .single import find_submission, grade_submission

REGRADE = ("On an autograder platform nothing regrades it by itself: ask the course staff "
           "to rerun the autograder on this submission.")


def main(*, submission: Path, results: Path, fail_under: float | None = None,
         sandbox: str = "auto", require_sandbox: str | None = None,
         judge: str | Callable = DEFAULT_JUDGE,
         slot_factory: str | Callable = DEFAULT_SLOT, suite_dir: Path | None = None,
         assignment_dir: Path | None = None, assignment: str | None = None) -> int:
    """Grade ``submission`` into ``results``; 0, or 1 when the score is below ``fail_under``."""
    threshold = _threshold(fail_under)
    sandbox = check_sandbox_level(sandbox)
    assignment = course.resolve(assignment, suite_given=suite_dir is not None)
    results = Path(results)
    student = Path(submission).name or "submission"
    _write(results, _placeholder(student))  # also proves the path is writable, before any work
    started = time.monotonic()
    isolation = ""
    if slot_factory == DEFAULT_SLOT:
        try:
            choice = levels.choose(sandbox, levels.required_level(require_sandbox))
        except SandboxUnavailable as error:
            _write(results, _failed(student, str(error), time.monotonic() - started))
            raise
        sandbox, isolation = choice.level, f"; sandbox {choice.level}"
        print(f"grader ci: {choice.banner()}")
        if choice.warning():
            print(f"grader ci: {choice.warning()}", file=sys.stderr)
    try:
        result = grade_one(Path(submission), sandbox=sandbox, judge=judge,
                        slot_factory=slot_factory, suite_dir=suite_dir,
                        assignment_dir=assignment_dir, assignment=assignment)
    except KeyboardInterrupt:
        _write(results, _failed(student, "grading was interrupted before it finished",
                                time.monotonic() - started))
        raise
    except Exception as error:  # noqa: BLE001 - the platform needs a verdict whatever failed
        why = f"{type(error).__name__}: {clean(str(error))}"
        print(f"grader ci: internal error: {why}", file=sys.stderr)
        result = _failed(student, why, time.monotonic() - started)
    if result.status == "internal_error" and REGRADE not in result.output:
        result = replace(result, output=f"{result.output}\n{REGRADE}".strip())
    # The platform shows this text to the student: the grader's notes as notes, not as
    # output their code printed.
    result = replace(result, output=tidy_output(result.output))
    _write(results, result)
    if result.files:
        print(f"grader ci: files graded: {graded_files(result.files, result.absent)}")
    print(f"grader ci: {result.score:g}/{result.max_score:g} ({result.status}) -> {results}"
          f"{isolation}")
    if threshold is not None and result.score < threshold:
        print(f"grader ci: the score {result.score:g} is below --fail-under {threshold:g}",
              file=sys.stderr)
        return 1
    return 0


def grade_one(submission: Path, *, sandbox: str, judge=DEFAULT_JUDGE,
              slot_factory=DEFAULT_SLOT, suite_dir: Path | None = None,
              assignment_dir: Path | None = None,
              assignment: str | None = None) -> SubmissionResult:
    """One submission folder graded by the hidden suite at ``sandbox`` (a concrete level)."""
    assignment = course.resolve(assignment, suite_given=suite_dir is not None)
    config = Config(limits=load_limits(), sandbox=sandbox, jobs=1, assignment=assignment)
    sub = find_submission(submission, course.layout(assignment) if assignment else None)
    assignment_dir = Path(assignment_dir or paths.assignment_dir())
    suite_dir = Path(suite_dir or course.find(config.assignment).suite)
    version = suite_version(suite_dir, paths.solutions_dir() / "cs231n",
                            assignment_dir / "cs231n")
    return grade_submission(sub, suite_dir=suite_dir, support=SupportPackage.load(assignment_dir),
                            config=config, suite=version, judge=judge, slot_factory=slot_factory)


def _threshold(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise UsageError(f"invalid score {value!r} from --fail-under: expected a number")
    return number


def _placeholder(student: str) -> SubmissionResult:
    return _failed(student, "grading started but did not finish (the container was stopped "
                            "or ran out of time)", 0.0)


def _failed(student: str, why: str, elapsed: float) -> SubmissionResult:
    return SubmissionResult(
        student=student, status="internal_error", score=0.0, max_score=0.0,
        execution_time=round(elapsed, 3),
        output=f"Not graded: the grader failed, not your code ({why}).")


def _write(path: Path, result: SubmissionResult) -> None:
    if path.is_dir():
        raise UsageError("--results must be a file path, but it is a folder", path=path)
    try:
        atomic_write(path, results_json.render(result))
    except OSError as error:
        raise UsageError(f"cannot write the results file ({error.strerror or error})",
                         path=path) from None
