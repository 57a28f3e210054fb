"""Comparing what a submission returned: every check looks at the student's values here.

A submission can return anything that crosses the channel: arrays of any real or complex
dtype and any shape (up to the frame size), numbers, strings, lists, dicts, handles. Raw
numpy comparisons go wrong on such values in three ways, and each has cost points:
  * NaN compares False with everything: `error > tol` passes a NaN error, and
    max(1e-8, nan) is 1e-8, so an all-NaN gradient passed a gradient check;
  * broadcasting turns a wrong shape into a crash, a huge allocation, or a pass;
  * an array where a number was expected makes `value != 0.6` an array, and `if` on it
    raises (the grader's error, where it should be the student's failure).
So every check looks at the submission's values through these helpers. They validate
first (type, dtype, exact shape, finiteness) and raise a Failure that names the value and
the problem; only then do they compare, without broadcasting, and return a number or a
bool for the check to decide on and explain. An error they return is never NaN.
"""

from __future__ import annotations

import math
import reprlib

import numpy as np

from grader.run.proxy import Failure

REAL_KINDS = "biuf"  # bool, signed and unsigned integers, floats: what a real array holds
_SHOW = reprlib.Repr()
_SHOW.maxstring, _SHOW.maxother, _SHOW.maxlist, _SHOW.maxtuple, _SHOW.maxdict = 40, 40, 4, 4, 4
_SHOW.maxlevel = 2


def describe(value) -> str:
    """What a value is, in a few words, whatever its size: for messages."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of dtype {value.dtype} and shape {value.shape}"
    if isinstance(value, (bool, np.bool_)):
        return f"the bool {value}"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return f"the number {shown(value)}"
    if isinstance(value, (tuple, list, dict)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, (str, bytes, complex, np.generic)):
        return f"a {type(value).__name__} ({shown(value)})"
    return "an object that is not plain data"


def shown(value) -> str:
    """A short repr of any value (a huge list or array must not become a huge message)."""
    if isinstance(value, np.ndarray) and value.size > 6:
        return describe(value)
    if isinstance(value, int) and abs(value) >= 10**60:  # repr refuses 4300+ digits
        return "an integer of more than 60 digits"
    return _SHOW.repr(value)


def real_array(value, what: str, *, shape=None, finite: bool = True) -> np.ndarray:
    """``value`` as a real numpy array, or a Failure naming ``what`` and the problem.

    Real: bool, integer or float dtype (complex, strings and objects are refused). With
    ``shape`` it must have exactly that shape; with ``finite`` (the default) no NaN or inf,
    since the reference is finite wherever these checks look.
    """
    if not isinstance(value, np.ndarray):
        raise Failure(f"{what} must be a numpy array; it is {describe(value)}")
    array = value if type(value) is np.ndarray else value.view(np.ndarray)
    if array.dtype.kind not in REAL_KINDS:
        raise Failure(f"{what} has dtype {array.dtype}; it must hold real numbers")
    if shape is not None and array.shape != tuple(shape):
        raise Failure(f"{what} has shape {array.shape}; it must have shape {tuple(shape)}")
    if finite:
        _require_finite(array, what)
    return array


def _require_finite(array: np.ndarray, what: str, where=None) -> None:
    """Failure when ``array`` holds NaN or inf (only at positions ``where`` is True)."""
    if array.dtype.kind != "f":
        return
    bad = ~np.isfinite(array)
    if where is not None:
        bad &= where
    count = int(np.count_nonzero(bad))
    if not count:
        return
    nan = int(np.count_nonzero(bad & np.isnan(array)))
    kinds = "NaN" if nan == count else "inf" if not nan else "NaN and inf"
    place = "" if array.size == 1 else f" ({count} of {array.size} entries)"
    raise Failure(f"{what} contains {kinds} where the reference is finite{place}")


def floats(array: np.ndarray) -> np.ndarray:
    """A validated real array as float64, for arithmetic (bool arrays cannot subtract)."""
    return np.asarray(array, dtype=np.float64)


def real_number(value, what: str, *, finite: bool = True) -> float:
    """``value`` as a float: a Python or numpy real number, or a 0-d real array.

    Strings, bools, complex numbers, arrays of more than one dimension or entry, lists and
    handles are refused with a Failure, and so are NaN and inf unless ``finite`` is False.
    """
    number = value
    if isinstance(number, np.ndarray) and number.ndim == 0 and number.dtype.kind in "iuf":
        number = number[()]
    if isinstance(number, (bool, np.bool_)) or not isinstance(
            number, (int, float, np.integer, np.floating)):
        raise Failure(f"{what} must be a number; it is {describe(value)}")
    try:
        result = float(number)
    except OverflowError:
        raise Failure(f"{what} is {shown(number)}, too large for a float") from None
    if finite and not math.isfinite(result):
        shown_as = "NaN" if math.isnan(result) else "inf" if result > 0 else "-inf"
        raise Failure(f"{what} is {shown_as} where the reference is finite")
    return result


def same_number(value, expected: float) -> bool:
    """True when ``value`` is a real number equal to ``expected``; False for anything else
    (an array, a list, a string, a handle), never an exception: ``array != 0.6`` would be
    an array, and ``if`` on it raises."""
    try:
        return real_number(value, "the value", finite=False) == expected
    except Failure:
        return False


def _against(got, want, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Both sides as float64 arrays after validating ``got`` against ``want`` (trusted):
    ``want``'s shape exactly (a scalar ``want`` is compared with every entry), and finite
    wherever ``want`` is finite."""
    want = np.asarray(want, dtype=np.float64)
    got = real_array(got, what, shape=None if want.ndim == 0 else want.shape, finite=False)
    _require_finite(got, what, where=np.broadcast_to(np.isfinite(want), got.shape))
    return floats(got), want


