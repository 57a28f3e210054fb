"""The example class's deadline and grade-upload files, written by make_submissions.py.

* ``deadline.toml``: due 2026-10-01 23:59 Los Angeles time, 15 min grace, 10 % per
  started day up to 50 %, extensions from ``extensions.csv``, times from ``submissions.csv``.
* ``submissions.csv``: when each student submitted. Everyone is on time except the
  students in LATE; the times are fixed, so the outcome never changes.
* ``extensions.csv``: one extension.
* ``roster_canvas.csv``: the class as Canvas exports its gradebook, plus one enrolled
  student who never submitted.
"""

from __future__ import annotations

DUE = "2026-10-01T23:59:00"
ZONE_OFFSET = "-07:00"  # Los Angeles keeps daylight saving time until November
# student: submitted at (local time), and what the policy should make of it
LATE = {
    "bo_chen": "2026-10-02T00:08:00",  # 9 min late: within the grace period, no penalty
    "george_okafor": "2026-10-03T02:09:00",  # 26 h 10 min: 2 started days, -20 %
    "lena_mueller": "2026-10-03T10:00:00",  # late, but has an extension: no penalty
    "mateo_rossi": "2026-10-08T09:30:00",  # 6 days and more: capped at -50 %
}
EXTENSIONS = {"lena_mueller": "72"}  # hours after the due date
NO_SUBMISSION = ("olivia_park",)  # enrolled in Canvas, never submitted
CANVAS_ASSIGNMENT = "Dropout (48213)"

DEADLINE_TOML = f"""\
# The example class's deadline policy: grader run examples/submissions --deadline examples/deadline.toml
[deadline]
due = "{DUE}"
timezone = "America/Los_Angeles"
grace = "15m"
penalty = {{ per = "day", percent = 10, cap = 50 }}
extensions = "extensions.csv"
times = "submissions.csv"
"""


def on_time(index: int) -> str:
    """A time on the due day, earlier for each student: 23:40, 23:03, 22:26, ..."""
    minutes = 23 * 60 + 40 - 37 * (index % 30)
    return f"2026-10-01T{minutes // 60:02d}:{minutes % 60:02d}:00"


def name_of(student: str) -> tuple[str, str]:
    first, _, last = student.partition("_")
    return first.capitalize(), last.capitalize()


def class_files(students: list[str]) -> dict[str, str]:
    """File name under examples/ -> text, for the class ``students``."""
    times = ["student,submitted_at"]
    for index, student in enumerate(sorted(students)):
        times.append(f"{student},{LATE.get(student, on_time(index))}{ZONE_OFFSET}")
    extensions = ["student,hours"] + [f"{s},{h}" for s, h in EXTENSIONS.items()]
    roster = [f"Student,ID,SIS User ID,SIS Login ID,Section,{CANVAS_ASSIGNMENT},"
              "Quiz 8 (48214),Current Score,Final Score",
              "    Points Possible,,,,,100.00,10.00,(read only),(read only)"]
    for index, student in enumerate(sorted(set(students) | set(NO_SUBMISSION))):
        first, last = name_of(student)
        roster.append(f'"{last}, {first}",{20031 + 17 * index},S{2026100 + index},'
                      f"{first[0].lower()}{last.lower()},CS231n Fall 2026,,,,")
    return {
        "deadline.toml": DEADLINE_TOML,
        "submissions.csv": "\n".join(times) + "\n",
        "extensions.csv": "\n".join(extensions) + "\n",
        "roster_canvas.csv": "\n".join(roster) + "\n",
    }
