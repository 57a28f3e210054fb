"""The ``student`` facade the hidden suites use: student code called through a worker session.

Nothing here imports student code. Every call goes through a :class:`WorkerSession` (the
sandboxed one, or the in-process test double) and comes back as plain data or an opaque
handle. Errors from the worker become :class:`Failure` exceptions whose text is what the
student reads; what stopped the worker is also recorded in ``Student.events`` so the judge
can set the submission's status even when a test catches the failure.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import InternalError
from ..paths import solutions_dir
from .errors import LimitExceeded, ProtocolError, StudentError, WorkerCrashed
from .lockstep import session_for, side_by_side

LAYERS = "cs231n.layers"
FC_NET = "cs231n.classifiers.fc_net"
SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")
CACHE = [1]  # where the cache is in what dropout_forward returns
# Directory part of a path: students see file names only, never where the grader keeps them.
_DIRS = re.compile(r"(?<![\w.\-])(?:[A-Za-z]:)?(?:[/\\][^\s\"'(),:;<>\[\]]+)+[/\\](?=[^/\\\s])")
_LOCATION = re.compile(r"(layers\.py|fc_net\.py)\"?(?:, line |:)(\d+)")


class Failure(Exception):
    """A check failed; ``str(failure)`` is the student-facing explanation."""


class StudentRaised(Failure):
    """Student code raised an exception."""

    def __init__(self, message: str, *, type_name: str = "") -> None:
        super().__init__(message)
        self.type_name = type_name


class Stopped(Failure):
    """The worker was stopped by a limit, died, or broke the protocol."""

    def __init__(self, message: str, *, kind: str = "crashed") -> None:
        super().__init__(message)
        self.kind = kind  # a submission status: "timeout", "limit" or "crashed"


def clean(text: str) -> str:
    """Student-facing text: directories removed, length bounded."""
    text = _DIRS.sub("", str(text)).strip()
    return text if len(text) <= 600 else text[:600] + " ..."


def location(traceback_text: str) -> str:
    """'layers.py line 42' for the innermost frame in the student's files, else ''."""
    found = _LOCATION.findall(traceback_text or "")
    return f"{found[-1][0]} line {found[-1][1]}" if found else ""


def describe_student_error(what: str, error: StudentError) -> str:
    if error.type_name in SYNTAX_ERRORS:
        return f"{what} failed: {error.type_name}: {clean(error.message)}"
    where = location(error.traceback_text)
    message = clean(error.message)
    text = f"{what} raised {error.type_name}" + (f": {message}" if message else "")
    return text + (f" ({where})" if where else "")


def limit_kind(error: LimitExceeded) -> str:
    return "timeout" if "wall" in str(error.limit).lower() else "limit"


class Student:
    """One submission as the hidden tests see it."""

    def __init__(self, session, *, files: tuple[str, ...],
                 sources: dict[str, bytes] | None = None) -> None:
        self._session = session
        self.files = tuple(files)
        self.sources = dict(sources or {})  # submitted name -> staged source, read as text
        self.events: list[tuple[str, str]] = []  # (status kind, student-facing message)
        self._reference_net: type | None = None  # the reference net wired to these layers
        self.net_unavailable: str | None = None  # why fc_net.py cannot be used, if it cannot
        self.memo: dict = {}  # results several tests share (see grader.suites.shared)
        self.layers = _Layers(self)

    @property
    def session(self):
        """The worker session, or inside :meth:`side_by_side` the caller's batching lane."""
        return session_for(self._session)

    @property
    def has_fc_net(self) -> bool:
        return "fc_net.py" in self.files

    def side_by_side(self, functions) -> list[tuple[bool, object]]:
        """Run ``functions`` with their calls batched (see :mod:`grader.run.lockstep`)."""
        return side_by_side(self._session, functions)

    def guard(self, what: str, action, *args, **kwargs):
        """Run one session operation, turning worker errors into failures."""
        try:
            return action(*args, **kwargs)
        except StudentError as error:
            raise StudentRaised(describe_student_error(what, error),
                                type_name=error.type_name) from None
        except LimitExceeded as error:
            message = f"{what} was stopped: it exceeded the {error.limit} limit"
            self.events.append((limit_kind(error), message))
            raise Stopped(message, kind=limit_kind(error)) from None
        except WorkerCrashed as error:
            message = f"the process running {what} died ({clean(error.detail)})"
            self.events.append(("crashed", message))
            raise Stopped(message, kind="crashed") from None
        except ProtocolError as error:
            message = f"{what} sent back something the grader cannot accept ({clean(error.detail)})"
            self.events.append(("crashed", message))
            raise Stopped(message, kind="crashed") from None

    def call(self, target: str, *args, **kwargs):
        name = target.rpartition(":")[2]
        return self.guard(name, self.session.call, target, *args, **kwargs)

    def make_net(self, **kwargs):
        """The student's FullyConnectedNet, or the reference net around the student's layers."""
        if self.net_unavailable:
            raise Failure(self.net_unavailable)
        if self.has_fc_net:
            remote_kwargs = {k: _wire_dtype(v) if k == "dtype" else v for k, v in kwargs.items()}
            handle = self.guard("FullyConnectedNet(...)", self.session.new,
                                f"{FC_NET}:FullyConnectedNet", **remote_kwargs)
            return RemoteNet(self, handle)
        if self._reference_net is None:
            self._reference_net = reference_net_class(self.layers)
        return self._reference_net(**kwargs)


class _Layers:
    """``student.layers``: the dropout functions of the student's layers.py."""

    def __init__(self, student: Student) -> None:
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

    def __init__(self, student: Student, handle) -> None:
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

    def __init__(self, student: Student, handle) -> None:
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


def reference_package() -> types.ModuleType:
    """The reference ``cs231n`` package (solutions/), imported in the trusted process."""
    root = solutions_dir()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    package = importlib.import_module("cs231n")
    for module in (LAYERS, FC_NET):  # what the course package has of these
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if not (error.name and module.startswith(error.name)):
                raise
    origin = Path(package.__file__).resolve()
    if root.resolve() not in origin.parents:
        raise InternalError(f"the cs231n package imported by the grader is {origin}, "
                            f"not the reference solution under {root}")
    return package


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
