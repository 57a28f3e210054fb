"""``grader quiz``: check quiz answers with sympy, safely.

Pipeline, one module per step: :mod:`answers` (markdown -> sections), :mod:`extract`
(formulas among prose), :mod:`lexer` and :mod:`parse` (text -> whitelisted Python AST,
never evaluated), :mod:`normalize` and :mod:`reading` (AST -> entry-wise sympy, names and
definitions), :mod:`prose` (definitions that change the meaning), :mod:`equivalence`
(symbolic and numeric), :mod:`verdict`, :mod:`q3` and :mod:`code_check` (per question
kind), :mod:`feedback` (every message), :mod:`report` (files).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from ..errors import UsageError
from .answers import Section, answer_paths
from .model import load_quiz


def main(*, quiz_dir: Path, answers_dir: Path | None = None, out: Path = Path("quiz_grades"),
         check: tuple[str, str] | None = None, jobs: int | None = None) -> int:
    """Grade ``answers_dir`` into ``out``, or explain one answer with ``check``."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    quiz = load_quiz(Path(quiz_dir))
    if check is not None:
        from .grade import grade_question
        from .report import check_text

        qid, text = check
        question = quiz.question(qid)
        result = grade_question(quiz, question, Section(question.id, text, 1))
        console.print(check_text(result, quiz), markup=False)
        return 0
    if answers_dir is None:
        raise UsageError("give the answers folder (ANSWERS_DIR) or --check QID ANSWER")
    from .grade import grade_class
    from .report import write_reports

    paths = answer_paths(Path(answers_dir))
    started = time.perf_counter()
    results = grade_class(quiz, paths, jobs=jobs)
    write_reports(results, quiz, Path(out))
    elapsed = time.perf_counter() - started
    counts = Counter(q.verdict for r in results for q in r.questions)
    summary = ", ".join(f"{counts[v]} {v}" for v in
                        ("correct", "partial", "incorrect", "missing", "review") if counts[v])
    console.print(f"{len(results)} answer files, {len(quiz.questions)} questions each: "
                  f"{summary} ({elapsed:.1f} s)", markup=False)
    console.print(f"wrote {Path(out) / 'quiz_gradebook.csv'}, {Path(out)}/<student>/feedback.md"
                  f" and {Path(out) / 'review.md'} ({counts['review']} to review)",
                  markup=False)
    return 0
