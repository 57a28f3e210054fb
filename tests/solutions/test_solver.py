"""The Solver trains a small net and reports progress exactly like the notebook."""

import re

import numpy as np
import pytest
from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.solver import Solver

# The two progress-line shapes printed in the notebook (seed 000), e.g.
# "(Iteration 1 / 125) loss: 7.856643" and
# "(Epoch 0 / 25) train acc: 0.236000; val_acc: 0.190000".
ITERATION_LINE = re.compile(r"^\(Iteration \d+ / \d+\) loss: \d+\.\d{6}$")
EPOCH_LINE = re.compile(r"^\(Epoch \d+ / \d+\) train acc: \d\.\d{6}; val_acc: \d\.\d{6}$")


def test_the_seed_lines_match_the_patterns():
    assert ITERATION_LINE.match("(Iteration 1 / 125) loss: 7.856643")
    assert ITERATION_LINE.match("(Iteration 101 / 125) loss: 50.972035")
    assert EPOCH_LINE.match("(Epoch 0 / 25) train acc: 0.236000; val_acc: 0.190000")
    assert not EPOCH_LINE.match("(Epoch 0 / 25) train acc: 0.236; val_acc: 0.190")


def small_problem(n=50, d=20, classes=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.integers(classes, size=n)
    return {"X_train": X, "y_train": y, "X_val": X[:10], "y_val": y[:10]}


def test_a_small_net_overfits_fifty_examples(capsys):
    np.random.seed(0)
    data = small_problem()
    model = FullyConnectedNet([50], input_dim=20, num_classes=5, weight_scale=1e-1,
                              dtype=np.float64)
    solver = Solver(model, data, num_epochs=50, batch_size=25, update_rule="adam",
                    optim_config={"learning_rate": 1e-2}, print_every=25)
    solver.train()
    lines = capsys.readouterr().out.splitlines()

    assert solver.train_acc_history[-1] == 1.0
    assert solver.loss_history[-1] < solver.loss_history[0] / 10
    # 2 iterations per epoch: 100 steps, accuracy checked at the start and after
    # every epoch; losses printed at iterations 1, 26, 51, 76.
    assert len(solver.loss_history) == 100
    assert len(solver.train_acc_history) == len(solver.val_acc_history) == 51
    assert lines[0] == f"(Iteration 1 / 100) loss: {solver.loss_history[0]:f}"
    assert lines[1].startswith("(Epoch 0 / 50) train acc: ")
    assert lines[-1] == (
        f"(Epoch 50 / 50) train acc: 1.000000; val_acc: {solver.val_acc_history[-1]:f}")
    assert sum(bool(ITERATION_LINE.match(line)) for line in lines) == 4
    assert sum(bool(EPOCH_LINE.match(line)) for line in lines) == 51
    assert len(lines) == 55
    assert set(solver.best_params) == set(model.params)


def test_train_keeps_the_best_validation_params():
    np.random.seed(1)
    data = small_problem(seed=1)
    model = FullyConnectedNet([10], input_dim=20, num_classes=5, dtype=np.float64)
    solver = Solver(model, data, num_epochs=3, batch_size=25, verbose=False)
    solver.train()
    assert solver.best_val_acc == max(solver.val_acc_history)
    assert model.params is solver.best_params


def test_check_accuracy_counts_correct_predictions():
    class Fixed:
        def __init__(self):
            self.params = {}

        def loss(self, X, y=None):
            return np.eye(3)[X[:, 0].astype(int)]

    solver = Solver(Fixed(), small_problem(), verbose=False)
    X = np.array([[0], [1], [2], [2]])
    assert solver.check_accuracy(X, np.array([0, 1, 2, 0]), batch_size=3) == 0.75


def test_unknown_options_and_rules_are_refused():
    data = small_problem()
    model = FullyConnectedNet([5], input_dim=20, num_classes=5)
    with pytest.raises(ValueError, match="Unrecognized arguments"):
        Solver(model, data, learning_rate=1e-3)
    with pytest.raises(ValueError, match="Invalid update_rule"):
        Solver(model, data, update_rule="nesterov")


def test_checkpoints_are_written_each_epoch(tmp_path):
    np.random.seed(2)
    model = FullyConnectedNet([5], input_dim=20, num_classes=5)
    solver = Solver(model, small_problem(), num_epochs=2, batch_size=25, verbose=False,
                    checkpoint_name=str(tmp_path / "net"))
    solver.train()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "net_epoch_0.pkl", "net_epoch_1.pkl", "net_epoch_2.pkl"]
