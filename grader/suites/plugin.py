"""The pytest plugin the judge loads into its one in-process session per batch.

It parametrises every hidden test over the batch's submissions, orders the items so each
submission's tests run together, provides the ``student`` and ``ref`` fixtures, and hands
every test's outcome to the batch as soon as its teardown is over. What an outcome means
(scores, statuses, messages) is the batch's business, not pytest's.

When a plainly called test (see ``_call_plainly``) raised, its outcome also carries
``recheck``: the same test function called again with another ``student`` in place of this
submission's. The batch uses it to tell a check that crashed on what one submission
returned (the same check passes on the reference) from a check that is broken.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import pytest
from _pytest.runner import runtestprotocol  # stable: what pytest's own loop calls

from grader.results import VISIBILITIES

PARAM = "_grader_submission"
PREPARE = "prepare_student"  # what a suite package may define (see ``prepared``)


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
    # After an error in the call of a plainly called test: the call again, with the student
    # given in place of this submission's (the other arguments as they were).
    recheck: Callable[[object], None] | None = None


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
        self._plain: set[str] = set()  # items called directly (see _call_plainly)
        self._ref = None
        self._current: Outcome | None = None  # of the item running through pytest's hooks
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
        # Prepared for its suite before each test (see ``_run``); asking for ``request``
        # here would take every test off the plain call.
        return self.batch.student(_grader_submission)

    @pytest.fixture(scope="session", name="ref")
    def ref_fixture(self):
        return self.ref()

    def ref(self):
        """The reference package, imported once per session."""
        if self._ref is None:
            from grader.run.proxy import reference_package
            self._ref = reference_package()
        return self._ref

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
            if _plain(item):
                self._plain.add(item.nodeid)
        if self.problems:  # a broken suite grades nobody; the judge reports why
            items.clear()

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session) -> bool:
        """Run every item, taking each verdict from its exception.

        pytest's own loop builds and logs a report per phase (locations, failure reprs, log
        capture) that nobody reads here, and resolves fixtures through its setup machinery:
        together more than half of the judge's time per item. A test that takes only
        ``student`` and ``ref`` is called directly; any other runs pytest's own protocol.
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
        try:
            prepared(self.batch.student(index), item.module)
        except Exception:  # noqa: BLE001, S110 - the test's own setup reports it
            pass
        if item.nodeid in self._plain:
            self._call_plainly(item, index, outcome)
        else:
            self._run_hooks(item, nextitem, outcome)
        self.batch.record(index, outcome)
        if self._last.get(index) == item.nodeid:
            self.batch.finish(index)

    def _call_plainly(self, item, index: int, outcome: Outcome) -> None:
        """The test function called with ``student`` and ``ref``, as the fixtures would give
        them: pytest's setup and teardown machinery costs more than most hidden tests."""
        arguments = {}

        def setup() -> None:
            for name in item._fixtureinfo.argnames:
                arguments[name] = (prepared(self.batch.student(index), item.module)
                                   if name == "student" else self.ref())
        if _phase(outcome, "setup", setup) and not _phase(
                outcome, "call", lambda: item.obj(**arguments)) and outcome.phase == "call":
            outcome.recheck = _recheck(item.obj, arguments, item.module)

    def _run_hooks(self, item, nextitem, outcome: Outcome) -> None:
        """pytest's own protocol, without logging, for tests that need more than the plain
        call: other fixtures (some read the reports), skip or xfail marks."""
        item.repr_failure = _short_repr  # pytest's would parse the test's source, ~50 ms
        self._current = outcome
        try:
            reports = runtestprotocol(item, nextitem=nextitem, log=False)
        finally:
            self._current = None
        outcome.duration = sum(report.duration for report in reports)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        outcome = self._current
        if outcome is not None and call.excinfo is not None:
            outcome.skipped |= report.skipped
            if outcome.error is None and not report.skipped:
                outcome.error, outcome.phase = call.excinfo.value, call.when
        return report


def _recheck(function, arguments: dict, module) -> Callable[[object], None]:
    def call(student) -> None:
        student = prepared(student, module)
        function(**{name: student if name == "student" else value
                    for name, value in arguments.items()})
    return call


def prepared(student, module):
    """``student`` as the suite of ``module`` wants it: its package's ``prepare_student``
    (an assignment's own conveniences, such as named calls into its functions) has run."""
    package = sys.modules.get(getattr(module, "__package__", None) or "")
    hook = getattr(package, PREPARE, None)
    if student is not None and callable(hook):
        hook(student)
    return student


def _short_repr(excinfo) -> str:
    return f"{excinfo.typename}: {excinfo.value}"


# What the plain call gives; a test asking for anything else, or marked to be skipped or
# to expect a failure, goes through pytest's hooks.
_PLAIN_FIXTURES = frozenset(("student", "ref", PARAM))
_HOOK_MARKERS = ("skip", "skipif", "xfail", "usefixtures", "filterwarnings")


def _plain(item) -> bool:
    info = getattr(item, "_fixtureinfo", None)
    return (info is not None and callable(getattr(item, "obj", None))
            and set(item.fixturenames) <= _PLAIN_FIXTURES
            and not any(item.get_closest_marker(name) for name in _HOOK_MARKERS))


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
