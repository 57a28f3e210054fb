"""The comparison helpers every check uses: NaN and inf never pass, odd values never raise
anything but a Failure, and every comparison in the suites goes through them."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from grader.suites import (
    Failure,
    below,
    close,
    close_number,
    describe,
    directional_error,
    entrywise_error,
    equal,
    finite_mean,
    real_array,
    real_number,
    relative_error,
    same_number,
    shown,
    zero_count,
)

ROOT = Path(__file__).resolve().parents[2]
WANT = np.arange(1.0, 7.0).reshape(2, 3)


def with_entry(value: float) -> np.ndarray:
    array = WANT.copy()
    array[1, 2] = value
    return array


# Values a submission can return in place of an array: none may get past real_array.
ODD = [None, 3.0, "x", b"x", [1.0, 2.0], (1.0,), {"a": 1}, 1j, object(), np.array(1.0),
       np.ones((2, 3), complex), np.ones((3, 2)), np.ones((2, 3, 1)), np.ones((1, 3)),
       np.ones(6), np.array(["a"] * 6).reshape(2, 3), np.empty((2, 3), object)]


@pytest.mark.parametrize("value", ODD, ids=[describe(v)[:30] for v in ODD])
def test_real_array_refuses_what_is_not_a_real_array_of_the_shape(value):
    with pytest.raises(Failure, match="^dx (must be a numpy array|has dtype|has shape)"):
        real_array(value, "dx", shape=(2, 3))


@pytest.mark.parametrize(("value", "words"), [
    (with_entry(np.nan), "dx contains NaN where the reference is finite (1 of 6 entries)"),
    (WANT * np.inf, "dx contains inf where the reference is finite (6 of 6 entries)"),
    (with_entry(-np.inf), "dx contains inf where the reference is finite (1 of 6 entries)"),
    (np.array([np.nan, np.inf]), "dx contains NaN and inf where the reference is finite"),
])
def test_nan_and_inf_fail_with_a_message_naming_the_value(value, words):
    with pytest.raises(Failure) as caught:
        real_array(value, "dx")
    assert str(caught.value) == words or str(caught.value).startswith(words)


def test_real_arrays_of_any_real_dtype_pass_and_nonfinite_only_when_allowed():
    for dtype in (bool, np.int8, np.uint64, np.float16, np.float32, np.float64):
        array = np.ones((2, 3), dtype)
        assert real_array(array, "x", shape=(2, 3)) is array
    assert np.isnan(real_array(with_entry(np.nan), "x", finite=False)).any()
    masked = np.ma.masked_array(WANT)  # a subclass travels as its plain data
    assert type(real_array(masked, "x")) is np.ndarray


@pytest.mark.parametrize("value", [1, 2.5, np.float32(2.5), np.int64(7), np.array(2.5)])
def test_real_number_takes_numbers(value):
    assert real_number(value, "the loss") == float(value)


@pytest.mark.parametrize(("value", "words"), [
    ("1.5", "must be a number; it is a str"),
    (True, "must be a number; it is the bool True"),
    (np.array([1.5]), "must be a number; it is an array of dtype float64 and shape (1,)"),
    (np.ones(3), "must be a number"), (None, "must be a number; it is None"),
    (1 + 2j, "must be a number"), ([1.5], "must be a number; it is a list of length 1"),
    (10**400, "is an integer of more than 60 digits, too large for a float"),
    (math.nan, "is NaN where the reference is finite"),
    (-math.inf, "is -inf where the reference is finite"),
    (np.float64("inf"), "is inf where the reference is finite"),
])
def test_real_number_refuses_everything_else_with_a_message(value, words):
    with pytest.raises(Failure, match=re.escape(words)):
        real_number(value, "the loss")


def test_same_number_is_false_for_anything_but_that_number_and_never_raises():
    assert same_number(123, 123) and same_number(np.int64(123), 123)
    assert same_number(123.0, 123) and same_number(np.array(0.6), 0.6)
    for value in (np.array([123, 123]), [123], "123", None, True, object(), math.nan,
                  {"seed": 123}, np.ones((2, 2)), 10**400):
        assert same_number(value, 123) is False


def test_comparisons_validate_before_comparing_and_never_broadcast():
    assert equal(WANT.copy(), WANT, "x") and not equal(with_entry(0.0), WANT, "x")
    assert close(WANT * (1 + 1e-12), WANT, "x", rtol=1e-10)
    assert not close(WANT * 1.01, WANT, "x", rtol=1e-10)
    assert close(np.full(4, 2.0), 2.0, "x", rtol=0)  # a scalar reference: every entry
    for compare in (equal, lambda g, w, what: close(g, w, what, rtol=1e-6)):
        with pytest.raises(Failure, match="has shape"):
            compare(WANT[:1], WANT, "x")  # would broadcast
        with pytest.raises(Failure, match="has shape"):
            compare(np.zeros((10**6, 1, 1)), WANT, "x")  # would allocate 6e6 entries
        with pytest.raises(Failure, match="contains NaN where the reference is finite"):
            compare(with_entry(np.nan), WANT, "x")
        with pytest.raises(Failure, match="must be a numpy array"):
            compare(WANT.tolist(), WANT, "x")
    assert equal(np.array([1.0, np.nan]), np.array([1.0, np.nan]), "x")  # NaN where NaN is due


def test_bool_and_int_arrays_compare_as_numbers():
    assert close(np.ones((2, 3), bool), np.ones((2, 3)), "mask", rtol=0)
    assert equal(np.arange(6).reshape(2, 3), np.arange(6.0).reshape(2, 3), "x")


def test_errors_are_never_nan():
    assert relative_error(WANT, WANT, "g") == 0.0
    with pytest.raises(Failure, match="NaN"):
        relative_error(WANT * np.nan, WANT, "g")
    assert relative_error(np.full((2, 3), 1e308), -WANT, "g") > 1e300
    assert entrywise_error(WANT, WANT, "dx") == 0.0
    assert entrywise_error(np.full(2, 1.7e308), np.full(2, -1.7e308), "dx") == math.inf
    for numeric, analytic, scale in ((math.nan, 1.0, 1.0), (1.0, math.nan, 1.0),
                                     (1.0, 1.0, math.nan), (math.inf, 1.0, 1.0),
                                     (1.0, math.inf, math.inf)):
        assert directional_error(numeric, analytic, scale) == math.inf
    assert directional_error(1.0, 1.0 + 1e-12, 1.0) < 1e-10


def test_below_is_false_for_nan():
    assert below(1e-9, 1e-8) and not below(1e-7, 1e-8)
    assert not below(math.nan, 1e-8) and not below(math.inf, 1e-8)


def test_statistics_of_validated_arrays():
    assert zero_count(np.array([0.0, 1.0, 0.0]), "out") == 2
    assert finite_mean(np.array([True, False]), "out") == 0.5
    with pytest.raises(Failure, match="out contains NaN"):
        zero_count(np.array([0.0, np.nan]), "out")
    with pytest.raises(Failure, match="out contains inf"):
        finite_mean(np.array([0.0, np.inf]), "out")
    assert close_number(1.0, 1.0, "loss", rtol=0)
    with pytest.raises(Failure, match="loss is NaN"):
        close_number(math.nan, 1.0, "loss", rtol=1.0)


def test_descriptions_stay_short_whatever_the_value():
    huge = [[1] * 10] * 10**6
    for value in (huge, list(range(10**6)), np.zeros(10**7), 10**5000, "s" * 10**7,
                  {str(i): i for i in range(10**5)}, b"b" * 10**6):
        assert len(describe(value)) < 120 and len(shown(value)) < 120


# -- every comparison in the suites goes through the helpers --------------------------------

SUITES = sorted([*(ROOT / "solutions" / "assignments" / "dropout" / "suite").glob("test_*.py"),
                 ROOT / "solutions" / "assignments" / "dropout" / "suite" / "data.py",
                 ROOT / "solutions" / "assignments" / "dropout" / "suite" / "samples.py",
                 *(ROOT / "grader" / "check" / "public").glob("test_*.py")])
# Raw numpy comparisons let NaN through or broadcast; `error > tol` passes a NaN error.
# (The suite's own inputs, x, are trusted.)
RAW = re.compile(r"np\.(allclose|isclose|array_equal)\(|(?<!\bx)\.mean\(\)|"
                 r"count_nonzero\(\w+ == 0|\berror\s*>\s*(\d|[A-Z_]+\b)|\bmax\(1e-8")


@pytest.mark.parametrize("path", SUITES, ids=[p.name for p in SUITES])
def test_the_checks_compare_only_through_the_helpers(path):
    found = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
             if RAW.search(line) and not line.strip().startswith("#")]
    assert not found, found
