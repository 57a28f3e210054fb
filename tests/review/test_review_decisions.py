"""The decisions store: who, when, why; append-only; conflicts; concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time

import pytest

from grader.errors import GraderError
from grader.review.decisions import Conflict, Decision, DecisionStore


def _decision(student="ada", verdict="accept", by="ta", **kw) -> Decision:
    return Decision("quiz", student, kw.pop("target", "q1"), kw.pop("content_hash", "h"),
                    verdict, by=by, **kw)


def test_a_decision_is_stored_with_who_when_and_why(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    before = time.time()
    [stored] = store.record([_decision(verdict="partial", points=1.5, reason="sign error",
                                       by="Grace")])
    current = store.current()[("quiz", "ada", "q1")]
    assert (current.verdict, current.points, current.reason, current.by) == \
        ("partial", 1.5, "sign error", "Grace")
    assert current.at >= before and current.id == stored.id


def test_decisions_are_appended_and_the_newest_is_current(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    store.record([_decision(verdict="accept", by="a")])
    store.record([_decision(verdict="reject", by="b", reason="no 1/p")])
    assert store.current()[("quiz", "ada", "q1")].verdict == "reject"
    assert [d.by for d in store.history("quiz", "ada")] == ["a", "b"]


def test_an_override_needs_points_and_a_reason(tmp_path):
    store = DecisionStore(tmp_path / "grades.sqlite")
    with pytest.raises(GraderError, match="reason"):
        store.record([Decision("override", "ada", "t", "h", "override", 3.0, " ")])
    with pytest.raises(GraderError, match="points"):
        store.record([Decision("override", "ada", "t", "h", "override", None, "why")])
    assert store.count() == 0


def test_a_decision_on_an_out_of_date_page_is_refused_and_names_who(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    [first] = store.record([_decision(by="Grace")], expect={("quiz", "ada", "q1"): 0})
    with pytest.raises(Conflict, match="Grace"):
        store.record([_decision(verdict="reject", by="Alan")],
                     expect={("quiz", "ada", "q1"): 0})
    store.record([_decision(verdict="reject", by="Alan")],
                 expect={("quiz", "ada", "q1"): first.id})
    assert [d.by for d in store.history("quiz", "ada")] == ["Grace", "Alan"]


def test_a_group_decision_is_all_or_nothing(tmp_path):
    store = DecisionStore(tmp_path / "review.sqlite")
    store.record([_decision(student="bob", by="Grace")])
    with pytest.raises(Conflict):
        store.record([_decision(student="ada"), _decision(student="bob")],
                     expect={("quiz", "ada", "q1"): 0, ("quiz", "bob", "q1"): 0})
    assert store.count() == 1


def test_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "review.sqlite"
    DecisionStore(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE review_schema SET version = 99")
    with pytest.raises(GraderError, match="newer grader"):
        DecisionStore(path)


def test_the_table_shares_the_results_store_without_harming_it(tmp_path):
    from grader.results import SubmissionResult
    from grader.store import Store
    path = tmp_path / "grades.sqlite"
    with Store(path) as store:
        store.put(SubmissionResult("ada", "graded", 1, 2, content_hash="h"))
    DecisionStore(path).record([Decision("override", "ada", "", "h", "override", 2.0, "ok")])
    with Store(path) as store:
        assert store.count() == 1


def _write_many(path: str, who: str, count: int) -> None:
    store = DecisionStore(path)
    for n in range(count):
        store.record([Decision("inline", f"student{n}", "Inline Question 1", "h", "accept",
                               by=who, reason=f"{who} {n}")])


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "grades.sqlite")
    DecisionStore(path)
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_write_many, args=(path, who, 60))
               for who in ("ta-a", "ta-b")]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert [w.exitcode for w in writers] == [0, 0]
    store = DecisionStore(path)
    assert store.count() == 120
    for n in range(60):
        assert {d.by for d in store.history("inline", f"student{n}")} == {"ta-a", "ta-b"}


def test_threads_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "grades.sqlite"
    DecisionStore(path)
    errors = []

    def write(who):
        try:
            _write_many(str(path), who, 40)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(f"ta-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DecisionStore(path).count() == 160
