"""Public checks of dropout in FullyConnectedNet, for ``grader check``.

The notebook's net checks, run through the sandbox like the grader's. Parameters are set
by the check, not drawn by the net, so the outcome does not depend on the student's random
stream except through the dropout masks (which a seed fixes).
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import (
    Failure,
    NotSubmitted,
    about,
    below,
    close,
    close_number,
    describe,
    directional_error,
    floats,
    real_array,
    real_number,
    same_number,
)

N, D, H1, H2, C = 3, 15, 20, 30, 10


def _problem():
    """Inputs and parameters whose ReLU inputs stay positive for any mask with p >= 0.5.

    Layer 1 sees |x . w| <= 15 * 3 * 0.1 = 4.5 < 5 = b1; layer 2 sees at most
    20 * 0.02 * (5 + 4.5) / 0.5 = 7.6 < 8 = b2. With no kink anywhere, a central difference
    is exact up to rounding, so a correct net never fails the gradient check by bad luck.
    """
    rng = np.random.default_rng(2310)
    X = np.clip(rng.standard_normal((N, D)), -3, 3)
    y = rng.integers(C, size=N)
    params = {
        "W1": np.clip(0.05 * rng.standard_normal((D, H1)), -0.1, 0.1), "b1": np.full(H1, 5.0),
        "W2": np.clip(0.01 * rng.standard_normal((H1, H2)), -0.02, 0.02), "b2": np.full(H2, 8.0),
        "W3": 0.05 * rng.standard_normal((H2, C)), "b3": np.zeros(C),
    }
    return X, y, params


def _net(student, params, *, dropout, seed=123):
    if not student.has_fc_net:  # the grader would use its own net; a student has none to lend
        raise NotSubmitted("fc_net.py", "the grader will grade your layers inside its "
                           "reference net, as for a submission without fc_net.py. Finish "
                           "fc_net.py to check your net here.")
    net = student.make_net(hidden_dims=[H1, H2], input_dim=D, num_classes=C,
                           weight_scale=5e-2, dtype=np.float64, dropout=dropout, seed=seed)
    for name, value in params.items():
        net.params[name] = value
    return net


def _loss(net, X, y, params):
    """(loss, grads): a finite number, and a finite float array per parameter, its shape.

    Values are looked at through grader.suites' helpers: a NaN, a string or an array where
    a number belongs fails with a message instead of passing or crashing the check.
    """
    pair = net.loss(X, y)
    if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
        raise Failure("loss(X, y) must return the pair (loss, grads)")
    loss, grads = pair
    if not isinstance(grads, dict):
        raise Failure("loss(X, y) must return grads as a dict")
    absent = [name for name in params if name not in grads]
    if absent:
        raise Failure(f"grads has no entry for {', '.join(absent)}")
    return real_number(loss, "the loss from loss(X, y)"), {
        k: floats(real_array(grads[k], f"grads[{k!r}]", shape=value.shape))
        for k, value in params.items()}


def _scores(net, X):
    return real_array(net.loss(X), "the scores from loss(X)", shape=(len(X), C))


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_net_numerical_gradient(student):
    """FullyConnectedNet: gradients agree with numerical ones (dropout 1, 0.75, 0.5)"""
    X, y, params = _problem()
    rng = np.random.default_rng(17)
    for dropout in (1, 0.75, 0.5):
        with about(f"with dropout = {dropout}"):
            net = _net(student, params, dropout=dropout)
            _, grads = _loss(net, X, y, params)
            for _ in range(2):  # random directions: the evidence of every entry, few calls
                v = {k: rng.standard_normal(p.shape) for k, p in params.items()}
                h = 1e-5
                sides = []
                for sign in (1, -1):
                    for name, value in params.items():
                        net.params[name] = value + sign * h * v[name]
                    sides.append(_loss(net, X, y, params)[0])
                for name, value in params.items():
                    net.params[name] = value
                numeric = (sides[0] - sides[1]) / (2 * h)
                analytic = sum(float(np.sum(grads[k] * v[k])) for k in params)
                # |numeric - analytic| / max(1e-8, |numeric| + |analytic|), never NaN
                mismatch = directional_error(numeric, analytic, abs(analytic))
                if not below(mismatch, 1e-6):
                    raise Failure(f"the gradients disagree with the numerical gradient "
                                  f"(relative error {mismatch:.1e}). In the backward pass call "
                                  "dropout_backward with each hidden layer's dropout cache, "
                                  "and make the seeded dropout_param reach dropout_forward.")


@pytest.mark.points(2)
@pytest.mark.visibility("visible")
def test_dropout_changes_training_loss(student):
    """FullyConnectedNet: dropout = 0.5 changes the training loss"""
    X, y, params = _problem()
    with_dropout = _loss(_net(student, params, dropout=0.5), X, y, params)[0]
    plain = _loss(_net(student, params, dropout=1), X, y, params)[0]
    if close_number(with_dropout, plain, "the loss", rtol=0):
        raise Failure("a net with dropout = 0.5 trains with exactly the loss of the same net "
                      "without dropout: in loss(), apply dropout_forward to the output of "
                      "every ReLU when self.use_dropout.")


@pytest.mark.points(2)
@pytest.mark.visibility("visible")
def test_scores_without_dropout_at_test_time(student):
    """FullyConnectedNet: test-time scores ignore dropout"""
    X, _, params = _problem()
    scores = _scores(_net(student, params, dropout=0.5), X)
    plain = _scores(_net(student, params, dropout=1), X)
    if not close(scores, plain, "the scores with dropout", rtol=1e-12):
        raise Failure("loss(X) without labels (test time) gave other scores than the same net "
                      "without dropout: at test time dropout must pass activations through "
                      "unchanged (loss() sets dropout_param['mode'] = 'test' when y is None).")


@pytest.mark.points(1)
@pytest.mark.visibility("visible")
def test_dropout_param_has_p_and_seed(student):
    """FullyConnectedNet: dropout_param holds the keep probability and the seed"""
    _, _, params = _problem()
    param = _net(student, params, dropout=0.75, seed=123).dropout_param
    if not isinstance(param, dict) or not same_number(param.get("p"), 0.75):
        got = describe(param.get("p") if isinstance(param, dict) else param)
        raise Failure(f"self.dropout_param['p'] should be the keep probability 0.75; it is "
                      f"{got}")
    if not same_number(param.get("seed"), 123):
        raise Failure("self.dropout_param['seed'] should hold the seed given to the net (123); "
                      f"it is {describe(param.get('seed'))}")


@pytest.mark.points(1)
@pytest.mark.visibility("visible")
def test_seeded_net_repeats_itself(student):
    """FullyConnectedNet: a seeded net repeats its loss"""
    X, y, params = _problem()
    net = _net(student, params, dropout=0.5)
    first = _loss(net, X, y, params)[0]
    if not close_number(_loss(net, X, y, params)[0], first, "the loss", rtol=0):
        raise Failure("two loss() calls of a net built with seed = 123 differ: pass "
                      "self.dropout_param (which holds the seed) to every dropout_forward call.")
