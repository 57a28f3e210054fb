"""``grader export canvas|moodle``: the gradebook as an LMS grade-import file.

Reads ``OUT/gradebook.csv`` (the score after any adjustment: a TA's override, a late
penalty), matches every student to the instructor's roster exported from the LMS, and
writes the import file beside the gradebook. Students who match no roster row are listed
on the terminal and in ``OUT/<lms>_unmatched.csv``; roster students with no grade get an
empty cell (the LMS leaves their grade alone) or 0 with ``--missing zero``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import course
from ..errors import UsageError
from ..reports.files import atomic_write
from . import canvas, moodle
from .grades import lms_ids_from, match, read_gradebook, render_import, report

LMSES = ("canvas", "moodle")
MISSING = ("blank", "zero")


def main(*, lms: str, grades_dir: Path, roster: Path, column: str | None = None,
         submissions: Path | None = None, missing: str = "blank", output: Path | None = None,
         assignment: str = "", echo=None) -> int:
    echo = echo or (lambda line: print(line, file=sys.stderr))
    assignment = assignment or course.resolve(None)  # the roster column is named after it
    if lms not in LMSES:
        raise UsageError(f"unknown LMS {lms!r}: choose one of {', '.join(LMSES)}")
    if missing not in MISSING:
        raise UsageError(f"invalid --missing {missing!r}: choose blank or zero")
    grades_dir = Path(grades_dir)
    grades = read_gradebook(grades_dir)
    hint = ""
    if lms == "canvas":
        identity, rows, points = canvas.read_roster(Path(roster))
        column = canvas.choose_column(column, points, assignment=assignment)
        possible = points.get(column)
    else:
        identity, rows, items = moodle.read_roster(Path(roster))
        column = moodle.choose_column(column, items, assignment=assignment)
        possible, hint = None, moodle.mapping_hint(identity)
    matching = match(grades, rows, lms_ids_from(submissions))
    scaled = []
    lines = []
    for row, grade in matching.pairs:
        if grade is None:
            scaled.append((row.cells, "0" if missing == "zero" else ""))
            continue
        score = grade.score
        if possible and grade.max_score and possible != grade.max_score:
            score = score * possible / grade.max_score
        scaled.append((row.cells, _number(score)))
    if possible and grades and possible != grades[0].max_score:
        lines.append(f"note: scores scaled from {grades[0].max_score:g} to the "
                     f"{possible:g} points the Canvas assignment is out of")
    output = Path(output) if output else grades_dir / f"{lms}_import.csv"
    if output.is_dir():
        raise UsageError("--output names a folder; give a file name", path=output)
    atomic_write(output, render_import(identity, column, scaled))
    lines += report(matching, path=grades_dir / f"{lms}_unmatched.csv", lms=lms)
    empty = matching.without_grade
    if empty:
        what = "0" if missing == "zero" else "an empty cell (their grade is left as it is)"
        names = [r.cells.get("Student") or " ".join(
            filter(None, (r.cells.get("First name"), r.cells.get("Last name")))) for r in empty]
        lines.append(f"{len(empty)} roster student{'s' * (len(empty) != 1)} without a grade "
                     f"got {what}: " + "; ".join(names))
    matched = len(matching.pairs) - len(empty)
    lines.append(f"wrote {output}: {matched} grade{'s' * (matched != 1)} in column "
                 f"{column!r} for {len(matching.pairs)} roster students"
                 + (f"; import it in Moodle (Grades > Import > CSV file), {hint}" if hint
                    else "; import it in Canvas (Grades > Import)"))
    for line in lines:
        echo(line)
    return 0


def _number(value: float) -> str:
    value = round(float(value), 2)
    return str(int(value)) if value.is_integer() else f"{value:g}"