def equal(got, want, what: str) -> bool:
    """``got`` has ``want``'s shape and exactly its values (NaN or inf where ``want`` is
    finite is a Failure, a wrong type or shape too)."""
    got, want = _against(got, want, what)
    return bool(np.array_equal(got, want, equal_nan=True))


def close(got, want, what: str, *, rtol: float, atol: float = 0.0) -> bool:
    """numpy's ``allclose(got, want)`` without broadcasting ``got``: the same validation as
    :func:`equal`, then |got - want| <= atol + rtol |want| everywhere."""
    got, want = _against(got, want, what)
    return bool(np.allclose(got, want, rtol=rtol, atol=atol, equal_nan=True))


def close_number(got, want: float, what: str, *, rtol: float, atol: float = 0.0) -> bool:
    """:func:`close` for one number (a loss): ``got`` must be a finite real number."""
    value = real_number(got, what)
    return abs(value - want) <= atol + rtol * abs(want)


def relative_error(got, want, what: str) -> float:
    """max |got - want| / max |want| after the validation of :func:`equal`; never NaN."""
    got, want = _against(got, want, what)
    if got.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(want))), 1e-12)
    with np.errstate(over="ignore", invalid="ignore"):
        return _real_error(float(np.max(np.abs(got - want))) / scale)


def entrywise_error(got, want, what: str) -> float:
    """The notebook's rel_error: max |got - want| / max(1e-8, |got| + |want|) over the
    entries, after the validation of :func:`equal`; never NaN."""
    got, want = _against(got, want, what)
    if got.size == 0:
        return 0.0
    with np.errstate(over="ignore", invalid="ignore"):
        errors = np.abs(got - want) / np.maximum(1e-8, np.abs(got) + np.abs(want))
    return _real_error(float(np.max(errors))) if not np.isnan(errors).any() else math.inf


def directional_error(numeric: float, analytic: float, scale: float) -> float:
    """Relative error of a directional derivative; inf (never NaN) unless all three are
    finite.

    ``scale`` is |gradient| * |direction|, which bounds |analytic| (Cauchy-Schwarz). Dividing
    by |numeric| + |analytic| alone would fail a correct gradient whenever the mask happens
    to make its projection on our direction tiny: rounding would then dominate.
    """
    if not all(math.isfinite(v) for v in (numeric, analytic, scale)):
        return math.inf
    return _real_error(abs(numeric - analytic) / max(1e-8, abs(numeric) + scale))


def below(error: float, tolerance: float) -> bool:
    """``error <= tolerance`` for a real error: NaN is never below anything."""
    return not math.isnan(error) and error <= tolerance


def _real_error(error: float) -> float:
    return math.inf if math.isnan(error) else error


def zero_count(array, what: str, *, shape=None) -> int:
    """How many entries of a validated (real, finite, ``shape``) array are exactly zero."""
    return int(np.count_nonzero(real_array(array, what, shape=shape) == 0))


def finite_mean(array, what: str) -> float:
    """The mean of a validated real, finite array (NaN only if the sum overflowed both
    ways; a check compares it with ``lo <= mean <= hi``, which NaN fails)."""
    return float(np.mean(floats(real_array(array, what))))
