"""The request loop of a student's worker process.

Runs inside the sandbox, forked from the slot's zygote, as a plain file next to
``wire.py``: it must not import anything from the grader (the hidden suites and the
solutions are exactly what the student may not reach). Every request is one wire
frame on the dedicated channel socket and gets one reply frame (a batch gets one
per item, so each item keeps its own deadline on the trusted side):

    {"id": n, "ok": value}        or        {"id": n, "err": {kind, type, message, traceback}}

``kind`` is "student" (an exception in student code), "memory" (MemoryError),
"encode" (the result cannot be sent) or "bad" (a malformed request: a grader bug).
Values that are not data stay here in an object table and travel as handles.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import traceback
import warnings

if __package__:
    from . import wire
    from . import worker_notes as notes
else:  # a plain file beside wire.py and worker_notes.py, inside the sandbox
    import wire
    import worker_notes as notes


MAX_MESSAGE = 2000
MAX_TRACEBACK = 4000
MAX_FRAMES = 8


class BadRequest(Exception):
    pass


class Worker:
    def __init__(self, sock, root: str) -> None:
        self.sock = sock
        self.root = root.rstrip("/") + "/"
        self.placeholders = notes.Placeholders(self.root)
        self.objects: dict[int, object] = {}
        self.numbers: dict[int, int] = {}  # id(obj) -> handle number: one object, one handle
        self.next_id = 1

    def serve(self) -> None:
        while True:
            try:
                body = wire.recv_frame(self.sock)
                if body is None:
                    return
                request = wire.decode(body, self.lookup)
            except wire.ProtocolError as exc:
                self.send({"id": -1, "err": _err("bad", "ProtocolError", str(exc))})
                continue
            rid = request.get("id", -1) if type(request) is dict else -1
            if type(request) is dict and request.get("op") == "many":
                calls = request.get("calls")
                for call in calls if type(calls) is list else [None]:
                    self.answer(rid, call)
            else:
                self.answer(rid, request)

    def answer(self, rid, request) -> None:
        try:
            message = {"id": rid, "ok": self.dispatch(request)}
        except BadRequest as exc:
            message = {"id": rid, "err": _err("bad", "BadRequest", str(exc))}
        except BaseException as exc:  # noqa: BLE001 - everything from student code is a verdict
            message = {"id": rid, "err": self.describe(exc)}
        notes.flush_streams()
        self.send(message)

    def send(self, message) -> None:
        try:
            parts = wire.encode_parts(message, self.keep)
        except BaseException as exc:  # noqa: BLE001 - the value's own methods may raise anything
            text = f"{type(exc).__name__}: {notes.text_of(exc)}"
            parts = wire.encode_parts({"id": message["id"],
                                       "err": _err("encode", "EncodeError", text)})
        wire.send_parts(self.sock, parts)

    def keep(self, obj) -> wire.Handle:
        handle_id = self.numbers.get(id(obj))
        if handle_id is None:
            handle_id, self.next_id = self.next_id, self.next_id + 1
            self.objects[handle_id] = obj
            self.numbers[id(obj)] = handle_id
        name = getattr(type(obj), "__name__", "object")
        return wire.Handle(handle_id, name[:100] if type(name) is str else "object")

    def hold(self, value, positions):
        """The items of a returned tuple at ``positions`` kept here, sent as handles: what
        the grader only ever passes back (a layer's cache) need not cross twice."""
        if type(positions) is not list or not all(type(i) is int for i in positions):
            raise BadRequest("malformed hold positions")
        if not isinstance(value, (tuple, list)):
            return value
        return tuple(self.keep(item) if index in positions else item
                     for index, item in enumerate(value))

    def lookup(self, handle_id: int, type_name: str):
        try:
            return self.objects[handle_id]
        except KeyError:
            raise wire.ProtocolError(f"unknown object #{handle_id}") from None

    def dispatch(self, request):
        if type(request) is not dict or type(request.get("op")) is not str:
            raise BadRequest("malformed request")
        op = request["op"]
        args, kwargs = request.get("args", []), request.get("kwargs", {})
        if type(args) is not list or type(kwargs) is not dict:
            raise BadRequest("malformed arguments")
        if op == "ping":
            return "pong"
        if op == "import":
            importlib.import_module(_field(request, "module"))
            return None
        if op == "call":
            value = resolve(_field(request, "target"))(*args, **kwargs)
            hold = request.get("hold")
            return value if hold is None else self.hold(value, hold)
        if op == "new":
            return self.keep(resolve(_field(request, "target"))(*args, **kwargs))
        if op == "drop":
            for handle_id in request.get("handles", []):
                self.numbers.pop(id(self.objects.pop(handle_id, None)), None)
            return None
        obj = request.get("handle")
        name = _field(request, "name")
        if op == "method":
            return getattr(obj, name)(*args, **kwargs)
        if op == "getattr":
            return getattr(obj, name)
        if op == "setattr":
            setattr(obj, name, request.get("value"))
            return None
        if op == "setitem":
            getattr(obj, name)[request.get("key")] = request.get("value")
            return None
        raise BadRequest(f"unknown operation {op[:40]!r}")

    def describe(self, exc: BaseException) -> dict:
        kind = "memory" if isinstance(exc, MemoryError) else "student"
        type_name = notes.text_of(type(exc).__name__)
        if isinstance(exc, SystemExit):
            message = f"sys.exit({notes.text_of(exc.code)}) was called"
        else:
            message = notes.text_of(exc)
        try:
            message = self.explain(exc, message)
        except Exception:  # noqa: BLE001, S110 - an explanation is a bonus, the error is not
            pass
        return _err(kind, type_name, message, self.student_traceback(exc))

    def explain(self, exc: BaseException, message: str) -> str:
        """The error's text, with what a student needs when the cause is Python 2 code or an
        import the grader skipped."""
        if isinstance(exc, SyntaxError) and str(exc.filename).startswith(self.root):
            shown = self.placeholders.student_modules.get(exc.filename[len(self.root):])
            why = notes.python2_syntax(exc)
            if shown and why:
                return (f"{shown} line {exc.lineno} is Python 2 code ({why}), and the grader "
                        "runs Python 3. Convert the file to Python 3: print(...) with "
                        "parentheses, range instead of xrange, .items() instead of "
                        f".iteritems(). ({message})")
            return message
        hint = (notes.python2_name(exc) or notes.missing_helper(exc)
                or notes.numpy_removed(exc))
        if hint:
            return f"{message}: {hint}"
        if isinstance(exc, NameError) and self.placeholders.star_skipped:
            names = ", ".join(f"`{line}`" for line in self.placeholders.star_skipped)
            return (f"{message} (it may have come from {names}, which imports a module the "
                    "grader does not have)")
        return message

    def student_traceback(self, exc: BaseException) -> str:
        """Only frames from the submission's own files, paths relative to its root."""
        try:
            frames = [f for f in traceback.extract_tb(exc.__traceback__)
                      if f.filename.startswith(self.root)][-MAX_FRAMES:]
            lines = []
            for f in frames:
                lines.append(f'  File "{f.filename[len(self.root):]}", line {f.lineno}, '
                             f"in {f.name}")
                if f.line:
                    lines.append(f"    {f.line.strip()}")
            if isinstance(exc, SyntaxError) and str(exc.filename).startswith(self.root):
                lines.append(f'  File "{exc.filename[len(self.root):]}", line {exc.lineno}')
                if exc.text:
                    lines.append(f"    {exc.text.strip()}")
            text = "\n".join(lines)
            return text[-MAX_TRACEBACK:]
        except Exception:  # noqa: BLE001 - a broken traceback must not lose the error
            return ""


def resolve(target: str):
    module, sep, qualname = target.partition(":")
    if not sep or not module or not qualname:
        raise BadRequest(f"target must look like 'package.module:function', got {target!r}")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _field(request: dict, name: str) -> str:
    value = request.get(name)
    if type(value) is not str:
        raise BadRequest(f"request field {name!r} must be a str")
    return value


def _err(kind: str, type_name: str, message: str, tb: str = "") -> dict:
    return {"kind": kind, "type": type_name[:200], "message": message[:MAX_MESSAGE],
            "traceback": tb}


def serve(sock, root: str) -> None:
    worker = Worker(sock, root)
    warnings.showwarning = notes.WarningNotes(worker.root, warnings.showwarning).show
    worker.serve()
