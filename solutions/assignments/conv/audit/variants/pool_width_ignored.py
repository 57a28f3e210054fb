import numpy as np


def max_pool_forward_naive(x, pool_param):
    size, stride = pool_param["pool_height"], pool_param["stride"]  # square windows assumed
    N, C, H, W = x.shape
    H_out = 1 + (H - size) // stride
    W_out = 1 + (W - size) // stride
    out = np.zeros((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x[:, :, i * stride:i * stride + size, j * stride:j * stride + size]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out, (x, pool_param)
