import ctypes


def crash():
    return ctypes.string_at(0)
