"""max_pool_forward_naive and max_pool_backward_naive.

The inputs are Gaussian, so every pooling window has one maximum: the gradient is
defined everywhere and a backward pass that breaks ties another way (to the first
maximum, the last, or all of them) is just as right (see README.md). Square windows
whose stride equals their size (the notebook's layout) are checked first; rectangular
windows and strides other than the window size each in a check of their own, so that
reading pool_height for the width, or the size for the stride, costs one check.
Nothing here is statistical.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import Failure, about, equal, real_array, together

from . import calls, data, diagnose


def _reference(ref, case, **changes):
    param = dict(case["param"], **changes)
    return ref.layers.max_pool_forward_naive(case["x"], param)[0]


def _stride_is_size(ref, case):
    """The output of windows moved by the pool size (pool_height down, pool_width across)."""
    p = case["param"]
    full = _reference(ref, case, stride=1)
    return full[:, :, ::p["pool_height"], ::p["pool_width"]]


def _label(case) -> str:
    p = case["param"]
    return (f"for x of shape {case['x'].shape}, a {p['pool_height']}x{p['pool_width']} "
            f"window and stride {p['stride']}")


def _forward_values(student, ref, cases, *, strict_shape: bool, charged_elsewhere=()):
    """Each case's out against the reference; an out equal to the mistake named in
    ``charged_elsewhere`` (a key of the variants below) passes: its own check charges it."""
    outs = together(student, *(lambda c=c: calls.pool_forward(student, c)[0] for c in cases))
    for case, out in zip(cases, outs):
        want, label, p = _reference(ref, case), _label(case), case["param"]
        short = want[:, :, :-1, :-1]
        if strict_shape and getattr(out, "shape", None) == short.shape:
            raise Failure(f"{label}, out has shape {out.shape}; it must be {want.shape}: "
                          f"{diagnose.POOL_SIZE}.")
        named = {"width": (_reference(ref, case, pool_width=p["pool_height"]),
                           diagnose.POOL_WIDTH),
                 "stride": (_stride_is_size(ref, case), diagnose.POOL_STRIDE)}
        if any(diagnose.first_match(out, [named[key]]) for key in charged_elsewhere
               if isinstance(out, np.ndarray)):
            continue
        variants = list(named.values())
        known = (diagnose.first_match(out, variants) if isinstance(out, np.ndarray)
                 and out.shape != want.shape else None)
        if known:
            raise Failure(f"{label}, out has shape {out.shape}; it must be {want.shape}: "
                          f"{known}.")
        with about(label):
            got, expected = diagnose.comparable(out, want, "out", None if strict_shape else short)
        if not diagnose.matches(got, expected):
            raise diagnose.wrong_values(got, expected, "out", label, variants)


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_pool_forward(student, ref):
    """max_pool_forward_naive: 2x2 windows with stride 2 give each window's maximum"""
    cases = [data.pool_case("pool-2x2", (2, 3, 8, 6), 2, 2, 2),
             data.pool_case("pool-3x3", (1, 2, 9, 6), 3, 3, 3)]
    _forward_values(student, ref, cases, strict_shape=True)


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_pool_forward_rectangular(student, ref):
    """max_pool_forward_naive: windows of pool_height x pool_width"""
    cases = [data.pool_case("pool-2x3", (2, 2, 6, 9), 2, 3, 2),
             data.pool_case("pool-2x1", (1, 3, 6, 5), 2, 1, 2)]
    _forward_values(student, ref, cases, strict_shape=False, charged_elsewhere=("stride",))


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_pool_forward_stride(student, ref):
    """max_pool_forward_naive: windows move by the stride, also when they overlap"""
    cases = [data.pool_case("pool-overlap", (2, 2, 5, 6), 2, 2, 1),
             data.pool_case("pool-3s2", (1, 3, 7, 9), 3, 3, 2)]
    _forward_values(student, ref, cases, strict_shape=False)


