"""grader export canvas: Canvas's import columns exactly, every student matched or listed."""

from __future__ import annotations

import csv
import io

import pytest

from grader.errors import GraderError
from grader.export.upload import main

ROSTER = """\
Student,ID,SIS User ID,SIS Login ID,Section,Dropout (48213),Quiz 8 (48214),Current Score
    Points Possible,,,,,10.00,10.00,(read only)
"Lovelace, Ada",101,S1,alovelace,A,,,
"Turing, Alan",102,S2,aturing,A,,,
"Hopper, Grace",103,S3,ghopper,B,,,
"Smith, Jo",104,S4,jsmith1,B,,,
"Smith, Jo",105,S5,jsmith2,B,,,
"Student, Test",999,,,A,,,
"""


def gradebook(tmp_path, rows):
    out = tmp_path / "grades"
    out.mkdir()
    text = "student,score,max_score,status,raw_score\n" + "".join(
        f"{s},{score},100,graded,{score}\n" for s, score in rows)
    (out / "gradebook.csv").write_text(text)
    (tmp_path / "roster.csv").write_text(ROSTER)
    return out


def run(tmp_path, out, **options):
    lines = []
    main(lms="canvas", grades_dir=out, roster=tmp_path / "roster.csv", echo=lines.append,
         **options)
    return lines


def test_columns_matching_scaling_and_unmatched(tmp_path):
    out = gradebook(tmp_path, [("ada_lovelace", 80), ("aturing", 55), ("jo_smith", 90),
                               ("nobody", 70), ("'=cmd", 10)])
    lines = run(tmp_path, out)
    text = (out / "canvas_import.csv").read_text()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       "Dropout (48213)"]
    scores = {r[0]: r[-1] for r in rows[1:]}
    assert scores == {"Lovelace, Ada": "8", "Turing, Alan": "5.5", "Hopper, Grace": "",
                      "Smith, Jo": ""}  # scaled from 100 to the assignment's 10 points
    assert len(rows) == 6 and "Points Possible" not in text and "Test" not in text
    unmatched = list(csv.DictReader((out / "canvas_unmatched.csv").open()))
    assert {u["student"]: u["reason"][:20] for u in unmatched} == {
        "jo_smith": "2 roster rows match ", "nobody": "no roster row has th",
        "'=cmd": "no roster row has th"}
    assert any("3 graded students not found" in line for line in lines)
    assert any("scaled from 100 to the 10 points" in line for line in lines)


def test_missing_zero_and_a_given_column(tmp_path):
    out = gradebook(tmp_path, [("alovelace", 10)])
    run(tmp_path, out, missing="zero", column="Dropout late")
    rows = list(csv.reader((out / "canvas_import.csv").open()))
    assert rows[0][-1] == "Dropout late"
    assert [r[-1] for r in rows[1:]] == ["10", "0", "0", "0", "0"]


def test_canvas_user_ids_from_the_download_names(tmp_path):
    out = gradebook(tmp_path, [("smithjo", 40)])
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "smithjo_LATE_105_7_layers.py").write_text("x = 1\n")
    run(tmp_path, out, submissions=subs)
    rows = list(csv.reader((out / "canvas_import.csv").open()))
    assert [r[-1] for r in rows if r[1] == "105"] == ["4"]


@pytest.mark.parametrize("roster, words", [
    ("Name,Email\nAda,a@x\n", "not a Canvas gradebook export"),
    ("Student,ID,SIS User ID,SIS Login ID,Section,Quiz (1),Essay (2)\n", "which roster column"),
])
def test_bad_rosters_are_one_line_errors(tmp_path, roster, words):
    out = gradebook(tmp_path, [("ada", 1)])
    (tmp_path / "roster.csv").write_text(roster)
    with pytest.raises(GraderError, match=words):
        main(lms="canvas", grades_dir=out, roster=tmp_path / "roster.csv", echo=print)


def test_no_gradebook_says_to_run_first(tmp_path):
    (tmp_path / "roster.csv").write_text(ROSTER)
    with pytest.raises(GraderError, match="run `grader run"):
        main(lms="canvas", grades_dir=tmp_path, roster=tmp_path / "roster.csv", echo=print)
