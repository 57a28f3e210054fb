"""Public checks of the convolution layers, for ``grader check``: the notebook's own.

These are the ConvolutionalNetworks notebook's checks, with its inputs, its published
``correct_out`` arrays and its bounds, run the way the grader runs its hidden tests (in
the sandboxed worker, values judged by the helpers of ``grader.suites``). They ship to
students; the hidden tests are separate files that never do. The gradient checks are the
notebook's: central differences of the student's own forward pass, entry by entry.
"""

from __future__ import annotations

import numpy as np
import pytest

from grader.suites import Failure, below, entrywise_error, floats, real_array, together

from . import notebook

CONV_FORWARD = "cs231n.layers:conv_forward_naive"
CONV_BACKWARD = "cs231n.layers:conv_backward_naive"
POOL_FORWARD = "cs231n.layers:max_pool_forward_naive"
POOL_BACKWARD = "cs231n.layers:max_pool_backward_naive"
H = 1e-5  # the notebook's step (eval_numerical_gradient_array)


def _pair(result, function):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure(f"{function} must return a tuple (out, cache)")
    return result


def _out(student, target, *args, shape=None):
    """The forward pass's out (its cache stays in the worker)."""
    name = target.rpartition(":")[2]
    result = _pair(student.guard(name, student.session.call_holding, target, [1], *args), name)
    return floats(real_array(result[0], f"{name}'s out", shape=shape))


def _numeric(student, target, args: list, position: int, dout, out_shape):
    """The notebook's eval_numerical_gradient_array on the student's forward pass: every
    entry's two calls go to the worker side by side."""
    base = args[position]

    def shifted(index, step):
        moved = np.array(base, dtype=np.float64)
        moved[index] += step
        values = list(args)
        values[position] = moved
        return lambda: _out(student, target, *values, shape=out_shape)

    indices = list(np.ndindex(base.shape))
    outs = together(student, *(shifted(i, s) for i in indices for s in (H, -H)))
    grad = np.zeros(base.shape)
    for k, index in enumerate(indices):
        grad[index] = np.sum((outs[2 * k] - outs[2 * k + 1]) * dout) / (2 * H)
    return grad


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_conv_forward_matches_notebook(student):
    """conv_forward_naive: the notebook's correct_out (difference around 2e-8)"""
    x, w, b, param = notebook.conv_forward_inputs()
    out = _out(student, CONV_FORWARD, x, w, b, param)
    error = entrywise_error(out, notebook.CONV_CORRECT_OUT, "out")
    if not below(error, notebook.CONV_FORWARD_BOUND):
        raise Failure(f"difference {error:.2e}; it should be around 2e-8 (the notebook's "
                      "correct_out has 8 decimals). Check the padding, the stride, the bias, "
                      "and that the filter is not flipped.")


@pytest.mark.points(3)
@pytest.mark.visibility("visible")
def test_conv_backward_gradient_check(student):
    """conv_backward_naive: dx, dw and db pass the notebook's gradient check"""
    x, w, b, dout, param = notebook.conv_backward_inputs()
    out_shape = dout.shape
    args = [x, w, b, param]
    result = _pair(student.guard("conv_forward_naive", student.session.call_holding,
                                 CONV_FORWARD, [1], *args), "conv_forward_naive")
    grads = student.call(CONV_BACKWARD, dout, result[1])
    if not isinstance(grads, (tuple, list)) or len(grads) != 3:
        raise Failure("conv_backward_naive must return a tuple (dx, dw, db)")
    for position, name in enumerate(("dx", "dw", "db")):
        numeric = _numeric(student, CONV_FORWARD, args, position, dout, out_shape)
        error = entrywise_error(grads[position], numeric, name)
        if not below(error, notebook.CONV_BACKWARD_BOUND):
            raise Failure(f"{name} error {error:.2e}; it should be around 1e-8 or less")


@pytest.mark.points(2)
@pytest.mark.visibility("visible")
def test_max_pool_forward_matches_notebook(student):
    """max_pool_forward_naive: the notebook's correct_out (difference around 4e-8)"""
    x, param = notebook.pool_forward_inputs()
    out = _out(student, POOL_FORWARD, x, param)
    error = entrywise_error(out, notebook.POOL_CORRECT_OUT, "out")
    if not below(error, notebook.POOL_FORWARD_BOUND):
        raise Failure(f"difference {error:.2e}; it should be around 4e-8 (the notebook's "
                      "correct_out has 8 decimals)")


@pytest.mark.points(2)
@pytest.mark.visibility("visible")
def test_max_pool_backward_gradient_check(student):
    """max_pool_backward_naive: dx passes the notebook's gradient check"""
    x, dout, param = notebook.pool_backward_inputs()
    result = _pair(student.guard("max_pool_forward_naive", student.session.call_holding,
                                 POOL_FORWARD, [1], x, param), "max_pool_forward_naive")
    dx = student.call(POOL_BACKWARD, dout, result[1])
    numeric = _numeric(student, POOL_FORWARD, [x, param], 0, dout, dout.shape)
    error = entrywise_error(dx, numeric, "dx")
    if not below(error, notebook.POOL_BACKWARD_BOUND):
        raise Failure(f"dx error {error:.2e}; it should be around 1e-12. Each window's "
                      "gradient goes to the position of its maximum only.")
