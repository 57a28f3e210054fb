"""Where submission times come from: the instructor's CSV, Canvas, Gradescope, mtimes."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import pytest

from grader.deadlines import DeadlineError, build_source, load_policy
from grader.deadlines.lms import canvas_files, read_gradescope_metadata
from grader.deadlines.source import MTIME_WARNING
from grader.results import SubmissionResult

LAYERS = "def dropout_forward(x, p):\n    return x\n"
GRADESCOPE = """\
---
submission_409194023:
  :submitters:
  - :name: Ada Lovelace
    :sid: '123456789'
    :email: ada@example.edu
  :created_at: 2026-10-02 07:04:00.861687000 Z
  :score: 2.0
  :history:
  - :id: 1
    :created_at: 2026-09-20 10:00:00.000000000 Z
  :results:
    score: 2.0
    output: |-
      :created_at: 1999-01-01 00:00:00 Z
submission_500000001:
  :submitters:
  - :name: Alan Turing
    :sid: '111'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '222'
    :email: grace@example.edu
  :created_at: 2026-10-01 21:00:00.5 -07:00
...
submission_700000003:
  :submitters: []
"""


def table(**changes):
    return {"due": "2026-10-01T23:59:00", "timezone": "America/Los_Angeles", "grace": "0",
            "penalty": {"per": "hour", "percent": 1}, **changes}


def grade(source, student):
    [adjustment] = source.adjustments(SubmissionResult(student, "graded", 50.0, 100.0))
    return adjustment


def test_the_csv_keeps_each_students_latest_time_and_reads_offsets(tmp_path):
    (tmp_path / "times.csv").write_text(
        "student,submitted_at\nada,2026-10-01T20:00:00\nada,2026-10-02T01:30:00-07:00\n"
        "bob,2026-10-02T06:00:00Z\n\n")
    policy = load_policy(table(times="times.csv"), tmp_path)
    assert policy.recorded["ada"] == datetime(2026, 10, 2, 8, 30, tzinfo=timezone.utc)
    assert policy.recorded["bob"] == datetime(2026, 10, 2, 6, 0, tzinfo=timezone.utc)


def test_students_on_one_side_only_are_listed(tmp_path):
    (tmp_path / "times.csv").write_text("student,submitted_at\nada,2026-10-01T20:00:00\n"
                                        "ghost,2026-10-01T20:00:00\n")
    (tmp_path / "ext.csv").write_text("student,hours\nnobody,5\n")
    policy = load_policy(table(times="times.csv", extensions="ext.csv"), tmp_path)
    seen = []
    source = build_source(policy, tmp_path, notify=seen.append, students=["ada", "bea"])
    text = "\n".join(seen)
    assert "no known submission time (no penalty applied): bea" in text
    assert "a submission time but no submission in the folder: ghost" in text
    assert "an extension but no submission in the folder: nobody" in text
    assert grade(source, "bea").late_seconds is None and grade(source, "bea").after == 50


def test_canvas_names_give_the_user_id_and_the_api_json_gives_the_time(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "lovelaceada_12345_900_layers.py").write_text(LAYERS)
    (subs / "turingalan_LATE_23456_901_layers.py").write_text(LAYERS)
    (subs / "hopper_LATE_34567_902_layers-1.py").write_text(LAYERS)
    found = canvas_files(subs)
    assert found["lovelaceada"].user == "12345" and not found["lovelaceada"].late
    assert found["turingalan"].late and found["hopper"].late
    (tmp_path / "canvas_submissions.json").write_text(json.dumps([
        {"user_id": 12345, "submitted_at": "2026-10-02T06:30:00Z", "late": False},
        {"user_id": 23456, "submitted_at": "2026-10-02T09:59:00Z", "late": True},
        {"user_id": 99, "submitted_at": None}]))
    policy = load_policy(table(times="canvas"), tmp_path)
    seen = []
    source = build_source(policy, subs, notify=seen.append,
                          students=["hopper", "lovelaceada", "turingalan"])
    assert grade(source, "lovelaceada").after == 50  # 06:30Z is 23:30 PDT: on time
    assert grade(source, "turingalan").after == 48.5  # 3 h late, 1 % per hour: -3 %
    hopper = grade(source, "hopper")
    assert hopper.after == 50 and "marked this submission late" in hopper.reason
    assert any("LATE mark from the LMS but no known time: hopper" in line for line in seen)


def test_canvas_without_its_api_json_is_a_clear_error(tmp_path):
    with pytest.raises(DeadlineError, match="submissions API"):
        load_policy(table(times="canvas"), tmp_path)


def test_gradescope_metadata_gives_each_folder_its_time_and_submitters(tmp_path):
    (tmp_path / "submission_metadata.yml").write_text(GRADESCOPE)
    found = read_gradescope_metadata(tmp_path / "submission_metadata.yml")
    first = found["submission_409194023"]
    assert first.created_at == datetime(2026, 10, 2, 7, 4, 0, 861687, tzinfo=timezone.utc)
    assert first.submitters == [{"name": "Ada Lovelace", "sid": "123456789",
                                 "email": "ada@example.edu"}]
    group = found["submission_500000001"]
    assert [s["sid"] for s in group.submitters] == ["111", "222"]
    assert group.created_at == datetime(2026, 10, 2, 4, 0, 0, 500000, tzinfo=timezone.utc)
    assert "submission_700000003" not in found  # nobody, no time
    policy = load_policy(table(times="gradescope"), tmp_path)
    source = build_source(policy, tmp_path)
    assert grade(source, "submission_409194023").after == 49.5  # 5 min late: 1 started hour
    assert grade(source, "submission_500000001").after == 50


def test_mtimes_only_when_asked_and_with_a_warning(tmp_path):
    (tmp_path / "ada").mkdir()
    layers = tmp_path / "ada" / "layers.py"
    layers.write_text(LAYERS)
    stamp = datetime(2026, 10, 2, 8, 59, tzinfo=timezone.utc).timestamp()  # 2 h late
    os.utime(layers, (stamp, stamp))
    seen = []
    source = build_source(load_policy(table(times="mtime"), tmp_path), tmp_path,
                          notify=seen.append, students=["ada"])
    assert seen[0] == MTIME_WARNING and "modification times" in seen[0]
    assert grade(source, "ada").after == 49 and grade(source, "ada").late_seconds == 7200
