"""Adjustments after grading: applied in order, bounded, recorded, and rendered everywhere."""

from __future__ import annotations

import csv
import io
import json

from grader.adjust import adjusted
from grader.reports import feedback_md, gradebook, results_json
from grader.results import Adjustment, SubmissionResult
from grader.results import TestResult as Verdict


def _result() -> SubmissionResult:
    tests = (Verdict("t1", 0.0, 6.0, "wrong", status="failed"),
             Verdict("t2", 4.0, 4.0, ""))
    return SubmissionResult("ada", "graded", 4.0, 10.0, tests=tests, content_hash="h1")


class Fixed:
    def __init__(self, *adjustments):
        self.made = adjustments

    def adjustments(self, result):
        return self.made


def test_override_of_a_test_changes_that_test_and_the_total():
    result = adjusted(_result(), [Fixed(Adjustment("override", "t1", 0, 5, "right idea", "ta"))])
    assert [t.score for t in result.tests] == [5.0, 4.0]
    assert (result.score, result.raw_score) == (9.0, 4.0)
    assert result.adjustments[0].before == 0.0


def test_sources_apply_in_order_and_late_penalty_sees_the_override():
    class Half:
        def adjustments(self, result):
            return [Adjustment("late", "", 0, result.score / 2, "1 day late: 50 %")]
    result = adjusted(_result(), [Fixed(Adjustment("override", "", 0, 8, "regrade")), Half()])
    assert result.score == 4.0 and result.raw_score == 4.0
    assert [(a.before, a.after) for a in result.adjustments] == [(4.0, 8.0), (8.0, 4.0)]


def test_scores_stay_within_bounds_and_stale_changes_nothing():
    result = adjusted(_result(), [Fixed(Adjustment("override", "t1", 0, 99, "x"),
                                        Adjustment("override", "", 0, 0, "y", stale=True),
                                        Adjustment("override", "gone", 0, 1, "z"))])
    assert result.tests[0].score == 6.0 and result.score == 10.0
    assert [a.stale for a in result.adjustments] == [False, True, True]


def test_reports_show_the_change_and_the_reason():
    result = adjusted(_result(), [Fixed(Adjustment("override", "t1", 0, 5, "<b>ok</b>", "ta"))])
    text = feedback_md.render(result)
    assert "Changes to your score" in text and "4 / 10" in text and "&lt;b&gt;ok" in text
    data = json.loads(results_json.render(result))
    assert data["score"] == 9.0 and data["extra_data"]["raw_score"] == 4.0
    assert data["tests"][0]["score"] == 5.0 and "<b>ok</b>" in data["output"]
    rows = list(csv.DictReader(io.StringIO(gradebook.render([result]))))
    assert rows[0]["score"] == "9" and rows[0]["raw_score"] == "4"
    assert "by ta" in rows[0]["adjustments"]


def test_unadjusted_gradebook_keeps_its_columns():
    header = gradebook.render([_result()]).splitlines()[0]
    assert header.split(",")[:5] == ["student", "score", "max_score", "status", "t1"]


def test_the_class_page_shows_each_students_grader_notes(tmp_path):
    from grader.reports import html
    result = SubmissionResult("ada", "graded", 4.0, 10.0, output=(
        "2 of 2 checks passed.\nNote: your net takes <b>dropout_keep_ratio</b>; graded as "
        "dropout."))
    from grader.reports import ReportFacts
    page = html.render([result], folders={"ada": "ada"}, facts=ReportFacts())
    assert "notes from the grader" in page
    assert "&lt;b&gt;dropout_keep_ratio&lt;/b&gt;" in page and "<b>dropout" not in page
