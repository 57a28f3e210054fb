"""A check that raises is rechecked on the reference: the submission's failure when the
reference passes it, internal_error when the check (or the reference) is broken."""

from __future__ import annotations

import logging

from judge_helpers import REFERENCE_LAYERS, RecordingSlot

from grader.errors import InternalError
from grader.run import judge as judge_module
from grader.run.judge import CRASHED_ON_VALUES, judge

# out has one entry per unit for the reference; one submission returns a single number.
SHORT_OUT = REFERENCE_LAYERS.replace(
    "def dropout_forward(x, dropout_param):\n",
    "def dropout_forward(x, dropout_param):\n"
    "    if dropout_param['mode'] == 'test':\n"
    "        return np.ones(1), (dropout_param, None)\n", 1)

CHECKS = '''
import numpy as np
import pytest

from grader.suites import about, prefetch, shared

X = np.ones((2, 3))


def _test_out(student):
    return student.call("cs231n.layers:dropout_forward", X, {"mode": "test", "p": 0.5})[0]


@pytest.mark.points(1)
def test_indexes_what_it_got(student):
    """indexes what it got"""
    out = _test_out(student)
    with about("reading the sixth output"):
        assert list(out.ravel())[5] == 1.0, "the sixth output is not 1"


@pytest.mark.points(1)
def test_broken_for_everyone(student):
    """broken for everyone"""
    _test_out(student)
    return {}["no such key"]


@pytest.mark.points(1)
def test_broken_reference(student, ref):
    """broken reference"""
    _test_out(student)
    ref.layers.dropout_forward(X, {"mode": "test"})  # KeyError: 'p', in the reference


def _keys(student):
    prefetch(student, {"fine": lambda: 1, "picky": lambda: list(_test_out(student).ravel())[5]})


@pytest.mark.points(1)
def test_reads_its_own_key(student):
    """reads its own key"""
    _keys(student)
    assert shared(student, "fine", None) == 1


@pytest.mark.points(1)
def test_reads_the_picky_key(student):
    """reads the picky key"""
    _keys(student)
    assert shared(student, "picky", None) == 1.0


@pytest.fixture
def doubled(student):
    return 2


@pytest.mark.points(1)
def test_needs_another_fixture(student, doubled):
    """needs another fixture"""
    list(_test_out(student).ravel())[5 * doubled // 2]
'''


def grade(make_staged, tmp_path, **students):
    suite = tmp_path / "suite"
    suite.mkdir(exist_ok=True)
    (suite / "test_checks.py").write_text(CHECKS)
    results = {}
    judge([make_staged(name, layers=layers) for name, layers in students.items()],
          slot=RecordingSlot(), suite_dir=suite,
          on_result=lambda r: results.setdefault(r.student, r))
    return {name: {t.name: (t.status, t.output) for t in result.tests}
            for name, result in results.items()}, results


def test_a_check_that_crashes_on_a_submissions_values_fails_that_submission(
        make_staged, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="grader.run.judge")
    tests, _ = grade(make_staged, tmp_path, good=REFERENCE_LAYERS, short=SHORT_OUT)
    good, short = tests["good"], tests["short"]
    assert good["indexes what it got"] == ("passed", "")
    assert short["indexes what it got"] == ("failed", (
        f"reading the sixth output: {CRASHED_ON_VALUES} (IndexError: list index out of range)"))
    # A prefetched key that raised fails only the test that reads it, and only this student.
    assert good["reads the picky key"] == good["reads its own key"] == ("passed", "")
    assert short["reads its own key"] == ("passed", "")
    assert short["reads the picky key"][0] == "failed"
    assert CRASHED_ON_VALUES in short["reads the picky key"][1]
    assert "passes on the reference" in caplog.text  # staff learn the check needs validation


def test_a_check_broken_for_everyone_is_still_an_internal_error(make_staged, tmp_path):
    tests, results = grade(make_staged, tmp_path, good=REFERENCE_LAYERS, short=SHORT_OUT)
    for name in ("good", "short"):
        assert results[name].status == "internal_error"
        for check in ("broken for everyone", "broken reference"):
            status, output = tests[name][check]
            assert status == "error" and "regraded" in output and "KeyError" not in output


def test_a_check_that_needs_other_fixtures_is_not_rechecked(make_staged, tmp_path):
    tests, _ = grade(make_staged, tmp_path, short=SHORT_OUT)
    assert tests["short"]["needs another fixture"][0] == "error"


def test_without_a_reference_solution_nothing_is_blamed_on_the_student(
        make_staged, tmp_path, monkeypatch):
    # The student edition of grader check has no solutions/ to recheck against.
    def nowhere():
        raise InternalError("cannot find the reference solutions")

    monkeypatch.setattr(judge_module, "solutions_dir", nowhere)
    tests, results = grade(make_staged, tmp_path, short=SHORT_OUT)
    assert tests["short"]["indexes what it got"][0] == "error"
    assert results["short"].status == "internal_error"


def test_a_kept_exception_carries_the_contexts_of_each_test_that_raises_it():
    from grader.suites import _again, about, contexts

    try:
        with about("computing the sample"):
            raise IndexError("list index out of range")
    except IndexError as error:
        kept = error
    seen = []
    for test in ("first test", "second test"):
        try:
            with about(test):
                raise _again(kept)
        except IndexError as error:
            seen.append(contexts(error))
    assert seen == [["first test", "computing the sample"],
                    ["second test", "computing the sample"]]
    assert contexts(kept) == ["computing the sample"]
