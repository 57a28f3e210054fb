"""Penalty arithmetic: started hours or days, the cap, zero, the grace period, DST."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from grader.deadlines import Penalty, decide, load_policy
from grader.results import SubmissionResult


def policy(tmp_path, **changes):
    table = {"due": "2026-10-01T23:59:00", "timezone": "America/Los_Angeles",
             "grace": "15m", "penalty": {"per": "day", "percent": 10, "cap": 50},
             "times": "mtime", **changes}
    return load_policy(table, tmp_path)


def at(policy, **late):
    return policy.due + timedelta(**late)


def result(student="ada", score=80.0):
    return SubmissionResult(student, "graded", score, 100.0)


@pytest.mark.parametrize("late, units", [
    (timedelta(seconds=1), 1), (timedelta(hours=24), 1), (timedelta(hours=24, seconds=1), 2),
    (timedelta(hours=26, minutes=10), 2), (timedelta(days=3), 3)])
def test_every_started_day_counts(late, units):
    assert Penalty(per="day", percent=10).units(late) == units


@pytest.mark.parametrize("late, taken", [
    (timedelta(minutes=1), 5), (timedelta(minutes=61), 10), (timedelta(hours=9), 45),
    (timedelta(hours=30), 60)])
def test_per_hour_with_a_cap(late, taken):
    assert Penalty(per="hour", percent=5, cap=60).deduction(late) == taken


def test_zero_and_on_time():
    assert Penalty(zero=True).deduction(timedelta(seconds=1)) == 100
    assert Penalty(zero=True).deduction(timedelta(0)) == 0
    assert Penalty(per="day", percent=10).penalised(80, timedelta(hours=30)) == 64


def test_within_grace_is_on_time_and_just_past_it_is_a_day_late(tmp_path):
    rule = policy(tmp_path)
    inside = decide(rule, result(), at(rule, minutes=15))
    assert inside.after == 80 and "grace period" in inside.reason
    past = decide(rule, result(), at(rule, minutes=15, seconds=1))
    assert past.after == 72 and "1 day late, -10 %" in past.reason


def test_the_example_in_the_issue(tmp_path):
    rule = policy(tmp_path)
    late = decide(rule, result(), at(rule, hours=26, minutes=10))
    assert late.after == 64 and late.late_seconds == 26 * 3600 + 600
    assert "26 h 10 min after the due date 2026-10-01 23:59 PDT (grace 15 min)" in late.reason
    assert "10 % per started day, cap 50 %: 2 days late, -20 %" in late.reason


def test_the_cap_holds_and_zero_means_zero(tmp_path):
    assert decide(policy(tmp_path), result(), at(policy(tmp_path), days=9)).after == 40
    zero = policy(tmp_path, penalty="zero")
    assert decide(zero, result(), at(zero, hours=1)).after == 0
    assert decide(zero, result(), at(zero, minutes=10)).after == 80


def test_lateness_is_real_time_across_the_end_of_daylight_saving(tmp_path):
    # Due at midnight PDT (UTC-7); clocks fall back at 02:00 that night. 23:30 the same
    # calendar day on the wall is 24 h 30 min later in real time: two started days.
    rule = policy(tmp_path, due="2026-11-01T00:00:00", grace="0")
    wall = datetime(2026, 11, 1, 23, 30, tzinfo=rule.zone)
    adjustment = decide(rule, result(), wall)
    assert adjustment.late_seconds == 24.5 * 3600
    assert adjustment.after == 64 and "2 days late" in adjustment.reason
    assert "PST" in adjustment.reason or "PDT" in adjustment.reason


def test_an_extension_is_never_penalised(tmp_path):
    (tmp_path / "ext.csv").write_text("student,hours\nada,24\n")
    rule = policy(tmp_path, extensions="ext.csv")
    within = decide(rule, result(), at(rule, hours=20))
    assert within.after == 80 and "extension to 2026-10-02 23:59 PDT applied" in within.reason
    beyond = decide(rule, result(), at(rule, days=5))
    assert beyond.after == 80 and "never penalised" in beyond.reason
    assert beyond.late_seconds == 4 * 86400  # past the extension, shown to the instructor
    assert decide(rule, result("bob"), at(rule, hours=20)).after == 72


def test_no_known_time_means_no_penalty(tmp_path):
    rule = policy(tmp_path)
    unknown = decide(rule, result(), None)
    assert unknown.after == 80 and unknown.late_seconds is None
    assert "no submission time is known" in unknown.reason
    flagged = decide(rule, result(), None, flagged_late=True)
    assert flagged.after == 80 and "marked this submission late" in flagged.reason
