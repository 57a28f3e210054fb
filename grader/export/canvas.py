"""``grader export canvas``: a CSV that Canvas's Gradebook > Import accepts.

The roster is the instructor's own Canvas gradebook export (Grades > Export). Its first
columns identify the student: ``Student`` ("Last, First"), ``ID`` (the Canvas user id),
``SIS User ID``, ``SIS Login ID``, sometimes ``Integration ID``, and ``Section``; then one
column per assignment, named ``Assignment name (assignment id)``; a second row
``Points Possible`` may follow the header. The import file keeps those identity columns,
in that order, and adds one assignment column: Canvas updates the assignment whose id is
in the column name, or creates a new assignment for a name it does not know.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from ..errors import InputFileError, UsageError
from .grades import RosterRow, name_forms

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Section"]
REQUIRED = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
KEY_COLUMNS = ["ID", "SIS User ID", "SIS Login ID", "Integration ID"]
# Read-only columns Canvas adds after the assignments; never an assignment to fill.
_COMPUTED = re.compile(r"(current|final|unposted).*(score|grade|points)|total", re.IGNORECASE)


def read_roster(path: Path) -> tuple[list[str], list[RosterRow], dict[str, float]]:
    """(identity columns in order, the students, assignment column -> points possible)."""
    rows = read_rows(path)
    header = [c.strip() for c in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputFileError("not a Canvas gradebook export: no column "
                             + ", ".join(repr(c) for c in missing)
                             + " (export it from Canvas: Grades > Export)", path=path)
    identity = [c for c in IDENTITY if c in header]
    assignments = [c for c in header[max(header.index(c) for c in identity) + 1:]
                   if c and not _COMPUTED.search(c)]
    points: dict[str, float] = {}
    students = []
    for cells in rows[1:]:
        record = dict(zip(header, (c.strip() for c in cells)))
        name = record.get("Student", "")
        if name.lower() == "points possible":
            for column in assignments:
                try:
                    points[column] = float(record.get(column, ""))
                except ValueError:
                    pass
            continue
        if not any(record.get(c) for c in identity) or name.lower() == "student, test":
            continue  # blank lines, and Canvas's own test student
        last, _, first = name.partition(",")
        students.append(RosterRow(
            cells={c: record.get(c, "") for c in identity},
            keys={record[c].lower() for c in KEY_COLUMNS if record.get(c)},
            names=name_forms((first.strip(), last.strip())) if first else name_forms(("", name))))
    return identity, students, {c: points.get(c) for c in assignments}


def choose_column(given: str | None, assignments: dict[str, float], *,
                  assignment: str) -> str:
    """The import's assignment column: --column, else the roster's one column named like
    the assignment ("<title> (12345)")."""
    if given:
        return given.strip()
    like = [c for c in assignments if re.sub(r"\s*\(\d+\)$", "", c).strip().lower()
            == assignment.lower()]
    if len(like) == 1:
        return like[0]
    shown = ", ".join(repr(c) for c in assignments) or "none"
    raise UsageError(f"cannot tell which roster column is this assignment (columns: {shown}); "
                     "give --column 'NAME (ID)' for an existing assignment or a new name to "
                     "create one")


def read_rows(path: Path) -> list[list[str]]:
    """The roster's non-blank rows (also used for Moodle's export)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError("roster file does not exist", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"cannot read the roster ({error})", path=path) from None
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise InputFileError("the roster is empty", path=path)
    return rows
