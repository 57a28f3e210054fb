"""The Dropout exercise's ``student``: the engine's facade plus what this assignment calls.

The engine hands every suite a generic ``student`` (calls into the sandboxed worker, its
guard, its events). The suite package's ``prepare_student`` (this module's
:func:`attach`) adds what the Dropout checks use: ``student.layers`` (the dropout
functions of layers.py), ``student.make_net`` (the student's FullyConnectedNet living in
the worker, or the reference net wired to their layers when no fc_net.py was submitted),
``student.has_fc_net`` and ``student.net_unavailable``. Nothing here imports student code;
every value comes back as plain data.
"""

from __future__ import annotations

import types
from functools import lru_cache
from pathlib import Path

import numpy as np

from grader.run.proxy import Failure, clean, reference_package

LAYERS = "cs231n.layers"
FC_NET = "cs231n.classifiers.fc_net"
CACHE = [1]  # where the cache is in what dropout_forward returns


def attach(student) -> None:
    """Give ``student`` this assignment's facade (once; later calls change nothing)."""
    if student is None or getattr(student, "layers", None) is not None:
        return
    student.has_fc_net = "fc_net.py" in student.files
    student.net_unavailable = student.unavailable.get("fc_net.py")
    student.layers = _Layers(student)
    student.make_net = lambda **kwargs: make_net(student, **kwargs)


def make_net(student, **kwargs):
    """The student's FullyConnectedNet, or the reference net around the student's layers."""
    if student.net_unavailable:
        raise Failure(student.net_unavailable)
    if student.has_fc_net:
        remote_kwargs = {k: _wire_dtype(v) if k == "dtype" else v for k, v in kwargs.items()}
        handle = student.guard("FullyConnectedNet(...)", student.session.new,
                               f"{FC_NET}:FullyConnectedNet", **remote_kwargs)
        return RemoteNet(student, handle)
    wired = student.memo.get(("reference-net",))
    if wired is None:
        wired = student.memo[("reference-net",)] = reference_net_class(student.layers)
    return wired(**kwargs)


class _Layers:
    """``student.layers``: the dropout functions of the student's layers.py."""

    def __init__(self, student) -> None:
        self._student = student

    def dropout_forward(self, x, dropout_param):
        # The cache stays in the worker: the suites only ever hand it back to the backward.
        result = self._student.guard("dropout_forward", self._student.session.call_holding,
                                     f"{LAYERS}:dropout_forward", CACHE, x, dropout_param)
        return _forward_result(result)

    def dropout_backward(self, dout, cache):
        dx = self._student.call(f"{LAYERS}:dropout_backward", dout, cache)
        return _array(dx, "dropout_backward", "dx")

    def forward_watching_input(self, x, dropout_param):
        """dropout_forward on an array that stays in the worker, then that array read back.

        Arguments are copied into the worker, so only an array living there shows whether
        the student's function wrote into the caller's x.
        """
        session, guard = self._student.session, self._student.guard
        held = guard("copying the input", session.new, "numpy:array", x)
        result = guard("dropout_forward", session.call_holding, f"{LAYERS}:dropout_forward",
                       CACHE, held, dropout_param)
        after = guard("reading the input back", session.call_method, held, "copy")
        return _forward_result(result) + (_array(after, "the input", "x"),)


class RemoteNet:
    """A FullyConnectedNet living in the worker, used like the reference one."""

    def __init__(self, student, handle) -> None:
        self._student = student
        self._handle = handle
        self.params = RemoteParams(student, handle)

    def loss(self, X, y=None):
        args = (X,) if y is None else (X, y)
        return self._student.guard("FullyConnectedNet.loss", self._student.session.call_method,
                                   self._handle, "loss", *args)

    @property
    def dropout_param(self):
        return self._student.guard("reading net.dropout_param", self._student.session.get_attr,
                                   self._handle, "dropout_param")


