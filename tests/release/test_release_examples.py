"""The bundled class in examples/submissions: generated from the reference, and each
student's code behaves the way examples/README.md says it does."""

import importlib.util
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
CLASS = ROOT / "examples" / "submissions"
CORRECT = ["alice_nguyen", "bo_chen", "carmen_diaz", "julia_santos", "nadia_haddad",
           "oscar_lindqvist"]


def layers_of(student):
    [path] = sorted((CLASS / student).rglob("layers.py"))
    return path


def load(student):
    # These are the project's own generated files, so importing them here is safe.
    spec = importlib.util.spec_from_file_location(f"example_{student}", layers_of(student))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def forward_facts(student, p=0.4):
    module = load(student)
    np.random.seed(231)
    x = np.random.randn(500, 500) + 10
    out, cache = module.dropout_forward(x, {"mode": "train", "p": p})
    test_out, _ = module.dropout_forward(x, {"mode": "test", "p": p})
    return module, x, out, cache, test_out


def test_the_committed_class_is_what_the_script_writes(run_python):
    result = run_python([str(ROOT / "examples" / "make_submissions.py"), "--check"], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_student_is_described_in_the_readme():
    readme = (ROOT / "examples" / "README.md").read_text()
    students = sorted(p.name for p in CLASS.iterdir() if p.is_dir())
    assert len(students) >= 10
    assert all(f"`{student}`" in readme for student in students)


@pytest.mark.parametrize("student", CORRECT)
def test_correct_students_pass_the_layer_statistics(student):
    module, x, out, cache, test_out = forward_facts(student)
    assert abs((out == 0).mean() - 0.6) < 0.006
    assert abs(out.mean() - x.mean()) < 0.3
    assert np.array_equal(test_out, x)
    dout = np.ones_like(x)
    np.testing.assert_allclose(module.dropout_backward(dout, cache), out / x, rtol=1e-12)


def test_randn_mistake_keeps_about_phi_of_p():
    _, _, out, _, _ = forward_facts("dmitri_volkov")
    keep = 0.5 * (1 + math.erf(0.4 / math.sqrt(2)))
    assert abs((out != 0).mean() - keep) < 0.006


def test_vanilla_dropout_shrinks_the_train_mean_and_scales_at_test_time():
    _, x, out, _, test_out = forward_facts("emma_schmidt")
    assert abs(out.mean() - 0.4 * x.mean()) < 0.3
    np.testing.assert_allclose(test_out, 0.4 * x)


def test_p_read_as_drop_probability_zeroes_about_p():
    _, x, out, _, _ = forward_facts("farah_khan")
    assert abs((out == 0).mean() - 0.4) < 0.006
    assert abs(out.mean() - x.mean()) < 0.3  # consistent in itself, so the mean survives


def test_drop_with_p_rescale_by_one_over_p_inflates_the_mean():
    _, x, out, _, _ = forward_facts("george_okafor")
    assert abs((out == 0).mean() - 0.4) < 0.006
    assert abs(out.mean() - 0.6 / 0.4 * x.mean()) < 0.3


def test_shared_mask_drops_whole_columns():
    _, _, out, _, _ = forward_facts("kwame_mensah")
    assert np.array_equal(out[0] == 0, out[1] == 0)


def test_unscaled_backward_misses_the_one_over_p():
    module, x, out, cache, _ = forward_facts("lena_mueller")
    dx = module.dropout_backward(np.ones_like(x), cache)
    np.testing.assert_array_equal(dx, (out != 0).astype(float))


def test_dropout_at_test_time_zeroes_test_outputs():
    _, _, _, _, test_out = forward_facts("mateo_rossi")
    assert abs((test_out == 0).mean() - 0.6) < 0.006


def test_the_syntax_error_does_not_compile():
    with pytest.raises(SyntaxError):
        compile(layers_of("hana_sato").read_text(), "layers.py", "exec")


def test_the_untouched_skeleton_is_the_released_file():
    assert layers_of("ivan_petrov").read_bytes() == \
        (ROOT / "assignment" / "cs231n" / "layers.py").read_bytes()
    with pytest.raises(NotImplementedError, match="dropout_forward"):
        forward_facts("ivan_petrov")


NET_FACTS = r"""
import numpy as np
from cs231n.classifiers.fc_net import FullyConnectedNet
np.random.seed(231)
X, y = np.random.randn(2, 15), np.random.randint(10, size=2)
net = FullyConnectedNet([20, 30], input_dim=15, num_classes=10, weight_scale=5e-2,
                        dtype=np.float64, dropout=0.5, seed=123)
plain = FullyConnectedNet([20, 30], input_dim=15, num_classes=10, dtype=np.float64)
plain.params = {k: v.copy() for k, v in net.params.items()}
loss, grads = net.loss(X, y)
W, h, error = net.params["W1"], 1e-5, 0.0
for ix in np.ndindex(W.shape):
    old = W[ix]; W[ix] = old + h; up = net.loss(X, y)[0]; W[ix] = old - h
    down = net.loss(X, y)[0]; W[ix] = old
    num = (up - down) / (2 * h)
    error = max(error, abs(num - grads["W1"][ix]) / max(1e-8, abs(num) + abs(grads["W1"][ix])))
print(loss == plain.loss(X, y)[0], error < 1e-5)
"""


@pytest.mark.parametrize("student, same_as_plain, gradient_ok", [
    ("alice_nguyen", False, True), ("carmen_diaz", False, True),
    ("julia_santos", True, True),  # no dropout in loss(): consistent, but no regularization
    ("nadia_haddad", False, False),  # dropout forward, no dropout backward
])
def test_fc_net_students(student, same_as_plain, gradient_ok, tmp_path, run_python):
    staged = tmp_path / "cs231n"
    shutil.copytree(ROOT / "solutions" / "cs231n", staged,
                    ignore=shutil.ignore_patterns("__pycache__"))
    for path in (CLASS / student).rglob("*.py"):
        target = "classifiers/fc_net.py" if path.name == "fc_net.py" else path.name
        shutil.copy(path, staged / target)
    result = run_python(["-c", NET_FACTS], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(same_as_plain), str(gradient_ok)]
