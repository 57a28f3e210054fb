"""The suite's inputs and the reference's answers for them.

Every input comes from a generator seeded by a name, so the suite asks every submission
the same questions and a verdict never depends on chance: nothing here is statistical.
Inputs are Gaussian, so no two values of a pooling window tie (ties have probability 0,
and tests/conv checks these very arrays), and the max-pool gradient is defined everywhere.
"""

from __future__ import annotations

import hashlib
from functools import cache

import numpy as np


def rng(key: str) -> np.random.Generator:
    seed = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "little")
    return np.random.default_rng(seed)


def normal(shape, key: str) -> np.ndarray:
    array = rng(key).standard_normal(shape)
    array.setflags(write=False)  # a case is shared by every submission: nobody may edit it
    return array


def kernel(shape, key: str, *, symmetric: bool) -> np.ndarray:
    """Filters; ``symmetric`` ones equal their 180-degree rotation, so a flipped kernel
    gives the same output and only the cross-correlation check charges a flip."""
    w = rng(key).standard_normal(shape)
    if symmetric:
        w = (w + w[:, :, ::-1, ::-1]) / 2
    w.setflags(write=False)
    return w


def output_size(size: int, window: int, stride: int, pad: int = 0) -> int:
    return 1 + (size + 2 * pad - window) // stride


@cache
def conv_case(name: str, x_shape: tuple, w_shape: tuple, stride: int, pad: int, *,
              symmetric: bool = False, bias: bool = True) -> dict:
    """x, w, b, conv_param and an upstream gradient of the output's shape."""
    x = normal(x_shape, f"{name}-x")
    w = kernel(w_shape, f"{name}-w", symmetric=symmetric)
    b = normal((w_shape[0],), f"{name}-b") if bias else np.zeros(w_shape[0])
    H = output_size(x_shape[2], w_shape[2], stride, pad)
    W = output_size(x_shape[3], w_shape[3], stride, pad)
    dout = normal((x_shape[0], w_shape[0], H, W), f"{name}-dout")
    return {"x": x, "w": w, "b": b, "param": {"stride": stride, "pad": pad}, "dout": dout}


@cache
def pool_case(name: str, x_shape: tuple, height: int, width: int, stride: int) -> dict:
    x = normal(x_shape, f"{name}-x")
    H, W = output_size(x_shape[2], height, stride), output_size(x_shape[3], width, stride)
    dout = normal((x_shape[0], x_shape[1], H, W), f"{name}-dout")
    param = {"pool_height": height, "pool_width": width, "stride": stride}
    return {"x": x, "param": param, "dout": dout}


def numeric_gradients(ref, case: dict, h: float = 1e-5) -> tuple:
    """dx, dw, db of the reference forward pass by central differences (the notebook's
    gradient check). The layer is linear in each argument, so the differences are exact
    up to rounding (about 1e-10 relative here), whatever h."""
    x, w, b, param, dout = (case[k] for k in ("x", "w", "b", "param", "dout"))

    def grad(position: int) -> np.ndarray:
        args = [np.array(x), np.array(w), np.array(b)]
        target = args[position]
        result = np.zeros_like(target)
        for index in np.ndindex(target.shape):
            saved = target[index]
            target[index] = saved + h
            plus = ref.layers.conv_forward_naive(*args, dict(param))[0]
            target[index] = saved - h
            minus = ref.layers.conv_forward_naive(*args, dict(param))[0]
            target[index] = saved
            result[index] = np.sum((plus - minus) * dout) / (2 * h)
        return result

    return grad(0), grad(1), grad(2)


_GRADIENTS: dict = {}


def reference_gradients(ref, key: tuple) -> tuple:
    """The gradient check's answer for ``conv_case(*key)``, computed once per process and
    cross-checked with the reference backward pass (a disagreement is the suite's bug)."""
    if key not in _GRADIENTS:
        case = conv_case(*key)
        numeric = numeric_gradients(ref, case)
        analytic = ref.layers.conv_backward_naive(
            case["dout"], (case["x"], case["w"], case["b"], dict(case["param"])))
        for got, want in zip(analytic, numeric):
            scale = max(float(np.max(np.abs(want))), 1e-12)
            if float(np.max(np.abs(got - want))) / scale > 1e-7:
                raise RuntimeError(f"the reference conv_backward_naive disagrees with the "
                                   f"gradient check on case {key[0]}")
        _GRADIENTS[key] = numeric
    return _GRADIENTS[key]
