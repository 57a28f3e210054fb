"""``grader export moodle``: a CSV for Moodle's Grades > Import > CSV file.

Moodle documents (docs.moodle.org, "Grade import") that a CSV import has the layout of
its own grade export: a header row, identity columns, then one column per grade item. On
import the teacher maps one column to a user field ("Map from" a column, "Map to"
``useremail``, ``useridnumber`` or ``username``) and the grade column to a grade item.
The roster is that export (Grades > Export > Plain text file): ``First name``,
``Last name``, ``ID number``, ``Institution``, ``Department``, ``Email address`` and,
where the site exports it, ``Username``; then ``Assignment: NAME (Real)`` per item. The
import file keeps the identifying columns the roster has and adds the one grade column.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import InputFileError
from .canvas import read_rows
from .grades import RosterRow, name_forms

IDENTITY = ["First name", "Last name", "ID number", "Username", "Email address"]
KEYS = {"ID number": "useridnumber", "Username": "username", "Email address": "useremail"}
_ITEM = re.compile(r"^(?:[^:]+:\s*)?(?P<name>.*?)(?:\s*\((?:Real|Percentage|Letter)\))?$")
_COMPUTED = re.compile(r"course total|last downloaded", re.IGNORECASE)


def read_roster(path: Path) -> tuple[list[str], list[RosterRow], list[str]]:
    """(identity columns, the students, grade item columns)."""
    rows = read_rows(path)
    header = [c.strip() for c in rows[0]]
    if not any(c in header for c in KEYS):
        raise InputFileError("not a Moodle grade export: it needs an 'Email address', "
                             "'ID number' or 'Username' column to identify students (export "
                             "it from Moodle: Grades > Export > Plain text file)", path=path)
    identity = [c for c in IDENTITY if c in header]
    items = [c for c in header if c not in identity and c not in
             ("Institution", "Department") and c and not _COMPUTED.search(c)]
    students = []
    for cells in rows[1:]:
        record = dict(zip(header, (c.strip() for c in cells)))
        if not any(record.get(c) for c in identity):
            continue
        students.append(RosterRow(
            cells={c: record.get(c, "") for c in identity},
            keys={record[c].lower() for c in KEYS if record.get(c)},
            names=name_forms((record.get("First name", ""), record.get("Last name", "")))))
    return identity, students, items


def choose_column(given: str | None, items: list[str], *, assignment: str) -> str:
    """--column, else the roster's item named like the assignment, else its name: Moodle
    asks which grade item the column is for anyway."""
    if given:
        return given.strip()
    like = [c for c in items if _ITEM.match(c)["name"].strip().lower() == assignment.lower()]
    return like[0] if len(like) == 1 else assignment.capitalize()


def mapping_hint(identity: list[str]) -> str:
    """What to choose in Moodle's "Identify user by" when importing."""
    for column in ("ID number", "Email address", "Username"):
        if column in identity:
            return f'Map from "{column}" to "{KEYS[column]}"'
    return ""
