"""Failure messages that name the mistake when the numbers match a known one.

Each function gets what a check observed and returns the student-facing message. A known
mistake is named only when the observation is statistically consistent with it (the same
binomial regions the checks use), so a message never blames a mistake the data rule out.
The verdict never depends on this module: a check fails first, then we explain.
"""

from __future__ import annotations

import copy
import re

import numpy as np

from .stats import fraction_region, normal_cdf

KEEP = ("p is the KEEP probability: keep each unit with probability p "
        "(mask = np.random.rand(*x.shape) < p)")
RANDN = ("np.random.randn draws normal values, so randn(...) < p keeps a unit with "
         "probability Phi(p), not p; you want np.random.rand (uniform on [0, 1))")
INVERTED = "inverted dropout divides by p at train time (out = x * mask / p)"
DROP_DIVIDE = ("you drop with probability p and divide by p, which is right only at p = 0.5: "
               + KEEP + " and divide by p")
TEST_IDENTITY = ("with inverted dropout the test pass is the identity: return x unchanged; "
                 "scaling by p at test time belongs to vanilla dropout")


def _consistent(fraction: float, n: int, probability: float) -> bool:
    lo, hi = fraction_region(n, min(max(probability, 1e-12), 1 - 1e-12))
    return lo <= fraction <= hi


def zero_fraction(observed: float, p: float, n: int) -> str:
    head = (f"with p = {p}, {observed:.4f} of the train-mode outputs were zero; expected about "
            f"1 - p = {1 - p:.4f}")
    if observed == 0.0:
        return head + ": no unit was dropped. In train mode multiply x by a random 0/1 mask."
    if observed == 1.0:
        return head + ": every unit was dropped."
    if _consistent(observed, n, p):
        return head + ". That matches dropping with probability p: " + KEEP + "."
    if _consistent(observed, n, 1.0 - normal_cdf(p)):
        return head + ". That matches " + RANDN + "."
    return head + "."


def kept_scale(ratio: float, p: float) -> str:
    head = (f"with p = {p}, kept outputs were {ratio:.4g} * x; inverted dropout keeps "
            f"x / p = {1 / p:.4g} * x")
    if np.isclose(ratio, 1.0, rtol=1e-6):
        return head + ": " + INVERTED + "."
    if np.isclose(ratio, 1.0 / (1.0 - p), rtol=1e-6):
        return head + ". You divided by 1 - p: " + KEEP + ", and divide by p."
    if np.isclose(ratio, p, rtol=1e-6):
        return head + ": divide by p, do not multiply."
    return head + "."


def train_mean(ratio: float, p: float, tolerance: float) -> str:
    """``ratio`` is mean(out) / mean(x); ``tolerance`` its half-width for a correct layer."""
    head = (f"with p = {p}, the train-mode output's mean was {ratio:.4f} times the input's; "
            f"inverted dropout keeps it at 1 (within {tolerance:.2g})")
    known = (
        (p, INVERTED),
        ((1.0 - p) / p, DROP_DIVIDE),
        (1.0 - p, "you dropped with probability p and did not rescale: " + KEEP
         + ", then divide by p"),
        (normal_cdf(p) / p, RANDN),
    )
    for expected, explanation in known:
        if abs(ratio - expected) <= 1.5 * tolerance * max(expected, 1.0):
            return head + ". That matches a known mistake: " + explanation + "."
    return head + "."


def test_output(out: np.ndarray, x: np.ndarray, p: float) -> str:
    head = f"with p = {p}, test mode must return the input unchanged"
    if out.shape != x.shape:
        return head + f"; the output has shape {out.shape}, the input {x.shape}."
    if np.count_nonzero(out == 0) > 0:
        return head + ", but some outputs were zero: do not drop units at test time."
    ratio = out / x
    if np.allclose(ratio, p, rtol=1e-6):
        return head + f", but it was multiplied by p: {TEST_IDENTITY}."
    if np.allclose(ratio, 1.0 / p, rtol=1e-6):
        return head + f", but it was divided by p: {TEST_IDENTITY}."
    return head + "."