class RemoteParams:
    """``net.params`` of a remote net: reads fetch the dict, writes go into that same dict."""

    def __init__(self, student, handle) -> None:
        self._student = student
        self._handle = handle
        self._dict = None  # handle to the student's own params dict, once needed

    def update(self, values: dict) -> None:
        """Set many entries in one round trip, in place (the net keeps its own dict object)."""
        guard, session = self._student.guard, self._student.session
        if self._dict is None:
            self._dict = guard("reading net.params", session.new, "builtins:getattr",
                               self._handle, "params")
        guard("setting net.params", session.call_method, self._dict, "update", values)

    def _fetch(self) -> dict:
        value = self._student.guard("reading net.params", self._student.session.get_attr,
                                    self._handle, "params")
        if not isinstance(value, dict):
            raise Failure("net.params must be a dict of arrays")
        return value

    def __getitem__(self, key):
        return self._fetch()[key]

    def __setitem__(self, key, value) -> None:
        self._student.guard(f"setting net.params[{key!r}]", self._student.session.set_item,
                            self._handle, "params", key, value)

    def keys(self):
        return self._fetch().keys()


def _wire_dtype(value):
    # Types cannot cross the channel; numpy accepts the dtype's name wherever it takes a type.
    return np.dtype(value).name if isinstance(value, (type, np.dtype)) else value


def _array(value, function: str, what: str) -> np.ndarray:
    if not isinstance(value, np.ndarray):
        raise Failure(f"{function} must return {what} as a numpy array; it returned "
                      f"{_kind(value)}")
    if value.dtype.kind not in "biuf":
        raise Failure(f"{function} returned {what} with dtype {value.dtype}; expected real "
                      "numbers")
    return value


def _forward_result(result):
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Failure("dropout_forward must return a tuple (out, cache); it returned "
                      + _kind(result))
    return _array(result[0], "dropout_forward", "out"), result[1]


def _kind(value) -> str:
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, (type(None), int, float, complex, str, bytes, dict, np.generic)):
        return "None" if value is None else f"a {type(value).__name__}"
    return "an object that is not plain data"


@lru_cache(maxsize=1)
def _reference_fc_net_code():
    path = Path(reference_package().classifiers.fc_net.__file__)
    return path, compile(path.read_text(encoding="utf-8"), str(path), "exec")


def reference_net_class(layers: _Layers) -> type:
    """A private copy of the reference fc_net whose dropout layers are the student's.

    The copy is a fresh module, so binding its globals never touches the reference module
    the ``ref`` fixture hands out.
    """
    path, code = _reference_fc_net_code()
    module = types.ModuleType(f"_reference_fc_net_{id(layers):x}")
    module.__file__ = str(path)
    exec(code, module.__dict__)  # noqa: S102 - the reference solution's own source

    def dropout_forward(x, dropout_param):
        out, cache = layers.dropout_forward(x, dropout_param)
        if out.shape != np.shape(x):
            raise Failure(f"in the net, dropout_forward returned out of shape {out.shape} "
                          f"for an input of shape {np.shape(x)}")
        return out, cache

    def dropout_backward(dout, cache):
        dx = layers.dropout_backward(dout, cache)
        if dx.shape != np.shape(dout):
            raise Failure(f"in the net, dropout_backward returned dx of shape {dx.shape} "
                          f"for dout of shape {np.shape(dout)}")
        return dx

    module.dropout_forward, module.dropout_backward = dropout_forward, dropout_backward

    class WiredNet(module.FullyConnectedNet):
        def loss(self, X, y=None):
            # The reference code is right for right inputs: when it fails here, it failed
            # on what the student's layers returned.
            try:
                return super().loss(X, y)
            except Failure:
                raise
            except Exception as error:  # noqa: BLE001 - any failure is the layers' values
                raise Failure("the reference net could not use what your dropout layers "
                              f"returned ({type(error).__name__}: {clean(str(error))})") from None

    return WiredNet
