"""The acceptance regions are what they claim: exact binomial tails, valid Bernstein bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from assignments.dropout.suite import stats


def tail_below(n, p, k):  # P(K < k), exact with integers and floats
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k))


def tail_above(n, p, k):  # P(K > k)
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1, n + 1))


@pytest.mark.parametrize(("n", "p", "alpha"), [
    (200, 0.25, 1e-6), (500, 0.7, 1e-9), (1000, 0.9, 1e-9), (60, 0.5, 1e-3)])
def test_binomial_region_is_the_tightest_with_tails_within_alpha(n, p, alpha):
    lo, hi = stats.binomial_region(n, p, alpha)
    assert tail_below(n, p, lo) <= alpha / 2 < tail_below(n, p, lo + 1)
    assert tail_above(n, p, hi) <= alpha / 2 < tail_above(n, p, hi - 1)


def test_degenerate_probabilities():
    assert stats.binomial_region(10, 0.0) == (0, 0)
    assert stats.binomial_region(10, 1.0) == (10, 10)


def test_bernstein_halfwidth_is_wider_than_the_normal_tail():
    # The normal approximation's two-sided quantile at alpha is a lower bound for any valid
    # bound on a sum of many bounded terms.
    variance, bound, alpha = 4.0, 0.01, 1e-9
    z = 6.109  # two-sided normal quantile at 1e-9
    width = stats.bernstein_halfwidth(variance, bound, alpha)
    assert z * math.sqrt(variance) < width < 1.2 * z * math.sqrt(variance)


def test_mean_region_contains_a_correct_layers_means():
    rng = np.random.default_rng(5)
    x = 10 + rng.standard_normal(2000)
    for p in (0.25, 0.7):
        lo, hi = stats.mean_region(x, p, alpha=1e-3)
        means = [np.mean(x * (rng.random(x.size) < p) / p) for _ in range(2000)]
        outside = sum(not lo <= m <= hi for m in means)
        assert outside <= 2  # expected <= 2 at alpha = 1e-3 over 2000 draws
        sigma = np.sqrt(np.sum(x * x) * (1 - p) / p) / x.size
        assert 3.29 * sigma < (hi - lo) / 2 < 1.5 * 3.29 * sigma  # z at 1e-3, two-sided


def test_directional_error_ignores_an_unlucky_projection_but_not_a_wrong_gradient():
    rng = np.random.default_rng(0)
    g = rng.standard_normal(100)
    v = rng.standard_normal(100)
    v -= g * (g @ v) / (g @ g)  # the true projection is ~0: rounding would dominate
    scale = float(np.linalg.norm(g) * np.linalg.norm(v))
    assert stats.directional_error(g @ v + 1e-12, g @ v, scale) < 1e-10
    wrong = g * 0.5
    assert stats.directional_error(g @ v, wrong @ rng.standard_normal(100), scale) > 1e-3
