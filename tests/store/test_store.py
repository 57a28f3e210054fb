"""The results store: one committed row per (student, content hash), durable and unique."""

from __future__ import annotations

import sqlite3

import pytest

from grader.errors import GraderError
from grader.results import SubmissionResult
from grader.results import TestResult as Check
from grader.store import FILENAME, Store


def result(student="alice", content_hash="h1", status="graded", score=7.0, **kw):
    tests = (Check("forward", score, 10.0, "" if score == 10 else "wrong", "visible",
                        "passed" if score == 10 else "failed", 0.1),)
    return SubmissionResult(student=student, status=status, score=score, max_score=10.0,
                            tests=tests, content_hash=content_hash, sandbox="process", **kw)


def test_round_trip_keeps_every_field(tmp_path):
    original = result(output="note: é ✓", files=("layers.py",), execution_time=1.5)
    with Store(tmp_path / FILENAME) as store:
        store.put(original)
    with Store(tmp_path / FILENAME) as store:
        assert store.get("alice", "h1") == original


def test_each_put_is_committed_at_once(tmp_path):
    with Store(tmp_path / FILENAME) as store:
        store.put(result())
        # another connection (another process, a crash right now) already sees it
        other = sqlite3.connect(tmp_path / FILENAME)
        assert other.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1
        other.close()


def test_wal_mode(tmp_path):
    with Store(tmp_path / FILENAME):
        pass
    mode = sqlite3.connect(tmp_path / FILENAME).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_same_key_is_replaced_never_duplicated(tmp_path):
    with Store(tmp_path / FILENAME) as store:
        store.put(result(score=3.0))
        store.put(result(score=9.0))
        assert store.count() == 1
        assert store.get("alice", "h1").score == 9.0


def test_new_content_is_a_new_row_and_latest_is_the_newest(tmp_path):
    with Store(tmp_path / FILENAME) as store:
        store.put(result(content_hash="h1", score=3.0))
        store.put(result(content_hash="h2", score=8.0))
        store.put(result(student="bob", content_hash="b1"))
        assert store.count() == 3
        assert [(r.student, r.score) for r in store.latest()] == [("alice", 8.0), ("bob", 7.0)]
        assert store.statuses() == {("alice", "h1"): "graded", ("alice", "h2"): "graded",
                                    ("bob", "b1"): "graded"}


def test_results_for_keeps_the_order_of_the_keys_and_skips_missing(tmp_path):
    with Store(tmp_path / FILENAME) as store:
        for name in ("carol", "alice", "bob"):
            store.put(result(student=name, content_hash=name))
        found = store.results_for([("bob", "bob"), ("zed", "z"), ("alice", "alice")])
        assert [r.student for r in found] == ["bob", "alice"]


def test_internal_errors_do_not_count_as_graded(tmp_path):
    with Store(tmp_path / FILENAME) as store:
        store.put(result(status="internal_error", score=0.0))
        assert not store.is_graded("alice", "h1")
        store.put(result())
        assert store.is_graded("alice", "h1")


def test_a_result_without_hash_is_refused(tmp_path):
    with Store(tmp_path / FILENAME) as store, pytest.raises(ValueError):
        store.put(result(content_hash=""))


def test_a_file_that_is_not_a_store_is_a_one_line_error(tmp_path):
    path = tmp_path / FILENAME
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(GraderError) as info:
        Store(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_store_from_a_newer_grader_is_refused(tmp_path):
    path = tmp_path / FILENAME
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version=99")
    db.close()
    with pytest.raises(GraderError, match="newer grader"):
        Store(path)


def test_unicode_ids_are_stored_exactly(tmp_path):
    names = ["José", "李雷", "<script>", "a\\xe9"]
    with Store(tmp_path / FILENAME) as store:
        for name in names:
            store.put(result(student=name, content_hash="h"))
        assert sorted(r.student for r in store.latest()) == sorted(names)
