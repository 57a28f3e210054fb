"""FullyConnectedNet with dropout: the student's net, or the reference net around the
student's dropout layers when no fc_net.py was submitted.

What is determined is compared with the reference: without dropout (dropout=1) and in test
mode the net must match solutions/ exactly for the same parameters. With seeded dropout the
loss is a deterministic function of the parameters whose gradient must match the student's
own analytic gradients; which units it drops is the student's random stream, never ours.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import Failure, about
from grader.suites.dropout import data
from grader.suites.dropout.samples import require_dropping
from grader.suites.dropout.stats import directional_error

GRAD_P = (0.75, 0.3)
P_MIN = min(GRAD_P)


def _net(student, case, *, dropout, seed):
    net = student.make_net(**case.kwargs(dropout=dropout, seed=seed))
    data.set_params(net, case.params)
    return net


def _reference(ref, case, *, dropout=1, seed=None):
    net = ref.classifiers.fc_net.FullyConnectedNet(**case.kwargs(dropout=dropout, seed=seed))
    data.set_params(net, case.params)
    return net


@pytest.mark.points(5)
@pytest.mark.visibility("visible")
def test_matches_reference_without_dropout(student, ref):
    """FullyConnectedNet: with dropout = 1, and at test time, it matches the reference"""
    # Both paths are fully determined. The test-time one also goes through the student's
    # dropout layers, so a submission without fc_net.py earns nothing here from the
    # reference net alone.
    case = data.net_case(3, key="plain", p_min=P_MIN)
    reference = _reference(ref, case)
    want_loss, want_grads = data.train_loss(reference, case.X, case.y)
    want_scores = data.scores(reference, case.X)
    with about("with dropout = 1"):
        net = _net(student, case, dropout=1, seed=123)
        loss, grads = data.train_loss(net, case.X, case.y)
        data.check_grads_match_params(grads, case.params)
        scores = data.scores(net, case.X)
    if not np.isclose(loss, want_loss, rtol=1e-10, atol=0):
        raise Failure(f"with dropout = 1 the loss is {loss:.10g}; the reference net gives "
                      f"{want_loss:.10g} for the same parameters and data")
    worst = data.worst_mismatch(grads, want_grads)
    if worst:
        raise Failure(f"with dropout = 1, grads[{worst[0]!r}] differs from the reference "
                      f"(relative error {worst[1]:.1e})")
    if not np.allclose(scores, want_scores, rtol=1e-10, atol=1e-12):
        raise Failure("with dropout = 1 the test-time scores differ from the reference")
    with about("with dropout = 0.6 at test time"):
        scores = data.scores(_net(student, case, dropout=0.6, seed=None), case.X)
    if scores.shape != want_scores.shape or not np.allclose(scores, want_scores, rtol=1e-10,
                                                            atol=1e-12):
        raise Failure("with dropout = 0.6, loss(X) (test mode) differs from the reference "
                      "net without dropout: at test time dropout must leave every unit as is")


def _directional(net, case, grads, direction, h):
    """Central difference of the loss along ``direction`` (a dict like the params)."""
    values = []
    for sign in (1.0, -1.0):
        data.set_params(net, {k: v + sign * h * direction[k] for k, v in case.params.items()})
        values.append(data.train_loss(net, case.X, case.y)[0])
    numeric = (values[0] - values[1]) / (2 * h)
    analytic = sum(float(np.sum(grads[k] * direction[k])) for k in case.params)
    return numeric, analytic


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_gradient_check_with_dropout(student):
    """FullyConnectedNet: gradients with dropout pass a gradient check"""
    require_dropping(student)  # with a layer that drops nothing the check proves nothing
    # No ReLU input of the case comes within 0.05 of zero for any mask at p >= P_MIN, and a
    # step of 1e-5 moves none by more than ~1e-4: the check is deterministic (error ~1e-9).
    # One random direction over all parameters: a wrong gradient differs from the true one
    # by some D, and a Gaussian direction is orthogonal to D with probability ~0.
    case = data.net_case(2, key="gradient", p_min=P_MIN)
    for p in GRAD_P:
        with about(f"with dropout = {p} and seed = 123"):
            net = _net(student, case, dropout=p, seed=123)
            loss, grads = data.train_loss(net, case.X, case.y)
            data.check_grads_match_params(grads, case.params)
            random = {k: data.normal(v.shape, f"direction-{p}-{k}")
                      for k, v in case.params.items()}
            scale = np.sqrt(sum(float(np.sum(v * v)) for v in random.values()))
            direction = {k: v / scale for k, v in random.items()}
            numeric, analytic = _directional(net, case, grads, direction, h=1e-5)
        norm = np.sqrt(sum(float(np.sum(grads[k] ** 2)) for k in case.params))
        error = directional_error(numeric, analytic, norm)  # |direction| = 1
        if error > 1e-6:
            data.set_params(net, case.params)
            if data.train_loss(net, case.X, case.y)[0] != loss:
                raise Failure(f"with dropout = {p}: two calls of loss() with the same "
                              "parameters gave different losses, so its gradient cannot be "
                              "checked: keep dropout_param['seed'] fixed and let "
                              "dropout_forward seed itself from it")
            raise Failure(f"with dropout = {p}: the analytic gradient disagrees with the "
                          f"numerical one (relative error {error:.1e} along a direction, must "
                          "be below 1e-6): backpropagate through every dropout layer with "
                          "dropout_backward and its cache")


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_test_mode_ignores_dropout(student, ref):
    """FullyConnectedNet: test-time scores equal the no-dropout scores"""
    case = data.net_case(3, key="test-mode", p_min=P_MIN)
    want = data.scores(_reference(ref, case), case.X)
    for p in (0.75, 0.5):
        with about(f"with dropout = {p}"):
            net = _net(student, case, dropout=p, seed=None)
            runs = [data.scores(net, case.X)]
            if p == 0.75:  # a training pass in between must not leave the net in train mode
                data.train_loss(net, case.X, case.y)
                runs.append(data.scores(net, case.X))
        for got in runs:
            if got.shape != want.shape or not np.allclose(got, want, rtol=1e-10, atol=1e-12):
                raise Failure(f"with dropout = {p}, loss(X) (test mode) gave scores that "
                              "differ from the same net without dropout. At test time set "
                              "dropout_param['mode'] = 'test' so that every unit is used, "
                              "unscaled.")


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_dropout_applied_in_training(student, ref):
    """FullyConnectedNet: training drops units after every hidden layer"""
    # One example, every hidden unit active: row j of dW2 (dW3) is zero exactly when unit j
    # of hidden layer 1 (2) was dropped. A correct net drops none of 20 (30) units in both
    # passes with probability 0.5^40 ~ 9e-13 (0.5^60); its loss equals the no-dropout loss
    # only if nothing at all is dropped.
    case = data.net_case(1, key="applied", p_min=0.5, all_active=True)
    plain, _ = data.train_loss(_reference(ref, case), case.X, case.y)
    net = _net(student, case, dropout=0.5, seed=None)
    dropped = [0, 0]
    differs = False
    for _ in range(2):
        loss, grads = data.train_loss(net, case.X, case.y)
        data.check_grads_match_params(grads, case.params)
        differs |= not np.isclose(loss, plain, rtol=1e-12, atol=0)
        for layer, name in enumerate(("W2", "W3")):
            dropped[layer] += int(np.count_nonzero(~grads[name].any(axis=1)))
    if not differs:
        raise Failure("with dropout = 0.5 the training loss equals the loss without dropout: "
                      "loss() must apply dropout_forward after every ReLU when dropout < 1")
    for layer in (0, 1):
        if dropped[layer] == 0:
            raise Failure(f"with dropout = 0.5 no unit of hidden layer {layer + 1} was ever "
                          "dropped in training: apply dropout after the ReLU of every hidden "
                          "layer")


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_seeded_loss_reproducible(student):
    """FullyConnectedNet: a seeded net gives the same loss every time"""
    require_dropping(student)  # with a layer that drops nothing the check proves nothing
    case = data.net_case(3, key="repeat", p_min=P_MIN)
    net = _net(student, case, dropout=0.5, seed=123)
    first = data.train_loss(net, case.X, case.y)
    second = data.train_loss(net, case.X, case.y)
    twin = data.train_loss(_net(student, case, dropout=0.5, seed=123), case.X, case.y)
    for label, (loss, grads) in (("a second call", second), ("a second net", twin)):
        same = loss == first[0] and all(np.array_equal(grads.get(k), g)
                                        for k, g in first[1].items())
        if not same:
            raise Failure(f"with seed = 123, {label} gave a different loss or gradients: keep "
                          "dropout_param['seed'] as given (do not change it between passes) "
                          "and pass it to every dropout layer")


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_runs_with_and_without_seed(student):
    """FullyConnectedNet: trains with or without a seed; dropout_param holds p and the seed"""
    case = data.net_case(2, key="seeds", p_min=P_MIN)
    for seed in (None, 123):
        with about(f"with dropout = 0.6 and seed = {seed}"):
            net = _net(student, case, dropout=0.6, seed=seed)
            _, grads = data.train_loss(net, case.X, case.y)
            data.check_grads_match_params(grads, case.params)
            param = net.dropout_param
        if not isinstance(param, dict) or param.get("p") != 0.6:
            shown = param.get("p") if isinstance(param, dict) else param
            raise Failure(f"with dropout = 0.6, dropout_param['p'] is {shown!r}: store the "
                          "keep probability as given")
        if seed is not None and param.get("seed") != seed:
            raise Failure("with seed = 123, dropout_param has no 'seed' = 123: store the seed "
                          "so the dropout layers become deterministic")
