import numpy as np


def dropout_forward(x, dropout_param):
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "train":
        keep = np.random.rand(*x.shape) < p
        mask = np.where(keep, 1.0 / p, 0.0)
        return np.where(keep, x / p, 0).astype(x.dtype), (dropout_param, mask)
    return x.copy(), (dropout_param, None)
