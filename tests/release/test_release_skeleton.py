"""The released skeleton: imports cleanly, every stub teaches, no reference code leaks,
and the public tests pass on solutions/ and fail on assignment/ (each run in a child)."""

import re
from pathlib import Path

import pytest

from grader.release.markers import find_regions
from grader.release.steps import read_text

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS, ASSIGNMENT = ROOT / "solutions", ROOT / "assignment"
STUDENT_FILES = ["cs231n/layers.py", "cs231n/classifiers/fc_net.py"]

CALL_EVERY_STUB = r"""
import numpy as np
from cs231n.data_utils import get_CIFAR10_data
from cs231n.solver import Solver
from cs231n.classifiers.fc_net import FullyConnectedNet
from cs231n.layers import dropout_forward, dropout_backward

def message(call):
    try:
        call()
    except NotImplementedError as error:
        return str(error)
    return "no NotImplementedError"

x = np.ones((2, 3))
print(message(lambda: dropout_forward(x, {"mode": "train", "p": 0.5})))
print(message(lambda: dropout_forward(x, {"mode": "test", "p": 0.5})))
print(message(lambda: dropout_backward(x, ({"mode": "train", "p": 0.5}, None))))
print(message(lambda: FullyConnectedNet([4], input_dim=3, dropout=0.5)))
net = FullyConnectedNet([4], input_dim=3, num_classes=2)
net.loss(x, np.array([0, 1]))  # without dropout the skeleton's net already works
net.use_dropout, net.dropout_param = True, {"mode": "train", "p": 0.5}
print(message(lambda: net.loss(x, np.array([0, 1]))))

class FalseForTheForwardPass:
    # loss() tests use_dropout once to set the mode and once per hidden layer on the
    # way forward; answering False there lets the call reach the backward TODO.
    def __init__(self):
        self.asked = 0
    def __bool__(self):
        self.asked += 1
        return self.asked > 2

net.use_dropout = FalseForTheForwardPass()
print(message(lambda: net.loss(x, np.array([0, 1]))))
"""


def test_the_skeleton_imports_and_each_stub_raises_its_message(run_python):
    result = run_python(["-c", CALL_EVERY_STUB], cwd=ASSIGNMENT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        ("dropout_forward: Implement training phase forward pass for inverted dropout. "
         "Store the dropout mask in the mask variable. (your TODO in cs231n/layers.py)"),
        ("dropout_forward: Implement the test phase forward pass for inverted dropout. "
         "(your TODO in cs231n/layers.py)"),
        ("dropout_backward: Implement training phase backward pass for inverted dropout "
         "(your TODO in cs231n/layers.py)"),
        ("FullyConnectedNet.__init__: Initialize self.dropout_param with the keep probability "
         'and the mode. If seed is not None, store it under the key "seed" so the dropout '
         "layers become deterministic. (your TODO in cs231n/classifiers/fc_net.py)"),
        ("FullyConnectedNet.loss: Apply a dropout layer (with self.dropout_param) to the "
         "output of the ReLU and keep its cache in dropout_cache for the backward pass. "
         "(your TODO in cs231n/classifiers/fc_net.py)"),
        ("FullyConnectedNet.loss: Backpropagate dout through the dropout layer of hidden "
         "layer i. (your TODO in cs231n/classifiers/fc_net.py)"),
    ]


@pytest.mark.parametrize("name", STUDENT_FILES)
def test_every_region_became_a_stub_with_its_banner(name):
    regions = find_regions(read_text(SOLUTIONS / name), label=name)
    released = read_text(ASSIGNMENT / name)
    assert regions, "the student files must hold solution regions"
    assert released.count("raise NotImplementedError(") == len(regions)
    assert released.count("# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****") \
        == len(regions)
    assert "SOLUTION" not in released
    for region in regions:
        first_words = " ".join(region.todo.split()[:5])
        assert f"# TODO: {first_words}" in released


@pytest.mark.parametrize("name", STUDENT_FILES)
def test_no_reference_line_leaks_into_the_skeleton(name):
    source = read_text(SOLUTIONS / name)
    lines = source.splitlines()
    inside = set()
    for region in find_regions(source, label=name):
        inside.update(range(region.begin, region.end - 1))  # 0-based body lines
    body = {lines[i].strip() for i in inside if lines[i].strip()}
    # A line that also occurs outside the regions is not a secret.
    public = {line.strip() for i, line in enumerate(lines) if i not in inside}
    released = {line.strip() for line in read_text(ASSIGNMENT / name).splitlines()}
    leaked = (body - public) & released
    assert not leaked, f"reference code in the released {name}: {sorted(leaked)}"


def test_the_public_tests_pass_on_the_solutions(run_python):
    result = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                        cwd=SOLUTIONS)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\b\d+ passed\b", result.stdout)
    assert "failed" not in result.stdout


def test_the_public_tests_fail_on_the_skeleton_with_the_stub_messages(run_python):
    result = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=short",
                         "tests"], cwd=ASSIGNMENT)
    assert result.returncode == 1, result.stdout[-3000:]
    summary = result.stdout.splitlines()[-1]
    assert re.search(r"\d+ failed", summary), summary
    errors = [line for line in result.stdout.splitlines()
              if re.match(r"E\s+\w+(Error|Exception)\b", line)]
    assert errors, result.stdout[-3000:]
    # Every failure is a stub speaking, never a TypeError on a None the stub returned.
    assert all(line.split()[1].startswith("NotImplementedError:") for line in errors), errors
    assert any("dropout_forward: Implement training phase" in line for line in errors)
    assert any("FullyConnectedNet.__init__: Initialize" in line for line in errors)
