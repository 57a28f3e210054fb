"""dropout_forward: statistics, scaling, modes, seeds, shapes, dtypes, purity.

False-failure probabilities of a CORRECT implementation are written next to each check;
README.md adds them up. Checks that need the same evidence share one call (see ``shared``):
round trips to the worker are the suite's main cost.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import (
    Failure,
    about,
    close,
    equal,
    finite_mean,
    floats,
    together,
    zero_count,
)

from . import data, diagnose
from .samples import (
    P_VALUES,
    TRAIN_32,
    forward,
    require_dropping,
    sample_in_test_mode,
    seed_sequence,
    train,
    train_sample,
)
from .stats import binomial_region, mean_region, normal_cdf


@pytest.mark.points(10)
@pytest.mark.visibility("visible")
def test_zero_fraction(student):
    """dropout_forward: about 1 - p of the train outputs are zero"""
    for p in P_VALUES:
        x, out = train_sample(student, p)
        zeros = zero_count(out, "out")
        lo, hi = binomial_region(x.size, 1.0 - p)  # exact tails: P(false failure) <= 1e-9
        if not lo <= zeros <= hi:
            raise Failure(diagnose.zero_fraction(zeros / x.size, p, x.size))


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_kept_units_scaled(student):
    """dropout_forward: kept units are divided by p"""
    for p in P_VALUES:
        x, out = train_sample(student, p)
        kept = out != 0
        if not kept.any():
            raise Failure(f"with p = {p} every output was zero")
        ratio = floats(out[kept]) / x[kept]
        # Deterministic: x / p and x * (1 / p) differ by rounding only.
        if not close(ratio, 1.0 / p, f"with p = {p}, out / x", rtol=1e-6):
            raise Failure(diagnose.kept_scale(float(np.median(ratio)), p))


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_mean_preserved(student):
    """dropout_forward: the train output keeps the input's mean"""
    for p in P_VALUES:
        x, out = train_sample(student, p)
        mean = finite_mean(out, "out")
        scale = _constant_scale(x, out)
        if scale is not None:
            # out = s * x * mask: its mean is x's in expectation exactly when units are kept
            # with probability 1 / s. Judged on the count of kept units (exact binomial
            # region, P(false failure) <= 1e-9), so the verdict does not hang on how the
            # mask happened to fall on large or small x: the same code, the same verdict.
            kept = int(np.count_nonzero(out))
            lo, hi = binomial_region(x.size, min(1.0 / scale, 1.0)) if scale > 0 else (1, 0)
            if lo <= kept <= hi:
                continue
        else:
            lo, hi = mean_region(x, p)  # Bernstein bound: P(false failure) <= 1e-9
            if lo <= mean <= hi:
                continue
        # The message states a correct layer's spread of mean(out) / mean(x) at this p.
        lo, hi = mean_region(x, p)
        ratio, tolerance = mean / float(x.mean()), (hi - lo) / 2 / float(x.mean())
        raise Failure(diagnose.train_mean(ratio, p, tolerance))


def _constant_scale(x, out):
    """s when every kept output is s * x (up to rounding), else None."""
    kept = out != 0
    if not kept.any():
        return None
    ratio = floats(out[kept]) / x[kept]
    scale = float(np.median(ratio))
    return scale if close(ratio, np.full(ratio.shape, scale), "out / x", rtol=1e-6) else None


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_test_mode_identity(student):
    """dropout_forward: test mode returns the input unchanged"""
    for p in P_VALUES:
        x, out, _ = sample_in_test_mode(student, p)
        if out.shape != x.shape or not equal(out, x, "out"):
            raise Failure(diagnose.test_output(out, x, p))


@pytest.mark.points(8)
@pytest.mark.visibility("after_due_date")
def test_units_dropped_independently(student):
    """dropout_forward: each unit is dropped on its own"""
    require_dropping(student)  # a layer that never drops has no mask to look at
    # p = 0.5 maximises the entropy of each unit. For a correct layer on 48 x 64:
    # P(two equal rows) <= C(48,2) 2^-64 ~ 6e-17, P(two equal columns) <= C(64,2) 2^-48 ~ 7e-12,
    # P(some constant row or column) <= 48 * 2^-63 + 64 * 2^-47 ~ 5e-13.
    # 2-D only, as the notebook and the net use it: other shapes are test_any_input_shape's.
    x = data.activations((48, 64), "independent-2d")
    out, _ = forward(student, x, train(0.5))
    problem = diagnose.mask_structure(data.mask_of(out))
    if problem:
        raise Failure(f"for a (48, 64) input: {problem}")


