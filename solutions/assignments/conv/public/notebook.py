"""The ConvolutionalNetworks notebook's inputs and published answers (CS231n assignment 2).

``correct_out`` arrays are the notebook's own, printed to 8 decimals, which is why its
forward checks expect a difference around 1e-8 rather than rounding error.
"""

from __future__ import annotations

import numpy as np

CONV_CORRECT_OUT = np.array([
    [[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
     [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
     [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
    [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
     [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
     [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])

POOL_CORRECT_OUT = np.array([
    [[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
     [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
     [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
    [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
     [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
     [[0.32631579, 0.34105263], [0.38526316, 0.4]]]])

# What the notebook prints for a correct layer, and the bound each check applies.
CONV_FORWARD_BOUND = 1e-7  # "difference should be around 2e-8"
CONV_BACKWARD_BOUND = 1e-7  # "errors should be around e-8 or less"
POOL_FORWARD_BOUND = 1e-7  # "difference should be on the order of e-8"
POOL_BACKWARD_BOUND = 1e-10  # "error should be around e-12"


def conv_forward_inputs():
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    x = np.linspace(-0.1, 0.5, num=int(np.prod(x_shape))).reshape(x_shape)
    w = np.linspace(-0.2, 0.3, num=int(np.prod(w_shape))).reshape(w_shape)
    b = np.linspace(-0.1, 0.2, num=3)
    return x, w, b, {"stride": 2, "pad": 1}


def conv_backward_inputs():
    """The notebook's draws, in its order, from the legacy global stream seeded 231."""
    state = np.random.RandomState(231)
    x = state.randn(4, 3, 5, 5)
    w = state.randn(2, 3, 3, 3)
    b = state.randn(2)
    dout = state.randn(4, 2, 5, 5)
    return x, w, b, dout, {"stride": 1, "pad": 1}


def pool_forward_inputs():
    x_shape = (2, 3, 4, 4)
    x = np.linspace(-0.3, 0.4, num=int(np.prod(x_shape))).reshape(x_shape)
    return x, {"pool_width": 2, "pool_height": 2, "stride": 2}


def pool_backward_inputs():
    state = np.random.RandomState(231)
    x = state.randn(3, 2, 8, 8)
    dout = state.randn(3, 2, 4, 4)
    return x, dout, {"pool_height": 2, "pool_width": 2, "stride": 2}
