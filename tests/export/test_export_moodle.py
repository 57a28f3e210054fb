"""grader export moodle: Moodle's export layout back, with one grade column."""

from __future__ import annotations

import csv

import pytest

from grader.errors import GraderError
from grader.export.upload import main

ROSTER = """\
First name,Last name,ID number,Institution,Department,Email address,Assignment: Dropout (Real),Course total (Real),Last downloaded from this course
Léna,Müller,S1,Uni,CS,lena@example.edu,-,-,1760000000
Bo,Chen,S2,Uni,CS,bo@example.edu,-,-,1760000000
Ana,Lima,S3,Uni,CS,ana@example.edu,-,-,1760000000
"""


def test_columns_matching_and_unmatched(tmp_path):
    out = tmp_path / "grades"
    out.mkdir()
    (out / "gradebook.csv").write_text("student,score,max_score,status\nlena_mueller,70,100,"
                                       "graded\nbo@example.edu,90,100,graded\nzed,5,100,"
                                       "graded\nLéna Müller,1,100,graded\n")
    (tmp_path / "roster.csv").write_text(ROSTER)
    lines = []
    main(lms="moodle", grades_dir=out, roster=tmp_path / "roster.csv", echo=lines.append)
    rows = list(csv.reader((out / "moodle_import.csv").open(encoding="utf-8")))
    assert rows[0] == ["First name", "Last name", "ID number", "Email address",
                       "Assignment: Dropout (Real)"]
    assert [r[-1] for r in rows[1:]] == ["1", "90", ""]
    unmatched = {r["student"] for r in csv.DictReader((out / "moodle_unmatched.csv").open())}
    assert unmatched == {"lena_mueller", "zed"}  # "mueller" is not "müller"; zed is unknown
    assert any('Map from "ID number" to "useridnumber"' in line for line in lines)


def test_a_roster_without_an_identifier_is_refused(tmp_path):
    out = tmp_path / "grades"
    out.mkdir()
    (out / "gradebook.csv").write_text("student,score,max_score,status\na,1,1,graded\n")
    (tmp_path / "roster.csv").write_text("First name,Last name,Grade\nA,B,1\n")
    with pytest.raises(GraderError, match="not a Moodle grade export"):
        main(lms="moodle", grades_dir=out, roster=tmp_path / "roster.csv", echo=print)
