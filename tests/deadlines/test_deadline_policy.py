"""Reading a [deadline] table: every bad value is one line naming the file and the field."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grader.deadlines import DeadlineError, load_policy, load_policy_file, parse_duration
from grader.errors import GraderError

GOOD = {"due": "2026-10-01T23:59:00", "timezone": "America/Los_Angeles", "grace": "15m",
        "penalty": {"per": "day", "percent": 10, "cap": 50}, "times": "times.csv"}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "times.csv").write_text("student,submitted_at\nada,2026-10-01T20:00:00\n")
    (tmp_path / "ext.csv").write_text("student,due,hours\nada,,48\nbob,2026-10-05T12:00:00,\n")
    return tmp_path


def load(folder, **changes):
    table = {**GOOD, **changes}
    return load_policy({k: v for k, v in table.items() if v is not None}, folder,
                       source="course.toml [deadline]")


def test_a_good_table_loads_with_local_times_and_extensions(folder):
    policy = load(folder, extensions="ext.csv")
    assert policy.due == datetime(2026, 10, 2, 6, 59, tzinfo=timezone.utc)  # PDT: UTC-7
    assert policy.grace == timedelta(minutes=15)
    assert policy.penalty.per == "day" and policy.penalty.cap == 50
    assert policy.extensions["ada"] == policy.due + timedelta(hours=48)
    assert policy.extensions["bob"].astimezone(policy.zone).hour == 12
    assert policy.recorded["ada"] == datetime(2026, 10, 2, 3, 0, tzinfo=timezone.utc)
    assert policy.due_for("ada") == (policy.extensions["ada"], True)
    assert policy.due_for("eve") == (policy.due, False)


def test_a_due_date_with_an_offset_needs_no_timezone(folder):
    policy = load(folder, due="2026-10-01T23:59:00+02:00", timezone=None)
    assert policy.due == datetime(2026, 10, 1, 21, 59, tzinfo=timezone.utc)


@pytest.mark.parametrize("field, value, words", [
    ("due", "next friday", "is not a date and time"),
    ("due", None, "missing"),
    ("timezone", "Mars/Olympus", "unknown time zone"),
    ("grace", "15x", "is not a duration"),
    ("grace", "-5m", "is not a duration"),
    ("grace", "30d", "more than 7 days"),
    ("penalty", "half", "is not a penalty"),
    ("penalty", {"per": "week", "percent": 10}, "expected \"hour\" or \"day\""),
    ("penalty", {"per": "day", "percent": 150}, "between 0 and 100"),
    ("penalty", {"per": "day", "percent": 10, "cap": -1}, "between 0 and 100"),
    ("penalty", {"per": "day"}, "percent is missing"),
    ("times", "canvas-ish", "is not a time source"),
    ("times", None, "missing"),
    ("extensions", "nope.csv", "does not exist"),
    ("colour", "red", "unknown setting"),
])
def test_each_bad_value_names_the_file_and_the_field(folder, field, value, words):
    with pytest.raises(DeadlineError) as caught:
        load(folder, **{field: value})
    message = str(caught.value)
    assert "\n" not in message and words in message
    assert "course.toml" in message or "nope.csv" in message
    if field != "extensions":
        assert field in message
    assert isinstance(caught.value, GraderError)


def test_a_local_time_the_clocks_skip_is_refused(folder):
    # 2026-03-08 02:30 does not exist in Los Angeles: clocks jump from 02:00 to 03:00.
    with pytest.raises(DeadlineError, match="does not exist"):
        load(folder, due="2026-03-08T02:30:00")


def test_a_naive_time_without_a_timezone_is_refused(folder):
    with pytest.raises(DeadlineError, match="no UTC offset and no timezone"):
        load(folder, timezone=None)


@pytest.mark.parametrize("rows, words", [
    ("student,due\nada,yesterday\n", "line 2, column due"),
    ("student,hours\nada,-3\n", "line 2, column hours"),
    ("student,hours\nada,2\nada,3\n", "second extension"),
    ("student,due,hours\nada,2026-10-05T00:00:00,3\n", "not both"),
    ("student,due\nada,2026-09-01T00:00:00\n", "not after the assignment's due date"),
    ("name,hours\nada,2\n", "header row"),
])
def test_bad_extension_rows_name_the_line_and_column(folder, rows, words):
    (folder / "ext.csv").write_text(rows)
    with pytest.raises(DeadlineError, match=words) as caught:
        load(folder, extensions="ext.csv")
    assert "ext.csv" in str(caught.value)


def test_bad_submission_times_name_the_line(folder):
    (folder / "times.csv").write_text("student,submitted_at\nada,2026-10-01T20:00\nbo,soon\n")
    with pytest.raises(DeadlineError, match="line 3, column submitted_at"):
        load(folder)


@pytest.mark.parametrize("text, seconds", [("15m", 900), ("2h30m", 9000), ("1d", 86400),
                                           ("90s", 90), ("0", 0), (0, 0), ("1.5h", 5400)])
def test_durations(text, seconds):
    assert parse_duration(text, fail=pytest.fail) == timedelta(seconds=seconds)


def test_a_policy_file_without_the_table_or_with_bad_toml(tmp_path):
    (tmp_path / "a.toml").write_text("[other]\nx = 1\n")
    with pytest.raises(DeadlineError, match=r"no \[deadline\] table"):
        load_policy_file(tmp_path / "a.toml")
    (tmp_path / "b.toml").write_text("[deadline\n")
    with pytest.raises(DeadlineError, match="not valid TOML"):
        load_policy_file(tmp_path / "b.toml")
