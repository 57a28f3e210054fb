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

from grader.suites import Failure, about, value_of
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


def _on_nets(student, *groups) -> list:
    """Run each group ``(context, make_net, passes)``: the passes (functions of a net) in order.

    One outcome per group (see ``value_of``): the list of what its passes returned, or its
    first failure, prefixed with its context. All groups go to the worker side by side. A
    student's own net may keep state between passes (the notebook checks one model), so its
    passes share one net, in order. The reference net keeps none (what the student's layers
    do to dropout_param stays in the worker), so there each pass gets a fresh net and goes
    to the worker alongside the others: 4 round trips for any number of training passes.
    """
    def lane(context, make_net, passes):
        def run():
            with about(context):
                net = make_net()
                return [step(net) for step in passes]
        return run

    spans, lanes = [], []
    for context, make_net, passes in groups:
        split = [passes] if student.has_fc_net else [[step] for step in passes]
        spans.append((len(lanes), len(split)))
        lanes += [lane(context, make_net, part) for part in split]
    outcomes = student.side_by_side(lanes)
    joined = []
    for start, count in spans:
        mine = outcomes[start:start + count]
        failed = next((outcome for outcome in mine if not outcome[0]), None)
        joined.append(failed or (True, [value for _, values in mine for value in values]))
    return joined


def _train_pass(case, params=None):
    """A pass: (loss, grads) at ``params`` (the case's by default), gradients checked."""
    def step(net):
        if params is not None:
            data.set_params(net, params)
        loss, grads = data.train_loss(net, case.X, case.y)
        data.check_grads_match_params(grads, case.params)
        return loss, grads
    return step


def _shifted(params, direction, step):
    return {k: v + step * direction[k] for k, v in params.items()}


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
    h = 1e-5
    directions = {}
    for p in GRAD_P:
        random = {k: data.normal(v.shape, f"direction-{p}-{k}") for k, v in case.params.items()}
        scale = np.sqrt(sum(float(np.sum(v * v)) for v in random.values()))
        directions[p] = {k: v / scale for k, v in random.items()}
    # Both keep probabilities, three passes each: at the parameters, then one step either way.
    outcomes = _on_nets(student, *(
        (f"with dropout = {p} and seed = 123",
         lambda p=p: _net(student, case, dropout=p, seed=123),
         [_train_pass(case, case.params),
          _train_pass(case, _shifted(case.params, directions[p], h)),
          _train_pass(case, _shifted(case.params, directions[p], -h))])
        for p in GRAD_P))
    for p, outcome in zip(GRAD_P, outcomes):
        (_, grads), (plus, _), (minus, _) = value_of(outcome)
        numeric = (plus - minus) / (2 * h)
        analytic = sum(float(np.sum(grads[k] * directions[p][k])) for k in case.params)
        norm = np.sqrt(sum(float(np.sum(grads[k] ** 2)) for k in case.params))
        error = directional_error(numeric, analytic, norm)  # |direction| = 1
        if error > 1e-6:
            net = _net(student, case, dropout=p, seed=123)
            if data.train_loss(net, case.X, case.y)[0] != data.train_loss(net, case.X,
                                                                            case.y)[0]:
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

    def scores(net):
        return data.scores(net, case.X)
    # At 0.75 a training pass comes in between: it must not leave the net in train mode.
    passes = {0.75: [scores, _train_pass(case), scores], 0.5: [scores]}
    outcomes = _on_nets(student, *((f"with dropout = {p}",
                                    lambda p=p: _net(student, case, dropout=p, seed=None),
                                    steps) for p, steps in passes.items()))
    for p, outcome in zip(passes, outcomes):
        results = value_of(outcome)
        for got in (results[0], results[-1]):
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
    (outcome,) = _on_nets(student, ("with dropout = 0.5",
                                    lambda: _net(student, case, dropout=0.5, seed=None),
                                    [_train_pass(case), _train_pass(case)]))
    dropped = [0, 0]
    differs = False
    for loss, grads in value_of(outcome):
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

    def seeded_net():
        return _net(student, case, dropout=0.5, seed=123)
    # Two passes of one net, and one of a second net built the same way.
    one_net, second_net = _on_nets(student, ("with seed = 123", seeded_net,
                                             [_train_pass(case), _train_pass(case)]),
                                   ("with seed = 123", seeded_net, [_train_pass(case)]))
    first, second = value_of(one_net)
    (twin,) = value_of(second_net)
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

    def dropout_param(net):
        return net.dropout_param
    seeds = (None, 123)
    outcomes = _on_nets(student, *((f"with dropout = 0.6 and seed = {seed}",
                                    lambda seed=seed: _net(student, case, dropout=0.6, seed=seed),
                                    [_train_pass(case), dropout_param]) for seed in seeds))
    for seed, outcome in zip(seeds, outcomes):
        param = value_of(outcome)[-1]
        if not isinstance(param, dict) or param.get("p") != 0.6:
            shown = param.get("p") if isinstance(param, dict) else param
            raise Failure(f"with dropout = 0.6, dropout_param['p'] is {shown!r}: store the "
                          "keep probability as given")
        if seed is not None and param.get("seed") != seed:
            raise Failure("with seed = 123, dropout_param has no 'seed' = 123: store the seed "
                          "so the dropout layers become deterministic")
