"""Inputs of the dropout suite and the helpers its net tests share.

All suite randomness comes from generators seeded here, never from ``np.random``'s global
state: the student's code owns that stream (it may seed it), and the suite's inputs must
not depend on what the student did.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np

from grader.suites import (
    Failure,
    below,
    describe,
    real_array,
    real_number,
    relative_error,
    shown,
)

SUITE_SEED = 231
MARGIN = 0.05  # no ReLU input of the net cases comes closer than this to its kink


def rng(key: str) -> np.random.Generator:
    return np.random.default_rng([SUITE_SEED, zlib.crc32(key.encode())])


def _frozen(array: np.ndarray) -> np.ndarray:
    # Inputs are cached for the whole batch (seeding a generator costs more than a round
    # trip), so no test may write into them.
    array.setflags(write=False)
    return array


@cache
def activations(shape, key: str, dtype=np.float64) -> np.ndarray:
    """Positive inputs around 10, as in the notebook's forward check; never zero."""
    values = 10.0 + np.clip(rng(key).standard_normal(shape), -5.0, 5.0)
    return _frozen(values.astype(dtype))


@cache
def signed(shape, key: str, dtype=np.float64) -> np.ndarray:
    """Inputs of both signs with magnitudes in [0.5, 2]: nonzero, so out / x is defined."""
    r = rng(key)
    values = r.uniform(0.5, 2.0, shape) * r.choice((-1.0, 1.0), shape)
    return _frozen(values.astype(dtype))


@cache
def normal(shape, key: str) -> np.ndarray:
    """Standard normal values (upstream gradients, directions for gradient checks)."""
    return _frozen(rng(key).standard_normal(shape))


def mask_of(out: np.ndarray) -> np.ndarray:
    return out != 0


@dataclass(frozen=True)
class NetCase:
    """A batch and parameters for which every ReLU input keeps MARGIN from zero.

    The layer-2 biases are chosen so that this holds for every dropout mask of layer 1 at
    any keep probability >= p_min. Finite differences then never cross a kink, so the
    gradient checks are deterministic: their only error is rounding.
    """

    X: np.ndarray
    y: np.ndarray
    params: dict
    hidden_dims: tuple[int, int]
    num_classes: int

    def kwargs(self, *, dropout: float, seed: int | None) -> dict:
        return {"hidden_dims": list(self.hidden_dims), "input_dim": self.X.shape[1],
                "num_classes": self.num_classes, "weight_scale": 5e-2, "dtype": np.float64,
                "dropout": dropout, "seed": seed, "reg": 0.0}


@cache
def net_case(n: int, *, key: str, p_min: float, all_active: bool = False,
             dims=(15, 20, 30, 10)) -> NetCase:
    D, H1, H2, C = dims
    r = rng(key)
    X = r.standard_normal((n, D))
    y = r.integers(C, size=n)
    W1 = r.standard_normal((D, H1)) / math.sqrt(D)
    b1 = 0.1 * r.standard_normal(H1)
    if all_active:
        b1 = np.maximum(b1, 2 * MARGIN - (X @ W1).min(axis=0))
    for j in range(H1):  # resample a unit until no example sits near its kink
        while np.abs(X @ W1[:, j] + b1[j]).min() < MARGIN:
            W1[:, j] = r.standard_normal(D) / math.sqrt(D)
    h1 = np.maximum(X @ W1 + b1, 0.0)
    W2 = 0.5 * r.standard_normal((H1, H2)) / math.sqrt(H1)
    terms = h1[:, :, None] * W2[None, :, :] / p_min  # (n, H1, H2): unit j's reach into k
    lowest = np.minimum(terms, 0).sum(axis=1).min(axis=0)
    highest = np.maximum(terms, 0).sum(axis=1).max(axis=0)
    alive = np.ones(H2, bool) if all_active else r.random(H2) < 0.8
    jitter = 0.05 * r.random(H2)  # pushed away from the kink, never towards it
    b2 = np.where(alive, MARGIN - lowest + jitter, -MARGIN - highest - jitter)
    W3 = 0.5 * r.standard_normal((H2, C)) / math.sqrt(H2)
    b3 = 0.1 * r.standard_normal(C)
    params = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    for array in (X, y, *params.values()):
        _frozen(array)
    return NetCase(X, y, params, (H1, H2), C)


def set_params(net, params: dict) -> None:
    net.params.update({name: np.array(value, copy=True) for name, value in params.items()})


def train_loss(net, X, y) -> tuple[float, dict]:
    """net.loss(X, y), checked to be (finite loss, dict of real-valued gradient arrays)."""
    result = net.loss(X, y)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure("loss(X, y) must return (loss, grads); it returned " + describe(result))
    loss, grads = result
    loss = real_number(loss, "the loss that loss(X, y) returned")
    if not isinstance(grads, dict):
        raise Failure("loss(X, y) must return grads as a dict of numpy arrays; grads is "
                      + describe(grads))
    for name, value in grads.items():
        real_array(value, f"grads[{shown(name)}]", finite=False)
    return loss, grads


def scores(net, X, classes: int) -> np.ndarray:
    """loss(X): the test-time scores, a finite real array of shape (N, classes)."""
    return real_array(net.loss(X), "the scores array that loss(X) returned",
                      shape=(len(X), classes))


def check_grads_match_params(grads: dict, params: dict) -> dict:
    """One finite gradient of each parameter's shape: those gradients, and nothing else.

    What the net tests gather is kept for all of a submission's tests, so only arrays of
    the parameters' own shapes are kept: a submission's extra entries could be of any size.
    """
    missing = sorted(set(params) - set(grads))
    if missing:
        raise Failure(f"loss() returned no gradient for {', '.join(missing)}")
    checked, slips = Gradients(), []
    for name, value in params.items():
        grad = grads[name]
        shape = np.shape(value)
        if _same_but_for_ones(np.shape(grad), shape):
            # db of shape (1, M) for b of shape (M,): the right numbers, one mistake, which
            # the reference comparison charges once; the other checks use the numbers.
            slips.append(f"grads[{name!r}] has shape {np.shape(grad)}; it must have the shape "
                         f"of params[{name!r}], {shape} (sum without keepdims)")
            grad = np.reshape(grad, shape)
        checked[name] = real_array(grad, f"grads[{name!r}]", shape=shape)
    checked.slips = tuple(slips)
    return checked


class Gradients(dict):
    """Gradients by parameter name, with ``slips``: shape mistakes that were forgiven."""

    slips: tuple[str, ...] = ()


def _same_but_for_ones(got: tuple, want: tuple) -> bool:
    return got != want and tuple(d for d in got if d != 1) == tuple(d for d in want if d != 1)


def numbers_in(param, keys=("p", "seed")):
    """dropout_param as the net tests read it: for a dict, each of ``keys`` it has, as the
    number it holds or else a description (a str) of what it holds instead; for anything
    else, a description. It is kept for several tests, and a submission's dict may hold
    values of any size."""
    if not isinstance(param, dict):
        return describe(param)
    return {key: _number_or_description(param[key]) for key in keys if key in param}


def _number_or_description(value):
    try:
        real_number(value, "an entry of dropout_param", finite=False)
    except Failure:
        return describe(value)
    return value


def worst_mismatch(got: dict, want: dict) -> tuple[str, float] | None:
    """The gradient furthest from the reference (name, relative error), or None if all agree."""
    worst = None
    for name, expected in want.items():
        error = relative_error(got[name], expected, f"grads[{name!r}]")
        if not below(error, 1e-7) and (worst is None or error > worst[1]):
            worst = (name, error)
    return worst
