"""The grader gives the same verdicts on every Python layout this machine can make, run as
root and as an unprivileged user, at every sandbox level.

Each cell installs the project into a venv of one layout (see conftest.py) and runs the
installed ``grader`` command with a clean environment, no stdin and outputs owned by the
user who runs it, the way an instructor, a student or a CI job would. The reference is
root on the Python the tests run on with ``--sandbox auto``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from portability_env import (
    CLASS_CELLS,
    IDENTITIES,
    LAYOUTS,
    REFERENCE,
    bwrap_problem,
    identity,
)
from portability_helpers import (
    LEVELS,
    Outcome,
    public_score,
    read_gradebook,
    record,
    run_as,
    sandbox_used,
)

PRIVATE_IN_BWRAP = ("/tmp/", "/dev/shm/")  # the grader's bwrap sandbox mounts its own
CORRECT_STUDENT = "alice_nguyen"  # examples/README.md: the textbook solution, full marks
STUDENT_FILES = ("cs231n/layers.py", "cs231n/classifiers/fc_net.py")
CELLS = [(layout, who) for layout in LAYOUTS for who in IDENTITIES]
CELL_IDS = [f"{layout}-{who}" for layout, who in CELLS]


@pytest.fixture(scope="module", autouse=True)
def _class_runs_start_first(class_runs):
    """The class runs (the slow part) start before the first test, in the background."""


# ------------------------------------------------------------------------- grader ci
_ci_results: dict[tuple, tuple] = {}


def grade_one(envs, identities, layout: str, label: str, sandbox: str):
    """``grader ci`` on the correct student: (Outcome, results.json or None)."""
    key = (layout, label, sandbox)
    if key not in _ci_results:
        who = identity(identities, label)
        venv = envs.venv_or_skip(layout, who)
        folder = who.owns(_fresh(envs.root / f"ci-{label}" / f"{layout}-{sandbox}"))
        results = folder / "results.json"
        argv = [str(venv / "bin" / "grader"), "ci", "--submission",
                str(envs.project / "examples" / "submissions" / CORRECT_STUDENT),
                "--results", str(results), "--sandbox", sandbox]
        start = time.monotonic()
        done = run_as(who, argv, cwd=folder, timeout=300)
        seconds = time.monotonic() - start
        record(f"grader ci [{layout}-{label}-{sandbox}]", seconds)
        outcome = Outcome(f"{envs.describe(layout, who)}, grader ci --sandbox {sandbox}", argv,
                          done.returncode, done.stdout, done.stderr, seconds, folder)
        data = json.loads(results.read_text()) if results.is_file() else None
        if data:
            LEVELS[f"grader ci [{layout}-{label}-{sandbox}]"] = str(
                data.get("extra_data", {}).get("sandbox"))
        _ci_results[key] = (outcome, data)
    return _ci_results[key]


def _fresh(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, mode=0o755)
    path.parent.chmod(0o755)
    return path


@pytest.mark.parametrize("sandbox", ["auto", "process", "bwrap"])
@pytest.mark.parametrize(("layout", "who"), CELLS, ids=CELL_IDS)
def test_grader_ci_scores_the_correct_student_alike(request, envs, identities, layout, who,
                                                   sandbox):
    if sandbox == "bwrap":
        me = identity(identities, who)
        problem = bwrap_problem(me)
        if problem:
            pytest.skip(problem)
        envs.venv_or_skip(layout, me)
        python = envs.base_python(layout, me)
        if os.path.realpath(python).startswith(PRIVATE_IN_BWRAP):
            request.applymarker(pytest.mark.xfail(strict=True, reason=(
                f"{python} lies under /tmp or /dev/shm, which bwrap replaces with the "
                "sandbox's own empty ones, so the grader cannot start the interpreter there "
                "('bwrap: execvp ...: No such file or directory') and refuses --sandbox bwrap; "
                "--sandbox auto picks another level")))
    outcome, data = grade_one(envs, identities, layout, who, sandbox)
    assert outcome.returncode == 0, outcome.describe()
    assert data is not None, f"no results.json\n{outcome.describe()}"
    assert data["extra_data"]["status"] == "graded", \
        f"{data['extra_data']['status']}: {data['output']}\n{outcome.describe()}"
    ref_outcome, ref = grade_one(envs, identities, REFERENCE[0], REFERENCE[1], "auto")
    assert ref is not None and ref_outcome.returncode == 0, \
        f"the reference run failed:\n{ref_outcome.describe()}"
    assert ref["extra_data"]["status"] == "graded" and ref["score"] == \
        ref["extra_data"]["max_score"], f"the reference does not give full marks: {ref}"
    assert (data["score"], data["extra_data"]["max_score"]) == \
        (ref["score"], ref["extra_data"]["max_score"]), outcome.describe()


# ------------------------------------------------------------------------- grader check
_check_results: dict[tuple, tuple] = {}


def check_as_student(envs, identities, project, layout: str, label: str):
    """``grader check`` in a student's assignment folder holding a correct solution:
    (Outcome, (score, max) or None)."""
    key = (layout, label)
    if key not in _check_results:
        me = identity(identities, label)
        venv = envs.venv_or_skip(layout, me)
        folder = _fresh(envs.root / f"check-{label}" / layout) / "assignment"
        shutil.copytree(project / "assignment", folder)
        for rel in STUDENT_FILES:  # the student's own work, as they submit it
            shutil.copyfile(project / "examples" / "submissions" / CORRECT_STUDENT / rel,
                            folder / rel)
        me.owns(folder.parent)
        start = time.monotonic()
        done = run_as(me, [venv / "bin" / "grader", "check"], cwd=folder, timeout=300)
        seconds = time.monotonic() - start
        record(f"grader check [{layout}-{label}]", seconds)
        outcome = Outcome(f"{envs.describe(layout, me)}, grader check", list(map(str, done.args)),
                          done.returncode, done.stdout, done.stderr, seconds)
        _check_results[key] = (outcome, public_score(done.stdout))
    return _check_results[key]


@pytest.mark.parametrize(("layout", "who"), CELLS, ids=CELL_IDS)
def test_grader_check_gives_a_correct_student_the_same_public_score(envs, identities, project,
                                                                   layout, who):
    outcome, score = check_as_student(envs, identities, project, layout, who)
    assert score is not None, f"no 'Score: N/M points' line\n{outcome.describe()}"
    ref_outcome, ref_score = check_as_student(envs, identities, project, *REFERENCE[:2])
    assert ref_outcome.returncode == 0 and ref_score and ref_score[0] == ref_score[1], \
        f"the reference check does not pass every public check:\n{ref_outcome.describe()}"
    assert score == ref_score, outcome.describe()
    assert outcome.returncode == 0, outcome.describe()


# ------------------------------------------------------------------------- grader run
@pytest.mark.parametrize(("layout", "who", "sandbox"), CLASS_CELLS,
                         ids=["-".join(cell) for cell in CLASS_CELLS])
def test_grade_example_class(class_runs, project, layout, who, sandbox):
    """The whole example class (notebooks included) gets the reference's gradebook."""
    run = class_runs.result((layout, who, sandbox))
    levels = sandbox_used(run.out) if run.out.is_dir() else set()
    LEVELS[f"grader run [{layout}-{who}-{sandbox}]"] = ", ".join(sorted(levels)) or "-"
    assert run.returncode == 0, run.describe()
    assert (run.out / "gradebook.csv").is_file(), f"no gradebook.csv\n{run.describe()}"
    got = read_gradebook(run.out)
    broken = _internal_errors(got)
    assert broken == [], (f"internal_error for {', '.join(broken)}\n{_feedback(run, broken)}\n"
                          f"{run.describe()}")

    reference = class_runs.result(REFERENCE)
    assert reference.returncode == 0, f"the reference run failed:\n{reference.describe()}"
    expected = read_gradebook(reference.out)
    students = sorted(p.name for p in (project / "examples" / "submissions").iterdir()
                      if p.is_dir())
    assert sorted(expected) == students, "the reference did not grade every student"
    assert _internal_errors(expected) == [], f"the reference run:\n{reference.describe()}"
    diff = {s: (got.get(s), expected.get(s)) for s in sorted(set(got) | set(expected))
            if got.get(s) != expected.get(s)}
    assert diff == {}, f"(score, max, status) got vs reference: {diff}\n{run.describe()}"


def _internal_errors(book: dict) -> list[str]:
    return [student for student, (_, _, status) in book.items() if status == "internal_error"]


def _feedback(run: Outcome, students: list[str]) -> str:
    path = run.out / students[0] / "feedback.md"
    return path.read_text(encoding="utf-8")[-1500:] if path.is_file() else ""
