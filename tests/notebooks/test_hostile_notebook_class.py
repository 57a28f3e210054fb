"""A hostile notebook in a class, in the real sandbox: the run still ends with exit 0, a
gradebook and every other notebook run; one student's failure is that student's result,
and a notebook never run (or changed) is run by the next run.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
import time

import pytest
from notebook_test_support import CONTROL_ANSWER, FORWARD_CHECK, ROOT, TAG1, cell, write_raw

from grader.config import Config
from grader.notebooks import classwide

LAYERS = ROOT / "solutions" / "cs231n" / "layers.py"
HOSTILE_PLOT = ("import numpy as np\nimport matplotlib.pyplot as plt\n"
                "plt.hist(np.random.rand(1000), bins=100000)\n"
                "plt.gca().set_xticks(list(range(20000)))\nplt.show()")
ZOE_PLOT = ("import matplotlib.pyplot as plt\nplt.plot([0.2, 0.5, 0.7], 'o', label='train')\n"
            "plt.legend()\nplt.savefig('dropout_accuracy.png')\nplt.show()")


def make_class(root):
    """aaron (hostile, first in the queue) and zoe (correct)."""
    for student in ("aaron", "zoe"):
        (root / student).mkdir(parents=True)
        shutil.copy(LAYERS, root / student / "layers.py")
    write_raw(root / "zoe" / "Dropout.ipynb", [
        cell("code", FORWARD_CHECK), cell("code", ZOE_PLOT),
        cell("markdown", "## Inline Question 1:"), cell("markdown", CONTROL_ANSWER, metadata=TAG1)])
    write_raw(root / "aaron" / "Dropout.ipynb", [
        cell("markdown", "## Inline Question " + "9" * 5000), cell("code", HOSTILE_PLOT),
        cell("markdown", "## Inline Question 1:"), cell("markdown", "aaron's words", metadata=TAG1)])
    (root / "aaron" / "peek").symlink_to(root / "zoe", target_is_directory=True)
    return root


def result(out, student) -> dict:
    return json.loads((out / student / "notebook" / "notebook_result.json").read_text())


def test_grader_run_with_a_hostile_notebook_first_in_the_queue(tmp_path):
    subs, out = make_class(tmp_path / "subs"), tmp_path / "grades"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "grader.cli", "run", str(subs), "--out", str(out),
                           "--jobs", "1"], capture_output=True, text=True, timeout=900,
                          check=False, cwd=tmp_path)
    print(f"grader run: {time.monotonic() - started:.1f} s\n{done.stdout}\n{done.stderr}")
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stdout + done.stderr
    with open(out / "gradebook.csv", newline="") as handle:
        assert sorted(row["student"] for row in csv.DictReader(handle)) == ["aaron", "zoe"]
    zoe = result(out, "zoe")
    assert zoe["status"] == "ran" and zoe["answers"] == {"Inline Question 1": CONTROL_ANSWER}
    assert zoe["images"] == ["cell02_figure1.png", "dropout_accuracy.png"] and zoe["notes"] == []
    executed = (out / "zoe" / "notebook" / "Dropout.executed.ipynb").read_text()
    assert "set to zero:  0.749784" in executed
    assert "Dropout.ipynb ran to the end (2 image(s) saved)." in \
        (out / "zoe" / "feedback.md").read_text()
    aaron = result(out, "aaron")
    assert aaron["status"] == "ran" and aaron["answers"] == {"Inline Question 1": "aaron's words"}
    notes = "\n".join(aaron["notes"])
    assert "ignored: `peek` is a symbolic link" in notes
    assert "bins=100000 is outside" in notes and "20,000 ticks" in notes
    assert "grader note(s) in the executed notebook" in (out / "aaron" / "feedback.md").read_text()
    sheet = (out / "inline_answers.html").read_text()
    assert sheet.count(CONTROL_ANSWER) == 1 and "same text as" not in sheet


@pytest.fixture
def small_class(tmp_path):
    subs = tmp_path / "subs"
    for student in ("aaron", "bea", "zoe"):
        write_raw(subs / student / "Dropout.ipynb", [
            cell("code", f"print('{student} ran')"), cell("markdown", "## Inline Question 1"),
            cell("markdown", f"{student} answers", metadata=TAG1)])
    return subs


def test_a_failure_handling_one_notebook_is_that_students_result(small_class, tmp_path,
                                                                 monkeypatch):
    out = tmp_path / "grades"
    real = classwide.process

    def failing(folder, *args, **kwargs):
        if folder.name == "aaron":
            int("9" * 5000)  # what a 5000-digit question number used to do
        return real(folder, *args, **kwargs)

    monkeypatch.setattr(classwide, "process", failing)
    seen = []
    results = classwide.grade_notebooks(small_class, out, config=Config(jobs=1),
                                        assignment_dir=ROOT / "assignment", cell_seconds=20,
                                        on_result=lambda s, r: seen.append(s))
    assert seen == ["aaron", "bea", "zoe"]
    assert results["aaron"].status == "grader_error"
    assert results["aaron"].error.startswith("the grader could not run this notebook "
                                             "(ValueError: Exceeds the limit (4300 digits)")
    assert "int(\"9\" * 5000)" in (out / "logs" / "notebooks.log").read_text()
    assert result(out, "aaron")["status"] == "grader_error"
    for student in ("bea", "zoe"):
        assert results[student].status == "ran", results[student]
        assert results[student].answers == {"Inline Question 1": f"{student} answers"}
    assert "aaron answers" in (out / "inline_answers.html").read_text()  # read all the same

    # The next run, with no student's code changed, retries aaron's failed notebook only.
    monkeypatch.setattr(classwide, "process", real)
    results = classwide.grade_notebooks(small_class, out, config=Config(jobs=1),
                                        assignment_dir=ROOT / "assignment", cell_seconds=20,
                                        students=set())
    assert sorted(results) == ["aaron"] and results["aaron"].status == "ran"
    # A notebook that was never recorded (an interrupted run) or that changed is run again.
    (out / "bea" / "notebook" / "notebook_result.json").unlink()
    write_raw(small_class / "zoe" / "Dropout.ipynb", [cell("code", "print('zoe again')")])
    results = classwide.grade_notebooks(small_class, out, config=Config(jobs=1),
                                        assignment_dir=ROOT / "assignment", cell_seconds=20,
                                        students=set())
    assert sorted(results) == ["bea", "zoe"] and results["zoe"].answers == {}
    assert classwide.grade_notebooks(small_class, out, config=Config(jobs=1, only=("bea",)),
                                     assignment_dir=ROOT / "assignment", students=set()) == {}


def test_a_sandbox_that_cannot_start_fails_each_notebook_not_the_run(small_class, tmp_path):
    def broken_slot(**kwargs):
        raise OSError("no sandbox here")

    results = classwide.grade_notebooks(small_class, tmp_path / "grades", config=Config(jobs=2),
                                        assignment_dir=ROOT / "assignment",
                                        slot_factory=broken_slot)
    assert sorted(results) == ["aaron", "bea", "zoe"]
    assert {r.status for r in results.values()} == {"grader_error"}
    assert "OSError: no sandbox here" in results["zoe"].error
    assert (tmp_path / "grades" / "inline_answers.html").is_file()
