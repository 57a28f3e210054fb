"""The public checks on hostile values: NaN, inf and wrong types fail with a message, never
pass and never end in internal_error; the reference keeps every public point."""

from __future__ import annotations

import pytest
from check_helpers import leaks, run_check

from grader import course, paths
from grader.audit.catalogue import replace_functions
from grader.run.judge import judge
from grader.run.local_session import LocalSlot
from grader.run.model import Submission
from grader.run.stage import SupportPackage, prepare, write_staged

LAYERS = (paths.solutions_dir() / "cs231n" / "layers.py").read_text(encoding="utf-8")
NET = (paths.solutions_dir() / "cs231n" / "classifiers" / "fc_net.py").read_text(
    encoding="utf-8")
NAN = "where the reference is finite"

BACKWARD_NAN = """
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        return np.full(dout.shape, np.nan)
    return dout
"""
BACKWARD_ONE_INF = """
def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        dx = dout * mask
        dx.flat[3] = np.inf
        return dx
    return dout
"""


def net_loss(body: str) -> str:
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return (NET + "\n\n_reference_loss = FullyConnectedNet.loss\n\n\n"
            "def _hostile_loss(self, X, y=None):\n    result = _reference_loss(self, X, y)\n"
            f"{lines}\n\nFullyConnectedNet.loss = _hostile_loss\n")


def net_init(body: str) -> str:
    lines = "".join(f"    {line}\n" for line in body.splitlines())
    return (NET + "\n\n_reference_init = FullyConnectedNet.__init__\n\n\n"
            "def _hostile_init(self, *args, **kwargs):\n    _reference_init(self, *args, **kwargs)\n"
            f"{lines}\n\nFullyConnectedNet.__init__ = _hostile_init\n")


GRADS = "if y is None:\n    return result\nloss, grads = result\n"
# name -> (layers.py, fc_net.py, {public test's shown name (start): words of its message})
CASES = {
    "backward_nan": (replace_functions(LAYERS, BACKWARD_NAN), NET, {
        "dropout_backward: dx matches": f"dx contains NaN {NAN}"}),
    "backward_one_inf": (replace_functions(LAYERS, BACKWARD_ONE_INF), NET, {
        "dropout_backward: dx matches": f"dx contains inf {NAN} (1 of 48 entries)"}),
    "net_grads_nan": (LAYERS, net_loss(
        GRADS + "return loss, {k: v * np.nan for k, v in grads.items()}"), {
        "FullyConnectedNet: gradients agree": f"grads['W1'] contains NaN {NAN}"}),
    "net_loss_nan": (LAYERS, net_loss(GRADS + "return np.nan, grads"), {
        # nan != nan made "dropout changes the training loss" pass.
        "FullyConnectedNet: dropout = 0.5 changes": f"the loss from loss(X, y) is NaN {NAN}"}),
    "net_loss_one_entry_array": (LAYERS, net_loss(GRADS + "return np.array([loss]), grads"), {
        "FullyConnectedNet: gradients agree": "must be a number; it is an array"}),
    "net_seed_array": (LAYERS, net_init(
        "if 'seed' in self.dropout_param:\n"
        "    self.dropout_param['seed'] = np.array([self.dropout_param['seed']] * 2)"), {
        "FullyConnectedNet: dropout_param holds": "it is an array of dtype int64 and shape (2,)"}),
    "net_scores_handle": (LAYERS, net_loss("return object() if y is None else result"), {
        "FullyConnectedNet: test-time scores": "must be a numpy array; it is an object"}),
    "forward_bool": (replace_functions(LAYERS, """
def dropout_forward(x, dropout_param):
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if dropout_param["mode"] == "train":
        mask = np.random.rand(*x.shape) < dropout_param["p"]
        return mask, (dropout_param, mask / dropout_param["p"])
    return x, (dropout_param, None)
"""), NET, {"dropout_backward: dx matches": "dx relative error"}),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("public_hostile")
    support = SupportPackage.load(paths.assignment_dir())
    staged = []
    for name, (layers, net, _) in {"reference": (LAYERS, NET, {}), **CASES}.items():
        folder = root / "submissions" / name
        folder.mkdir(parents=True)
        (folder / "layers.py").write_text(layers, encoding="utf-8")
        (folder / "fc_net.py").write_text(net, encoding="utf-8")
        files = {"layers.py": folder / "layers.py", "fc_net.py": folder / "fc_net.py"}
        staged.append(write_staged(prepare(Submission(student=name, files=files)),
                                   root / "staged" / name, support))
    results = {}
    judge(staged, slot=LocalSlot(), suite_dir=course.find("dropout").public,
          on_result=lambda r: results.setdefault(r.student, r))
    return results


def test_the_reference_keeps_every_public_point(graded):
    result = graded["reference"]
    assert result.status == "graded" and result.score == result.max_score > 0


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_value_fails_the_public_check_with_a_message(graded, name):
    result, expected = graded[name], CASES[name][2]
    assert result.status == "graded", result.output
    assert not [t.name for t in result.tests if t.status == "error"]
    assert result.score < graded["reference"].score
    for start, words in expected.items():
        test = next(t for t in result.tests if t.name.startswith(start))
        assert not test.passed and words in test.output, test.output
        assert not leaks(test.output)


def test_grader_check_shows_fail_for_a_nan_gradient(solved):
    layers = solved / "cs231n" / "layers.py"
    layers.write_text(replace_functions(layers.read_text(), BACKWARD_NAN))
    code, out = run_check(solved)
    assert code == 1
    assert f"dx contains NaN {NAN}" in " ".join(out.split())
    assert not leaks(out)
