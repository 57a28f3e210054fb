"""`grader run` on a class of hostile submissions: every student gets an honest verdict."""

from __future__ import annotations

import re

from hostile_class import FULL_MARKS, ISOLATED


def forward_points(results: dict) -> float:
    return sum(t["score"] for t in results["tests"] if t["name"].startswith("dropout_forward"))


def test_every_submission_gets_a_verdict_and_the_run_exits_0(graded):
    assert graded.code == 0, graded.stderr
    assert "Traceback" not in graded.stderr
    expected = {p.name for p in graded.root.iterdir() if p.is_dir()} | {"smithjane"}
    assert set(graded.rows) == expected
    assert not [s for s, row in graded.rows.items() if row["status"] == "internal_error"]


def test_correct_submissions_get_full_marks_whatever_their_neighbours_do(graded):
    for student in FULL_MARKS:
        row = graded.rows[student]
        assert (row["status"], row["score"]) == ("graded", row["max_score"]), student


def test_awkward_files_are_noted_for_the_student(graded):
    assert "Latin-1" in graded.feedback("latin1_comment")
    assert graded.rows["symlink_outside"]["status"] == "missing"
    assert "symbolic link" in graded.feedback("symlink_outside")
    assert graded.rows["empty_file"]["status"] == "missing"
    assert "empty" in graded.feedback("empty_file")
    assert graded.rows["missing"]["status"] == "missing"


def test_broken_code_gets_its_status(graded):
    assert (graded.rows["syntax_error"]["status"], graded.rows["syntax_error"]["score"]) == (
        "syntax_error", "0")
    assert (graded.rows["os_exit_on_import"]["status"],
            graded.rows["os_exit_on_import"]["score"]) == ("import_error", "0")


def test_exiting_looping_and_hoarding_earn_no_forward_points(graded):
    for student in ("sys_exit_in_forward", "infinite_loop", "memory_hog"):
        results = graded.results(student)
        assert forward_points(results) == 0, student
        assert graded.rows[student]["status"] != "internal_error"
    assert graded.results("infinite_loop")["execution_time"] < 20 + 10


def test_patching_numpy_does_not_make_wrong_dropout_pass(graded):
    results = graded.results("patches_numpy")
    zero = [t for t in results["tests"] if "1 - p" in t["name"]]
    assert zero and zero[0]["score"] == 0
    assert results["score"] < results["extra_data"]["max_score"]


def test_fake_summaries_and_results_files_change_nothing(graded):
    results = graded.results("fake_results")
    assert results["score"] == float(graded.rows["fake_results"]["score"])
    assert results["score"] < 0.5 * results["extra_data"]["max_score"]
    assert graded.before == graded.after  # it wrote no results.json among the submissions


def test_printed_output_is_kept_short(graded):
    results = graded.results("prints_a_lot")
    assert len(results["output"]) < 100_000
    assert graded.rows["prints_a_lot"]["status"] != "internal_error"


def test_detached_children_are_killed(graded):
    assert graded.stray == [], "a submission's detached child outlived grading"


def test_submissions_folder_is_unchanged(graded):
    assert graded.before == graded.after


def test_reading_the_solution_from_disk_fails_when_isolated(graded):
    if graded.level not in ISOLATED:
        return
    results = graded.results("reads_solutions")
    assert results["extra_data"]["status"] == "graded"  # it ran, found nothing, and says so
    assert "could not read the solution" in results["tests"][0]["output"]
    if graded.level == "bwrap":  # Landlock refuses to open them; bwrap does not show them
        assert "saw []" in results["tests"][0]["output"]
    assert forward_points(results) == 0


def test_writing_everywhere_reaches_nothing_when_isolated(graded):
    if graded.level not in ISOLATED:
        return
    assert graded.rows["writes_everywhere"]["status"] == "graded"  # its import really ran
    marks = list(graded.out.parent.rglob("PWNED*")) + list(graded.out.rglob("PWNED*"))
    assert marks == []
    for student in FULL_MARKS:
        assert "PWNED" not in graded.results(student)["output"]


def test_report_escapes_the_hostile_id(graded):
    page = (graded.out / "report.html").read_text()
    assert "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert re.search(r"<li><b>" + graded.level, page)
