"""A class with hostile answer files: the run finishes, bombs go to review, nobody else's
verdict changes, and the reports are safe to open.

``test_hostile.py`` covers single answers; here are whole runs (``grader quiz`` in a
subprocess, as a TA starts it), the wall-time budget of the worker pool, dying workers,
and what reaches files, folders and the terminal.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.quiz import main
from grader.quiz.answers import AnswerFile, Section
from grader.quiz.grade import grade_class
from grader.quiz.model import load_quiz
from grader.quiz.pool import MathPool, Task
from grader.quiz.report import write_reports
from grader.quiz.result import Part, QuestionResult, StudentResult
from grader.quiz.safe_text import csv_cell, folder_names, student_ids

ROOT = Path(__file__).resolve().parents[2]
QUIZ = load_quiz(ROOT / "quizzes" / "quiz8")
TOO_BIG = "too large or too deeply nested to check automatically"
TOO_SLOW = "too large to check automatically: checking it took more than"
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e]")
GOOD_Q1, GOOD_Q2 = "H = D ⊙ Y / p", "dY = dH ⊙ D / p"
Q3 = "## Q3\nO11 = X11W11 + X12W12 + X21W21 + X22W22\n\n## Q4\nI ran out of time\n"
SLOW = "\n".join(f"H = (D+Y+p+{k})^{{3}}" for k in range(1, 61))  # within every static
# bound, but 60 different candidates each compared with every form: ~30 s unbounded.


def answer(q1: str = GOOD_Q1, q2: str = GOOD_Q2, head: str = "") -> str:
    return f"{head}## Q1\n{q1}\n\n## Q2\n{q2}\n\n{Q3}"


BOMBS = {  # file stem -> (text, questions that must be reviewed, the message)
    "bomb_heading": (answer(head="## Q" + "9" * 5000 + "\nH = D Y\n"), set(), ""),
    "bomb_frac": (answer(q1="H = " + r"\frac{1}{" * 1000 + "Y" + "}" * 1000),
                  {"q1"}, TOO_BIG),
    "bomb_power": (answer(q1="H = Y^{10^{10}}", q2="dY = (D+Y+p+1)^{60}"),
                   {"q1", "q2"}, TOO_BIG),
    "bomb_nesting": (answer(q1="H = " + "(" * 5000 + "Y" + ")" * 5000,
                            q2="dY = " + r"\left(" * 900 + "dH" + r"\right)" * 900),
                     {"q1", "q2"}, TOO_BIG),
    "bomb_slow": (answer(q1=SLOW), {"q1"}, TOO_SLOW),
}
NAMES = ['=HYPERLINK("evil.example","x")', " @SUM(1)", "\t-2+3", "a b", "a_b", "a~b",
         "esc\x1b[31mred\x07", "review", "quiz_gradebook.csv"]


def normal_class(dest: Path) -> list[str]:
    dest.mkdir(parents=True)
    for path in sorted((ROOT / "examples" / "answers").glob("*.md")):
        shutil.copy(path, dest / path.name)
    shutil.copy(ROOT / "tests" / "quiz" / "corpus" / "files" / "inverted_both.md",
                dest / "inverted_both.md")
    return sorted(p.stem for p in dest.glob("*.md"))


def run_cli(answers: Path, out: Path, tmp: Path) -> tuple[subprocess.CompletedProcess, float]:
    tmp.mkdir(exist_ok=True)
    env = dict(os.environ, TMPDIR=str(tmp))
    started = time.perf_counter()
    command = [sys.executable, "-c", "from grader.cli import main; main()", "quiz",
               str(ROOT / "quizzes" / "quiz8"), str(answers), "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300,
                          errors="surrogateescape", check=False)
    return done, time.perf_counter() - started


def gradebook(out: Path) -> dict[str, list[str]]:
    with (out / "quiz_gradebook.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    return {row[0]: row[1:] for row in rows[1:]}


def test_a_class_with_bombs_finishes_and_nobody_else_changes(tmp_path):
    normals = normal_class(tmp_path / "normal")
    control, control_seconds = run_cli(tmp_path / "normal", tmp_path / "out0", tmp_path / "t0")
    assert control.returncode == 0, control.stderr
    shutil.copytree(tmp_path / "normal", tmp_path / "class")
    for stem, (text, _, _) in BOMBS.items():
        (tmp_path / "class" / f"{stem}.md").write_text(text, encoding="utf-8")
    alice = (tmp_path / "normal" / "alice.md").read_text(encoding="utf-8")
    for name in NAMES:
        (tmp_path / "class" / f"{name}.md").write_text(alice, encoding="utf-8")
    done, seconds = run_cli(tmp_path / "class", tmp_path / "out", tmp_path / "t1")
    print(f"\nclass of {len(normals)} normal files: {control_seconds:.1f} s; with "
          f"{len(BOMBS)} bombs and {len(NAMES)} hostile names: {seconds:.1f} s")
    assert done.returncode == 0, done.stderr
    assert seconds < 60
    out, book = tmp_path / "out", gradebook(tmp_path / "out")
    before = gradebook(tmp_path / "out0")
    assert {s: book[s] for s in normals} == before
    review = (out / "review.md").read_text(encoding="utf-8")
    order = [q.id for q in QUIZ.questions]
    for stem, (_, reviewed, message) in BOMBS.items():
        verdicts = dict(zip(order, book[stem][3::2]))
        assert {q for q, v in verdicts.items() if v == "review"} == reviewed, (stem, verdicts)
        for qid in reviewed:
            section = review.split(f"# {stem}: {qid.upper()}\n", 1)[1].split("\n# ", 1)[0]
            assert message in section
        assert verdicts["q3"] == "partial"  # the rest of the file was still checked
    # Hostile names: alice's answers, alice's score, each in a folder of its own.
    folders = {row[0]: row[1] for row in csv.reader(
        (out / "folders.csv").read_text(encoding="utf-8").splitlines()[1:])}
    shown = [s for s in book if s not in normals and s not in BOMBS]
    assert len(shown) == len(NAMES) and all(book[s][0] == "12" for s in shown)
    assert len(set(folders.values())) == len(folders) == len(book)
    assert all((out / f / "feedback.md").is_file() for f in folders.values())
    raw_book = (out / "quiz_gradebook.csv").read_text(encoding="utf-8")
    for line in raw_book.splitlines()[1:]:
        assert not re.match(r'^"?[\s]*[=+\-@]', line), line
    for path in [p for p in out.rglob("*") if p.is_file()]:
        assert not RAW_CONTROL.search(path.read_text(encoding="utf-8")), path
    assert not RAW_CONTROL.search(done.stdout + done.stderr)
    assert not list((tmp_path / "t1").iterdir()), "the run left temporary files behind"


def test_the_budget_kills_a_stuck_answer_and_the_file_goes_on(tmp_path):
    (tmp_path / "a.md").write_text(answer(), encoding="utf-8")
    (tmp_path / "b.md").write_text(answer(q1=SLOW), encoding="utf-8")
    alone = grade_class(QUIZ, [tmp_path / "a.md"], jobs=1)
    started = time.perf_counter()
    results = grade_class(QUIZ, [tmp_path / "a.md", tmp_path / "b.md"], jobs=1, budget=1.0)
    seconds = time.perf_counter() - started
    print(f"\nbudget 1 s, one stuck answer: {seconds:.1f} s")
    assert seconds < 60
    assert results[0] == alone[0]
    slow = {q.qid: q for q in results[1].questions}
    assert slow["q1"].verdict == "review" and TOO_SLOW in slow["q1"].review_reason
    assert slow["q2"].verdict == "correct" and slow["q3"].verdict == "partial"


def test_a_worker_that_dies_sends_only_its_question_to_review():
    task = Task(0, AnswerFile("s", None, {"q1": Section("q1", SLOW, 1),
                                          "q2": Section("q2", GOOD_Q2, 3)}))
    with MathPool(QUIZ, jobs=1, budget=60) as pool:
        pool.start([task])
        deadline = time.monotonic() + 60
        while pool._workers[0].task is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        pool._workers[0].proc.kill()  # the worker this pool started
        result = pool.results()[0]
    verdicts = {q.qid: q for q in result.questions}
    assert verdicts["q1"].verdict == "review"
    assert "ran out of memory or stopped" in verdicts["q1"].review_reason
    assert verdicts["q2"].verdict == "correct"


def test_check_mode_is_bounded_and_prints_no_control_characters(capsys):
    started = time.perf_counter()
    assert main(quiz_dir=ROOT / "quizzes" / "quiz8", check=("q1", "Y^{10^{10}}")) == 0
    assert TOO_BIG in capsys.readouterr().out
    main(quiz_dir=ROOT / "quizzes" / "quiz8", check=("q1", "H = D ⊙ Y / p \x1b]0;x\x07"))
    printed = capsys.readouterr().out
    assert "q1" in printed.lower() and not RAW_CONTROL.search(printed)
    assert time.perf_counter() - started < 60


def hostile_result(student: str) -> StudentResult:
    paths = (f"{sys.prefix}/lib/x.py {sys.base_prefix}/bin/python "
             f"/sandbox/scratch/sub1-ab12/quiz_answer.py {Path.home()}/secret")
    questions = tuple(QuestionResult(q.id, "review", None, q.points, messages=(
        f"boom \x1b[2J\x9b31m {paths}",), review_reason=f"why {paths} \x07",
        answer="H = D\x1b[31m ⊙ Y\u202e / p", parts=(Part("x", False, paths),))
        for q in QUIZ.questions)
    return StudentResult(student, questions, QUIZ.max_score, f"/tmp/{student}.md")


def test_reports_escape_formulas_controls_and_host_paths(tmp_path):
    students = NAMES + ["alice", "Alice", " =1", "\u00a0=1", "\u200b+1", "ok"]
    write_reports([hostile_result(s) for s in students], QUIZ, tmp_path)
    with (tmp_path / "quiz_gradebook.csv").open(encoding="utf-8", newline="") as handle:
        first = [row[0] for row in list(csv.reader(handle))[1:]]
    for cell in first:
        assert not re.match(r"^[\s\u200b]*[=+\-@]", cell), cell
    assert first[-1] == "ok" and "'=HYPERLINK" in first[0]
    folders = {row[0]: row[1] for row in csv.reader(
        (tmp_path / "folders.csv").read_text(encoding="utf-8").splitlines()[1:])}
    assert len(set(folders.values())) == len(students)
    host = [sys.prefix, sys.base_prefix, "/sandbox/scratch", str(Path.home()) + "/"]
    for path in [p for p in tmp_path.rglob("*") if p.is_file()]:
        text = path.read_text(encoding="utf-8")
        assert not RAW_CONTROL.search(text), path
        assert not [h for h in host if h in text], path
    feedback = (tmp_path / folders["alice"] / "feedback.md").read_text(encoding="utf-8")
    assert "\\x1b[2J" in feedback and "<python>/lib/x.py" in feedback


def test_folder_names_are_distinct_and_safe():
    ids = ["a b", "a_b", "a~b", "A_B", "..", "", "con", "review.md", "x" * 300, "é", "e\u0301"]
    names = folder_names(ids)
    assert len({n.casefold() for n in names.values()}) == len(ids)
    for name in names.values():
        assert not re.search(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]', name), name
        assert not name.startswith(".") and name.strip() == name
        assert len(name.encode()) < 140 and name.lower() not in ("review.md", "con")


def test_cells_that_a_spreadsheet_would_run_are_quoted():
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", " =1", "\t=1", "\r=1", "\u00a0=1",
                 "\u200b=1", "\u3000@x", "\uff1d1", "\"=1"):
        out = csv_cell(cell)
        assert out.startswith(("'", "\\")) and not RAW_CONTROL.search(out), (cell, out)
    assert csv_cell("alice") == "alice" and csv_cell("a=b") == "a=b"


def test_odd_file_names_and_sizes_become_verdicts(tmp_path):
    (tmp_path / "a.md").write_text(answer(), encoding="utf-8")
    (tmp_path / "a.MD").write_text(answer(q1="H = D ⊙ Y"), encoding="utf-8")
    odd = os.fsdecode(b"\xff\xfe-\x1b.md")
    (tmp_path / odd).write_text(answer(), encoding="utf-8")
    (tmp_path / "big.md").write_text(answer() + "x" * (600 * 1024), encoding="utf-8")
    paths = sorted(tmp_path.glob("*"))
    ids = student_ids(paths)
    assert len(set(ids)) == len(ids) and not any(RAW_CONTROL.search(s) for s in ids)
    results = grade_class(QUIZ, paths, jobs=2)
    by_id = {r.student: r for r in results}
    big = by_id["big"]
    assert all(q.verdict == "review" and "answer file of" in q.review_reason
               for q in big.questions)
    assert sorted(r.questions[0].verdict for r in results if r.student.startswith("a~")) \
        == ["correct", "correct"]
    write_reports(results, QUIZ, tmp_path / "out")
    assert len(list((tmp_path / "out").glob("*/feedback.md"))) == len(paths)


@pytest.fixture(scope="module")
def sandbox():
    from grader.quiz.code_check import _Slot
    from grader.quiz.grade import sandbox_scratch

    with sandbox_scratch():
        if _Slot.slot is None:
            pytest.skip("no sandbox on this machine")
        yield


def test_code_answers_show_no_host_paths(sandbox):
    from grader.quiz.grade import grade_question

    code = ("```python\nimport sys, os\nraise Exception(__file__ + ' ' + np.__file__ + ' ' "
            "+ sys.executable + ' ' + os.getcwd() + ' ' + repr(sys.path))\n```")
    result = grade_question(QUIZ, QUIZ.question("q4"), Section("q4", code, 1))
    text = " ".join(result.messages + tuple(p.message for p in result.parts))
    assert "Your code raised Exception" in text
    for host in {sys.prefix, sys.base_prefix, os.path.dirname(sys.executable),
                 "/sandbox/scratch", str(ROOT)}:
        assert host not in text, host
