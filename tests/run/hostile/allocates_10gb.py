import numpy as np


def grab():
    return np.ones(10 * 2**30 // 8)
