import numpy as np


def max_pool_backward_naive(dout, cache):
    x, pool_param = cache
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, _, _ = x.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(dout.shape[2]):
                for j in range(dout.shape[3]):
                    window = x[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw]
                    mask = window == window.max()
                    # = where overlapping windows need +=
                    dx[n, c, i * stride:i * stride + ph, j * stride:j * stride + pw] = (
                        mask * dout[n, c, i, j])
    return dx
