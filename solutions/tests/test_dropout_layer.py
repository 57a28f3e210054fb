"""Public checks of the dropout layer in cs231n/layers.py: the notebook's checks as tests.

Run from the assignment folder:   pytest tests

The statistical checks draw 250,000 values; their tolerances are 6 standard
deviations of the quantity checked, so a correct implementation fails one of them
by bad luck with probability about 2e-9 per check. They accept any correct way of
drawing the mask (np.random.rand, np.random.binomial, a default_rng generator).
"""

import math

import numpy as np
import pytest

from cs231n.gradient_check import eval_numerical_gradient_array
from cs231n.layers import dropout_backward, dropout_forward

KEEP_PROBABILITIES = [0.25, 0.4, 0.7, 0.9]  # not 0.5: there p and 1 - p look alike
SIGMAS = 6  # P(|N(0,1)| > 6) = 2.0e-9


def rel_error(x, y):
    """ returns relative error """
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


def notebook_input():
    np.random.seed(231)
    return np.random.randn(500, 500) + 10


def phi(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def zero_fraction_hint(zeros, p, tolerance):
    if abs(zeros - p) < tolerance:
        return (" That is about p: p is the probability of KEEPING a unit, so keep "
                "where np.random.rand(*x.shape) < p.")
    if abs(zeros - (1 - phi(p))) < tolerance:
        return (" That matches np.random.randn, which draws normal values; the mask "
                "needs uniform ones from np.random.rand.")
    if zeros < tolerance:
        return " Nothing was zeroed: multiply x by the mask in train mode."
    return ""


@pytest.mark.parametrize("p", KEEP_PROBABILITIES)
def test_train_mode_zeroes_about_one_minus_p_of_the_outputs(p):
    x = notebook_input()
    out, _ = dropout_forward(x, {"mode": "train", "p": p})
    zeros = float((out == 0).mean())
    # A binomial proportion: standard deviation sqrt(p (1 - p) / n) <= 0.001 here.
    tolerance = SIGMAS * math.sqrt(p * (1 - p) / x.size)
    assert abs(zeros - (1 - p)) <= tolerance, (
        f"with p = {p} about {1 - p:.0%} of the train-time outputs should be zero, "
        f"but {zeros:.1%} are." + zero_fraction_hint(zeros, p, tolerance))


@pytest.mark.parametrize("p", KEEP_PROBABILITIES)
def test_train_mode_keeps_the_mean_of_the_input(p):
    x = notebook_input()
    out, _ = dropout_forward(x, {"mode": "train", "p": p})
    gap = float(out.mean() - x.mean())
    # Each output is x * Bernoulli(p) / p: mean x, variance x^2 (1 - p) / p.
    tolerance = SIGMAS * math.sqrt((1 - p) / p * float((x ** 2).mean()) / x.size)
    hint = ""
    if abs(out.mean() - p * x.mean()) < tolerance:
        hint = (" The mean shrank by a factor p: inverted dropout divides the kept "
                "values by p at train time (vanilla dropout scales at test time instead).")
    elif abs(out.mean() - (1 - p) / p * x.mean()) < tolerance:
        hint = " You keep units with probability 1 - p but divide by p; p is the KEEP probability."
    assert abs(gap) <= tolerance, (
        f"with p = {p} the mean of the train-time output should stay near the input's "
        f"{x.mean():.3f}, but it is {out.mean():.3f}." + hint)


@pytest.mark.parametrize("p", KEEP_PROBABILITIES)
def test_test_mode_returns_the_input_unchanged(p):
    x = notebook_input()
    out, _ = dropout_forward(x, {"mode": "test", "p": p})
    assert out.shape == x.shape
    hint = ""
    if np.allclose(out, p * x):
        hint = " It is p * x: with inverted dropout nothing is scaled at test time."
    assert np.array_equal(out, x), (
        "in test mode inverted dropout must return x as it is (no mask, no scaling)." + hint)


def test_each_unit_gets_its_own_coin_flip():
    x = np.ones((100, 500))
    out, _ = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})
    same_as_first = sum(np.array_equal(out[i] == 0, out[0] == 0) for i in range(1, 100))
    # Two independent rows of 500 coin flips agree with probability 2^-500.
    assert same_as_first == 0, (
        f"{same_as_first} of 99 rows were dropped exactly like the first one: draw the "
        "mask with the full shape of x (np.random.rand(*x.shape)), not one row for the batch.")


def test_the_same_seed_gives_the_same_mask():
    x = notebook_input()
    first, _ = dropout_forward(x, {"mode": "train", "p": 0.4, "seed": 123})
    second, _ = dropout_forward(x, {"mode": "train", "p": 0.4, "seed": 123})
    assert np.array_equal(first, second), (
        "two calls with dropout_param['seed'] = 123 gave different outputs: draw the mask "
        "with np.random after the given np.random.seed(...) line, so seeded calls repeat.")


def test_output_keeps_the_input_dtype():
    x = notebook_input().astype(np.float32)
    out, _ = dropout_forward(x, {"mode": "train", "p": 0.7})
    assert out.dtype == np.float32, f"a float32 input came back as {out.dtype}"


def test_backward_matches_the_numerical_gradient():
    # The notebook's cell. dropout_forward is linear in x, so central differences
    # are exact up to rounding: about 1e-10 here, against a bound of 1e-8.
    np.random.seed(231)
    x = np.random.randn(10, 10) + 10
    dout = np.random.randn(*x.shape)
    dropout_param = {"mode": "train", "p": 0.2, "seed": 123}
    out, cache = dropout_forward(x, dropout_param)
    dx = dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(
        lambda xx: dropout_forward(xx, dropout_param)[0], x, dout)
    error = rel_error(dx, dx_num)
    assert error < 1e-8, (
        f"dx relative error is {error:.2e}; it should be around 1e-10 or less. "
        "The gradient of out = x * mask is dout * mask, with the same mask (1/p included) "
        "that the forward pass stored in the cache.")


def test_backward_uses_the_forward_mask():
    x = notebook_input()[:50]
    dout = np.random.RandomState(0).randn(*x.shape)
    out, cache = dropout_forward(x, {"mode": "train", "p": 0.6})
    dx = dropout_backward(dout, cache)
    hint = ""
    if np.allclose(dx, dout * (out != 0)):
        hint = " dx is dout * (mask != 0): the 1/p scaling of the forward pass is missing."
    elif np.allclose(dx, dout):
        hint = " dx is dout itself: the mask was not applied."
    assert np.allclose(dx, dout * out / x, rtol=1e-12, atol=0), (
        "dropout_backward must multiply dout by the mask of the forward pass "
        "(zero where a unit was dropped, 1/p where it was kept)." + hint)


def test_backward_in_test_mode_passes_the_gradient_through():
    dout = np.arange(12.0).reshape(3, 4)
    _, cache = dropout_forward(np.ones((3, 4)), {"mode": "test", "p": 0.3})
    assert np.array_equal(dropout_backward(dout, cache), dout)
