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
from grader.suites.dropout import data, diagnose
from grader.suites.dropout.samples import (
    P_VALUES,
    TRAIN_32,
    forward,
    require_dropping,
    sample_in_test_mode,
    seed_sequence,
    train,
    train_sample,
)
from grader.suites.dropout.stats import binomial_region, mean_region


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
        lo, hi = mean_region(x, p)  # Bernstein bound: P(false failure) <= 1e-9
        mean = finite_mean(out, "out")
        if not lo <= mean <= hi:
            tolerance = (hi - lo) / 2 / float(x.mean())
            raise Failure(diagnose.train_mean(mean / float(x.mean()), p, tolerance))


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
    # p = 0.5 maximises the entropy of each unit. For a correct layer on 48 x 64:
    # P(two equal rows) <= C(48,2) 2^-64 ~ 6e-17, P(two equal columns) <= C(64,2) 2^-48 ~ 7e-12,
    # P(some constant row or column) <= 48 * 2^-63 + 64 * 2^-47 ~ 5e-13.
    def check_2d():
        x = data.activations((48, 64), "independent-2d")
        out, _ = forward(student, x, train(0.5))
        problem = diagnose.mask_structure(data.mask_of(out))
        if problem:
            raise Failure(f"for a (48, 64) input: {problem}")

    # 4-D: no axis may carry one shared decision. For a correct layer the mask is constant
    # along the smallest axis (3 entries, 160 lines) with P = (2 * 0.5^3)^160 ~ 1e-96.
    def check_4d():
        x4 = data.activations((4, 3, 8, 20), "independent-4d")
        out4, _ = forward(student, x4, train(0.5))
        axis = diagnose.shared_axis(data.mask_of(out4))
        if axis is not None:
            raise Failure(f"for a (4, 3, 8, 20) input every unit along axis {axis} was kept "
                          f"or dropped together. Draw the mask with the full shape of x.")

    together(student, check_2d, check_4d)


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
    p = 0.6

    def check(shape):
        x = data.activations(shape, f"shape-{len(shape)}")
        with about(f"for an input of shape {shape}"):
            out, _ = forward(student, x, train(p))
            zeros = zero_count(out, "out")
            lo, hi = binomial_region(x.size, 1.0 - p)  # P(false failure) <= 1e-9 per shape
            if not lo <= zeros <= hi:
                raise Failure(diagnose.zero_fraction(zeros / x.size, p, x.size))
            kept = out != 0
            if not close(out[kept], x[kept] / p, "the kept outputs", rtol=1e-6):
                raise Failure("kept outputs are not x / p")

    together(student, *(lambda shape=shape: check(shape)
                        for shape in ((1200,), (30, 40), (6, 10, 20), (2, 3, 10, 20))))


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
