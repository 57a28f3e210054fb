"""conv_forward_naive: output size, cross-correlation, bias, padding, stride, purity.

Each classic mistake costs in one check: the checks other than the cross-correlation one
use kernels equal to their 180-degree rotation (a flip changes nothing there), only the
bias check has a non-zero bias, only the padding check pads, only the stride check
strides, and an output one row and column short (the missing + 1, charged by the shape
check) is compared elsewhere on the part it has. Nothing here is statistical.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import Failure, about, equal, real_array, together

from . import calls, data, diagnose


def _reference(ref, case, **changes):
    """The reference output for ``case``, with ``changes`` (w=, b=, stride=, pad=) made:
    the right answer, or with changes, a classic mistake's answer."""
    param = dict(case["param"])
    param.update({k: changes.pop(k) for k in ("stride", "pad") if k in changes})
    args = {"x": case["x"], "w": case["w"], "b": case["b"], **changes}
    return ref.layers.conv_forward_naive(args["x"], args["w"], args["b"], param)[0]


def _short(ref, case):
    """The output of the missing-+1 size formula: the reference's, one row and column short."""
    want = _reference(ref, case)
    return want[:, :, :-1, :-1]


def _values(student, ref, cases, where, variants):
    """Run every case side by side; fail on the first whose output is not the reference's."""
    outs = together(student, *(lambda c=c: calls.conv_forward(student, c)[0] for c in cases))
    for case, out in zip(cases, outs):
        label = where(case)
        want = _reference(ref, case)
        with about(label):
            got, expected = diagnose.comparable(out, want, "out", _short(ref, case))
        if not diagnose.matches(got, expected):
            raise diagnose.wrong_values(got, expected, "out", label, variants(case))


SHAPE_CASES = (  # (x shape, w shape, stride, pad): every size divides evenly, as documented
    ((2, 3, 7, 9), (4, 3, 3, 3), 1, 0), ((2, 3, 7, 9), (4, 3, 3, 3), 2, 0),
    ((1, 2, 7, 9), (2, 2, 1, 3), 3, 0), ((2, 1, 7, 9), (3, 1, 5, 5), 2, 0),
    ((1, 3, 6, 8), (2, 3, 3, 3), 1, 1), ((1, 3, 5, 9), (2, 3, 3, 5), 2, 2))


@pytest.mark.points(8)
@pytest.mark.visibility("visible")
def test_forward_output_shape(student, ref):
    """conv_forward_naive: the output has shape (N, F, H', W') for any stride and padding"""
    cases = [data.conv_case(f"shape-{k}", *spec, symmetric=True)
             for k, spec in enumerate(SHAPE_CASES)]
    outs = together(student, *(lambda c=c: calls.conv_forward(student, c)[0] for c in cases))
    for case, out in zip(cases, outs):
        x, w, param = case["x"], case["w"], case["param"]
        label = (f"for x of shape {x.shape}, w of shape {w.shape}, stride {param['stride']} "
                 f"and pad {param['pad']}")
        got = real_array(out, f"{label}, out", finite=False)
        want = _reference(ref, case).shape
        if got.shape == want:
            continue
        unpadded = _reference(ref, case, pad=0).shape
        if param["pad"] and got.shape == unpadded:
            continue  # the padding check charges an unpadded output
        why = ("" if got.shape != want[:2] + (want[2] - 1, want[3] - 1)
               else f": {diagnose.SIZE}")
        if got.shape == _reference(ref, case, stride=1).shape:
            why = ": that is the size for stride 1; divide by the stride"
        raise Failure(f"{label}, out has shape {got.shape}; it must be {want}{why}.")


