"""``grader quiz``: check quiz answers with sympy, safely.

Pipeline, one module per step: :mod:`answers` (markdown -> sections), :mod:`extract`
(formulas among prose), :mod:`lexer` and :mod:`parse` (text -> whitelisted Python AST,
never evaluated), :mod:`normalize` and :mod:`reading` (AST -> entry-wise sympy, names and
definitions), :mod:`prose` (definitions that change the meaning), :mod:`equivalence`
(symbolic and numeric), :mod:`verdict`, :mod:`q3` and :mod:`code_check` (per question
kind), :mod:`feedback` (every message), :mod:`report` (files). Every answer is hostile:
:mod:`bounds` limits its size and depth before it is parsed or compared, :mod:`pool`
gives each math answer a wall-time budget in killable workers, :mod:`safe_text` makes
what a student wrote safe to write to files and the terminal.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from ..errors import UsageError
from .answers import AnswerFile, Section, answer_paths
from .model import load_quiz


def main(*, quiz_dir: Path, answers_dir: Path | None = None, out: Path = Path("quiz_grades"),
         check: tuple[str, str] | None = None, jobs: int | None = None,
         sandbox: str = "auto", require_sandbox: str | None = None) -> int:
    """Grade ``answers_dir`` into ``out``, or explain one answer with ``check``."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    quiz = load_quiz(Path(quiz_dir))
    isolation = _settle_sandbox(quiz, console, sandbox, require_sandbox,
                                asked=None if check is None else check[0])
    if check is not None:
        from .report import check_text

        qid, text = check
        question = quiz.question(qid)
        result = _check_one(quiz, question, Section(question.id, text, 1))
        console.print(check_text(result, quiz), markup=False)
        return 0
    if answers_dir is None:
        raise UsageError("give the answers folder (ANSWERS_DIR) or --check QID ANSWER")
    from .grade import grade_class
    from .report import write_reports

    paths = answer_paths(Path(answers_dir))
    started = time.perf_counter()
    results = grade_class(quiz, paths, jobs=jobs)
    # The checker's results are saved as data and the TAs' verdicts (grader review)
    # applied, so a re-run keeps every verdict whose answer is unchanged.
    from ..review.quizdata import checked
    results = checked(results, quiz, Path(out))
    write_reports(results, quiz, Path(out))
    elapsed = time.perf_counter() - started
    counts = Counter(q.verdict for r in results for q in r.questions)
    summary = ", ".join(f"{counts[v]} {v}" for v in
                        ("correct", "partial", "incorrect", "missing", "review") if counts[v])
    console.print(f"{len(results)} answer files, {len(quiz.questions)} questions each: "
                  f"{summary} ({elapsed:.1f} s)", markup=False)
    console.print(f"wrote {Path(out) / 'quiz_gradebook.csv'}, {Path(out)}/<student>/feedback.md"
                  f" ({Path(out) / 'folders.csv'} names each student's folder)"
                  f" and {Path(out) / 'review.md'} ({counts['review']} to review)",
                  markup=False)
    if isolation:
        console.print(f"code answers ran in the sandbox: {isolation}", markup=False)
    return 0


def _check_one(quiz, question, section: Section):
    """One answer, with the same budget and guards as a class: math in a worker."""
    from .grade import grade_question, sandbox_scratch
    from .pool import MathPool, Task

    if question.kind == "code":
        with sandbox_scratch(not section.is_blank):
            return grade_question(quiz, question, section)
    answer = AnswerFile("check", None, {question.id: section})
    with MathPool(quiz, jobs=1, budget=quiz.policy.answer_seconds) as pool:
        pool.start([Task(0, answer, only=question.id)])
        return pool.results()[0]


def _settle_sandbox(quiz, console, sandbox: str, require_sandbox: str | None,
                    asked: str | None) -> str:
    """Choose and announce the level code answers run at (only when some will run)."""
    from ..config import check_sandbox_level
    from ..run import levels
    from .code_check import _Slot

    check_sandbox_level(sandbox)
    code = [q.id for q in quiz.questions if q.kind == "code"]
    if not code or (asked is not None and asked.lower() not in [c.lower() for c in code]):
        return ""
    choice = levels.announce(sandbox, levels.required_level(require_sandbox),
                             lambda line: console.print(line, markup=False))
    _Slot.level = choice.level
    return choice.banner().removeprefix("sandbox: ")
