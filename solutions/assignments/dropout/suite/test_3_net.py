"""FullyConnectedNet with dropout: the student's net, or the reference net around the
student's dropout layers when no fc_net.py was submitted.

What is determined is compared with the reference: without dropout (dropout=1) and in test
mode the net must match solutions/ exactly for the same parameters. With seeded dropout the
loss is a deterministic function of the parameters whose gradient must match the student's
own analytic gradients; which units it drops is the student's random stream, never ours.

Each test first gathers the passes it needs (``_PASSES``), then checks them. The passes of
all the tests are independent, so the first net test gathers them all side by side, and
each test later gets its own outcome, exactly as if it had run its passes alone.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader.suites import (
    Failure,
    below,
    close,
    close_number,
    directional_error,
    equal,
    floats,
    prefetch,
    same_number,
    shared,
    shown,
    value_of,
)

from . import data, diagnose, netapi
from .passes import make_net, on_nets, scores_pass, shifted, train_pass
from .samples import require_dropping

GRAD_P = (0.75, 0.3)
P_MIN = min(GRAD_P)
STEP = 1e-5  # of the directional gradient check


def _reference(ref, case, *, dropout=1, seed=None):
    net = ref.classifiers.fc_net.FullyConnectedNet(**case.kwargs(dropout=dropout, seed=seed))
    data.set_params(net, case.params)
    return net


def _cases():
    return {"plain": data.net_case(3, key="plain", p_min=P_MIN),
            "gradient": data.net_case(2, key="gradient", p_min=P_MIN),
            "test-mode": data.net_case(3, key="test-mode", p_min=P_MIN),
            # One example, every hidden unit active (see test_dropout_applied_in_training).
            "applied": data.net_case(1, key="applied", p_min=0.5, all_active=True),
            "repeat": data.net_case(3, key="repeat", p_min=P_MIN),
            "seeds": data.net_case(2, key="seeds", p_min=P_MIN)}


def _directions(case) -> dict:
    """One random unit direction over all parameters per keep probability."""
    directions = {}
    for p in GRAD_P:
        random = {k: data.normal(v.shape, f"direction-{p}-{k}") for k, v in case.params.items()}
        scale = np.sqrt(sum(float(np.sum(v * v)) for v in random.values()))
        directions[p] = {k: v / scale for k, v in random.items()}
    return directions


def _plain_passes(student, case):
    # dropout = 1 never reaches the student's layers in the reference net; test mode does.
    return on_nets(student,
                   ("with dropout = 1", lambda: make_net(student, case, dropout=1, seed=123),
                    [train_pass(case), scores_pass(case)]),
                   ("with dropout = 0.6 at test time",
                    lambda: make_net(student, case, dropout=0.6, seed=None), [scores_pass(case)]))


def _gradient_passes(student, case):
    # Both keep probabilities, three passes each: at the parameters, then a step either way.
    directions = _directions(case)
    return on_nets(student, *(
        (f"with dropout = {p} and seed = 123",
         lambda p=p: make_net(student, case, dropout=p, seed=123),
         [train_pass(case, case.params),
          train_pass(case, shifted(case.params, directions[p], STEP)),
          train_pass(case, shifted(case.params, directions[p], -STEP))])
        for p in GRAD_P))


def _test_mode_passes(student, case):
    # At 0.75 a training pass comes in between: it must not leave the net in train mode.
    steps = {0.75: [scores_pass(case), train_pass(case), scores_pass(case)],
             0.5: [scores_pass(case)]}
    return on_nets(student, *((f"with dropout = {p}",
                               lambda p=p: make_net(student, case, dropout=p, seed=None), passes)
                              for p, passes in steps.items()))


def _applied_passes(student, case):
    return on_nets(student, ("with dropout = 0.5",
                             lambda: make_net(student, case, dropout=0.5, seed=None),
                             [train_pass(case), train_pass(case)]))


def _repeat_passes(student, case):
    # Two passes of one net, and one of a second net built the same way.
    def seeded():
        return make_net(student, case, dropout=0.5, seed=123)
    return on_nets(student, ("with seed = 123", seeded, [train_pass(case), train_pass(case)]),
                   ("with seed = 123", seeded, [train_pass(case)]))


def _seeds_passes(student, case):
    def dropout_param(net):
        return data.numbers_in(net.dropout_param)
    return on_nets(student, *((f"with dropout = 0.6 and seed = {seed}",
                               lambda seed=seed: make_net(student, case, dropout=0.6, seed=seed),
                               [train_pass(case), dropout_param]) for seed in (None, 123)))


_PASSES = {"plain": _plain_passes, "gradient": _gradient_passes, "test-mode": _test_mode_passes,
           "applied": _applied_passes, "repeat": _repeat_passes, "seeds": _seeds_passes}


def _passes(student, name: str) -> list:
    """The outcomes of one test's passes (see ``on_nets``); every test's on the first call."""
    cases = _cases()
    netapi.mapping(student)  # once, before the passes: one message if the net's API differs
    prefetch(student, {("net-passes", key): (lambda gather=gather, case=cases[key]:
                                             gather(student, case))
                       for key, gather in _PASSES.items()})
    return shared(student, ("net-passes", name), lambda: _PASSES[name](student, cases[name]))


@pytest.mark.points(5)
@pytest.mark.visibility("visible")
def test_matches_reference_without_dropout(student, ref):
    """FullyConnectedNet: with dropout = 1, and at test time, it matches the reference"""
    # Both paths are fully determined. The test-time one also goes through the student's
    # dropout layers, so a submission without fc_net.py earns nothing here from the
    # reference net alone.
    case = _cases()["plain"]
    reference = _reference(ref, case)
    want_loss, want_grads = data.train_loss(reference, case.X, case.y)
    want_scores = data.scores(reference, case.X, case.num_classes)
    plain, test_time = _passes(student, "plain")
    (loss, grads), scores = value_of(plain)
    # The notebook accepts a loss within ~1e-7 relative: np.log(probs + 1e-7) in a softmax
    # is right (4.6e-7 here), a wrong net is off by far more.
    if not close_number(loss, want_loss, "the loss", rtol=1e-6):
        raise Failure(f"with dropout = 1 the loss is {loss:.10g}; the reference net gives "
                      f"{want_loss:.10g} for the same parameters and data")
    if getattr(grads, "slips", ()):
        raise Failure("with dropout = 1, " + grads.slips[0])
    worst = data.worst_mismatch(grads, want_grads)
    if worst:
        raise Failure(f"with dropout = 1, grads[{worst[0]!r}] differs from the reference "
                      f"(relative error {worst[1]:.1e})")
    if not close(scores, want_scores, "the scores", rtol=1e-10, atol=1e-12):
        raise Failure("with dropout = 1 the test-time scores differ from the reference")
    (scores,) = value_of(test_time)
    if not close(scores, want_scores, "the scores", rtol=1e-10, atol=1e-12):
        raise Failure("with dropout = 0.6, loss(X) (test mode) differs from the reference "
                      "net without dropout: at test time dropout must leave every unit as is")


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_gradient_check_with_dropout(student, ref):
    """FullyConnectedNet: gradients with dropout pass a gradient check"""
    require_dropping(student)  # with a layer that drops nothing the check proves nothing
    require_net_dropping(student, ref)
    # No ReLU input of the case comes within 0.05 of zero for any mask at p >= P_MIN, and a
    # step of 1e-5 moves none by more than ~1e-4: the check is deterministic (error ~1e-9).
    # One random direction over all parameters: a wrong gradient differs from the true one
    # by some D, and a Gaussian direction is orthogonal to D with probability ~0.
    case = _cases()["gradient"]
    directions = _directions(case)
    for p, outcome in zip(GRAD_P, _passes(student, "gradient")):
        (_, grads), (plus, _), (minus, _) = value_of(outcome)
        numeric = (plus - minus) / (2 * STEP)
        analytic = sum(float(np.sum(floats(grads[k]) * directions[p][k])) for k in case.params)
        norm = math.sqrt(sum(float(np.sum(floats(grads[k]) ** 2)) for k in case.params))
        error = directional_error(numeric, analytic, norm)  # |direction| = 1
        if not below(error, 1e-6):
            net = make_net(student, case, dropout=p, seed=123)
            again = data.train_loss(net, case.X, case.y)[0]
            if not close_number(data.train_loss(net, case.X, case.y)[0], again, "the loss",
                                rtol=0):
                raise Failure(f"with dropout = {p}: two calls of loss() with the same "
                              "parameters gave different losses, so its gradient cannot be "
                              "checked: keep dropout_param['seed'] fixed and let "
                              "dropout_forward seed itself from it")
            raise Failure(f"with dropout = {p}: the analytic gradient disagrees with the "
                          f"numerical one (relative error {error:.1e} along a direction, must "
                          "be below 1e-6): backpropagate through every dropout layer with "
                          "dropout_backward and its cache")


def _differs_without_dropout(student, ref) -> bool:
    """True when the net's dropout = 1 scores already differ from the reference."""
    case = _cases()["plain"]
    want = data.scores(_reference(ref, case), case.X, case.num_classes)
    ok, values = _passes(student, "plain")[0]
    return ok and not close(values[1], want, "the scores", rtol=1e-10, atol=1e-12)


