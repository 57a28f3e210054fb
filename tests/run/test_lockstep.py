"""Side-by-side runs: calls batched per step, in the functions' order, failures kept apart."""

from __future__ import annotations

import pytest

from grader.run.errors import StudentError, WorkerCrashed
from grader.run.lockstep import session_for, side_by_side


class RecordingSession:
    """Answers ``call(target, x)`` with ``(target, x)``; "boom" raises; logs every batch."""

    def __init__(self, fail_batch: BaseException | None = None) -> None:
        self.batches: list[list[tuple]] = []
        self.single: list[tuple] = []
        self.fail_batch = fail_batch

    def call(self, target, *args):
        self.single.append((target, *args))
        return self._answer(target, args)

    def new(self, target, *args):
        return ("handle", target)

    def _answer(self, target, args):
        if target == "boom":
            raise StudentError("ValueError", "boom", "")
        return (target, *args)

    def many(self, operations):
        if self.fail_batch is not None:
            raise self.fail_batch
        self.batches.append([(name, *args) for name, args, _ in operations])
        results = []
        for name, args, _ in operations:
            try:
                results.append(getattr(self, name)(*args) if name == "new"
                               else self._answer(args[0], args[1:]))
            except StudentError as error:
                results.append(error)
        return results


def calls(session, tag, count):
    """A function making ``count`` dependent calls, each feeding the next."""
    def run():
        value = tag
        for step in range(count):
            value = session_for(session).call(f"f{step}", value)
        return value
    return run


def test_calls_made_at_the_same_step_go_in_one_batch_in_the_given_order():
    session = RecordingSession()
    outcomes = side_by_side(session, [calls(session, "a", 2), calls(session, "b", 3),
                                      calls(session, "c", 1)])
    assert [len(batch) for batch in session.batches] == [3, 2, 1]
    assert session.batches[0] == [("call", "f0", "a"), ("call", "f0", "b"), ("call", "f0", "c")]
    assert session.batches[1] == [("call", "f1", ("f0", "a")), ("call", "f1", ("f0", "b"))]
    assert outcomes[0] == (True, ("f1", ("f0", "a")))
    assert outcomes[2] == (True, ("f0", "c"))
    assert session.single == []


def test_a_failure_is_raised_at_its_own_call_and_the_others_carry_on():
    session = RecordingSession()
    seen = []

    def caught():
        try:
            session_for(session).call("boom")
        except StudentError as error:
            seen.append(error.message)
        return session_for(session).call("after")

    def uncaught():
        session_for(session).call("boom")
        return "never"

    outcomes = side_by_side(session, [uncaught, caught, calls(session, "z", 2)])
    ok, error = outcomes[0]
    assert not ok and isinstance(error, StudentError)
    assert outcomes[1] == (True, ("after",)) and seen == ["boom"]
    assert outcomes[2] == (True, ("f1", ("f0", "z")))
    assert [len(batch) for batch in session.batches] == [3, 2]


def test_one_function_calls_plainly_and_nested_runs_join_the_batches():
    session = RecordingSession()
    assert side_by_side(session, [calls(session, "a", 2)]) == [(True, ("f1", ("f0", "a")))]
    assert session.batches == [] and len(session.single) == 2

    def nested():
        inner = side_by_side(session, [calls(session, "x", 2), calls(session, "y", 1), list])
        return [value for _, value in inner] + side_by_side(session, [])

    session = RecordingSession()
    outcomes = side_by_side(session, [nested, calls(session, "b", 1)])
    assert outcomes[0] == (True, [("f1", ("f0", "x")), ("f0", "y"), []])
    # The nested lanes come first (depth first), in their order, then the outer ones.
    assert session.batches == [[("call", "f0", "x"), ("call", "f0", "y"), ("call", "f0", "b")],
                               [("call", "f1", ("f0", "x"))]]


def test_only_the_session_being_batched_is_replaced():
    session, other = RecordingSession(), RecordingSession()
    seen = []

    def look():
        seen.append((session_for(session) is session, session_for(other) is other))

    side_by_side(session, [look, look])
    assert seen == [(False, True), (False, True)]
    assert session_for(session) is session  # outside a run: the session itself


def test_a_failing_batch_ends_every_parked_function_and_is_raised():
    session = RecordingSession(fail_batch=WorkerCrashed("gone"))
    cleaned = []

    def parked():
        try:
            return session_for(session).call("f")
        finally:
            cleaned.append(True)

    with pytest.raises(WorkerCrashed, match="gone"):
        side_by_side(session, [parked, parked, lambda: "no calls"])
    assert cleaned == [True, True]


def test_batches_hold_any_operation():
    session = RecordingSession()

    def build():
        return session_for(session).new("cs231n.net:Net", 3)

    outcomes = side_by_side(session, [build, build])
    assert outcomes == [(True, ("handle", "cs231n.net:Net"))] * 2
    assert session.batches == [[("new", "cs231n.net:Net", 3), ("new", "cs231n.net:Net", 3)]]

