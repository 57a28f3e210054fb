"""``grader quiz``: check quiz answers with sympy, safely.

Pipeline, one module per step: :mod:`answers` (markdown -> sections), :mod:`extract`
(formulas among prose), :mod:`lexer` and :mod:`parse` (text -> whitelisted Python AST,
never evaluated), :mod:`normalize` and :mod:`reading` (AST -> entry-wise sympy, names and
definitions), :mod:`prose` (definitions that change the meaning), :mod:`equivalence`
(symbolic and numeric), :mod:`kinds` (the registry of question kinds, whose graders are
:mod:`verdict`, :mod:`q3`, :mod:`code_check`, :mod:`positions`, :mod:`claims`),
:mod:`domain` (a quiz's subject-matter meanings, kept with the quiz), :mod:`feedback`
(every message), :mod:`report` (files). Every answer is hostile:
:mod:`bounds` limits its size and depth before it is parsed or compared, :mod:`pool`
gives each math answer a wall-time budget in killable workers, :mod:`safe_text` makes
what a student wrote safe to write to files and the terminal.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path

from ..config import Config
from ..errors import UsageError
from . import kinds
from .answers import AnswerFile, Section, answer_paths
from .model import load_quiz


def build_config(*, out: Path = Path("quiz_grades"), jobs=None, timeout=None,
                 call_timeout=None, memory=None, sandbox: str = "auto",
                 require_sandbox: str | None = None) -> Config:
    """The one frozen :class:`grader.config.Config`, as ``grader run`` builds it: flags,
    then ``GRADER_*`` variables, then defaults, each bad value named with its source.
    The limits apply to the code questions' sandbox; where neither a flag nor a
    variable sets one, the quiz's own default holds (a code answer is one function: 10 s
    a call, not a submission's 20)."""
    from dataclasses import replace

    from ..config import _ENV_LIMITS, check_sandbox_level, load_limits
    from ..errors import ConfigError
    from ..run.levels import required_level

    flags = {"submission_timeout": timeout, "call_timeout": call_timeout,
             "memory_mb": memory}
    limits = load_limits(flags)
    defaults = {k: v for k, v in QUIZ_LIMITS.items()
                if flags.get(k) is None and not os.environ.get(_ENV_LIMITS[k][0])}
    if jobs is not None and int(jobs) < 1:
        raise ConfigError(f"invalid jobs {jobs!r} from --jobs: must be at least 1")
    config = Config(limits=replace(limits, **defaults), sandbox=check_sandbox_level(sandbox),
                    require_sandbox=required_level(require_sandbox), out_dir=Path(out))
    return config.with_(jobs=int(jobs)) if jobs is not None else config


# The code questions' limits where no flag or variable sets them (see build_config).
QUIZ_LIMITS = {"call_timeout": 10.0, "submission_timeout": 60.0, "cpu_seconds": 60}


def main(*, quiz_dir: Path, answers_dir: Path | None = None, out: Path = Path("quiz_grades"),
         check: tuple[str, str] | None = None, config: Config | None = None,
         jobs: int | None = None, sandbox: str = "auto",
         require_sandbox: str | None = None) -> int:
    """Grade ``answers_dir`` into ``out``, or explain one answer with ``check``.
    ``config`` holds the sandbox and job settings (built from the loose keywords when
    it is not given)."""
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    quiz = load_quiz(Path(quiz_dir))
    if config is None:
        config = build_config(out=out, jobs=jobs, sandbox=sandbox,
                              require_sandbox=require_sandbox)
        if jobs is None:  # the quiz's default: as many workers as the class needs
            config = config.with_(jobs=0)
    isolation = _settle_sandbox(quiz, console, config,
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
    results = grade_class(quiz, paths, jobs=config.jobs or None)
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

    if kinds.get(question.kind).sandboxed:
        with sandbox_scratch(not section.is_blank):
            return grade_question(quiz, question, section)
    answer = AnswerFile("check", None, {question.id: section})
    with MathPool(quiz, jobs=1, budget=quiz.policy.answer_seconds) as pool:
        pool.start([Task(0, answer, only=question.id)])
        return pool.results()[0]


def _settle_sandbox(quiz, console, config: Config, asked: str | None) -> str:
    """Choose and announce the level code answers run at (only when some will run), and
    hand the sandbox slot the config's level and limits."""
    from ..run import levels
    from .code_check import _Slot

    code = [q.id for q in quiz.questions if kinds.get(q.kind).sandboxed]
    if not code or (asked is not None and asked.lower() not in [c.lower() for c in code]):
        return ""
    choice = levels.announce(config.sandbox, config.require_sandbox,
                             lambda line: console.print(line, markup=False))
    _Slot.level, _Slot.limits = choice.level, config.limits
    return choice.banner().removeprefix("sandbox: ")
