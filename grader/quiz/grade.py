"""Grade answer files: one student's questions in order, a class across processes.

Every question is graded behind a guard: a bound hit (:class:`TooBig`), a recursion or
memory error, or any other failure while checking one answer becomes that answer's
``review`` verdict, never the run's. The math questions of a class run in worker
processes that a wall-time budget per answer can kill (:mod:`grader.quiz.pool`); the
code questions run here, through the sandbox, meanwhile.
"""

from __future__ import annotations

import multiprocessing.util
import os
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from . import feedback, kinds
from .answers import AnswerFile, Section, read_answer
from .bounds import check_section
from .errors import TooBig
from .model import Question, Quiz
from .prose import ProseFacts, empty_facts
from .result import QuestionResult, StudentResult
from .safe_text import scrub_paths, student_ids
from .verdict import apply_consistency, facts_for

_MEMO: dict[tuple, tuple[QuestionResult, dict]] = {}
_MEMO_TEXT = 4000  # longer answers are not remembered (they are rarely repeated)


def refused(question: Question, section: Section | None, key: str,
            **details) -> QuestionResult:
    """``review`` with the message ``key``: the answer could not be checked."""
    text = feedback.message(key, question, **details)
    return QuestionResult(question.id, "review", None, question.points, review_reason=text,
                          messages=(text,), answer=section.text if section else "")


def _failure(question: Question, section: Section | None, error: BaseException):
    if isinstance(error, TooBig):
        return refused(question, section, "too_big", detail=str(error))
    if isinstance(error, (RecursionError, MemoryError)):
        return refused(question, section, "too_big", detail="too deep or too large to read")
    return refused(question, section, "checker_failed", detail=type(error).__name__)


def grade_question(quiz: Quiz, question: Question, section: Section | None, *,
                   facts: ProseFacts | None = None, carry: dict | None = None,
                   export: dict | None = None) -> QuestionResult:
    """One answer to one question; any failure is this answer's review."""
    try:
        if section is not None:
            check_section(section.text, code=kinds.get(question.kind).sandboxed)
        return _remembered(quiz, question, section, facts=facts, carry=carry, export=export)
    except Exception as error:  # noqa: BLE001 - one answer never stops the class
        if export is not None:
            export.clear()
        return _failure(question, section, error)


def _remembered(quiz: Quiz, question: Question, section: Section | None, *,
                facts: ProseFacts | None, carry: dict | None,
                export: dict | None) -> QuestionResult:
    """A class writes the same answers again and again, so results are remembered by
    everything they depend on: the text, the definitions and bindings carried from an
    earlier answer."""
    if section is None or kinds.get(question.kind).sandboxed or len(section.text) > _MEMO_TEXT:
        return _grade(quiz, question, section, facts=facts, carry=carry, export=export)
    key = (quiz.path, question.id, section.text, repr(facts),
           repr(sorted((carry or {}).items(), key=str)))
    if key not in _MEMO:
        if len(_MEMO) > 20000:
            _MEMO.clear()
        exported: dict = {}
        _MEMO[key] = (_grade(quiz, question, section, facts=facts, carry=carry,
                             export=exported), exported)
    result, exported = _MEMO[key]
    if export is not None:
        export.update(exported)
    return result


def _grade(quiz: Quiz, question: Question, section: Section | None, *,
           facts: ProseFacts | None, carry: dict | None,
           export: dict | None) -> QuestionResult:
    kind = kinds.get(question.kind)
    result = kind.grade(quiz, question, section, facts=facts, carry=carry, export=export)
    if not kind.sandboxed:
        return result
    # Messages of student code may quote the interpreter's or the sandbox's paths.
    return replace(result, messages=tuple(scrub_paths(m) for m in result.messages),
                   review_reason=scrub_paths(result.review_reason),
                   parts=tuple(replace(p, message=scrub_paths(p.message))
                               for p in result.parts))


def _facts(question: Question, section: Section | None, earlier: ProseFacts | None):
    """(facts, None), or (default facts, the review) when the prose cannot be read."""
    try:
        if section is not None:
            check_section(section.text)
        return facts_for(question, section, earlier), None
    except Exception as error:  # noqa: BLE001 - one answer never stops the class
        return earlier or empty_facts(question), _failure(question, section, error)


