"""Benchmark: check 1,000 Quiz 8 answer files (all four questions) on 2 processes.

Answer files are made by sampling, per question, the answers of the test corpus
(tests/quiz/corpus/) with a seeded generator, as a class would write them: many
students give the same handful of forms with their own spacing. Prints the total time
and files per second; the target is under 30 s for 1,000 files on 2 cores.

    python bench/bench_quiz.py [--files 1000] [--jobs 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.quiz.answers import answer_paths
from grader.quiz.grade import grade_class
from grader.quiz.model import load_quiz
from grader.quiz.report import write_reports


def corpus_answers() -> dict[str, list[str]]:
    out = {}
    for path in sorted((ROOT / "tests" / "quiz" / "corpus").glob("q*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        out[path.stem] = [c["answer"] for c in data["case"]]
    return out


def perturb(text: str, rng: random.Random) -> str:
    """What differs between two students writing the same thing: spacing, blank lines."""
    if rng.random() < 0.5:
        text = text.replace(" = ", "=" if rng.random() < 0.5 else "  =  ")
    if rng.random() < 0.3:
        text = "\n" + text + "\n\n"
    return text


def make_class(dest: Path, n: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    answers = corpus_answers()
    dest.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        parts = [f"# Quiz 8, student {k:04d}\n"]
        for qid in ("q1", "q2", "q3", "q4"):
            parts.append(f"## {qid.upper()}\n{perturb(rng.choice(answers[qid]), rng)}\n")
        (dest / f"s{k:04d}.md").write_text("\n".join(parts), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, default=None, help="keep the outputs here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-quiz-"))
    try:
        answers = work / "answers"
        make_class(answers, args.files)
        quiz = load_quiz(ROOT / "quizzes" / "quiz8")
        started = time.perf_counter()
        results = grade_class(quiz, answer_paths(answers), jobs=args.jobs)
        graded = time.perf_counter() - started
        write_reports(results, quiz, args.keep or work / "out")
        total = time.perf_counter() - started
        counts = Counter(q.verdict for r in results for q in r.questions)
        print(f"{len(results)} answer files x {len(quiz.questions)} questions, "
              f"{args.jobs} processes")
        print(f"checked in {graded:.1f} s, with reports {total:.1f} s: "
              f"{len(results) / total:.0f} files/s (target: {args.files} in < 30 s)")
        print("verdicts: " + ", ".join(f"{v} {counts[v]}" for v in sorted(counts)))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