def require_net_dropping(student, ref) -> None:
    """Fail unless the net's training pass drops some hidden unit (test 17's evidence).

    A net that never applies dropout (``if self.use_dropout: pass``) is the no-dropout net:
    it passes the seeded, gradient, test-time and dropout_param checks for free.
    """
    if _dropped_rows(student, ref) == (0, 0):
        raise Failure("checked only once the net applies dropout in training: with "
                      "dropout = 0.5 no hidden unit was ever dropped")


def _dropped_rows(student, ref) -> tuple[int, int]:
    (outcome,) = _passes(student, "applied")
    dropped = [0, 0]
    for _, grads in value_of(outcome):
        for layer, name in enumerate(("W2", "W3")):
            dropped[layer] += int(np.count_nonzero(~grads[name].any(axis=1)))
    return tuple(dropped)


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_test_mode_ignores_dropout(student, ref):
    """FullyConnectedNet: test-time scores equal the no-dropout scores"""
    require_net_dropping(student, ref)
    case = _cases()["test-mode"]
    want = data.scores(_reference(ref, case), case.X, case.num_classes)
    for p, outcome in zip((0.75, 0.5), _passes(student, "test-mode")):
        results = value_of(outcome)
        for got in (results[0], results[-1]):
            if not close(got, want, "the scores", rtol=1e-10, atol=1e-12):
                if _differs_without_dropout(student, ref):
                    raise Failure(f"with dropout = {p}, loss(X) (test mode) gave scores that "
                                  "differ from the reference, and so does the net without "
                                  "dropout (dropout = 1): the layers themselves differ. Is "
                                  "there a ReLU or dropout after the last affine layer?")
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
    case = _cases()["applied"]
    plain, _ = data.train_loss(_reference(ref, case), case.X, case.y)
    (outcome,) = _passes(student, "applied")
    dropped = [0, 0]
    differs = False
    for loss, grads in value_of(outcome):
        differs |= not close_number(loss, plain, "the loss", rtol=1e-12)
        for layer, name in enumerate(("W2", "W3")):
            dropped[layer] += int(np.count_nonzero(~grads[name].any(axis=1)))
    if not differs:
        raise Failure("with dropout = 0.5 the training loss equals the loss without dropout: "
                      "loss() must apply dropout_forward after every ReLU when dropout < 1")
    for loss, grads in value_of(outcome):
        # X has no zero entry and every unit is active: a zero row of dW1 is a dropped
        # input, a zero entry of db3 a dropped score (softmax - onehot is never zero).
        if not grads["W1"].any(axis=1).all():
            raise Failure("with dropout = 0.5 some inputs were dropped (rows of dW1 are zero): "
                          "apply dropout only after the ReLU of each hidden layer, not to X")
        if not grads["b3"].all():
            raise Failure("with dropout = 0.5 some entries of db3 are zero, so some scores "
                          "were dropped or cut: no ReLU or dropout after the last affine layer")
    for layer in (0, 1):
        if dropped[layer] == 0:
            raise Failure(f"with dropout = 0.5 no unit of hidden layer {layer + 1} was ever "
                          "dropped in training: apply dropout after the ReLU of every hidden "
                          "layer")


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_seeded_loss_reproducible(student, ref):
    """FullyConnectedNet: a seeded net gives the same loss every time"""
    require_dropping(student)  # with a layer that drops nothing the check proves nothing
    require_net_dropping(student, ref)
    params = _cases()["repeat"].params
    one_net, second_net = _passes(student, "repeat")
    first, second = value_of(one_net)
    (twin,) = value_of(second_net)
    for label, (loss, grads) in (("a second call", second), ("a second net", twin)):
        same = close_number(loss, first[0], "the loss", rtol=0) and all(
            equal(grads[k], first[1][k], f"grads[{k!r}]") for k in params)
        if not same:
            raise Failure(f"with seed = 123, {label} gave a different loss or gradients: keep "
                          "dropout_param['seed'] as given (do not change it between passes) "
                          "and pass it to every dropout layer")


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_runs_with_and_without_seed(student, ref):
    """FullyConnectedNet: trains with or without a seed; dropout_param holds p and the seed"""
    require_net_dropping(student, ref)
    for seed, outcome in zip((None, 123), _passes(student, "seeds")):
        param = value_of(outcome)[-1]  # data.numbers_in(net.dropout_param)
        given = netapi.given(student, 0.6)
        if not isinstance(param, dict) or not same_number(param.get("p"), given):
            which = "keep" if given == 0.6 else "drop"  # the net's own convention
            raise Failure(f"with dropout = {given:g}, dropout_param['p'] is "
                          f"{_entry(param, 'p')}: store the {which} probability as given")
        if seed is not None and not same_number(param.get("seed"), seed):
            raise Failure(f"with seed = 123, dropout_param['seed'] is "
                          f"{_entry(param, 'seed')}, not 123: store the seed as given so "
                          "the dropout layers become deterministic")


def _entry(param, key: str) -> str:
    """What ``data.numbers_in`` found under ``key``, in words."""
    if not isinstance(param, dict):
        return f"unreadable: dropout_param is {param}"
    if key not in param:
        return "missing"
    return param[key] if isinstance(param[key], str) else shown(param[key])


# One line for a function left unimplemented, in every check that needs it.
for _name in [n for n in globals() if n.startswith("test_")]:
    globals()[_name] = diagnose.explaining(globals()[_name])
