"""Returns large arrays, over and over: the judge must not keep them all."""
import numpy as np

_KEPT = {}


def big(megabytes):
    if megabytes not in _KEPT:
        _KEPT[megabytes] = np.ones(megabytes * 2**20 // 8)
    return _KEPT[megabytes]
