# A detached child that would outlive its worker if only the worker were killed.
import os

if os.fork() == 0:
    os.setsid()
    try:
        os.execvp("sleep", ["sleep", "987.654"])
    finally:
        os._exit(0)


def dropout_forward(x, dropout_param):
    raise NotImplementedError


def dropout_backward(dout, cache):
    raise NotImplementedError
