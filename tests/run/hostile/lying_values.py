"""Values that pretend: an ndarray subclass that lies, objects that equal everything,
and objects that would run code if they were unpickled."""
import collections
import os

import numpy as np


class Liar(np.ndarray):
    def __eq__(self, other):
        return True

    def tobytes(self, order="C"):
        return b"\x00" * self.nbytes

    def view(self, *args, **kwargs):
        raise RuntimeError("no views for you")

    def __array__(self, *args, **kwargs):
        return np.zeros(self.shape)


class AlwaysEqual:
    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


class PickleBomb:
    def __reduce__(self):
        return (os.system, ("touch /tmp/pickle-bomb-ran",))


def liar():
    return np.arange(6.0).reshape(2, 3).view(Liar)


def always_equal():
    return AlwaysEqual()


def pickle_bomb():
    return {"model": PickleBomb(), "ok": 1}


def named():
    return collections.namedtuple("Pair", "a b")(1, np.float32(2.5))


def deep():
    value = []
    for _ in range(200):
        value = [value]
    return value
