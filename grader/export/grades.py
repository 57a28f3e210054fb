"""Matching the gradebook's students to an LMS roster, for a grade-import file.

Each student of ``gradebook.csv`` is looked up in the roster by, in order:

1. their id itself, as any of the roster's identity values (login, SIS id, LMS user id,
   email);
2. the LMS ids found in the submissions folder (``--submissions``): the Canvas user id in
   Canvas download names, the Gradescope submitters' ``sid`` and ``email``;
3. their name: the id with everything but letters removed against the roster's name in
   either order ("alice_nguyen" and "nguyenalice" both match "Nguyen, Alice"), only when
   exactly one roster row has that name.

A student who matches nothing, or more than one roster row, is *unmatched*: listed on the
terminal and in a file with the reason, never left out silently.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputFileError, UsageError
from ..reports.files import atomic_write
from ..reports.safe_text import csv_cell


@dataclass(frozen=True)
class Grade:
    student: str
    score: float
    max_score: float
    status: str


@dataclass
class RosterRow:
    cells: dict[str, str]  # every identity column of the roster, as read
    keys: set[str]  # identity values that may equal a student id (lower case)
    names: set[str]  # normalised names


@dataclass
class Matching:
    pairs: list[tuple[RosterRow, Grade | None]] = field(default_factory=list)  # roster order
    unmatched: list[tuple[Grade, str]] = field(default_factory=list)  # (grade, why)

    @property
    def without_grade(self) -> list[RosterRow]:
        return [row for row, grade in self.pairs if grade is None]


def read_gradebook(grades_dir: Path) -> list[Grade]:
    path = Path(grades_dir) / "gradebook.csv"
    if Path(grades_dir).is_file():
        raise UsageError("expected the output folder of `grader run` (it holds "
                         "gradebook.csv), not a file", path=grades_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError("no gradebook.csv here: run `grader run SUBMISSIONS --out "
                         f"{grades_dir}` first", path=grades_dir) from None
    grades = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), 2):
        try:
            grades.append(Grade(_unprotect(row["student"]), float(row["score"]),
                                float(row["max_score"]), row.get("status", "")))
        except (KeyError, TypeError, ValueError):
            raise InputFileError(f"line {number} is not a gradebook row (student, score, "
                                 "max_score, status)", path=path) from None
    return grades


def match(grades: list[Grade], roster: list[RosterRow],
          lms_ids: dict[str, set[str]] | None = None) -> Matching:
    """Pair every roster row with at most one grade; ``lms_ids``: student -> extra ids."""
    lms_ids = lms_ids or {}
    by_key: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    for index, row in enumerate(roster):
        for key in row.keys:
            by_key.setdefault(key, []).append(index)
        for name in row.names:
            by_name.setdefault(name, []).append(index)
    taken: dict[int, Grade] = {}
    result = Matching()
    for grade in grades:
        keys = {grade.student.strip().lower()} | {k.lower() for k in lms_ids.get(grade.student, ())}
        found = sorted({i for k in keys for i in by_key.get(k, ())})
        how = "id"
        if not found:
            found = sorted(set(by_name.get(normal_name(grade.student), ())))
            how = "name"
        if not found:
            result.unmatched.append((grade, "no roster row has this id or name"))
        elif len(found) > 1:
            why = (f"{len(found)} roster rows match by {how}; rename the folder to the "
                   "student's login to decide")
            result.unmatched.append((grade, why))
        elif found[0] in taken:
            other = taken[found[0]].student
            result.unmatched.append((grade, f"the same roster row as {other!r} matches"))
        else:
            taken[found[0]] = grade
    result.pairs = [(row, taken.get(index)) for index, row in enumerate(roster)]
    return result


def normal_name(text: str) -> str:
    """Letters only, lower case, no accents: "Müller, Léna" -> "mullerlena"."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text.lower() if c.isalpha())


def name_forms(first_last: tuple[str, str]) -> set[str]:
    first, last = first_last
    forms = {normal_name(first + last), normal_name(last + first)}
    return {f for f in forms if f}


def lms_ids_from(submissions: Path | None) -> dict[str, set[str]]:
    """student -> ids the LMS download gave them (Canvas user id, Gradescope sid/email)."""
    if submissions is None:
        return {}
    from ..deadlines import lms

    submissions = Path(submissions)
    if not submissions.is_dir():
        raise UsageError("--submissions must be the folder `grader run` graded",
                         path=submissions)
    ids: dict[str, set[str]] = {}
    for student, info in lms.canvas_files(submissions).items():
        ids.setdefault(student, set()).add(info.user)
    metadata = submissions / "submission_metadata.yml"
    if metadata.is_file():
        for folder, entry in lms.read_gradescope_metadata(metadata).items():
            for person in entry.submitters:
                ids.setdefault(folder, set()).update(
                    v for k, v in person.items() if k in ("sid", "email") and v)
    return ids


def report(matching: Matching, *, path: Path, lms: str) -> list[str]:
    """Write the unmatched students to ``path``; return the lines for the terminal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "score", "max_score", "status", "reason"])
    for grade, why in matching.unmatched:
        writer.writerow([csv_cell(grade.student), f"{grade.score:g}", f"{grade.max_score:g}",
                         grade.status, why])
    atomic_write(path, buffer.getvalue())
    lines = []
    if matching.unmatched:
        lines.append(f"warning: {len(matching.unmatched)} graded student"
                     f"{'s' * (len(matching.unmatched) != 1)} not found in the {lms} roster, "
                     f"so not in the import file (listed in {path}):")
        lines += [f"  {grade.student}: {why}" for grade, why in matching.unmatched]
    return lines


def render_import(identity: list[str], column: str,
                  rows: list[tuple[dict[str, str], str]]) -> str:
    """The import file: the roster's identity columns, then the one grade column."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(identity + [column])
    for cells, score in rows:
        writer.writerow([cells.get(c, "") for c in identity] + [score])
    return buffer.getvalue()


def _unprotect(cell: str) -> str:
    # gradebook.csv writes an id that a spreadsheet would run as a formula with a leading '.
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell
