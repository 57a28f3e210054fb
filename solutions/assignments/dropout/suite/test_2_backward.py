"""dropout_backward: gradient check, the forward pass's mask, test mode.

Nothing here is statistical: a correct layer passes every check with certainty (up to
rounding, which the tolerances cover by orders of magnitude).
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import (
    Failure,
    about,
    below,
    close,
    directional_error,
    equal,
    floats,
    real_array,
    together,
    value_of,
)

from . import data, diagnose
from .samples import (
    forward,
    require_dropping_or_backward,
    sample_in_test_mode,
)

GRADIENT_TOLERANCE = 1e-8  # the notebook's bar for dx ("around e-10 or less")


@pytest.mark.points(8)
@pytest.mark.visibility("visible")
def test_gradient_check(student):
    """dropout_backward: gradient check (relative error below 1e-8)"""
    # A layer that drops nothing has a trivially right gradient; a backward pass right for
    # the skeleton's own cache earns this check even when the forward pass is wrong.
    if not require_dropping_or_backward(student):
        return
    # Directional check: with a seed the forward pass is linear in x, so a central difference
    # along any direction v equals <dx, v> up to rounding (~1e-12 of |dx| |v| here). A wrong dx differs
    # from the true gradient by some D, and a random v misses D only if <D, v> is ~0, which
    # happens with probability ~0 for Gaussian v: 2 calls carry the entry-by-entry evidence
    # of 240.
    h = 1e-4
    p_values = (0.2, 0.6)
    cases = {p: _gradient_case(p) for p in p_values}

    def calls(p):
        param = {"mode": "train", "p": p, "seed": 123}
        x, dout, v = cases[p]

        def backward():
            _, cache = forward(student, x, dict(param))
            return student.layers.dropout_backward(dout, cache)
        return (backward, lambda: forward(student, x + h * v, dict(param))[0],
                lambda: forward(student, x - h * v, dict(param))[0])

    # The six calls of both keep probabilities go in two round trips; the checks still run
    # one p after the other, as if each call had been made alone.
    outcomes = student.side_by_side([call for p in p_values for call in calls(p)])
    for k, p in enumerate(p_values):
        x, dout, v = cases[p]
        with about(f"with p = {p} and a seed"):
            dx, plus, minus = (value_of(outcome) for outcome in outcomes[3 * k:3 * k + 3])
            dx = floats(real_array(dx, "dx", shape=x.shape))
        numeric = float(np.sum((floats(plus) - floats(minus)) * dout)) / (2 * h)
        analytic = float(np.sum(dx * v))
        error = directional_error(numeric, analytic,
                                  float(np.linalg.norm(dx) * np.linalg.norm(v)))
        if not below(error, GRADIENT_TOLERANCE):
            if not equal(data.mask_of(plus), data.mask_of(minus), "the mask"):
                raise Failure(f"with p = {p}: the seeded forward pass used a different mask on "
                              "each call, so dx cannot match it (see the seed check)")
            raise Failure(f"with p = {p}: dx relative error {error:.2e} (must be below "
                          f"{GRADIENT_TOLERANCE:.0e}): backward must multiply dout by the same "
                          "mask (including the 1/p) as the forward pass")


def _gradient_case(p):
    """x, the upstream gradient and the direction of the check at keep probability p."""
    x = data.activations((10, 12), f"grad-x-{p}")
    return x, data.normal(x.shape, f"grad-dout-{p}"), data.normal(x.shape, f"grad-direction-{p}")


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_uses_forward_mask(student):
    """dropout_backward: uses the mask of its forward pass, with and without a seed"""
    if not require_dropping_or_backward(student):
        return

    def check(seed, p):
        param = {"mode": "train", "p": p} | ({} if seed is None else {"seed": seed})
        x = data.signed((20, 30), f"mask-{p}-{seed}")
        dout = data.signed(x.shape, f"mask-dout-{p}-{seed}")
        with about(f"with p = {p}"):
            out, cache = forward(student, x, param)
            dx = student.layers.dropout_backward(dout, cache)
            # x has no zeros, so out / x is exactly the forward pass's mask / p (up to
            # rounding).
            expected = dout * (floats(out) / x)
            same = close(dx, expected, "dx", rtol=1e-9)
        if not same:
            when = "without a seed" if seed is None else "with a seed"
            raise Failure(f"{when} (p = {p}), dx is not dout times the forward pass's "
                          "mask / p. Keep the mask in the cache and reuse it; do not draw "
                          "a new one in dropout_backward.")

    together(student, lambda: check(None, 0.3), lambda: check(42, 0.8))


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_test_mode_backward_identity(student):
    """dropout_backward: in test mode dx equals dout"""
    # The test branch is given code: credit it with a working layer (forward or backward).
    if not require_dropping_or_backward(student, "test"):
        return

    def check(p):
        x, _, cache = sample_in_test_mode(student, p)  # the forward call the identity check made
        dout = data.signed(x.shape, f"tb-dout-{p}")
        with about(f"in test mode (p = {p})"):
            dx = student.layers.dropout_backward(dout, cache)
            same = equal(dx, dout, "dx")
        if not same:
            raise Failure(f"in test mode (p = {p}) dx must equal dout: the test-mode forward "
                          "pass is the identity, so is its gradient")

    together(student, lambda: check(0.25), lambda: check(0.7))


# One line for a function left unimplemented, in every check that needs it.
for _name in [n for n in globals() if n.startswith("test_")]:
    globals()[_name] = diagnose.explaining(globals()[_name])
