"""The late-penalty adjustment source: one ``late`` adjustment per student.

Every student gets one when a policy is in force, also when nothing changes, so their
feedback says what was decided: on time, within the grace period, an extension applied,
no time known, or the penalty and how it was computed. Reports render these records;
nothing here writes a file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from ..results import Adjustment, SubmissionResult
from .policy import Policy

BY = "deadline policy"
MTIME_WARNING = ("warning: submission times are the files' modification times, which "
                 "unzipping, copying or a student's own tools can change: do not rely on "
                 "them for penalties you cannot check another way")


@dataclass
class LateSource:
    policy: Policy
    times: dict[str, datetime]  # student -> when they submitted
    flagged_late: set[str] = field(default_factory=set)  # the LMS said late, no time known
    notes: list[str] = field(default_factory=list)  # for the instructor, not per student

    def adjustments(self, result: SubmissionResult) -> list[Adjustment]:
        return [decide(self.policy, result, self.times.get(result.student),
                       flagged_late=result.student in self.flagged_late)]


def decide(policy: Policy, result: SubmissionResult, submitted: datetime | None, *,
           flagged_late: bool = False) -> Adjustment:
    """The ``late`` adjustment for one result (``before`` is filled in when applied)."""
    score = result.score
    due, extended = policy.due_for(result.student)
    if submitted is None:
        reason = "no submission time is known for this submission: no penalty applied"
        if flagged_late:
            reason = ("the LMS marked this submission late, but its time is not known: no "
                      "penalty applied (the instructor has been told)")
        return Adjustment("late", "", score, score, reason, BY, late_seconds=None)
    late = submitted - due
    seconds = max(late.total_seconds(), 0.0)
    when = f"submitted {policy.local(submitted)}"
    if extended:
        reason = f"extension to {policy.local(due)} applied ({when}"
        if seconds > 0:
            reason += f", {duration(late)} after it"
        reason += "): no penalty, a student with an extension is never penalised"
        return Adjustment("late", "", score, score, reason, BY, late_seconds=seconds)
    if late <= timedelta(0):
        return Adjustment("late", "", score, score,
                          f"on time ({when}, due {policy.local(due)})", BY, late_seconds=0.0)
    if late <= policy.grace:
        return Adjustment("late", "", score, score,
                          f"on time ({when}, {duration(late)} after the due date "
                          f"{policy.local(due)}, within the {duration(policy.grace)} grace "
                          "period)", BY, late_seconds=seconds)
    rule = policy.penalty
    taken = rule.deduction(late)
    grace = f" (grace {duration(policy.grace)})" if policy.grace else ""
    reason = (f"Submitted {duration(late)} after the due date {policy.local(due)}{grace}; "
              f"{rule.describe()}")
    if rule.zero:
        reason += ": score 0"
    elif taken:
        units = rule.units(late)
        reason += f": {units} {rule.per}{'s' * (units != 1)} late, -{taken:g} %"
    else:
        reason += ": no penalty"
    return Adjustment("late", "", score, rule.penalised(score, late), reason, BY,
                      late_seconds=seconds)


def build_source(policy: Policy, submissions: Path, *,
                 notify: Callable[[str], None] | None = None,
                 students: list[str] | None = None) -> LateSource:
    """The source for a class in ``submissions``, with its times read from the policy's
    time source. ``notify`` receives the lines the instructor should see (warnings, and
    students listed in one place but not the other)."""
    from . import lms

    notify = notify or (lambda line: None)
    flagged: set[str] = set()
    if policy.times == "csv":
        times = dict(policy.recorded)
    elif policy.times == "canvas":
        files = lms.canvas_files(submissions)
        times = {s: policy.recorded[f.user] for s, f in files.items()
                 if f.user in policy.recorded}
        flagged = {s for s, f in files.items() if f.late and s not in times}
    elif policy.times == "gradescope":
        path = policy.times_file or Path(submissions) / "submission_metadata.yml"
        times = {k: v.created_at for k, v in lms.read_gradescope_metadata(path).items()
                 if v.created_at is not None}
    else:
        notify(MTIME_WARNING)
        times = lms.file_mtimes(submissions)
    source = LateSource(policy, times, flagged)
    if students is not None:
        source.notes = class_notes(policy, times, students, flagged)
        for line in source.notes:
            notify(line)
    return source


def class_notes(policy: Policy, times: dict, students: list[str],
                flagged: set[str]) -> list[str]:
    """What does not line up between the class and the policy's files."""
    present = set(students)
    notes = []
    lists = [
        ("no known submission time (no penalty applied)",
         [s for s in students if s not in times]),
        ("a submission time but no submission in the folder",
         sorted(set(times) - present) if policy.times == "csv" else []),
        ("an extension but no submission in the folder", sorted(set(policy.extensions)
                                                                - present)),
        ("a LATE mark from the LMS but no known time", sorted(flagged)),
    ]
    for what, names in lists:
        if names:
            shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more"
                                             if len(names) > 10 else "")
            notes.append(f"deadline: {len(names)} student{'s' * (len(names) != 1)} with "
                         f"{what}: {shown}")
    return notes


def duration(span: timedelta) -> str:
    """``26 h 10 min``, ``45 min``, ``30 s``: whole minutes, rounded up past the first."""
    seconds = max(0, round(span.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = -(-seconds // 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    text = f" {minutes} min" if minutes else ""
    if hours < 48:
        return f"{hours} h{text}"
    days, hours = divmod(hours, 24)
    return f"{days} d" + (f" {hours} h" if hours else "") + text
