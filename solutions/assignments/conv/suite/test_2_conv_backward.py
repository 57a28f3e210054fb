"""conv_backward_naive: dx, dw and db by a gradient check; stride and padding; purity.

The answers are the reference forward pass's gradients by central differences (exact up
to rounding: the layer is linear in each input), cross-checked with the reference
backward pass. The backward pass gets the cache of the student's own forward pass; when
that forward pass cannot run, the skeleton's cache (x, w, b, conv_param), so a correct
backward pass earns its points on its own. dx and dw overlap only in the first checks
(stride 1, overlapping windows), the stride check uses windows that do not overlap, and
db is judged once. Nothing here is statistical.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import Failure, about, equal, real_array, together

from . import calls, data, diagnose

GRADIENT = ("grad", (2, 3, 5, 5), (4, 3, 3, 3), 1, 1)  # the notebook's layout, smaller
STRIDED = (("stride-2", (2, 2, 6, 6), (3, 2, 2, 2), 2, 1),
           ("stride-3", (1, 3, 7, 10), (2, 3, 3, 3), 3, 1))
# 1x1 filters with stride 1: no overlap and no stride, so only the cropping is judged here.
UNPADDED = (("nopad-1", (2, 3, 4, 5), (2, 3, 1, 1), 1, 0),
            ("nopad-2", (1, 2, 3, 6), (3, 2, 1, 1), 1, 0))
NAMES = ("dx", "dw", "db")


def _grads(student, key):
    return calls.conv_backward(student, data.conv_case(*key))


def _check(student, ref, keys, which, where, variants=lambda key, name: (), results=None):
    """Every case side by side; fail on the first gradient (of ``which``) that is wrong."""
    if results is None:
        results = together(student, *(lambda k=k: _grads(student, k) for k in keys))
    for key, grads in zip(keys, results):
        wants = data.reference_gradients(ref, key)
        for index in which:
            name, label = NAMES[index], where(key)
            with about(label):
                got = real_array(grads[index], name, shape=wants[index].shape)
            if not diagnose.matches(got, wants[index]):
                raise diagnose.wrong_values(got, wants[index], name, label,
                                            variants(key, name))


def _label(key) -> str:
    _, x_shape, w_shape, stride, pad = key
    return f"for x of shape {x_shape}, w of shape {w_shape}, stride {stride} and pad {pad}"


@pytest.mark.points(8)
@pytest.mark.visibility("visible")
def test_backward_dx(student, ref):
    """conv_backward_naive: dx passes the gradient check"""
    case = data.conv_case(*GRADIENT)
    _check(student, ref, [GRADIENT], [0], _label,
           lambda key, name: [(diagnose.overwritten_dx(case), diagnose.OVERWRITTEN)])


@pytest.mark.points(8)
@pytest.mark.visibility("visible")
def test_backward_dw(student, ref):
    """conv_backward_naive: dw passes the gradient check"""
    case = data.conv_case(*GRADIENT)
    flipped = ref.layers.conv_backward_naive(
        case["dout"], (case["x"], case["w"], case["b"], dict(case["param"])))[1][:, :, ::-1, ::-1]
    _check(student, ref, [GRADIENT], [1], _label, lambda key, name: [(flipped, (
        "dw is flipped: it is the gradient of a flipped-kernel convolution; dw[f] is the "
        "sum of dout[n, f, i, j] * window(i, j)"))])


@pytest.mark.points(5)
@pytest.mark.visibility("visible")
def test_backward_db(student, ref):
    """conv_backward_naive: db passes the gradient check"""
    n = GRADIENT[1][0]
    want = data.reference_gradients(ref, GRADIENT)[2]
    _check(student, ref, [GRADIENT], [2], _label,
           lambda key, name: [(want / n, diagnose.DB_AVERAGED)])


@pytest.mark.points(7)
@pytest.mark.visibility("visible")
def test_backward_stride(student, ref):
    """conv_backward_naive: dx and dw follow the stride"""
    def ignored(key, name):
        case = data.conv_case(*key)
        param = dict(case["param"], stride=1)
        grads = ref.layers.conv_backward_naive(case["dout"],
                                               (case["x"], case["w"], case["b"], param))
        return [(grads[NAMES.index(name)], diagnose.BACKWARD_STRIDE)]

    _check(student, ref, list(STRIDED), [0, 1], _label, ignored)


@pytest.mark.points(4)
@pytest.mark.visibility("after_due_date")
def test_backward_no_padding(student, ref):
    """conv_backward_naive: dx and dw are right with pad = 0"""
    results = together(student, *(lambda k=k: _grads(student, k) for k in UNPADDED))
    for key, grads in zip(UNPADDED, results):
        wants = data.reference_gradients(ref, key)
        got = real_array(grads[0], "dx", finite=False)
        if got.shape != wants[0].shape and got.size == 0:
            raise Failure(f"{_label(key)}: dx has shape {got.shape}, it must be "
                          f"{wants[0].shape}. With pad = 0, dx_pad[:, :, pad:-pad, pad:-pad] "
                          "is empty: slice with pad:pad + H and pad:pad + W instead.")
    _check(student, ref, list(UNPADDED), [0, 1], _label, results=results)


@pytest.mark.points(2)
@pytest.mark.visibility("after_due_date")
def test_backward_inputs_unchanged(student, ref):
    """conv_backward_naive: dout and the cached x, w, b are left unchanged"""
    case = data.conv_case("pure-backward", (2, 3, 5, 5), (2, 3, 3, 3), 1, 1)
    held = {k: calls.held(student, case[k]) for k in ("x", "w", "b", "dout")}
    # The skeleton's cache around arrays living in the worker, so that a forward pass that
    # writes into x is not charged here too; the student's own cache if theirs differs.
    try:
        grads = calls.conv_backward(student, dict(case, dout=held["dout"]),
                                    (held["x"], held["w"], held["b"], dict(case["param"])))
    except Failure as failure:
        if diagnose.unimplemented(str(failure)):
            raise
        _, cache = calls.forward(student, calls.CONV_FORWARD, held["x"], held["w"],
                                 held["b"], dict(case["param"]))
        grads = calls.conv_backward(student, dict(case, dout=held["dout"]), cache)
    dx = real_array(grads[0], "dx", finite=False)
    if not np.any(dx):
        raise Failure("conv_backward_naive returned dx of only zeros; this check needs it")
    for name, handle in held.items():
        after = calls.read_back(student, handle)
        with about(f"{name} afterwards"):
            same = equal(after, case[name], name)
        if not same:
            raise Failure(f"conv_backward_naive changed the caller's {name} (through the "
                          "cache or dout). Work on new arrays: np.zeros_like, np.pad.")


for _name in [n for n in globals() if n.startswith("test_")]:
    globals()[_name] = diagnose.explaining(globals()[_name])
