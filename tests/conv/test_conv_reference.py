"""The reference reproduces the ConvolutionalNetworks notebook's published checks; Quiz 8's
Q4 reference is the same function; the public checks pass on it and fail on the skeleton;
the suite's own inputs are what its README says they are."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from conv_helpers import CONV, PUBLIC, REFERENCE_LAYERS, SKELETON_LAYERS, folder_with, grade

from grader.quiz.model import load_quiz
from grader.run.proxy import reference_package

# Quiz 8's Q4 reference, from the quiz's domain block: it must be this assignment's.
reference_conv = load_quiz(CONV.parents[2] / "quizzes" / "quiz8").domain.hook("reference_conv")


def _gradient_check():
    reference_package()  # puts solutions/ first on sys.path
    return importlib.import_module("cs231n.gradient_check")


def _load(relative: str, name: str):
    """A module of the assignment folder by path (these two import nothing of their folder)."""
    spec = importlib.util.spec_from_file_location(name, CONV / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


notebook = _load("public/notebook.py", "conv_public_notebook")
data = _load("suite/data.py", "conv_suite_data")


def rel_error(x, y):
    return np.max(np.abs(x - y) / (np.maximum(1e-8, np.abs(x) + np.abs(y))))


@pytest.fixture(scope="module")
def layers():
    return reference_package().layers


def test_conv_forward_matches_the_notebooks_correct_out(layers):
    x, w, b, param = notebook.conv_forward_inputs()
    out, _ = layers.conv_forward_naive(x, w, b, param)
    assert rel_error(out, notebook.CONV_CORRECT_OUT) == pytest.approx(2.2121e-08, rel=1e-3)


def test_conv_backward_passes_the_notebooks_gradient_check(layers):
    x, w, b, dout, param = notebook.conv_backward_inputs()
    numeric = _gradient_check().eval_numerical_gradient_array
    f = layers.conv_forward_naive
    dx_num = numeric(lambda x: f(x, w, b, param)[0], x, dout)
    dw_num = numeric(lambda w: f(x, w, b, param)[0], w, dout)
    db_num = numeric(lambda b: f(x, w, b, param)[0], b, dout)
    dx, dw, db = layers.conv_backward_naive(dout, f(x, w, b, param)[1])
    # The notebook prints about 1.6e-08, 1.8e-10 and 2.6e-11: "around e-8 or less".
    assert rel_error(dx, dx_num) < 5e-8
    assert rel_error(dw, dw_num) < 1e-9
    assert rel_error(db, db_num) < 1e-10


def test_max_pool_matches_the_notebook(layers):
    x, param = notebook.pool_forward_inputs()
    out, _ = layers.max_pool_forward_naive(x, param)
    assert rel_error(out, notebook.POOL_CORRECT_OUT) == pytest.approx(4.1667e-08, rel=1e-3)
    x, dout, param = notebook.pool_backward_inputs()
    f = layers.max_pool_forward_naive
    dx_num = _gradient_check().eval_numerical_gradient_array(
        lambda x: f(x, param)[0], x, dout)
    dx = layers.max_pool_backward_naive(dout, f(x, param)[1])
    assert rel_error(dx, dx_num) == pytest.approx(3.2756e-12, rel=1e-2)  # printed: 3.28e-12


@pytest.mark.parametrize("pad, stride", [(0, 1), (1, 1), (2, 1), (1, 2), (0, 3), (2, 2)])
def test_quiz_q4_reference_is_the_assignments(layers, pad, stride):
    rng = np.random.default_rng(pad * 10 + stride)
    x, w, b = rng.standard_normal((2, 3, 7, 8)), rng.standard_normal((4, 3, 3, 2)), \
        rng.standard_normal(4)
    want = layers.conv_forward_naive(x, w, b, {"stride": stride, "pad": pad})[0]
    assert np.array_equal(reference_conv(x, w, b, pad, stride), want)
    flipped = layers.conv_forward_naive(x, w[:, :, ::-1, ::-1], b,
                                        {"stride": stride, "pad": pad})[0]
    assert np.array_equal(reference_conv(x, w, b, pad, stride, flip=True), flipped)
    assert np.allclose(reference_conv(x, w, b, pad, stride, bias=False),
                       want - b[None, :, None, None])


def test_public_checks_pass_on_the_reference_and_fail_on_the_skeleton(tmp_path):
    folders = [folder_with(tmp_path / "subs", "reference", REFERENCE_LAYERS.read_text()),
               folder_with(tmp_path / "subs", "skeleton", SKELETON_LAYERS.read_text())]
    results = grade(folders, tmp_path / "staged", suite=PUBLIC)
    assert results["reference"].score == results["reference"].max_score > 0
    assert results["skeleton"].score == 0
    assert all("NotImplementedError" in t.output for t in results["skeleton"].tests)


def test_suite_inputs_never_tie_in_a_pooling_window():
    """The README's claim that lets every tie convention be correct."""
    names = [("pool-2x2", (2, 3, 8, 6), 2, 2, 2), ("pool-3x3", (1, 2, 9, 6), 3, 3, 3),
             ("route-2x2", (2, 3, 8, 6), 2, 2, 2), ("route-3x3", (1, 2, 9, 6), 3, 3, 3),
             ("overlap-2s1", (2, 2, 6, 7), 2, 2, 1), ("overlap-3s2", (1, 3, 7, 7), 3, 3, 2)]
    for key in names:
        x = data.pool_case(*key)["x"]
        assert len(np.unique(x)) == x.size, key


def test_suite_cases_are_read_only():
    case = data.conv_case("grad", (2, 3, 5, 5), (4, 3, 3, 3), 1, 1)
    for key in ("x", "w", "b", "dout"):
        assert not case[key].flags.writeable, key
