"""The update rules reproduce the expected values of the CS231n FullyConnectedNets checks."""

import numpy as np
import pytest
from cs231n import optim


def rel_error(x, y):
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


N, D = 4, 5


def grid(start, stop):
    return np.linspace(start, stop, num=N * D).reshape(N, D)


def test_sgd_momentum_matches_the_course_values():
    w, dw, v = grid(-0.4, 0.6), grid(-0.6, 0.4), grid(0.6, 0.9)
    next_w, config = optim.sgd_momentum(w, dw, {"learning_rate": 1e-3, "velocity": v})
    expected_next_w = np.asarray([
        [0.1406, 0.20738947, 0.27417895, 0.34096842, 0.40775789],
        [0.47454737, 0.54133684, 0.60812632, 0.67491579, 0.74170526],
        [0.80849474, 0.87528421, 0.94207368, 1.00886316, 1.07565263],
        [1.14244211, 1.20923158, 1.27602105, 1.34281053, 1.4096]])
    assert rel_error(next_w, expected_next_w) < 1e-7
    assert config["momentum"] == 0.9  # default filled in


def test_rmsprop_matches_the_course_values():
    w, dw, cache = grid(-0.4, 0.6), grid(-0.6, 0.4), grid(0.6, 0.9)
    next_w, config = optim.rmsprop(w, dw, {"learning_rate": 1e-2, "cache": cache})
    expected_next_w = np.asarray([
        [-0.39223849, -0.34037513, -0.28849239, -0.23659121, -0.18467247],
        [-0.132737, -0.08078555, -0.02881884, 0.02316247, 0.07515774],
        [0.12716641, 0.17918792, 0.23122175, 0.28326742, 0.33532447],
        [0.38739248, 0.43947102, 0.49155973, 0.54365823, 0.59576619]])
    assert rel_error(next_w, expected_next_w) < 1e-6
    assert (config["decay_rate"], config["epsilon"]) == (0.99, 1e-8)


def test_adam_matches_the_course_values():
    w, dw = grid(-0.4, 0.6), grid(-0.6, 0.4)
    m, v = grid(0.6, 0.9), grid(0.7, 0.5)
    next_w, config = optim.adam(w, dw, {"learning_rate": 1e-2, "m": m, "v": v, "t": 5})
    expected_next_w = np.asarray([
        [-0.40094747, -0.34836187, -0.29577703, -0.24319299, -0.19060977],
        [-0.1380274, -0.08544591, -0.03286534, 0.01971428, 0.0722929],
        [0.1248705, 0.17744702, 0.23002243, 0.28259667, 0.33516969],
        [0.38774145, 0.44031188, 0.49288093, 0.54544852, 0.59801459]])
    expected_v = np.asarray([
        [0.69966, 0.68908382, 0.67851319, 0.66794809, 0.65738853],
        [0.64683452, 0.63628604, 0.6257431, 0.61520571, 0.60467385],
        [0.59414753, 0.58362676, 0.57311152, 0.56260183, 0.55209767],
        [0.54159906, 0.53110598, 0.52061845, 0.51013645, 0.49966]])
    expected_m = np.asarray([
        [0.48, 0.49947368, 0.51894737, 0.53842105, 0.55789474],
        [0.57736842, 0.59684211, 0.61631579, 0.63578947, 0.65526316],
        [0.67473684, 0.69421053, 0.71368421, 0.73315789, 0.75263158],
        [0.77210526, 0.79157895, 0.81105263, 0.83052632, 0.85]])
    assert rel_error(next_w, expected_next_w) < 1e-6
    assert rel_error(config["v"], expected_v) < 1e-7
    assert rel_error(config["m"], expected_m) < 1e-7
    assert config["t"] == 6


@pytest.mark.parametrize("rule, rate", [("sgd", 1e-2), ("sgd_momentum", 1e-2),
                                        ("rmsprop", 1e-2), ("adam", 1e-3)])
def test_default_learning_rates_are_the_course_ones(rule, rate):
    _, config = getattr(optim, rule)(np.ones(3), np.ones(3), None)
    assert config["learning_rate"] == rate


def test_sgd_steps_against_the_gradient():
    w = np.array([1.0, -2.0])
    next_w, _ = optim.sgd(w.copy(), np.array([0.5, -0.5]), {"learning_rate": 0.1})
    np.testing.assert_allclose(next_w, [0.95, -1.95])