@pytest.mark.points(10)
@pytest.mark.visibility("visible")
def test_forward_cross_correlation(student, ref):
    """conv_forward_naive: each output is the sum of a window times the filter, not flipped"""
    cases = [data.conv_case("xcorr-a", (2, 3, 6, 7), (4, 3, 3, 2), 1, 0, bias=False),
             data.conv_case("xcorr-b", (3, 2, 5, 5), (2, 2, 4, 3), 1, 0, bias=False)]
    _values(student, ref, cases,
            lambda c: f"for x of shape {c['x'].shape} and w of shape {c['w'].shape} "
                      "(stride 1, no padding, zero bias)",
            lambda c: [(_reference(ref, c, w=c["w"][:, :, ::-1, ::-1]), diagnose.FLIPPED)])


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_forward_bias(student, ref):
    """conv_forward_naive: filter f's bias b[f] is added to all of its outputs"""
    cases = [data.conv_case("bias-a", (2, 3, 5, 6), (4, 3, 3, 3), 1, 0, symmetric=True)]
    _values(student, ref, cases, lambda c: "with a non-zero bias (stride 1, no padding)",
            lambda c: [(_reference(ref, c, b=np.zeros_like(c["b"])), diagnose.NO_BIAS)])


@pytest.mark.points(8)
@pytest.mark.visibility("visible")
def test_forward_padding(student, ref):
    """conv_forward_naive: the input is padded with pad zeros on every side"""
    cases = [data.conv_case("pad-1", (2, 3, 5, 6), (3, 3, 3, 3), 1, 1, symmetric=True,
                            bias=False),
             data.conv_case("pad-2", (1, 2, 4, 5), (2, 2, 3, 3), 1, 2, symmetric=True,
                            bias=False)]
    for case in cases:
        out = calls.conv_forward(student, case)[0]
        label = f"with pad {case['param']['pad']} (stride 1)"
        shape = real_array(out, f"{label}, out", finite=False).shape
        if shape == _reference(ref, case, pad=0).shape:
            raise Failure(f"{label}, out has shape {shape}, the shape without padding: "
                          f"{diagnose.NO_PADDING}.")
        with about(label):
            got, want = diagnose.comparable(out, _reference(ref, case), "out",
                                            _short(ref, case))
        if not diagnose.matches(got, want):
            edge = _edge_padded(ref, case)
            raise diagnose.wrong_values(got, want, "out", label, [(edge, (
                "the input was padded with copies of its border; pad with zeros "
                "(np.pad's default mode='constant')"))])


def _edge_padded(ref, case):
    pad = case["param"]["pad"]
    x = np.pad(case["x"], ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="edge")
    return ref.layers.conv_forward_naive(x, case["w"], case["b"],
                                         {"stride": case["param"]["stride"], "pad": 0})[0]


@pytest.mark.points(8)
@pytest.mark.visibility("visible")
def test_forward_stride(student, ref):
    """conv_forward_naive: windows move by the stride"""
    cases = [data.conv_case("stride-2", (2, 3, 7, 9), (3, 3, 3, 3), 2, 0, symmetric=True,
                            bias=False),
             data.conv_case("stride-3", (1, 2, 8, 11), (2, 2, 2, 2), 3, 0, symmetric=True,
                            bias=False)]

    def stride_one(case):
        want = _reference(ref, case)
        return _reference(ref, case, stride=1)[:, :, :want.shape[2], :want.shape[3]]

    _values(student, ref, cases, lambda c: f"with stride {c['param']['stride']} (no padding)",
            lambda c: [(stride_one(c), diagnose.NO_STRIDE)])


@pytest.mark.points(2)
@pytest.mark.visibility("after_due_date")
def test_forward_inputs_unchanged(student, ref):
    """conv_forward_naive: x, w and b are left unchanged"""
    case = data.conv_case("pure-forward", (2, 3, 5, 5), (2, 3, 3, 3), 2, 1)
    x, w, b = (calls.held(student, case[k]) for k in ("x", "w", "b"))
    out, _ = calls.forward(student, calls.CONV_FORWARD, x, w, b, dict(case["param"]))
    real_array(out, "out", finite=False)  # the function must run and give an array
    if not np.any(out):
        raise Failure("conv_forward_naive returned only zeros; this check needs its output")
    for name, handle in (("x", x), ("w", w), ("b", b)):
        after = calls.read_back(student, handle)
        if not equal(after, case[name], f"{name} afterwards"):
            raise Failure(f"conv_forward_naive changed the caller's {name}. Leave the inputs "
                          "alone: pad a copy of x (np.pad returns a new array).")


for _name in [n for n in globals() if n.startswith("test_")]:
    globals()[_name] = diagnose.explaining(globals()[_name])
