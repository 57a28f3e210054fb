"""The net cases keep every ReLU input away from its kink for every mask: checks are exact."""

from __future__ import annotations

import numpy as np
import pytest
from assignments.dropout.suite import data


def pre_activations(case, mask1, p):
    P = case.params
    a1 = case.X @ P["W1"] + P["b1"]
    h1 = np.maximum(a1, 0) * mask1 / p
    return a1, h1 @ P["W2"] + P["b2"]


@pytest.mark.parametrize(("n", "all_active"), [(2, False), (3, False), (1, True)])
def test_no_relu_input_near_zero_for_any_mask(n, all_active):
    case = data.net_case(n, key=f"check-{n}", p_min=0.3, all_active=all_active)
    rng = np.random.default_rng(2)
    masks = [np.ones((n, 20)), np.zeros((n, 20))] + [rng.random((n, 20)) < 0.5
                                                     for _ in range(500)]
    for p in (1.0, 0.75, 0.3):
        for mask in masks:
            a1, a2 = pre_activations(case, mask, p)
            assert np.abs(a1).min() >= data.MARGIN and np.abs(a2).min() >= data.MARGIN
            if all_active:
                assert a1.min() > 0 and a2.min() > 0


def test_cases_are_repeatable():
    one, two = (data.net_case(2, key="same", p_min=0.3) for _ in range(2))
    assert all(np.array_equal(one.params[k], two.params[k]) for k in one.params)
    assert np.array_equal(one.X, two.X)