@pytest.mark.points(5)
@pytest.mark.visibility("visible")
def test_seed_repeatable(student):
    """dropout_forward: the same seed gives the same mask"""
    require_dropping(student)
    for p in (0.3, 0.8):
        # Unseeded calls come between the two seeded ones and move any global stream on.
        first, _, _, second = seed_sequence(student, p)
        if not equal(second, first, "out"):  # deterministic for a correct layer
            raise Failure(f"with p = {p}: " + diagnose.SEED_NOT_REPEATABLE)


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_fresh_masks_without_seed(student):
    """dropout_forward: calls without a seed draw fresh masks"""
    # P(two independent masks of 1200 units agree) = (p^2 + (1-p)^2)^1200 <= 0.62^1200 ~ 1e-249.
    require_dropping(student)  # a layer that never drops repeats its (empty) mask for free
    for p in (0.3, 0.8):
        _, first, second, _ = seed_sequence(student, p)  # after a seeded call, as in a net
        if equal(data.mask_of(second), data.mask_of(first), "the mask"):
            raise Failure(f"with p = {p}: " + diagnose.UNSEEDED_REPEATS)


@pytest.mark.points(4)
@pytest.mark.visibility("after_due_date")
def test_keeps_dtype(student):
    """dropout_forward: the output keeps the input's dtype"""
    require_dropping(student)
    # float64 reuses the shared samples; float32 is where a float64 mask shows.
    x, out = train_sample(student, 0.7)
    _, out_test, _ = sample_in_test_mode(student, 0.7)
    _, out32 = train_sample(student, TRAIN_32, np.float32)
    _, out32_test, _ = sample_in_test_mode(student, TRAIN_32, np.float32)
    for got, want, mode in ((out, x.dtype, "train"), (out_test, x.dtype, "test"),
                            (out32, np.float32, "train"), (out32_test, np.float32, "test")):
        if got.dtype != want:
            raise Failure(diagnose.dtype_changed(got.dtype, np.dtype(want), mode))


@pytest.mark.points(5)
@pytest.mark.visibility("after_due_date")
def test_any_input_shape(student):
    """dropout_forward: works for 1-D to 4-D inputs"""
    # Judged against the submission's own 2-D behaviour, so that a mistake the 2-D checks
    # already charge (randn, 1 - p, a wrong scale) costs nothing here: out has x's shape,
    # kept outputs are x times the same factor, about the same fraction is dropped, and in
    # 4-D no axis shares one decision (for a correct layer an axis of 2 entries is constant
    # on all its 600 lines with P = 0.52^600 ~ 1e-170).
    p = 0.6
    shapes = ((30, 40), (1200,), (6, 10, 20), (2, 3, 10, 20))

    def call(shape):
        x = data.activations(shape, f"shape-{len(shape)}")
        with about(f"for an input of shape {shape}"):
            return x, forward(student, x, train(p))[0]

    samples = together(student, *(lambda shape=shape: call(shape) for shape in shapes))
    x2, out2 = samples[0]
    scale = _constant_scale(x2, out2)
    rates = [rate for rate in (1.0 - p, p, 1.0 - normal_cdf(p), normal_cdf(p))
             if _count_in_region(zero_count(out2, "out"), x2.size, rate)]
    for shape, (x, out) in zip(shapes[1:], samples[1:]):
        where = f"for an input of shape {shape}"
        zeros = zero_count(out, "out")
        if rates and not any(_count_in_region(zeros, x.size, rate) for rate in rates):
            raise Failure(f"{where}, {zeros / x.size:.3f} of the outputs were zero; for a "
                          f"(30, 40) input, {zero_count(out2, 'out') / x2.size:.3f}. Draw the "
                          "mask with the full shape of x: np.random.rand(*x.shape)")
        kept = out != 0
        if scale is not None and kept.any() and not close(
                floats(out[kept]) / x[kept], scale, f"{where}, out / x", rtol=1e-6):
            raise Failure(f"{where}, kept outputs are not {scale:.4g} * x as they are for a "
                          "(30, 40) input")
        axis = diagnose.shared_axis(data.mask_of(out)) if len(shape) > 2 else None
        if axis is not None and 0 < zeros < x.size:
            raise Failure(f"{where} every unit along axis {axis} was kept or dropped "
                          "together. Draw the mask with the full shape of x.")


def _count_in_region(count: int, n: int, rate: float) -> bool:
    lo, hi = binomial_region(n, rate)  # P(false failure) <= 1e-9 per shape
    return lo <= count <= hi


@pytest.mark.points(4)
@pytest.mark.visibility("after_due_date")
def test_input_not_modified(student):
    """dropout_forward: the caller's array is left unchanged"""
    require_dropping(student)

    def check(mode):
        x = data.signed((20, 30), f"pure-{mode}")
        _, _, after = student.layers.forward_watching_input(x, {"mode": mode, "p": 0.5})
        if after.shape != x.shape or not equal(after, x, f"in {mode} mode, x afterwards"):
            raise Failure(f"in {mode} mode: " + diagnose.MUTATED_INPUT)

    together(student, lambda: check("train"), lambda: check("test"))


# One line for a function left unimplemented, in every check that needs it.
for _name in [n for n in globals() if n.startswith("test_")]:
    globals()[_name] = diagnose.explaining(globals()[_name])
