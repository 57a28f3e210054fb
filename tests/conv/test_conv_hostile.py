"""Hostile returns: NaN, wrong shapes, wrong types and huge arrays fail with a message and
never crash the judge (status graded, no internal error)."""

from __future__ import annotations

import pytest
from conv_helpers import REFERENCE_LAYERS, grade, lost

from grader.audit.catalogue import replace_functions

HOSTILE = {
    "nan_forward": '''
import numpy as np
def conv_forward_naive(x, w, b, conv_param):
    N, F = x.shape[0], w.shape[0]
    H = 1 + (x.shape[2] + 2 * conv_param["pad"] - w.shape[2]) // conv_param["stride"]
    W = 1 + (x.shape[3] + 2 * conv_param["pad"] - w.shape[3]) // conv_param["stride"]
    return np.full((N, F, H, W), np.nan), (x, w, b, conv_param)
def max_pool_backward_naive(dout, cache):
    return np.full(cache[0].shape, np.nan)
''',
    "wrong_shapes": '''
import numpy as np
def conv_forward_naive(x, w, b, conv_param):
    return np.ones((3,)), (x, w, b, conv_param)
def conv_backward_naive(dout, cache):
    return np.ones((2, 2)), np.ones(1), np.ones((5, 5, 5))
def max_pool_forward_naive(x, pool_param):
    return x, (x, pool_param)
''',
    "wrong_types": '''
def conv_forward_naive(x, w, b, conv_param):
    return "out", None
def conv_backward_naive(dout, cache):
    return [[1.0]], "dw"
def max_pool_forward_naive(x, pool_param):
    return {"out": 1}
def max_pool_backward_naive(dout, cache):
    return 7
''',
    "huge_arrays": '''
import numpy as np
def conv_forward_naive(x, w, b, conv_param):
    return np.zeros((2000, 2000)), (x, w, b, conv_param)
def conv_backward_naive(dout, cache):
    return np.zeros((2000, 2000)), np.zeros((2000, 2000)), np.zeros(4_000_000)
def max_pool_backward_naive(dout, cache):
    return np.zeros((2000, 2000), dtype=complex)
''',
}


@pytest.fixture(scope="module")
def hostile_results(tmp_path_factory):
    work = tmp_path_factory.mktemp("conv-hostile")
    reference = REFERENCE_LAYERS.read_text(encoding="utf-8")
    folders = []
    for name, code in HOSTILE.items():
        folder = work / "submissions" / name
        folder.mkdir(parents=True)
        (folder / "layers.py").write_text(replace_functions(reference, code), encoding="utf-8")
        folders.append(folder)
    return grade(folders, work / "staged")


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_values_fail_with_a_message(name, hostile_results):
    result = hostile_results[name]
    assert result.status == "graded", result.output
    failed = lost(result)
    assert failed and result.score < 100
    for test, message in failed.items():
        assert message and "could not use what your code returned" not in message, (test,
                                                                                    message)
