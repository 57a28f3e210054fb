"""A well-behaved submission: must keep working in a slot after every hostile one."""
import os
import tempfile

import numpy as np


def dropout_forward(x, p, seed):
    rng = np.random.default_rng(seed)
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask


def add(a, b):
    return a + b


def leftovers(places):
    """What an earlier submission could have left where this one can write."""
    places = {tempfile.gettempdir(), os.environ.get("HOME", "."), *places}
    found = {}
    for place in places:
        try:
            found[place] = sorted(os.listdir(place))
        except OSError:
            pass
    return found
