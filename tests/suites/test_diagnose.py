"""Diagnosis names a mistake exactly when the numbers match it."""

from __future__ import annotations

import numpy as np
import pytest
from assignments.dropout.suite import diagnose
from assignments.dropout.suite.stats import normal_cdf

N = 10_000


@pytest.mark.parametrize("p", [0.25, 0.4, 0.7, 0.9])
def test_zero_fraction_names_keep_probability_and_randn(p):
    assert "KEEP probability" in diagnose.zero_fraction(p, p, N)
    assert "np.random.randn" in diagnose.zero_fraction(1 - normal_cdf(p), p, N)


def test_zero_fraction_blames_nothing_it_cannot_see():
    message = diagnose.zero_fraction(0.05, 0.4, N)
    assert "KEEP" not in message and "randn" not in message
    assert "no unit was dropped" in diagnose.zero_fraction(0.0, 0.4, N)


@pytest.mark.parametrize(("ratio", "words"), [
    (lambda p: p, "inverted dropout divides by p"),
    (lambda p: (1 - p) / p, "right only at p = 0.5"),
    (lambda p: 1 - p, "did not rescale"),
    (lambda p: normal_cdf(p) / p, "np.random.randn"),
])
def test_train_mean_mistakes(ratio, words):
    assert words in diagnose.train_mean(ratio(0.25), 0.25, 0.01)
    assert "known mistake" not in diagnose.train_mean(1.37, 0.25, 0.01)


def test_kept_scale_and_test_output():
    assert "divides by p at train time" in diagnose.kept_scale(1.0, 0.4)
    assert "KEEP probability" in diagnose.kept_scale(1 / 0.6, 0.4)
    x = np.linspace(1, 2, 12).reshape(3, 4)
    assert "test pass is the identity" in diagnose.test_output(x * 0.3, x, 0.3)
    assert "do not drop units" in diagnose.test_output(x * (x > 1.5), x, 0.3)


def test_mask_structure():
    rng = np.random.default_rng(1)
    independent = rng.random((48, 64)) < 0.5
    assert diagnose.mask_structure(independent) is None
    assert "one mask row was broadcast" in diagnose.mask_structure(
        np.broadcast_to(independent[0], (48, 64)))
    rows = np.repeat(rng.random((48, 1)) < 0.5, 64, axis=1)
    assert "whole examples" in diagnose.mask_structure(rows)
    columns = independent.copy()
    columns[:, 3] = columns[:, 7]
    assert "features" in diagnose.mask_structure(columns)
    assert diagnose.shared_axis(np.broadcast_to(rng.random((4, 3, 1, 1)) < 0.5,
                                                (4, 3, 8, 20))) == 2
    assert diagnose.shared_axis(rng.random((4, 3, 8, 20)) < 0.5) is None
