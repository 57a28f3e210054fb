"""Public checks of dropout_forward and dropout_backward, for ``grader check``.

These are the notebook's checks (the same ones as the released ``tests/``), run the way the
grader runs its own: in the sandboxed worker, through the judge, with failure messages from
the diagnosis module the grader's suite uses. They are public by design: this file ships to
students. The grader's hidden tests are separate files that never do.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import (
    Failure,
    about,
    below,
    entrywise_error,
    equal,
    finite_mean,
    floats,
    real_array,
    zero_count,
)

from ..suite import diagnose
from ..suite.stats import binomial_region, mean_region

KEEP = (0.25, 0.4, 0.7, 0.9)  # 0.5 would hide mistakes that swap p and 1 - p


def _inputs(shape, seed: int) -> np.ndarray:
    # Around 10 and never zero, like the notebook's input, so every zero output was dropped.
    return 10.0 + np.clip(np.random.default_rng(seed).standard_normal(shape), -5, 5)


def _forward(student, x, param):
    # Every value is looked at through grader.suites' helpers: NaN, wrong types and wrong
    # shapes fail with a message instead of passing or crashing the check.
    out, cache = student.layers.dropout_forward(x, dict(param))
    return real_array(out, "dropout_forward's out", shape=x.shape), cache


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_train_zeroes_one_minus_p(student):
    """dropout_forward: train mode zeroes about 1 - p of the outputs"""
    for p in KEEP:
        x = _inputs((200, 250), 1)
        with about(f"dropout_forward(x, {{'mode': 'train', 'p': {p}}})"):
            out, _ = _forward(student, x, {"mode": "train", "p": p})
        dropped = zero_count(out, "dropout_forward's out")
        low, high = binomial_region(x.size, 1.0 - p)  # a correct layer leaves it w.p. <= 1e-9
        if dropped < low or dropped > high:
            raise Failure(diagnose.zero_fraction(dropped / x.size, p, x.size))


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_train_keeps_mean(student):
    """dropout_forward: train mode keeps the mean of the input"""
    for p in KEEP:
        x = _inputs((200, 250), 2)
        out, _ = _forward(student, x, {"mode": "train", "p": p})
        low, high = mean_region(x, p)  # Bernstein bound, false failure <= 1e-9
        average = finite_mean(out, "dropout_forward's out")
        if not low <= average <= high:
            half_width = (high - low) / 2 / float(x.mean())
            raise Failure(diagnose.train_mean(average / float(x.mean()), p, half_width))


@pytest.mark.points(2)
@pytest.mark.visibility("visible")
def test_test_mode_passes_input_through(student):
    """dropout_forward: in test mode the output is x itself"""
    for p in KEEP:
        x = _inputs((40, 50), 3) - 10.0
        result, _ = student.layers.dropout_forward(x, {"mode": "test", "p": p})
        result = real_array(result, "dropout_forward's out")
        if result.shape == x.shape and equal(result, x, "dropout_forward's out"):
            continue
        raise Failure(diagnose.test_output(result, x, p))


@pytest.mark.points(2)
@pytest.mark.visibility("visible")
def test_own_coin_flip_per_unit(student):
    """dropout_forward: every unit gets its own coin flip"""
    x = np.ones((100, 500))
    out, _ = _forward(student, x, {"mode": "train", "p": 0.5, "seed": 7})
    # A correct layer repeats a row or column only by chance: P <= 100^2 2^-500 + 500^2 2^-100.
    problem = diagnose.mask_structure(out != 0)
    if problem:
        raise Failure(f"for a (100, 500) input of ones: {problem}")


@pytest.mark.points(2)
@pytest.mark.visibility("visible")
def test_seed_repeats_mask(student):
    """dropout_forward: a seeded call repeats its mask"""
    x = _inputs((50, 60), 4)
    once, _ = _forward(student, x, {"mode": "train", "p": 0.4, "seed": 123})
    twice, _ = _forward(student, x, {"mode": "train", "p": 0.4, "seed": 123})
    if not equal(twice, once, "dropout_forward's out"):
        raise Failure(diagnose.SEED_NOT_REPEATABLE)


@pytest.mark.points(1)
@pytest.mark.visibility("visible")
def test_float32_stays_float32(student):
    """dropout_forward: a float32 input gives a float32 output"""
    x = _inputs((30, 30), 5).astype(np.float32)
    out, _ = _forward(student, x, {"mode": "train", "p": 0.7})
    if out.dtype != np.float32:
        raise Failure(diagnose.dtype_changed(out.dtype, x.dtype, "train"))


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_backward_numerical_gradient(student):
    """dropout_backward: dx matches the numerical gradient"""
    # The notebook's check, entry by entry: with a seed the forward pass is linear in x, so
    # central differences agree with a correct dx up to rounding (~1e-10, bound 1e-8).
    rng = np.random.default_rng(6)
    x = rng.standard_normal((6, 8)) + 10
    dout = rng.standard_normal(x.shape)
    param = {"mode": "train", "p": 0.2, "seed": 123}
    _, cache = _forward(student, x, param)
    dx = real_array(student.layers.dropout_backward(dout, cache=cache), "dx", shape=x.shape)
    numeric = np.zeros_like(x)
    h = 1e-5
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        plus, _ = _forward(student, x + step, param)
        minus, _ = _forward(student, x - step, param)
        numeric[index] = np.sum((floats(plus) - floats(minus)) * dout) / (2 * h)
    error = entrywise_error(dx, numeric, "dx")  # never NaN: NaN in dx fails with a message
    if not below(error, 1e-8):
        raise Failure(f"dx relative error is {error:.2e}; it should be around 1e-10. dx is dout "
                      "times the mask the forward pass stored in the cache (1/p included).")
