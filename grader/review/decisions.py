"""The TAs' decisions: an append-only table in the output folder's SQLite file.

A decision is never edited or deleted. Every accept, partial, reject, comment, override
or withdrawal is a new row with who, when and why, and the current decision on an item
is its newest row. So two TAs working at once cannot lose each other's work: both rows
are kept, and a TA who decides on a page that is out of date is told who decided
meanwhile (:class:`Conflict`) instead of overwriting it silently.

Each row records the hash of what was decided on (the submission's content hash, or
the hash of an answer's text). When that content changes, the decision is *stale*:
shown for a TA to confirm, never applied and never dropped.

The table lives beside the results (``OUT/grades.sqlite`` of ``grader run``, in WAL
mode) or in ``OUT/review.sqlite`` of ``grader quiz``. Every write is one short
``BEGIN IMMEDIATE`` transaction; a writer that finds the file locked waits
(``busy_timeout``) rather than fails.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import GraderError

SCHEMA_VERSION = 1
KINDS = ("override", "quiz", "inline")
# override: a new score for a test or the total; accept/partial/reject: a verdict on an
# answer; comment: words only; clear: withdraws the item's current decision.
VERDICTS = ("override", "accept", "partial", "reject", "comment", "clear")
MAX_REASON = 4000  # characters; a reason is shown to the student, not an essay
_WAIT_MS = 30_000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS review_decisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    student      TEXT NOT NULL,
    target       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    verdict      TEXT NOT NULL,
    points       REAL,
    reason       TEXT NOT NULL,
    by           TEXT NOT NULL,
    at           REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS review_decisions_key
    ON review_decisions (kind, student, target, id);
CREATE TABLE IF NOT EXISTS review_schema (version INTEGER NOT NULL);
"""


class Conflict(GraderError):
    """Someone decided on the same item after the page the TA acted on was shown."""

    exit_code = 1


@dataclass(frozen=True)
class Decision:
    kind: str  # one of KINDS
    student: str
    target: str  # a test name ("" for the total), a quiz question id, an inline question
    content_hash: str  # what it was decided on: the submission's hash, or the answer's
    verdict: str  # one of VERDICTS
    points: float | None = None
    reason: str = ""
    by: str = ""
    at: float = 0.0  # seconds since the epoch
    id: int = 0  # 0 until stored

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.student, self.target)

    @property
    def withdrawn(self) -> bool:
        return self.verdict == "clear"


def _check(decision: Decision) -> None:
    if decision.kind not in KINDS or decision.verdict not in VERDICTS:
        raise GraderError(f"unknown decision {decision.kind}/{decision.verdict}")
    if len(decision.reason) > MAX_REASON:
        raise GraderError(f"a reason may be at most {MAX_REASON} characters")
    if decision.verdict in ("override", "partial") and decision.points is None:
        raise GraderError(f"a {decision.verdict} needs points")
    if decision.verdict == "override" and not decision.reason.strip():
        raise GraderError("an override needs a reason (the student reads it)")


class DecisionStore:
    """The decisions table in the SQLite file at ``path`` (created when missing)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        with self._connect() as db:
            try:
                db.executescript(_SCHEMA)  # IF NOT EXISTS: safe for two openers at once
                db.execute("BEGIN IMMEDIATE")
                if db.execute("SELECT COUNT(*) FROM review_schema").fetchone()[0] == 0:
                    db.execute("INSERT INTO review_schema VALUES (?)", (SCHEMA_VERSION,))
                db.execute("COMMIT")
                version = db.execute("SELECT MAX(version) FROM review_schema").fetchone()[0]
            except sqlite3.DatabaseError as error:
                raise GraderError(f"cannot use the decisions store: {error}",
                                  path=self.path) from None
            if version > SCHEMA_VERSION:
                raise GraderError(f"decisions written by a newer grader (version {version})",
                                  path=self.path)

    def _connect(self) -> _Connection:
        return _Connection(self.path)

    def record(self, decisions: Iterable[Decision], *,
               expect: dict[tuple[str, str, str], int] | None = None) -> list[Decision]:
        """Store ``decisions`` in one transaction; returns them with ids and times.

        ``expect`` maps an item's key to the id of the decision the TA saw (0: none);
        if any item has a newer decision now, nothing is stored and :class:`Conflict`
        names who decided it.
        """
        decisions = list(decisions)
        for decision in decisions:
            _check(decision)
        now = time.time()
        stored = []
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                for key, seen in (expect or {}).items():
                    row = db.execute(
                        "SELECT id, by, verdict FROM review_decisions WHERE kind=? AND "
                        "student=? AND target=? ORDER BY id DESC LIMIT 1", key).fetchone()
                    if (row[0] if row else 0) != seen:
                        raise Conflict(f"{row[1] or 'someone'} decided this answer "
                                       f"({row[2]}) while you had it open; look again")
                for d in decisions:
                    cursor = db.execute(
                        "INSERT INTO review_decisions (kind, student, target, content_hash, "
                        "verdict, points, reason, by, at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (d.kind, d.student, d.target, d.content_hash, d.verdict,
                         None if d.points is None else float(d.points), d.reason, d.by,
                         d.at or now))
                    stored.append(_replace(d, id=cursor.lastrowid, at=d.at or now))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return stored

    def current(self, kind: str | None = None) -> dict[tuple[str, str, str], Decision]:
        """The newest decision of every item (withdrawals included), by key."""
        query = ("SELECT * FROM review_decisions WHERE id IN (SELECT MAX(id) FROM "
                 "review_decisions GROUP BY kind, student, target)")
        args: tuple = ()
        if kind is not None:
            query += " AND kind=?"
            args = (kind,)
        with self._connect() as db:
            return {d.key: d for d in map(_row, db.execute(query, args))}

    def history(self, kind: str, student: str, target: str | None = None) -> list[Decision]:
        """Every decision on a student's items of ``kind`` (one target's, if given), oldest first."""
        query = "SELECT * FROM review_decisions WHERE kind=? AND student=?"
        args: tuple = (kind, student)
        if target is not None:
            query += " AND target=?"
            args += (target,)
        with self._connect() as db:
            return [_row(r) for r in db.execute(query + " ORDER BY id", args)]

    def count(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT COUNT(*) FROM review_decisions").fetchone()[0]


class _Connection:
    """One short-lived connection: the app serves requests from several threads."""

    def __init__(self, path: Path) -> None:
        try:
            self.db = sqlite3.connect(path, timeout=_WAIT_MS / 1000, isolation_level=None)
            self.db.execute(f"PRAGMA busy_timeout={_WAIT_MS}")
            self.db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as error:
            raise GraderError(f"cannot open the decisions store: {error}", path=path) from None

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc) -> None:
        self.db.close()


def _row(row) -> Decision:
    id_, kind, student, target, content_hash, verdict, points, reason, by, at = row
    return Decision(kind, student, target, content_hash, verdict, points, reason, by, at, id_)


def _replace(decision: Decision, **changes) -> Decision:
    from dataclasses import replace
    return replace(decision, **changes)
