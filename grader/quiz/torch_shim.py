"""A tiny numpy-backed ``torch`` for running Q4 answers in the sandbox.

Students answer Q4 with the handout's snippet, which calls ``torch.zeros`` and
``torch.nn.functional.pad`` on what would be tensors; the worker has numpy only. These
sources are written into the staged folder as a ``torch`` package so the snippet runs
on ndarrays (numpy 2 arrays already carry ``.device``). They are data here, never
imported by the grader.
"""

from __future__ import annotations

INIT = '''"""numpy stand-in for the few torch calls a convolution snippet makes."""
import numpy as _np

from . import nn  # noqa: F401

float32, float64, float16 = _np.float32, _np.float64, _np.float16
int64, int32, long = _np.int64, _np.int32, _np.int64
double, float = _np.float64, _np.float32
Tensor = _np.ndarray


def _shape(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


def zeros(*shape, dtype=None, device=None, **_):
    return _np.zeros(_shape(shape), dtype=dtype or _np.float32)


def ones(*shape, dtype=None, device=None, **_):
    return _np.ones(_shape(shape), dtype=dtype or _np.float32)


def empty(*shape, dtype=None, device=None, **_):
    return _np.zeros(_shape(shape), dtype=dtype or _np.float32)


def zeros_like(x, dtype=None, **_):
    return _np.zeros_like(x, dtype=dtype)


def tensor(data, dtype=None, device=None, **_):
    return _np.asarray(data, dtype=dtype)


def as_tensor(data, dtype=None, device=None, **_):
    return _np.asarray(data, dtype=dtype)


def from_numpy(data):
    return _np.asarray(data)


def sum(x, dim=None, axis=None, **_):
    return _np.sum(x, axis=dim if dim is not None else axis)


def matmul(a, b):
    return _np.matmul(a, b)


def flip(x, dims):
    return _np.flip(x, axis=tuple(dims))


def einsum(spec, *ops):
    return _np.einsum(spec, *ops)
'''

NN_INIT = '''from . import functional  # noqa: F401
'''

FUNCTIONAL = '''import numpy as _np


def pad(x, pad, mode="constant", value=0.0):
    """torch.nn.functional.pad: pairs (left, right), (top, bottom), ... from the last dim."""
    x = _np.asarray(x)
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (int(pad[2 * k]), int(pad[2 * k + 1]))
    return _np.pad(x, widths, mode="constant", constant_values=value)
'''

FILES = {
    "torch/__init__.py": INIT,
    "torch/nn/__init__.py": NN_INIT,
    "torch/nn/functional.py": FUNCTIONAL,
}
