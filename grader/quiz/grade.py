"""Grade answer files: one student's questions in order, a class across processes."""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .answers import AnswerFile, Section, read_answer
from .code_check import grade_code
from .model import Question, Quiz
from .prose import ProseFacts
from .q3 import grade_outputs
from .result import QuestionResult, StudentResult
from .verdict import apply_consistency, facts_for, grade_formula


def grade_question(quiz: Quiz, question: Question, section: Section | None, *,
                   facts: ProseFacts | None = None, carry: dict | None = None,
                   export: dict | None = None) -> QuestionResult:
    if question.kind == "formula":
        facts = facts if facts is not None else facts_for(question, section)
        return grade_formula(question, section, policy=quiz.policy, seed=quiz.seed,
                             facts=facts, carry=carry, export=export)
    if question.kind == "outputs":
        return grade_outputs(question, section, seed=quiz.seed)
    return grade_code(question, section, seed=quiz.seed)


def grade_answer(quiz: Quiz, answer: AnswerFile, *,
                 done: dict[str, QuestionResult] | None = None) -> StudentResult:
    """All questions of one answer file; ``done`` holds results graded elsewhere."""
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
        else:
            result = grade_question(quiz, question, section)
        results[question.id] = result
    return StudentResult(answer.student, tuple(results[q.id] for q in quiz.questions),
                         quiz.max_score, str(answer.path or ""))


_QUIZ: Quiz | None = None


def _init(quiz: Quiz) -> None:
    global _QUIZ
    _QUIZ = quiz


def _grade_one(item: tuple[AnswerFile, dict]) -> StudentResult:
    answer, done = item
    return grade_answer(_QUIZ, answer, done=done)


def grade_class(quiz: Quiz, paths: list[Path], *, jobs: int | None = None,
                progress=None) -> list[StudentResult]:
    """Results in the order of ``paths``; ``jobs`` processes (default: all cores).

    Code questions run first, here, through this process's sandbox slot (identical
    code is run once); the math questions are spread over a process pool.
    """
    answers = [read_answer(p) for p in paths]
    code_questions = [q for q in quiz.questions if q.kind == "code"]
    items = []
    for answer in answers:
        done = {q.id: grade_question(quiz, q, answer.section(q.id)) for q in code_questions}
        items.append((answer, done))
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(items)))
    out: list[StudentResult] = []
    if jobs == 1:
        _init(quiz)
        results = map(_grade_one, items)
        for result in results:
            out.append(result)
            if progress:
                progress(result)
        return out
    chunk = max(1, len(items) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(quiz,)) as pool:
        for result in pool.map(_grade_one, items, chunksize=chunk):
            out.append(result)
            if progress:
                progress(result)
    return out
