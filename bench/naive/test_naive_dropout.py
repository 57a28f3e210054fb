"""The naive baseline's test file: what a course without a grader runs per submission.

It sits next to the student's cs231n package and imports it directly (no isolation), and
repeats the notebook's checks the way a plain pytest file would: the forward statistics,
the backward gradient check, and the net's entry-by-entry numeric gradient check for
dropout 1, 0.75 and 0.5 (about 7,560 loss evaluations), plus the test-mode check.
"""

import numpy as np
import pytest
from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.gradient_check import eval_numerical_gradient, eval_numerical_gradient_array
from cs231n.layers import dropout_backward, dropout_forward


def rel_error(x, y):
    return np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)))


@pytest.mark.parametrize("p", [0.25, 0.4, 0.7])
def test_forward_statistics(p):
    np.random.seed(231)
    x = np.random.randn(500, 500) + 10
    out, _ = dropout_forward(x, {"mode": "train", "p": p})
    out_test, _ = dropout_forward(x, {"mode": "test", "p": p})
    assert abs(out.mean() - x.mean()) < 0.05 * x.mean()
    assert abs((out == 0).mean() - (1 - p)) < 0.01
    assert np.array_equal(out_test, x)


def test_backward_gradient():
    np.random.seed(231)
    x = np.random.randn(10, 10) + 10
    dout = np.random.randn(*x.shape)
    param = {"mode": "train", "p": 0.2, "seed": 123}
    _, cache = dropout_forward(x, param)
    dx = dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda xx: dropout_forward(xx, param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-8


@pytest.mark.parametrize("dropout", [1, 0.75, 0.5])
def test_net_gradient(dropout):
    np.random.seed(231)
    N, D, H1, H2, C = 2, 15, 20, 30, 10
    X = np.random.randn(N, D)
    y = np.random.randint(C, size=(N,))
    model = FullyConnectedNet([H1, H2], input_dim=D, num_classes=C, weight_scale=5e-2,
                              dtype=np.float64, dropout=dropout, seed=123)
    loss, grads = model.loss(X, y)
    assert np.isfinite(loss)
    for name in sorted(grads):
        f = lambda _: model.loss(X, y)[0]
        grad_num = eval_numerical_gradient(f, model.params[name], verbose=False, h=1e-5)
        assert rel_error(grad_num, grads[name]) < 1e-4, name


@pytest.mark.parametrize("dropout", [0.75, 0.5])
def test_test_mode_scores(dropout):
    np.random.seed(231)
    X = np.random.randn(5, 15)
    model = FullyConnectedNet([20, 30], input_dim=15, num_classes=10, weight_scale=5e-2,
                              dtype=np.float64, dropout=dropout, seed=123)
    plain = FullyConnectedNet([20, 30], input_dim=15, num_classes=10, weight_scale=5e-2,
                              dtype=np.float64, dropout=1)
    plain.params = {k: v.copy() for k, v in model.params.items()}
    assert np.allclose(model.loss(X), plain.loss(X))
