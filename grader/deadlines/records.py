"""The instructor's CSV files: extensions and submission times.

``extensions.csv``::

    student,due                         student,hours
    lena_mueller,2026-10-04T23:59:00    lena_mueller,72

``submissions.csv``::

    student,submitted_at
    alice_nguyen,2026-10-01T21:14:00-07:00
    bo_chen,2026-10-01 22:03           (no offset: local time in the policy's time zone)

A bad cell stops the load with the file, the line and the column named.
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from .policy import DeadlineError, parse_when

MAX_ROWS = 100_000  # a class list, not a log: anything longer is the wrong file


def read_extensions(path: Path, *, due: datetime, zone) -> dict[str, datetime]:
    """student -> extended due date."""
    rows = _rows(path, "extensions", required=("student",), one_of=("due", "hours"))
    extensions: dict[str, datetime] = {}
    for line, row in rows:
        student = row["student"]
        fail = _fail(path, line)
        due_cell, hours_cell = (row.get("due") or "").strip(), (row.get("hours") or "").strip()
        if bool(due_cell) == bool(hours_cell):
            fail("due/hours", "give either a due date or a number of hours, not "
                 + ("both" if due_cell else "neither"))
        if student in extensions:
            fail("student", f"{student!r} has a second extension")
        if due_cell:
            when = parse_when(due_cell, zone, fail=lambda m, fail=fail: fail("due", m))
        else:
            try:
                hours = float(hours_cell)
            except ValueError:
                hours = -1.0
            if not 0 < hours <= 24 * 365:
                fail("hours", f"{hours_cell!r} is not a positive number of hours")
            when = due + timedelta(hours=hours)
        if when <= due:
            fail("due", f"{due_cell!r} is not after the assignment's due date")
        extensions[student] = when
    return extensions


def read_times_csv(path: Path, *, zone) -> dict[str, datetime]:
    """student -> submission time; a student listed twice keeps the latest time."""
    times: dict[str, datetime] = {}
    for line, row in _rows(path, "times", required=("student", "submitted_at")):
        fail = _fail(path, line)
        when = parse_when(row["submitted_at"].strip(), zone,
                          fail=lambda m, fail=fail: fail("submitted_at", m))
        student = row["student"]
        # Several attempts may be listed: the grader grades the newest, so it counts.
        if student not in times or when > times[student]:
            times[student] = when
    return times


def _rows(path: Path, key: str, *, required: tuple[str, ...],
          one_of: tuple[str, ...] = ()) -> list[tuple[int, dict[str, str]]]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DeadlineError(f"file named by {key} does not exist", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise DeadlineError(f"cannot read the file named by {key} ({error})",
                            path=path) from None
    reader = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    missing = [c for c in required if c not in columns]
    if missing or (one_of and not set(one_of) & set(columns)):
        want = list(required) + ([" or ".join(one_of)] if one_of else [])
        raise DeadlineError(f"expected a header row with columns {', '.join(want)}; "
                            f"found {', '.join(columns) or 'nothing'}", path=path)
    rows = []
    for row in reader:
        if len(rows) >= MAX_ROWS:
            raise DeadlineError(f"more than {MAX_ROWS} rows", path=path)
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank lines a spreadsheet leaves at the end
        row = {k: (v or "") for k, v in row.items() if isinstance(k, str)}
        row["student"] = row["student"].strip()
        if not row["student"]:
            _fail(path, reader.line_num)("student", "empty")
        rows.append((reader.line_num, row))
    return rows


def _fail(path: Path, line: int):
    def fail(column: str, message: str):
        raise DeadlineError(f"line {line}, column {column}: {message}", path=path)
    return fail
