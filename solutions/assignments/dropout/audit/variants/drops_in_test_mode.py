import numpy as np


def dropout_forward(x, dropout_param):
    p = dropout_param["p"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    mask = (np.random.rand(*x.shape) < p) / p  # drops in test mode too
    out = x * mask
    return out.astype(x.dtype, copy=False), (dropout_param, mask)
