"""The results store: SQLite at OUT/grades.sqlite, one row per (student, content hash).

Each result is committed in its own transaction the moment it arrives, in WAL mode, so
a grader killed at any point (even SIGKILL) loses at most the submissions that were
still being graded, and a re-run finds every committed one. The unique key makes a
result impossible to store twice; grading the same content again replaces the row.

Results reach the store only from the trusted judge, as data; nothing is read back
from files that student code could have written.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

from .errors import GraderError
from .results import SubmissionResult

SCHEMA_VERSION = 1
FILENAME = "grades.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS results (
    student        TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    status         TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    sandbox        TEXT NOT NULL,
    execution_time REAL NOT NULL,
    graded_at      REAL NOT NULL,
    result         TEXT NOT NULL,
    PRIMARY KEY (student, content_hash)
);
CREATE INDEX IF NOT EXISTS results_by_time ON results (student, graded_at);
"""

# A result with this status says nothing about the submission, so it is graded again.
RETRY_STATUSES = ("internal_error",)


class Store:
    """Open (creating if needed) the store at ``path``. Use as a context manager."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            # NORMAL is durable against a killed process in WAL mode; only power loss
            # could undo the last commits, and those submissions are simply regraded.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise GraderError(
                    f"written by a newer grader (store version {version}); "
                    "grade into another --out folder", path=self.path)
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as error:
            raise GraderError(f"cannot use the results store: {error}", path=self.path) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def put(self, result: SubmissionResult) -> None:
        """Commit one result (its own transaction); replaces the same (student, hash)."""
        if not result.content_hash:
            raise ValueError("a result needs its content hash to be stored")
        row = (result.student, result.content_hash, result.status, float(result.score),
               float(result.max_score), result.sandbox, float(result.execution_time),
               time.time(), json.dumps(result.to_dict(), ensure_ascii=False))
        with self._db:  # BEGIN ... COMMIT, or ROLLBACK on error
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (student, content_hash) DO UPDATE SET status=excluded.status, "
                "score=excluded.score, max_score=excluded.max_score, sandbox=excluded.sandbox, "
                "execution_time=excluded.execution_time, graded_at=excluded.graded_at, "
                "result=excluded.result", row)

    def statuses(self) -> dict[tuple[str, str], str]:
        """{(student, content hash): status} for everything stored (one query)."""
        rows = self._db.execute("SELECT student, content_hash, status FROM results")
        return {(s, h): status for s, h, status in rows}

    def is_graded(self, student: str, content_hash: str) -> bool:
        row = self._db.execute(
            "SELECT status FROM results WHERE student=? AND content_hash=?",
            (student, content_hash)).fetchone()
        return row is not None and row[0] not in RETRY_STATUSES

    def get(self, student: str, content_hash: str) -> SubmissionResult | None:
        row = self._db.execute(
            "SELECT result FROM results WHERE student=? AND content_hash=?",
            (student, content_hash)).fetchone()
        return None if row is None else SubmissionResult.from_dict(json.loads(row[0]))

    def results_for(self, keys: Iterable[tuple[str, str]]) -> list[SubmissionResult]:
        """The stored results for these (student, hash) keys, in the keys' order; missing skipped."""
        wanted = list(keys)
        wanted_set = set(wanted)
        found: dict[tuple[str, str], SubmissionResult] = {}
        # One scan beats a query per key for a class; the table holds a few rows per student.
        for student, content_hash, text in self._db.execute(
                "SELECT student, content_hash, result FROM results"):
            if (student, content_hash) in wanted_set:
                found[(student, content_hash)] = SubmissionResult.from_dict(json.loads(text))
        return [found[k] for k in wanted if k in found]

    def latest(self) -> list[SubmissionResult]:
        """The newest result of every student ever stored, sorted by student."""
        rows = self._db.execute(
            "SELECT result FROM results r WHERE graded_at = (SELECT MAX(graded_at) "
            "FROM results WHERE student = r.student) ORDER BY student")
        return [SubmissionResult.from_dict(json.loads(text)) for (text,) in rows]

    def graded_at(self) -> dict[tuple[str, str], float]:
        """{(student, content hash): commit time}: lets a caller tell old rows from new."""
        rows = self._db.execute("SELECT student, content_hash, graded_at FROM results")
        return {(s, h): t for s, h, t in rows}

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM results").fetchone()[0]
