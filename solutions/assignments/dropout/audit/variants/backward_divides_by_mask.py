import numpy as np


def dropout_backward(dout, cache):
    dropout_param, mask = cache
    if dropout_param["mode"] == "train":
        with np.errstate(divide="ignore"):
            return dout / mask  # inverts the mask: inf wherever a unit was dropped
    return dout
