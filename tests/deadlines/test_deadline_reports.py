"""The reports show the score as graded, the lateness and the penalised score, and say why."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from grader.adjust import adjusted_all
from grader.deadlines import LateSource, load_policy
from grader.reports import feedback_md, gradebook
from grader.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[2]


def test_gradebook_and_feedback(tmp_path):
    (tmp_path / "ext.csv").write_text("student,hours\ncy,48\n")
    policy = load_policy({"due": "2026-10-01T23:59:00", "timezone": "America/Los_Angeles",
                          "grace": "15m", "penalty": {"per": "day", "percent": 10, "cap": 50},
                          "extensions": "ext.csv", "times": "mtime"}, tmp_path)
    times = {"ada": policy.due - timedelta(hours=1), "bo": policy.due + timedelta(hours=26),
             "cy": policy.due + timedelta(hours=30)}
    results = adjusted_all([SubmissionResult(s, "graded", 80.0, 100.0)
                            for s in ("ada", "bo", "cy", "dee")], [LateSource(policy, times)])
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(gradebook.render(results)))}
    assert [(rows[s]["raw_score"], rows[s]["lateness"], rows[s]["score"])
            for s in ("ada", "bo", "cy", "dee")] == [
        ("80", "", "80"), ("80", "26", "64"), ("80", "", "80"), ("80", "", "80")]
    ada, bo, cy, dee = (feedback_md.render(r) for r in results)
    assert "Deadline: on time (submitted 2026-10-01 22:59 PDT" in ada
    assert "Changes to your score" not in ada
    assert "Changes to your score" in bo and "Score as graded by the tests: 80 / 100" in bo
    assert "2 days late, -20 %" in bo and "Deadline:" not in bo
    assert "extension to 2026-10-03 23:59 PDT applied" in cy and "no penalty" in cy
    assert "no submission time is known" in dee


def test_end_to_end_on_the_example_class(tmp_path):
    out = tmp_path / "grades"
    students = "alice_nguyen,george_okafor,lena_mueller"
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "run", "examples/submissions", "--out", str(out),
         "--only", students, "--deadline", "examples/deadline.toml", "--jobs", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["student"]: r for r in csv.DictReader((out / "gradebook.csv").open())}
    george = rows["george_okafor"]
    assert george["lateness"] == "26.17"
    assert float(george["score"]) == round(float(george["raw_score"]) * 0.8, 4)
    assert "2 days late, -20 %" in george["adjustments"]
    assert rows["lena_mueller"]["score"] == rows["lena_mueller"]["raw_score"]
    assert rows["alice_nguyen"]["lateness"] == ""
    feedback = (out / "george_okafor" / "feedback.md").read_text()
    assert "Changes to your score" in feedback and "26 h 10 min after the due date" in feedback
    lena = (out / "lena_mueller" / "feedback.md").read_text()
    assert "extension to 2026-10-04 23:59 PDT applied" in lena
    exported = subprocess.run(
        [sys.executable, "-m", "grader.cli", "export", "canvas", str(out),
         "--roster", "examples/roster_canvas.csv"], cwd=ROOT, capture_output=True, text=True,
        check=False)
    assert exported.returncode == 0, exported.stderr
    upload = list(csv.DictReader((out / "canvas_import.csv").open()))
    by_name = {r["Student"]: r["Dropout (48213)"] for r in upload}
    assert by_name["Okafor, George"] == george["score"]
    assert by_name["Park, Olivia"] == ""  # enrolled, never submitted
    assert "without a grade" in exported.stderr
