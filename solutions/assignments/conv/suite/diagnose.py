"""Naming the classic mistakes, each only when the numbers match it.

A check fails first, on a comparison with the reference; then the mistaken variant of
each classic mistake is computed with the reference (a flipped kernel, no bias, no
padding, stride 1, db / N, ...) and named only when the submission's numbers equal it.
The verdict never depends on this module.
"""

from __future__ import annotations

import copy
import functools
import re

import numpy as np

from grader.suites import Failure, close, real_array, relative_error

TOLERANCE = 1e-6  # relative to the largest reference value; rounding is ~1e-15 here

FLIPPED = ("the kernel was flipped: CS231n's convolution layer is a cross-correlation, "
           "out[n, f, i, j] = sum(window * w[f]) with w as given, not w[:, :, ::-1, ::-1]")
NO_BIAS = "the bias is missing: add b[f] to every output of filter f"
NO_PADDING = ("the input was not padded: add conv_param['pad'] zeros on each side, "
              "np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))")
NO_STRIDE = ("the windows moved by 1 pixel instead of by the stride: window (i, j) starts "
             "at row i * stride and column j * stride")
SIZE = ("the output size is H' = 1 + (H + 2 * pad - HH) // stride (and likewise W'); "
        "yours is one less: the + 1 is missing")
POOL_SIZE = ("the output size is H' = 1 + (H - pool_height) // stride (and likewise W' "
             "with pool_width); yours is one less: the + 1 is missing")
DB_AVERAGED = ("db is the mean over the batch; it is the SUM of dout over the examples "
               "and positions, db[f] = dout[:, f].sum() (no division by N)")
BACKWARD_STRIDE = ("the backward pass ignored the stride: the gradient of output (i, j) "
                   "belongs to the window starting at row i * stride and column j * stride")
OVERWRITTEN = ("where windows overlap their contributions must add up: use += into "
               "dx_pad, not =")
EVERY_POSITION = ("the gradient went to every position of the pooling window; it belongs "
                  "to the position of the window's maximum only")
AVERAGED = ("the gradient was shared equally over the pooling window (the backward pass "
            "of average pooling); max pooling sends it to the maximum only")
POOL_WIDTH = "the window used pool_height for its width too: read pool_param['pool_width']"
POOL_STRIDE = ("the windows moved by the pool size instead of by pool_param['stride'] "
               "(they are equal in the notebook, but not in general)")


def comparable(got, want: np.ndarray, what: str, short: np.ndarray | None = None):
    """``got`` validated against ``want``; when its spatial size is one less than
    ``want``'s (the output-size mistake, which the shape check charges), the common corner
    of both, so that one mistake costs one check. Returns (got, want) to compare."""
    if short is not None and getattr(got, "shape", None) == short.shape:
        corner = tuple(slice(0, n) for n in short.shape)
        return real_array(got, what), want[corner]
    return real_array(got, what, shape=want.shape), want


def matches(got, want) -> bool:
    return close(got, want, "the value", rtol=0.0,
                 atol=TOLERANCE * max(float(np.max(np.abs(want), initial=0.0)), 1e-12))


def first_match(got, variants) -> str | None:
    """The explanation of the first (variant, explanation) whose variant ``got`` equals."""
    for variant, explanation in variants:
        if variant is not None and np.shape(got) == np.shape(variant) and matches(got, variant):
            return explanation
    return None


def wrong_values(got, want, what: str, where: str, variants=()) -> Failure:
    error = relative_error(got, want, what)
    known = first_match(got, variants)
    text = f"{where}: {what} differs from the reference (relative error {error:.1e})"
    return Failure(text + (f": {known}." if known else "."))


def spread(dout: np.ndarray, x_shape, param: dict, scale: float) -> np.ndarray:
    """dout * scale sent to every position of each pooling window (summed over overlaps)."""
    ph, pw, stride = param["pool_height"], param["pool_width"], param["stride"]
    dx = np.zeros(x_shape)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] += (
                scale * dout[:, :, i, j][:, :, None, None])
    return dx


def overwritten_dx(case: dict) -> np.ndarray:
    """dx of a conv backward pass that assigns (=) each window's contribution, looping
    over output positions with the batch and filters at once (the usual way to write it)."""
    x, w, param, dout = case["x"], case["w"], case["param"], case["dout"]
    stride, pad = param["stride"], param["pad"]
    HH, WW = w.shape[2:]
    dx_pad = np.zeros((x.shape[0], x.shape[1], x.shape[2] + 2 * pad, x.shape[3] + 2 * pad))
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            dx_pad[:, :, i * stride:i * stride + HH, j * stride:j * stride + WW] = (
                np.tensordot(dout[:, :, i, j], w, axes=([1], [0])))
    return dx_pad[:, :, pad:pad + x.shape[2], pad:pad + x.shape[3]]


def routed_last_writer(case: dict) -> np.ndarray:
    """dx of a max-pool backward pass that assigns (=) each window's masked gradient, the
    windows in row-major order: where windows overlap, the last one wins."""
    x, p, dout = case["x"], case["param"], case["dout"]
    ph, pw, stride = p["pool_height"], p["pool_width"], p["stride"]
    dx = np.zeros_like(x)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            window = x[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw]
            mask = window == window.max(axis=(2, 3), keepdims=True)
            dx[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw] = (
                mask * dout[:, :, i, j][:, :, None, None])
    return dx


_RAISED = re.compile(r"\b(?P<name>\w+) raised NotImplementedError")
_NONE = re.compile(r"(?P<name>\w+) returned None")


def unimplemented(message: str) -> str | None:
    """One line for a function still raising the skeleton's NotImplementedError (or
    returning None), in every check that needs it; None for any other failure."""
    found = _RAISED.search(message) or _NONE.search(message)
    if not found:
        return None
    return f"{found['name']} is not implemented yet; this check needs it"


def explaining(test):
    """``test``, with a failure caused by an unimplemented function said in one line."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except Failure as failure:
            short = unimplemented(str(failure))
            if short is None:
                raise
            fresh = copy.copy(failure)
            fresh.args = (short,)
            raise fresh from None
    return run
