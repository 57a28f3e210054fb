"""Calling the submission's layers through its worker, and taking what comes back apart.

Forward passes keep their cache in the worker (``call_holding``): the suite only ever
hands it back to the matching backward pass, so the backward pass reads the student's
own cache format. Arrays come back as plain data and are judged by the comparison
helpers of ``grader.suites``; here they are only unpacked.
"""

from __future__ import annotations

from grader.suites import Failure, describe

LAYERS = "cs231n.layers"
CONV_FORWARD = f"{LAYERS}:conv_forward_naive"
CONV_BACKWARD = f"{LAYERS}:conv_backward_naive"
POOL_FORWARD = f"{LAYERS}:max_pool_forward_naive"
POOL_BACKWARD = f"{LAYERS}:max_pool_backward_naive"
CACHE = [1]  # where the cache is in what a forward pass returns


def _name(target: str) -> str:
    return target.rpartition(":")[2]


def _pair(result, function: str):
    """(out, cache handle) from a forward pass's (out, cache)."""
    if result is None:
        raise Failure(f"{function} returned None: it is not implemented yet")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure(f"{function} must return a tuple (out, cache); it returned "
                      f"{describe(result)}")
    return result[0], result[1]


def forward(student, target: str, *args):
    """The student's forward pass: (out as returned, handle to the cache in the worker)."""
    result = student.guard(_name(target), student.session.call_holding, target, CACHE, *args)
    return _pair(result, _name(target))


def conv_forward(student, case: dict):
    return forward(student, CONV_FORWARD, case["x"], case["w"], case["b"], dict(case["param"]))


def pool_forward(student, case: dict):
    return forward(student, POOL_FORWARD, case["x"], dict(case["param"]))


def conv_cache(student, case: dict):
    """The student's own cache for ``case``; when their forward pass cannot give one (not
    written yet, or broken), the skeleton's format (x, w, b, conv_param), so a correct
    backward pass earns its points whatever the forward pass does."""
    try:
        return conv_forward(student, case)[1]
    except Failure:
        return (case["x"], case["w"], case["b"], dict(case["param"]))


def pool_cache(student, case: dict):
    try:
        return pool_forward(student, case)[1]
    except Failure:
        return (case["x"], dict(case["param"]))


def conv_backward(student, case: dict, cache=None):
    """(dx, dw, db) as returned by the student's conv_backward_naive."""
    cache = conv_cache(student, case) if cache is None else cache
    grads = student.call(CONV_BACKWARD, case["dout"], cache)
    if grads is None:
        raise Failure("conv_backward_naive returned None: it is not implemented yet")
    if not isinstance(grads, (tuple, list)) or len(grads) != 3:
        raise Failure("conv_backward_naive must return a tuple (dx, dw, db); it returned "
                      f"{describe(grads)}")
    return tuple(grads)


def pool_backward(student, case: dict, dout=None, cache=None):
    cache = pool_cache(student, case) if cache is None else cache
    dx = student.call(POOL_BACKWARD, case["dout"] if dout is None else dout, cache)
    if dx is None:
        raise Failure("max_pool_backward_naive returned None: it is not implemented yet")
    return dx


def held(student, array):
    """A copy of ``array`` living in the worker (arguments are copied into the worker, so
    only an array that lives there shows whether a function wrote into its input)."""
    return student.guard("copying an input", student.session.new, "numpy:array", array)


def read_back(student, handle):
    return student.guard("reading an input back", student.session.call_method, handle, "copy")
