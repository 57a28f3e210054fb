"""Calls into the student's dropout_forward whose results several tests share.

Round trips to the worker are the suite's main cost, so checks that need the same
evidence share one call per submission through :func:`grader.suites.shared`: a failure in
the shared call fails every test that needs it, with the same message.
"""

from __future__ import annotations

import numpy as np

from grader.suites import Failure, about, shared
from grader.suites.dropout import data

P_VALUES = (0.25, 0.4, 0.7, 0.9)  # never only 0.5: some mistakes are exact there
SHAPE = (100, 100)


def train(p, **extra):
    return {"mode": "train", "p": p, **extra}


def forward(student, x, param):
    out, cache = student.layers.dropout_forward(x, param)
    if out.shape != x.shape:
        raise Failure(f"the output has shape {out.shape}; the input had shape {x.shape}")
    return out, cache


def train_sample(student, p):
    """(x, out) of one unseeded train-mode call at keep probability p, shared by 3 tests."""
    def compute():
        x = data.activations(SHAPE, f"sample-{p}")
        with about(f"dropout_forward(x, {{'mode': 'train', 'p': {p}}})"):
            return x, forward(student, x, train(p))[0]
    return shared(student, ("train-sample", p), compute)


def require_dropping(student) -> None:
    """Fail unless the train pass drops some units and keeps others.

    Properties such as a repeatable seed, a kept dtype or an untouched input are credit
    for a dropout layer; a forward pass that returns zeros, or x itself, has them for free.
    A correct layer fails this with probability below 0.7**10000 + 0.3**10000 (100x100 units).
    """
    x, out = train_sample(student, 0.7)
    zeros = int(np.count_nonzero(out == 0))
    if zeros == 0 or zeros == x.size:
        what = "no output" if zeros == 0 else "every output"
        raise Failure(f"checked only once dropout_forward drops units: with p = 0.7, {what} "
                      "of the train pass was zero, so no unit was dropped and kept at random")


def sample_in_test_mode(student, p, dtype=np.float64):
    """(x, out, cache) of one test-mode call, shared with the test-mode backward check."""
    def compute():
        x = data.signed((20, 30), f"test-{p}", dtype=dtype)
        with about(f"dropout_forward(x, {{'mode': 'test', 'p': {p}}})"):
            out, cache = student.layers.dropout_forward(x, {"mode": "test", "p": p})
        return x, out, cache
    return shared(student, ("test-sample", p, np.dtype(dtype).name), compute)


def seed_sequence(student, p):
    """Outputs of: seed 123, no seed, no seed, seed 123 (same x), shared by 2 tests."""
    def compute():
        x = data.activations((30, 40), f"seed-{p}")
        params = (train(p, seed=123), train(p), train(p), train(p, seed=123))
        with about(f"with p = {p}"):
            return [forward(student, x, param)[0] for param in params]
    return shared(student, ("seed-sequence", p), compute)