def mask_structure(mask: np.ndarray) -> str | None:
    """What is wrong with a 2-D train mask whose units are not independent, if anything."""
    rows, columns = mask.shape
    if rows > 1 and np.all(mask == mask[:1]):
        return ("every example (row) got the same mask: one mask row was broadcast over the "
                "batch. Draw the mask with the full shape of x (np.random.rand(*x.shape)).")
    if np.all(mask.all(axis=1) | ~mask.any(axis=1)):
        return ("whole examples (rows) were kept or dropped together; dropout keeps or drops "
                "each unit on its own. Draw the mask with the full shape of x.")
    if columns > 1 and np.all(mask == mask[:, :1]):
        return ("every feature (column) got the same decision within an example. Draw the "
                "mask with the full shape of x.")
    if np.all(mask.all(axis=0) | ~mask.any(axis=0)):
        return ("whole features (columns) were kept or dropped together across the batch. "
                "Draw the mask with the full shape of x.")
    if _distinct(mask) < rows:
        return "some examples got identical masks, far more often than chance allows."
    if _distinct(mask.T) < columns:
        return "some features got identical masks across the batch, far more often than chance."
    return None


def _distinct(lines: np.ndarray) -> int:
    # Lines compared by their bytes: one pass, and the same code for rows and (transposed) columns.
    return len({bytes(np.ascontiguousarray(line).tobytes()) for line in lines})


def shared_axis(mask: np.ndarray) -> int | None:
    """An axis along which the mask never changes (units not dropped independently)."""
    for axis in range(mask.ndim):
        if mask.shape[axis] > 1 and np.all(mask == np.take(mask, [0], axis=axis)):
            return axis
    return None


MUTATED_INPUT = ("dropout_forward changed the caller's array x (for example x *= mask or "
                 "x[...] = 0). Leave x alone and build a new array: out = x * mask.")
SEED_NOT_REPEATABLE = ("two calls with the same dropout_param['seed'] gave different masks. "
                       "When 'seed' is given, call np.random.seed(dropout_param['seed']) (or "
                       "build a generator from it) before drawing the mask.")
UNSEEDED_REPEATS = ("two calls without a seed gave the same mask. Only seed the random "
                    "generator when dropout_param has a 'seed' key; otherwise draw fresh "
                    "random numbers each call.")


def dtype_changed(got, want, mode: str) -> str:
    return (f"in {mode} mode a {want} input gave a {got} output. Keep the input's dtype, e.g. "
            f"out = out.astype(x.dtype, copy=False) (a float64 mask times float32 x gives "
            f"float64).")


_NONE_ATTRIBUTE = "raised AttributeError: 'NoneType' object has no attribute"
_RETURNED_NONE = {
    "dropout_forward must return a tuple (out, cache); it returned None": "dropout_forward",
    "dropout_forward must return out as a numpy array; it returned None": "dropout_forward",
    "dropout_backward must return dx as a numpy array; it returned None": "dropout_backward",
}


def unimplemented(message: str) -> str | None:
    """One short message for a function left as the skeleton's ``pass``, or None.

    A ``pass`` leaves ``out`` (``dx``) None: the function returns None, or the skeleton's
    next line (``out.astype(...)``) raises AttributeError on it. Every check that calls it
    then says the same thing, instead of the raw AttributeError.
    """
    for text, function in _RETURNED_NONE.items():
        if text in message:
            return f"{function} is not implemented (it returns None); this check needs it"
    for function in ("dropout_forward", "dropout_backward"):
        if f"{function} {_NONE_ATTRIBUTE}" in message:
            return (f"{function} is not implemented (out is still None when the skeleton's "
                    "code uses it); this check needs it")
    if _NONE_ATTRIBUTE in message and "layers.py line" in message:
        return ("a layer in layers.py is not implemented (a value is still None: "
                + message[message.index("'NoneType'"):] + "); this check needs it")
    return None


# Advice worded for p as the keep probability: wrong for code graded in the drop convention,
# where the observation (in keep-probability terms, as its note says) is all that is left.
_KEEP_ADVICE = re.compile(r"(?:: |\. )(?:That matches|You divided by|divide by p|inverted dropout "
                          r"divides|with inverted dropout the test pass).*$", re.DOTALL)


def without_keep_advice(message: str) -> str:
    return _KEEP_ADVICE.sub(".", message)


def explaining(test):
    """``test``, with a failure caused by an unimplemented function said in one line, and
    the submission's convention for p settled before it runs."""
    import functools

    from grader.suites import Failure

    from . import conventions

    @functools.wraps(test)
    def run(*args, **kwargs):
        convention = conventions.settle(kwargs.get("student"))  # before any check runs
        try:
            return test(*args, **kwargs)
        except Failure as failure:
            short = unimplemented(str(failure))
            if short is None and convention == "drop":
                short = without_keep_advice(str(failure))
            if short is None or short == str(failure):
                raise
            fresh = copy.copy(failure)
            fresh.args = (short,)
            raise fresh from None
    return run