@pytest.mark.points(5)
@pytest.mark.visibility("visible")
def test_pool_backward_to_max_only(student, ref):
    """max_pool_backward_naive: the gradient goes to each window's maximum only"""
    cases = [data.pool_case("route-2x2", (2, 3, 8, 6), 2, 2, 2),
             data.pool_case("route-3x3", (1, 2, 9, 6), 3, 3, 3)]
    results = together(student, *(lambda c=c: calls.pool_backward(student, c) for c in cases))
    for case, dx in zip(cases, results):
        label, p = _label(case), case["param"]
        want = ref.layers.max_pool_backward_naive(case["dout"], (case["x"], dict(p)))
        with about(label):
            got = real_array(dx, "dx", shape=want.shape)
        if not diagnose.matches(got, want):
            area = p["pool_height"] * p["pool_width"]
            raise diagnose.wrong_values(got, want, "dx", label, [
                (diagnose.spread(case["dout"], want.shape, p, 1.0), diagnose.EVERY_POSITION),
                (diagnose.spread(case["dout"], want.shape, p, 1.0 / area), diagnose.AVERAGED)])


@pytest.mark.points(3)
@pytest.mark.visibility("after_due_date")
def test_pool_backward_overlapping_windows_add_up(student, ref):
    """max_pool_backward_naive: where windows overlap, their gradients add up"""
    cases = [data.pool_case("overlap-2s1", (2, 2, 6, 7), 2, 2, 1),
             data.pool_case("overlap-3s2", (1, 3, 7, 7), 3, 3, 2)]
    results = together(student, *(lambda c=c: calls.pool_backward(student, c) for c in cases))
    for case, dx in zip(cases, results):
        label, p = _label(case), case["param"]
        want = ref.layers.max_pool_backward_naive(case["dout"], (case["x"], dict(p)))
        with about(label):
            got = real_array(dx, "dx", shape=want.shape)
        area = p["pool_height"] * p["pool_width"]
        spread = [diagnose.spread(case["dout"], want.shape, p, scale) for scale in (1, 1 / area)]
        if diagnose.matches(got, want) or diagnose.first_match(got, [(s, "-") for s in spread]):
            continue  # a gradient spread over the window is the routing check's to charge
        if diagnose.matches(got, diagnose.routed_last_writer(case)):
            raise Failure(f"{label}: dx lost the gradient of some windows: where windows "
                          "overlap, add each window's gradient (dx[...] += ...); do not "
                          "assign it (=).")
        raise diagnose.wrong_values(got, want, "dx", label)


@pytest.mark.points(2)
@pytest.mark.visibility("after_due_date")
def test_pool_inputs_unchanged(student, ref):
    """max_pool_forward_naive and max_pool_backward_naive leave x and dout unchanged"""
    case = data.pool_case("pure-pool", (2, 2, 6, 6), 2, 2, 2)
    x, dout = calls.held(student, case["x"]), calls.held(student, case["dout"])
    out, cache = calls.forward(student, calls.POOL_FORWARD, x, dict(case["param"]))
    dx = calls.pool_backward(student, case, dout, cache)
    for what, value in (("out", out), ("dx", dx)):
        if not np.any(real_array(value, what, finite=False)):
            raise Failure(f"{what} was all zeros; this check needs the layer's output")
    either = "max_pool_forward_naive or max_pool_backward_naive"
    for name, handle, function in (("x", x, either), ("dout", dout, "max_pool_backward_naive")):
        after = calls.read_back(student, handle)
        if not equal(after, case[name], f"{name} afterwards"):
            raise Failure(f"{function} changed the caller's {name}. A window "
                          "x[n, c, i:i + ph, j:j + pw] is a view: masking it in place "
                          "writes into x. Compare into a new array (window == window.max()).")


for _name in [n for n in globals() if n.startswith("test_")]:
    globals()[_name] = diagnose.explaining(globals()[_name])
