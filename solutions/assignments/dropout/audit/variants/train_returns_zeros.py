import numpy as np


def dropout_forward(x, dropout_param):
    # A placeholder that returns something of the right shape and dtype: no dropout at all.
    if dropout_param["mode"] == "train":
        return np.zeros_like(x), (dropout_param, np.zeros_like(x))
    return x, (dropout_param, None)