def grade_answer(quiz: Quiz, answer: AnswerFile, *,
                 done: dict[str, QuestionResult] | None = None,
                 envs: dict[str, dict] | None = None, skip_code: bool = False,
                 on_result=None) -> StudentResult:
    """All questions of one answer file. ``done`` holds results decided elsewhere (and
    ``envs`` the bindings they exported); with ``skip_code`` code questions are left as
    placeholders to be filled in; ``on_result(qid, result, env)`` hears of each
    question as it is decided."""
    results: dict[str, QuestionResult] = dict(done or {})
    envs = dict(envs or {})
    facts: dict[str, ProseFacts] = {}
    for question in quiz.questions:
        section = answer.section(question.id)
        kind = kinds.get(question.kind)
        if kind.reads_prose and not answer.problem:
            earlier = facts.get(question.consistent_with) if question.consistent_with else None
            facts[question.id], failed = _facts(question, section, earlier)
        if question.id in results:
            continue
        if answer.problem:
            result = refused(question, section, "too_big", detail=answer.problem)
        elif kind.reads_prose:
            envs[question.id] = {}
            result = failed or grade_question(
                quiz, question, section, facts=facts[question.id],
                carry=envs.get(question.consistent_with), export=envs[question.id])
            if question.consistent_with and not failed:
                result = apply_consistency(result, results.get(question.consistent_with),
                                           question, quiz.policy)
        elif kind.sandboxed and skip_code:
            result = QuestionResult(question.id, "review", None, question.points)
        else:
            result = grade_question(quiz, question, section)
        results[question.id] = result
        if on_result is not None:
            on_result(question.id, result, envs.get(question.id, {}))
    return StudentResult(answer.student, tuple(results[q.id] for q in quiz.questions),
                         quiz.max_score, str(answer.path or ""))


def warm_up(quiz: Quiz) -> None:
    """Fill a fresh worker's caches (the forms, computed references, sympy's lazy
    imports) before any answer's budget starts."""
    for question in quiz.questions:
        kinds.get(question.kind).warm_up(quiz, question)


def _read(path: Path, student: str) -> AnswerFile:
    try:
        return read_answer(path, student)
    except OSError as error:
        return AnswerFile(student, path, {}, problem=f"the file could not be read: "
                                                     f"{error.strerror or error}")


def grade_class(quiz: Quiz, paths: list[Path], *, jobs: int | None = None,
                progress=None, budget: float | None = None) -> list[StudentResult]:
    """Results in the order of ``paths``; ``jobs`` processes (default: all cores), each
    math answer given ``budget`` seconds (default: the quiz's ``answer_seconds``).

    The math questions are checked by a pool of killable workers while this process
    runs the code questions through its sandbox slot (identical code is run once);
    then both meet.
    """
    from .pool import MathPool, Task

    answers = [_read(p, s) for p, s in zip(paths, student_ids(paths))]
    code_questions = [q for q in quiz.questions if kinds.get(q.kind).sandboxed]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(answers)))
    seconds = budget if budget is not None else quiz.policy.answer_seconds
    with MathPool(quiz, jobs=jobs, budget=seconds) as pool:
        pool.start([Task(n, a) for n, a in enumerate(answers)])
        needed = any(a.section(q.id) is not None and not a.problem
                     for a in answers for q in code_questions)
        with sandbox_scratch(needed):
            code = [{q.id: refused(q, a.section(q.id), "too_big", detail=a.problem)
                     if a.problem else grade_question(quiz, q, a.section(q.id))
                     for q in code_questions} for a in answers]
        math = pool.results()
    out = []
    for n, done in enumerate(code):
        result = math[n]
        questions = tuple(done.get(q.qid, q) for q in result.questions)
        out.append(replace(result, questions=questions))
        if progress:
            progress(out[-1])
    return out


@contextmanager
def sandbox_scratch(needed: bool = True):
    """Start the code questions' sandbox slot inside a private temporary folder, and
    close it and remove the folder afterwards (the slot would leave an empty one)."""
    from .code_check import _Slot

    if not needed or _Slot.slot is not None or _Slot.broken:
        yield
        return
    # tempfile.tempdir is process-wide while the slot starts: multiprocessing (the math
    # pool's forkserver, started from another thread) must have its folder already.
    multiprocessing.util.get_temp_dir()
    private = tempfile.mkdtemp(prefix="grader-quiz-run-")
    saved, tempfile.tempdir = tempfile.tempdir, private
    try:
        _Slot.get()
    finally:
        tempfile.tempdir = saved
    try:
        yield
    finally:
        _Slot.close()
        shutil.rmtree(private, ignore_errors=True)
