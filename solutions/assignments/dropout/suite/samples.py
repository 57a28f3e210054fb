"""Calls into the student's dropout_forward whose results several tests share.

Round trips to the worker are the suite's main cost, so checks that need the same
evidence share one call per submission through :func:`grader.suites.shared`: a failure in
the shared call fails every test that needs it, with the same message. All these calls are
independent, so the first test that needs one draws them all in a single round trip.
"""

from __future__ import annotations

import numpy as np

from grader.suites import Failure, about, equal, prefetch, real_array, shared, zero_count

from . import data

P_VALUES = (0.25, 0.4, 0.7, 0.9)  # never only 0.5: some mistakes are exact there
SHAPE = (100, 100)
SEED_P_VALUES = (0.3, 0.8)
TRAIN_32 = 0.6  # float32 samples, where a float64 mask shows


def train(p, **extra):
    return {"mode": "train", "p": p, **extra}


def forward(student, x, param):
    """dropout_forward(x, param): its out checked to be a finite real array of x's shape."""
    out, cache = student.layers.dropout_forward(x, param)
    return real_array(out, "out", shape=x.shape), cache


def _train_sample(student, p, dtype=np.float64):
    def compute():
        if np.dtype(dtype) == np.float64:
            x = data.activations(SHAPE, f"sample-{p}")
        else:
            x = data.activations((10, 20), f"dtype-{np.dtype(dtype).name}", dtype=dtype)
        with about(f"dropout_forward(x, {{'mode': 'train', 'p': {p}}})"):
            return x, forward(student, x, train(p))[0]
    return compute


def _test_sample(student, p, dtype=np.float64):
    def compute():
        x = data.signed((20, 30), f"test-{p}", dtype=dtype)
        with about(f"dropout_forward(x, {{'mode': 'test', 'p': {p}}})"):
            out, cache = student.layers.dropout_forward(x, {"mode": "test", "p": p})
            return x, real_array(out, "out", shape=x.shape), cache
    return compute


def _seeded_call(student, p, position):
    def compute():
        param = train(p, seed=123) if position in (0, 3) else train(p)
        with about(f"with p = {p}"):
            return forward(student, data.activations((30, 40), f"seed-{p}"), param)[0]
    return compute


def _prefetch_samples(student) -> None:
    """Every sample below, drawn in one round trip the first time any of them is needed.

    Test mode goes first: the given one-line test branch rarely hangs where a train branch
    may, and after two calls run out of time the rest of a submission's calls are not made.
    """
    computations = {("test-sample", p, "float64"): _test_sample(student, p) for p in P_VALUES}
    computations[("test-sample", TRAIN_32, "float32")] = _test_sample(student, TRAIN_32,
                                                                      np.float32)
    for p in P_VALUES:
        computations[("train-sample", p, "float64")] = _train_sample(student, p)
    computations[("train-sample", TRAIN_32, "float32")] = _train_sample(student, TRAIN_32,
                                                                        np.float32)
    for p in SEED_P_VALUES:  # in this order: seed 123, no seed, no seed, seed 123
        for position in range(4):
            computations[("seeded", p, position)] = _seeded_call(student, p, position)
    prefetch(student, computations)


def train_sample(student, p, dtype=np.float64):
    """(x, out) of one unseeded train-mode call at keep probability p, shared by 3 tests."""
    _prefetch_samples(student)
    return shared(student, ("train-sample", p, np.dtype(dtype).name),
                  _train_sample(student, p, dtype))


def require_dropping(student) -> None:
    """Fail unless the train pass drops some units and keeps others.

    Properties such as a repeatable seed, a kept dtype or an untouched input are credit
    for a dropout layer; a forward pass that returns zeros, or x itself, has them for free.
    A correct layer fails this with probability below 0.7**10000 + 0.3**10000 (100x100 units).
    """
    x, out = train_sample(student, 0.7)
    zeros = zero_count(out, "out")
    if zeros == 0 or zeros == x.size:
        what = "no output" if zeros == 0 else "every output"
        raise Failure(f"checked only once dropout_forward drops units: with p = 0.7, {what} "
                      "of the train pass was zero, so no unit was dropped and kept at random")


def sample_in_test_mode(student, p, dtype=np.float64):
    """(x, out, cache) of one test-mode call, shared with the test-mode backward check."""
    _prefetch_samples(student)
    return shared(student, ("test-sample", p, np.dtype(dtype).name),
                  _test_sample(student, p, dtype))


def seed_sequence(student, p):
    """Outputs of: seed 123, no seed, no seed, seed 123 (same x), shared by 2 tests."""
    _prefetch_samples(student)
    return [shared(student, ("seeded", p, position), _seeded_call(student, p, position))
            for position in range(4)]


def _reference_cache_backward(student):
    """dropout_backward given caches built as the skeleton's forward builds them,
    ``(dropout_param, mask)`` with the mask that multiplied x (1/p included): True when
    dx = dout * mask in train mode and dx = dout in test mode."""
    def check(p, mode):
        mask = (data.rng(f"ref-cache-{p}").random((12, 10)) < p) / p if mode == "train" else None
        dout = data.signed((12, 10), f"ref-cache-dout-{p}-{mode}")
        # In the student's own convention for p (see conventions.py), as their forward would.
        param = getattr(student.layers, "wire", dict)({"mode": mode, "p": p})
        dx = student.layers.dropout_backward(dout, (param, mask))
        return equal(dx, dout if mask is None else dout * mask, "dx")

    def compute():
        outcomes = student.side_by_side([lambda p=p, m=m: check(p, m)
                                         for p in (0.3, 0.8) for m in ("train", "test")])
        return {m: all(ok and value for (ok, value), (_, mm) in zip(
            outcomes, [(p, mm) for p in (0.3, 0.8) for mm in ("train", "test")]) if mm == m)
            for m in ("train", "test")}
    return shared(student, ("reference-cache-backward",), compute)


def require_dropping_or_backward(student, mode: str = "train") -> bool:
    """The gate of the backward checks: True when the forward pass drops (check as usual);
    False when it does not but dropout_backward is right for the skeleton's own cache (the
    check passes: a wrong forward pass must not take the backward credit with it)."""
    try:
        require_dropping(student)
        return True
    except Failure:
        right = _reference_cache_backward(student)
        if right["train"] and right[mode]:  # the given test branch alone earns nothing
            return False
        raise
