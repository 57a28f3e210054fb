"""Decisions survive regrades: a real `grader run --force` and `grader quiz` re-run keep
them while the work is unchanged, and show them as stale once it changes."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from review_helpers import ROOT, grader

from grader.review import quizdata
from grader.review.decisions import Decision, DecisionStore
from grader.store import FILENAME, Store

ZERO_FRACTION = "dropout_forward: about 1 - p of the train outputs are zero"


def _row(path, student):
    return next(r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
                if r["student"] == student)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Two example students graded for real (dmitri_volkov fails the zero-fraction test)."""
    base = tmp_path_factory.mktemp("class")
    subs = base / "submissions"
    for student in ("dmitri_volkov", "bo_chen"):
        shutil.copytree(ROOT / "examples" / "submissions" / student, subs / student)
    out = base / "grades"
    grader("run", subs, "--out", out, "--jobs", "1", "--sandbox", "process")
    return subs, out


def test_an_override_is_kept_by_a_forced_regrade_then_stale_when_the_work_changes(graded):
    subs, out = graded
    with Store(out / FILENAME) as store:
        [dmitri] = [r for r in store.latest() if r.student == "dmitri_volkov"]
    assert _row(out / "gradebook.csv", "dmitri_volkov")["score"] == "84"
    DecisionStore(out / FILENAME).record([Decision(
        "override", "dmitri_volkov", ZERO_FRACTION, dmitri.content_hash, "override", 7.0,
        "the mask is right; the test's seed hit an edge case", "Grace")])

    grader("run", subs, "--out", out, "--only", "dmitri_volkov", "--force", "--jobs", "1",
           "--sandbox", "process")
    row = _row(out / "gradebook.csv", "dmitri_volkov")
    assert (row["score"], row["raw_score"], row[ZERO_FRACTION]) == ("91", "84", "7")
    assert "Grace" in row["adjustments"] and "edge case" in row["adjustments"]
    data = json.loads((out / "dmitri_volkov" / "results.json").read_text())
    assert data["score"] == 91 and data["extra_data"]["adjustments"][0]["stale"] is False
    assert "edge case" in (out / "dmitri_volkov" / "feedback.md").read_text()
    assert "edge case" in (out / "report.html").read_text()
    assert _row(out / "gradebook.csv", "bo_chen")["score"] == "100"

    layers = subs / "dmitri_volkov" / "layers.py"
    layers.write_text(layers.read_text() + "\n# resubmitted\n")
    grader("run", subs, "--out", out, "--jobs", "1", "--sandbox", "process")
    row = _row(out / "gradebook.csv", "dmitri_volkov")
    assert (row["score"], row[ZERO_FRACTION]) == ("84", "0")  # not applied ...
    assert "not applied" in row["adjustments"] and "edge case" in row["adjustments"]  # ... nor lost
    data = json.loads((out / "dmitri_volkov" / "results.json").read_text())
    assert data["extra_data"]["adjustments"][0]["stale"] is True
    assert "edge case" not in (out / "dmitri_volkov" / "feedback.md").read_text()


def test_quiz_verdicts_survive_a_rerun_and_go_stale_when_the_answer_changes(tmp_path):
    answers = tmp_path / "answers"
    shutil.copytree(ROOT / "examples" / "answers", answers)
    out = tmp_path / "quiz_grades"
    quiz = ROOT / "quizzes" / "quiz8"
    grader("quiz", quiz, answers, "--out", out, "--sandbox", "process")
    emeka = next(r for r in quizdata.load(out)["results"] if r["student"] == "emeka")
    q1 = next(q for q in emeka["questions"] if q["qid"] == "q1")
    quizdata.store(out).record([Decision("quiz", "emeka", "q1", quizdata.answer_hash(
        q1["answer"]), "accept", None, "inverted with the mask's 1/p folded in", "Grace")])

    grader("quiz", quiz, answers, "--out", out, "--sandbox", "process")
    row = _row(out / "quiz_gradebook.csv", "emeka")
    assert (row["q1"], row["q1_verdict"]) == ("2", "correct")
    assert "folded in" in (out / "emeka" / "feedback.md").read_text()

    text = (answers / "emeka.md").read_text()
    (answers / "emeka.md").write_text(text.replace(q1["answer"].strip().splitlines()[0],
                                                   "H = D * Y", 1))
    grader("quiz", quiz, answers, "--out", out, "--sandbox", "process")
    assert "folded in" not in (out / "emeka" / "feedback.md").read_text()
    from grader.review.folders import open_folder
    from grader.review.items import quiz_items
    [item] = [i for i in quiz_items(open_folder(out), "q1") if i.student == "emeka"]
    assert item.stale and item.decision.by == "Grace"
