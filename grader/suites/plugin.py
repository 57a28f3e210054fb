"""The pytest plugin the judge loads into its one in-process session per batch.

It parametrises every hidden test over the batch's submissions, orders the items so each
submission's tests run together, provides the ``student`` and ``ref`` fixtures, and hands
every test's outcome to the batch as soon as its teardown is over. What an outcome means
(scores, statuses, messages) is the batch's business, not pytest's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import pytest

from grader.results import VISIBILITIES

PARAM = "_grader_submission"


@dataclass(frozen=True)
class TestInfo:
    """A hidden test as a student sees it."""

    __test__ = False  # not a test class, whatever pytest's name matching thinks

    name: str
    points: float
    visibility: str


@dataclass
class Outcome:
    info: TestInfo
    error: BaseException | None = None  # the first exception of setup, call or teardown
    phase: str = ""
    skipped: bool = False
    duration: float = 0.0


class Batch(Protocol):
    size: int

    def student(self, index: int): ...
    def record(self, index: int, outcome: Outcome) -> None: ...
    def finish(self, index: int) -> None: ...


def test_info(item) -> TestInfo:
    """Points, visibility and display name from the test's markers and docstring."""
    points = item.get_closest_marker("points")
    visibility = item.get_closest_marker("visibility")
    if points is None or not points.args or not isinstance(points.args[0], (int, float)):
        raise ValueError(f"{item.originalname} has no @pytest.mark.points(n)")
    shown = visibility.args[0] if visibility and visibility.args else "visible"
    if shown not in VISIBILITIES:
        raise ValueError(f"{item.originalname}: visibility {shown!r} is not one of {VISIBILITIES}")
    doc = (getattr(item.function, "__doc__", None) or "").strip().splitlines()
    name = doc[0].strip() if doc else item.originalname
    return TestInfo(name=name, points=float(points.args[0]), visibility=shown)


class JudgePlugin:
    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.problems: list[str] = []  # what is wrong with the suite itself
        self._where: dict[str, tuple[int, TestInfo]] = {}
        self._last: dict[int, str] = {}
        self.catalogue: list[TestInfo] = []
        self.interrupted = False

    def pytest_configure(self, config) -> None:
        config.addinivalue_line("markers", "points(n): points a hidden test is worth")
        config.addinivalue_line("markers", "visibility(v): Gradescope visibility of a test")

    def pytest_generate_tests(self, metafunc) -> None:
        if PARAM in metafunc.fixturenames:
            count = self.batch.size
            metafunc.parametrize(PARAM, range(count), ids=[f"s{i}" for i in range(count)])

    @pytest.fixture
    def student(self, _grader_submission):
        return self.batch.student(_grader_submission)

    @pytest.fixture(scope="session")
    def ref(self):
        from grader.run.proxy import reference_package
        return reference_package()

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        # Collection errors arrive here too, as Session.Interrupted (a KeyboardInterrupt).
        if not isinstance(excinfo.value, (pytest.Session.Interrupted, pytest.Session.Failed)):
            self.interrupted = True

    def pytest_collectreport(self, report) -> None:
        if report.failed:
            self.problems.append(f"could not collect {report.nodeid or 'the suite'}: "
                                 f"{report.longreprtext.strip().splitlines()[-1:]}")

    def pytest_collection_modifyitems(self, session, config, items) -> None:
        position = {id(item): k for k, item in enumerate(items)}
        items.sort(key=lambda it: (_index(it), position[id(it)]))
        for item in items:
            index = _index(item)
            try:
                info = test_info(item)
            except ValueError as error:
                self.problems.append(str(error))
                continue
            if index < 0:
                self.problems.append(f"{item.nodeid} is not run per submission")
                continue
            if index == 0:
                self.catalogue.append(info)
            self._where[item.nodeid] = (index, info)
            self._last[index] = item.nodeid
        if self.problems:  # a broken suite grades nobody; the judge reports why
            items.clear()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session) -> bool:
        """Run every item as setup, call, teardown, taking each verdict from its exception.

        pytest's own loop also builds a report per phase (locations, failure reprs, log
        capture) that nobody reads here: about half of the judge's time per item.
        """
        items = session.items
        for position, item in enumerate(items):
            nextitem = items[position + 1] if position + 1 < len(items) else None
            self._run(item, nextitem)
            if session.shouldstop:
                raise session.Interrupted(session.shouldstop)
        return True

    def _run(self, item, nextitem) -> None:
        index, info = self._where[item.nodeid]
        outcome = Outcome(info=info)
        hook = item.ihook
        if getattr(item, "_request", True) is False:  # an item run twice (as pytest does)
            item._initrequest()
        try:
            if _phase(outcome, "setup", lambda: hook.pytest_runtest_setup(item=item)):
                _phase(outcome, "call", lambda: hook.pytest_runtest_call(item=item))
            _phase(outcome, "teardown",
                   lambda: hook.pytest_runtest_teardown(item=item, nextitem=nextitem))
        finally:
            if hasattr(item, "_request"):  # let its fixture values (the worker) go, as pytest does
                item._request = False
                item.funcargs = None
        self.batch.record(index, outcome)
        if self._last.get(index) == item.nodeid:
            self.batch.finish(index)


def _phase(outcome: Outcome, when: str, run) -> bool:
    """Run one phase; True when it raised nothing. Interrupts and pytest.exit propagate."""
    started = time.perf_counter()
    try:
        run()
        return True
    except (KeyboardInterrupt, pytest.exit.Exception):
        raise
    except pytest.skip.Exception:
        outcome.skipped = True
    except BaseException as error:  # noqa: BLE001 - whatever ended the test is its verdict
        if outcome.error is None:
            outcome.error, outcome.phase = error, when
    finally:
        outcome.duration += time.perf_counter() - started
    return False


def _index(item) -> int:
    callspec = getattr(item, "callspec", None)
    return callspec.params.get(PARAM, -1) if callspec else -1
