"""An in-process stand-in for the sandboxed worker session, for the grader's own tests.

It imports a staged ``cs231n`` package into THIS process, so it must only ever run code we
wrote (the audit catalogue, test fixtures), never a real submission. It keeps the worker
session's interface and its data-only contract: arguments and results are copied the way
the channel copies them, values that are not plain data stay behind as opaque handles, and
exceptions come back as :class:`StudentError`. That makes a suite that passes here behave the
same through the real sandbox, minus isolation and limits.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import sys
import traceback
from pathlib import Path

import numpy as np

from .errors import ProtocolError, StudentError, WorkerCrashed, WorkerFailure
from .session import OPERATIONS

PACKAGE = "cs231n"
_SCALARS = (type(None), bool, int, float, complex, str, bytes)


class Handle:
    """An opaque reference to an object kept on the student's side."""

    __slots__ = ("ident",)

    def __init__(self, ident: int) -> None:
        self.ident = ident

    def __repr__(self) -> str:
        return f"<handle {self.ident}>"


class LocalSlot:
    """Same constructor and ``open`` as ``SandboxSlot``; no isolation at all."""

    level = "local"

    def __init__(self, *, level: str = "local", limits=None, workdir: Path | None = None):
        self.limits = limits

    def open(self, staged: Path) -> LocalSession:
        return LocalSession(Path(staged))

    def close(self) -> None:
        pass


class LocalSession:
    """One submission's modules, imported here from its staged folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.modules: dict[str, object] = {}  # the submission's own cs231n.* modules
        self.objects: dict[int, object] = {}
        self._out = io.StringIO()

    # -- the WorkerSession interface --------------------------------------------------
    def import_module(self, name: str) -> None:
        self._import(name)

    def call(self, target: str, *args, **kwargs):
        return self._run(self._resolve(target), args, kwargs)

    def call_holding(self, target: str, positions: list[int], *args, **kwargs):
        value = self._run_raw(self._resolve(target), args, kwargs)
        if isinstance(value, (tuple, list)):
            value = tuple(self._keep(item) if index in positions else item
                          for index, item in enumerate(value))
        return self._outbound(value)

    def new(self, target: str, *args, **kwargs) -> Handle:
        return self._keep(self._run_raw(self._resolve(target), args, kwargs))

    def call_method(self, handle: Handle, name: str, *args, **kwargs):
        return self._run(getattr(self._object(handle), name), args, kwargs)

    def get_attr(self, handle: Handle, name: str):
        return self._run(lambda: getattr(self._object(handle), name), (), {})

    def set_attr(self, handle: Handle, name: str, value) -> None:
        self._run(lambda: setattr(self._object(handle), name, self._inbound(value)), (), {})

    def set_item(self, handle: Handle, attr: str, key, value) -> None:
        def assign():
            getattr(self._object(handle), attr)[key] = self._inbound(value)
        self._run(assign, (), {})

    def many(self, operations) -> list:
        return many_in_turn(self, operations)

    def output(self) -> str:
        return self._out.getvalue()

    def close(self) -> None:
        self.objects.clear()
        self.modules.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------
    def _import(self, name: str):
        if name in self.modules:
            return self.modules[name]
        # The grader's own (reference) cs231n shares the package name: park it while the
        # submission's modules are imported, then put both back where they belong.
        parked = {k: sys.modules.pop(k) for k in list(sys.modules) if _ours(k)}
        sys.modules.update(self.modules)
        sys.path.insert(0, str(self.root))
        importlib.invalidate_caches()
        try:
            with self._capture():
                return importlib.import_module(name)
        except Exception as error:  # noqa: BLE001 - student code may raise anything
            raise _student_error(error) from None
        except SystemExit as error:
            raise StudentError("SystemExit", f"exit({error.code!r}) while importing") from None
        finally:
            self.modules.update({k: sys.modules.pop(k) for k in list(sys.modules) if _ours(k)})
            sys.path.remove(str(self.root))
            sys.modules.update(parked)

    def _resolve(self, target: str):
        module_name, _, qualname = target.partition(":")
        if _ours(module_name):
            module = self._import(module_name)
        else:
            module = importlib.import_module(module_name)
        value = module
        for part in qualname.split("."):
            try:
                value = getattr(value, part)
            except AttributeError:
                raise StudentError("AttributeError",
                                   f"module {module_name!r} has no attribute {part!r}") from None
        return value

    def _run(self, function, args, kwargs):
        return self._outbound(self._run_raw(function, args, kwargs))

    def _run_raw(self, function, args, kwargs):
        args = [self._inbound(a) for a in args]
        kwargs = {k: self._inbound(v) for k, v in kwargs.items()}
        try:
            with self._capture():
                return function(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - student code may raise anything
            raise _student_error(error) from None
        except SystemExit as error:
            raise WorkerCrashed(f"the code called exit({error.code!r})") from None

    @contextlib.contextmanager
    def _capture(self):
        with contextlib.redirect_stdout(self._out), contextlib.redirect_stderr(self._out):
            yield

    def _keep(self, value) -> Handle:
        handle = Handle(len(self.objects) + 1)
        self.objects[handle.ident] = value
        return handle

    def _object(self, handle):
        if not isinstance(handle, Handle) or handle.ident not in self.objects:
            raise ProtocolError(f"unknown handle {handle!r}")
        return self.objects[handle.ident]

    def _inbound(self, value):
        """What the worker would rebuild from the channel: copies, handles resolved."""
        return _copy_data(value, on_other=lambda v: self._object(v) if isinstance(v, Handle)
                          else _refuse(v))

    def _outbound(self, value):
        return _copy_data(value, on_other=lambda v: v if isinstance(v, Handle) else self._keep(v))


def many_in_turn(session, operations) -> list:
    """``WorkerSession.many`` for an in-process session: each operation in turn, each entry
    its value or the failure it raised."""
    results = []
    for name, args, kwargs in operations:
        if name not in OPERATIONS:
            raise ValueError(f"{name!r} is not an operation a batch may hold")
        try:
            results.append(getattr(session, name)(*args, **kwargs))
        except WorkerFailure as failure:
            results.append(failure)
    return results


def _ours(module_name: str) -> bool:
    return module_name == PACKAGE or module_name.startswith(PACKAGE + ".")


def _copy_data(value, *, on_other):
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biufc":
            return np.array(value, subok=False, copy=True)
        return on_other(value)
    if isinstance(value, np.generic):
        return value if value.dtype.kind in "biufc" else on_other(value)
    if isinstance(value, _SCALARS):
        return value
    if type(value) in (tuple, list):
        return type(value)(_copy_data(v, on_other=on_other) for v in value)
    if type(value) is dict:
        return {k: _copy_data(v, on_other=on_other) for k, v in value.items()}
    return on_other(value)


def _refuse(value):
    raise ProtocolError(f"{type(value).__name__} is not data that can cross the channel")


def _student_error(error: BaseException) -> StudentError:
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return StudentError(type(error).__name__, str(error), text)
