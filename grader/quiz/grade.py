"""Grade answer files: one student's questions in order, a class across processes."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from .answers import AnswerFile, Section, read_answer
from .code_check import grade_code
from .model import Question, Quiz
from .prose import ProseFacts
from .q3 import grade_outputs
from .result import QuestionResult, StudentResult
from .verdict import apply_consistency, facts_for, grade_formula

_MEMO: dict[tuple, tuple[QuestionResult, dict]] = {}


def grade_question(quiz: Quiz, question: Question, section: Section | None, *,
                   facts: ProseFacts | None = None, carry: dict | None = None,
                   export: dict | None = None) -> QuestionResult:
    """One answer to one question. A class writes the same answers again and again, so
    results are remembered by everything they depend on: the text, the definitions
    and bindings carried from an earlier answer."""
    if section is None or question.kind == "code":
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
    if question.kind == "formula":
        facts = facts if facts is not None else facts_for(question, section)
        return grade_formula(question, section, policy=quiz.policy, seed=quiz.seed,
                             facts=facts, carry=carry, export=export)
    if question.kind == "outputs":
        return grade_outputs(question, section, seed=quiz.seed)
    return grade_code(question, section, seed=quiz.seed)


def grade_answer(quiz: Quiz, answer: AnswerFile, *,
                 done: dict[str, QuestionResult] | None = None,
                 skip_code: bool = False) -> StudentResult:
    """All questions of one answer file; ``done`` holds results graded elsewhere, and
    with ``skip_code`` code questions are left as placeholders to be filled in."""
    results: dict[str, QuestionResult] = dict(done or {})
    facts: dict[str, ProseFacts] = {}
    envs: dict[str, dict] = {}
    for question in quiz.questions:
        section = answer.section(question.id)
        if question.kind == "formula":
            earlier = facts.get(question.consistent_with) if question.consistent_with else None
            facts[question.id] = facts_for(question, section, earlier)
            envs[question.id] = {}
            result = grade_question(quiz, question, section, facts=facts[question.id],
                                    carry=envs.get(question.consistent_with),
                                    export=envs[question.id])
            if question.consistent_with:
                result = apply_consistency(result, results.get(question.consistent_with),
                                           question, quiz.policy)
        elif question.id in results:
            continue
        elif question.kind == "code" and skip_code:
            result = QuestionResult(question.id, "review", None, question.points)
        else:
            result = grade_question(quiz, question, section)
        results[question.id] = result
    return StudentResult(answer.student, tuple(results[q.id] for q in quiz.questions),
                         quiz.max_score, str(answer.path or ""))


_QUIZ: Quiz | None = None


def _init(quiz: Quiz) -> None:
    global _QUIZ
    _QUIZ = quiz


def _grade_math(answer: AnswerFile) -> StudentResult:
    return grade_answer(_QUIZ, answer, skip_code=True)


def grade_class(quiz: Quiz, paths: list[Path], *, jobs: int | None = None,
                progress=None) -> list[StudentResult]:
    """Results in the order of ``paths``; ``jobs`` processes (default: all cores).

    The math questions are spread over a process pool while this process runs the code
    questions through its sandbox slot (identical code is run once); then both meet.
    """
    answers = [read_answer(p) for p in paths]
    code_questions = [q for q in quiz.questions if q.kind == "code"]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(answers)))
    if jobs == 1:
        _init(quiz)
        math = iter([_grade_math(a) for a in answers])
        pool = None
    else:
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(quiz,))
        math = pool.map(_grade_math, answers, chunksize=max(1, len(answers) // (jobs * 8)))
    try:
        code = [{q.id: grade_question(quiz, q, a.section(q.id)) for q in code_questions}
                for a in answers]
        out = []
        for result, done in zip(math, code):
            questions = tuple(done.get(q.qid, q) for q in result.questions)
            out.append(replace(result, questions=questions))
            if progress:
                progress(out[-1])
        return out
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
