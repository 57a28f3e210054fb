"""One submission's worker(s), seen from the trusted judge.

Every call is a request frame to the worker and a reply frame back, decoded by the
strict wire decoder. Every wait has a deadline: the per-call wall time, capped by
what is left of the submission's budget (the time spent waiting on its code).
While waiting, the worker's output pipe is drained into a bounded buffer (printing
can never block the channel) and the zygote's events are read (a worker that dies
while a child of it still holds the channel open is noticed at once).

After a crash or a limit the worker is gone; the next call forks a fresh one from
the slot's zygote and re-imports the modules imported so far. Handles from a worker
that is gone raise :class:`WorkerCrashed`.
"""

from __future__ import annotations

import collections
import itertools
import os
import select
import signal
import socket
import time

import numpy as np

from . import wire
from .errors import LimitExceeded, ProtocolError, StudentError, WorkerCrashed, WorkerFailure
from .limits import BATCH_REPLIES, limit_name
from .zygote import KEEP_FD_BASE

MAX_CALL_TIMEOUTS = 2  # per submission; after that its remaining calls fail at once

_GENERATIONS = itertools.count(1)
_LEAVES = frozenset((np.ndarray, str, int, float, bool, type(None), bytes))
OUTPUT_KILL_FACTOR = 64  # output is drained and dropped up to this many times the kept size
DEATH_GRACE = 1.0
SOCKET_BUFFER = 4 * 2**20
_LIMIT_KINDS = {"memory": "memory", "fsize": "file size", "nproc": "processes",
                "nofile": "open files"}
_LIMIT_ERRNOS = {27: "fsize", 11: "nproc", 24: "nofile"}  # EFBIG, EAGAIN (fork), EMFILE


class _Worker:
    def __init__(self, pid: int, sock: socket.socket, out: int, generation: int,
                 max_frame: int) -> None:
        self.pid, self.sock, self.out, self.generation = pid, sock, out, generation
        self.reader = wire.FrameReader(max_frame)
        self.frames: collections.deque[bytes] = collections.deque()
        self.poll = select.poll()
        self.printed = 0


class WorkerSession:
    """Calls into one submission's code; see docs/architecture.md, "Sandbox"."""

    def __init__(self, slot, name: str, files: int) -> None:
        self.slot, self.name, self.limits = slot, name, slot.limits
        self.files = files  # memfd holding the staged submission, for every fork
        self.worker: _Worker | None = None
        self.imports: list[str] = []
        self.spent = 0.0  # seconds spent waiting on the submission's processes
        self.returned = 0  # bytes of replies received from the submission, in all
        self._batch_bytes = 0  # bytes of replies to the current round trip
        self.call_timeouts = 0  # calls that ran out of their per-call wall time
        self.closed = False
        self.forks = 0
        self._ids = itertools.count(1)
        self._kept = bytearray()
        self._dropped = 0

    # ------------------------------------------------------------------ the API
    def import_module(self, name: str) -> None:
        self._request({"op": "import", "module": name})
        if name not in self.imports:
            self.imports.append(name)

    def call(self, target: str, *args, **kwargs):
        return self._request(_REQUESTS["call"](target, *args, **kwargs))

    def call_holding(self, target: str, positions: list[int], *args, **kwargs):
        """``call``, with the items of the returned tuple at ``positions`` left in the
        worker as handles (for values the grader only passes back)."""
        return self._request(_REQUESTS["call_holding"](target, positions, *args, **kwargs))

    def new(self, target: str, *args, **kwargs) -> wire.Handle:
        return self._request(_REQUESTS["new"](target, *args, **kwargs))

    def call_method(self, handle: wire.Handle, name: str, *args, **kwargs):
        return self._request(_REQUESTS["call_method"](handle, name, *args, **kwargs))

    def get_attr(self, handle: wire.Handle, name: str):
        return self._request(_REQUESTS["get_attr"](handle, name))

    def set_attr(self, handle: wire.Handle, name: str, value) -> None:
        self._request(_REQUESTS["set_attr"](handle, name, value))

    def set_item(self, handle: wire.Handle, attr: str, key, value) -> None:
        self._request(_REQUESTS["set_item"](handle, attr, key, value))

    def drop(self, handle: wire.Handle) -> None:
        """Let the worker forget an object (a no-op if its worker is gone)."""
        if self.worker is not None and _handle(handle).generation == self.worker.generation:
            self._request({"op": "drop", "handles": [handle.id]})

    def many(self, operations) -> list:
        """Several operations in one round trip, with the verdicts of one call at a time.

        ``operations`` are ``(name, args, kwargs)`` with ``name`` one of :data:`OPERATIONS`
        (``("call", ("cs231n.layers:f", x), {})`` is ``call("cs231n.layers:f", x)``).
        Returns one entry per operation: its value, or the :class:`WorkerFailure` it raised.
        They run in order and each keeps its own wall-time limit. When one ends the worker
        (a crash, a limit) the rest go to a fresh worker, exactly as if each had been made
        alone: one that names an object of the worker that is gone fails, the others run.
        """
        results: list = [None] * len(operations)
        pending = [(index, _REQUESTS[name](*args, **kwargs))
                   for index, (name, args, kwargs) in enumerate(operations)]
        while pending:
            pending = self._drop_stale(pending, results)
            if not pending:
                break
            replies: list = []
            try:
                self._request({"op": "many", "calls": [request for _, request in pending]},
                              replies, checked=True)
            except WorkerFailure as failure:
                replies.append(failure)  # what ended the batch, at the first unanswered one
            for (index, _), reply in zip(pending, replies):
                results[index] = reply
            pending = pending[len(replies):]
        return results

    def _drop_stale(self, pending: list, results: list) -> list:
        """``pending`` without the requests naming objects of a worker that is gone; their
        result is that failure."""
        kept = []
        for index, request in pending:
            try:
                self._check_handles(request)
            except WorkerCrashed as stale:
                results[index] = stale
                continue
            kept.append((index, request))
        return kept

    def output(self) -> str:
        """Captured stdout and stderr of the submission, truncated with a note."""
        if self.worker is not None:
            self._drain_output(self.worker)
        text = self._relative(self._kept.decode("utf-8", errors="replace"))
        if self._dropped:
            text += (f"\n[output truncated: {self._dropped} more bytes were not kept; limit "
                     f"{limit_name(self.limits, 'output')}]")
        return text

    def _relative(self, text: str) -> str:
        """Paths of the submission's own folder, as its code printed them, made relative:
        the same code gives the same feedback on every run, and no host path shows."""
        roots = [f"/proc/self/fd/{KEEP_FD_BASE - 1}"]
        if getattr(self.slot, "level", "") == "bwrap":
            roots.append(f"/sandbox/scratch/{self.name}")
        elif getattr(self.slot, "workdir", None) is not None:
            roots.append(f"{self.slot.workdir}/scratch/{self.name}")
        for root in roots:
            text = text.replace(root + "/", "").replace(root, ".")
        return text

    def close(self) -> None:
        """SIGKILL every process of this submission and forget its files."""
        if self.closed:
            return
        self.closed = True
        try:
            self._discard_worker()
        finally:
            os.close(self.files)
            self.slot.finish(self.name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------- round trips
    def _request(self, request: dict, results: list | None = None, *, checked: bool = False):
        if self.closed:
            raise RuntimeError("this worker session is closed")
        if self.spent >= self.limits.submission_timeout:
            raise LimitExceeded(limit_name(self.limits, "submission"),
                                "the submission has used all its time")
        if self.returned > self.limits.max_returned_bytes:
            raise self._returned_too_much()
        if self.call_timeouts >= MAX_CALL_TIMEOUTS:
            # Code that hung twice will most likely hang again: waiting out the whole
            # budget would hold a slot for minutes per looping submission.
            raise LimitExceeded(limit_name(self.limits, "call"),
                                f"{MAX_CALL_TIMEOUTS} calls already ran out of time, so no "
                                "further calls were made")
        if not checked:  # before a fork: without a worker every handle is stale
            self._check_handles(request)
        if self.worker is None:
            self._start_worker()
        return self._round_trip(request, results)

    def _check_handles(self, value) -> None:
        kind = type(value)
        if kind in _LEAVES:  # most of what crosses: arrays and numbers hold no handles
            return
        if isinstance(value, wire.Handle):
            if self.worker is None or value.generation != self.worker.generation:
                raise WorkerCrashed(f"the {value.type_name} object #{value.id} was lost when "
                                    "the process was restarted after an earlier failure")
        elif isinstance(value, (list, tuple)):
            for item in value:
                self._check_handles(item)
        elif isinstance(value, dict):
            for item in value.values():
                self._check_handles(item)

    def _start_worker(self) -> None:
        chan, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        for end in (chan, theirs):
            _big_buffers(end)
        out_r, out_w = os.pipe2(os.O_CLOEXEC)
        started = time.monotonic()
        try:
            pid = self.slot.fork(self.name, theirs, out_w, self.files)
        except BaseException:
            chan.close()
            os.close(out_r)
            raise
        finally:
            theirs.close()
            os.close(out_w)
            self.spent += time.monotonic() - started
        chan.setblocking(False)
        os.set_blocking(out_r, False)
        worker = _Worker(pid, chan, out_r, next(_GENERATIONS), self.limits.max_reply_bytes)
        for fd in (chan.fileno(), out_r, self.slot.control_fd()):
            worker.poll.register(fd, select.POLLIN)
        self.worker = worker
        self.forks += 1
        for module in self.imports:
            self._round_trip({"op": "import", "module": module}, None)

    def _round_trip(self, request: dict, results: list | None):
        worker = self.worker
        rid = next(self._ids)
        parts = wire.encode_parts({**request, "id": rid})
        expected = len(request["calls"]) if request["op"] == "many" else 1
        started = time.monotonic()
        self._batch_bytes = 0
        try:
            self._send(worker, parts, self._deadline(started, started))
            for _ in range(expected):
                try:
                    value = self._reply(worker, rid, self._deadline(started, time.monotonic()))
                except StudentError as error:
                    if results is None:
                        raise
                    value = error
                if results is None:
                    return value
                results.append(value)
            return results
        finally:
            self.spent += time.monotonic() - started

    def _deadline(self, started: float, begun: float) -> tuple[float, str]:
        left = self.limits.submission_timeout - self.spent - (begun - started)
        if left < self.limits.call_timeout:
            return begun + max(left, 0.0), "submission"
        return begun + self.limits.call_timeout, "call"

    def _reply(self, worker: _Worker, rid: int, deadline):
        body = self._receive(worker, deadline)
        try:
            reply = wire.decode(body, lambda i, name: wire.Handle(i, name, worker.generation))
            if type(reply) is not dict or reply.get("id") not in (rid, -1):
                raise ProtocolError("a reply that does not answer the request")
            if "ok" in reply and reply["id"] == rid:
                return reply["ok"]
            err = reply.get("err")
            if type(err) is not dict:
                raise ProtocolError("a malformed error reply")
        except ProtocolError:
            self._discard_worker()  # out of step or lying: nothing more it says is usable
            raise
        if reply["id"] == -1:  # it could not read the request, e.g. an object dropped before
            raise ProtocolError(str(err.get("message", "the request was refused")))
        raise self._failure(err)

    def _failure(self, err: dict) -> WorkerFailure:
        kind, type_name = err.get("kind"), str(err.get("type", "Exception"))
        message, tb = str(err.get("message", "")), str(err.get("traceback", ""))
        if kind == "student" and type_name in ("OSError", "BlockingIOError"):
            kind = _LIMIT_ERRNOS.get(_errno(message), kind)
        if kind in _LIMIT_KINDS:
            self._discard_worker()  # a limit ends the worker, and whatever it left running
            return LimitExceeded(limit_name(self.limits, _LIMIT_KINDS[kind]),
                                 f"{type_name}: {message}")
        if kind == "student":
            return StudentError(type_name, message, tb)
        if kind != "bad":
            self._discard_worker()
        return ProtocolError(message or "the request was refused")

    # ----------------------------------------------------------------- waiting
    def _send(self, worker: _Worker, parts: list, deadline) -> None:
        views = [memoryview(p).cast("B") for p in parts if len(p)]
        while views:
            try:
                views = wire.advance(views, worker.sock.sendmsg(views[:64]))
                continue
            except BlockingIOError:
                pass
            except OSError:
                raise self._died(worker) from None
            if worker.pid in self.slot.exits:
                raise self._died(worker)
            self._wait(worker, deadline, select.POLLOUT)

    def _receive(self, worker: _Worker, deadline):
        while not worker.frames:
            try:
                frames, ended = worker.reader.read_from(worker.sock)
            except ProtocolError as error:
                self._discard_worker()
                if error.detail.startswith("frame of"):  # announced too large: never read
                    raise LimitExceeded(limit_name(self.limits, "reply"),
                                        "a value it returned was larger than allowed") from None
                raise
            except OSError:
                frames, ended = [], True
            worker.frames.extend(frames)
            if worker.frames:
                break
            if ended:
                raise self._died(worker)
            # Only with nothing left to read does an exit event mean "no reply".
            if worker.pid in self.slot.exits:
                raise self._died(worker)
            self._wait(worker, deadline, select.POLLIN)
        frame = worker.frames.popleft()
        self.returned += len(frame)
        self._batch_bytes += len(frame)
        # What the judge may hold at once, and in all: a submission that returns the same
        # large array on every call must not exhaust the grader's memory.
        if self._batch_bytes > BATCH_REPLIES * self.limits.max_reply_bytes:
            self._discard_worker()
            raise LimitExceeded(limit_name(self.limits, "batch"),
                                "its calls returned more data at once than the grader keeps")
        if self.returned > self.limits.max_returned_bytes:
            self._discard_worker()
            raise self._returned_too_much()
        return frame

    def _returned_too_much(self) -> LimitExceeded:
        return LimitExceeded(limit_name(self.limits, "returned"),
                             "the submission has returned more data than the grader keeps")

    def _wait(self, worker: _Worker, deadline, event: int) -> None:
        when, kind = deadline
        left = when - time.monotonic()
        if left <= 0:
            self._discard_worker()
            self.call_timeouts += kind == "call"
            raise LimitExceeded(limit_name(self.limits, kind), "the code did not finish in time")
        worker.poll.modify(worker.sock, event)
        for fd, _ in worker.poll.poll(left * 1000):
            if fd == worker.out:
                if self._drain_output(worker):
                    self._discard_worker()
                    raise LimitExceeded(limit_name(self.limits, "output"),
                                        "far more was printed than can be kept")
            elif fd != worker.sock.fileno():
                self.slot.poll_events(0)

    def _drain_output(self, worker: _Worker) -> bool:
        """Read what is there; True once far more than the limit has been printed."""
        limit = self.limits.max_output_bytes
        while True:
            try:
                chunk = os.read(worker.out, 1 << 16)
            except OSError:  # nothing more now (EAGAIN) or already closed
                break
            if not chunk:
                break
            room = max(limit - len(self._kept), 0)
            self._kept += chunk[:room]
            self._dropped += max(len(chunk) - room, 0)
            worker.printed += len(chunk)
        return worker.printed > OUTPUT_KILL_FACTOR * limit

    def _died(self, worker: _Worker) -> WorkerFailure:
        """The worker is gone (or closed its channel): say how, then clean up."""
        deadline = time.monotonic() + DEATH_GRACE
        while worker.pid not in self.slot.exits and time.monotonic() < deadline:
            if not self.slot.poll_events(deadline - time.monotonic()):
                break
        status = self.slot.exits.get(worker.pid)
        self._discard_worker()
        cgroup = getattr(self.slot, "cgroup", None)
        if cgroup is not None and cgroup.killed_for_memory():
            return LimitExceeded(limit_name(self.limits, "memory"),
                                 "killed for using more memory than allowed (files it kept "
                                 "in memory count too)")
        if status is None:
            return WorkerCrashed("the process stopped answering (its channel was closed)")
        if "signal" in status:
            number = status["signal"]
            if number == signal.SIGXCPU:
                return LimitExceeded(limit_name(self.limits, "cpu"), "killed by SIGXCPU")
            if number == signal.SIGXFSZ:
                return LimitExceeded(limit_name(self.limits, "file size"), "killed by SIGXFSZ")
            name = (signal.strsignal(number) or "unknown signal").lower()
            hint = " (out of memory or CPU time?)" if number == signal.SIGKILL else ""
            return WorkerCrashed(f"killed by signal {number} ({name}){hint}")
        return WorkerCrashed(f"worker exited with code {status['code']} during a call "
                             "(os._exit?)")

    def _discard_worker(self) -> None:
        """SIGKILL the submission's processes; keep what they printed."""
        worker, self.worker = self.worker, None
        if worker is None:
            return
        try:
            self.slot.kill_all()
        finally:
            self._drain_output(worker)
            worker.sock.close()
            os.close(worker.out)
            self.slot.exits.pop(worker.pid, None)


def _big_buffers(sock: socket.socket) -> None:
    """Let a 2 MB array cross in one go instead of many wake-ups (root may exceed wmem_max)."""
    for force, plain in ((32, socket.SO_SNDBUF), (33, socket.SO_RCVBUF)):  # SO_*BUFFORCE
        try:
            sock.setsockopt(socket.SOL_SOCKET, force, SOCKET_BUFFER)
        except OSError:
            sock.setsockopt(socket.SOL_SOCKET, plain, SOCKET_BUFFER)


def _handle(handle) -> wire.Handle:
    if not isinstance(handle, wire.Handle):
        raise TypeError(f"expected a Handle from this session, got {type(handle).__name__}")
    return handle


def _errno(message: str) -> int | None:
    if message.startswith("[Errno "):
        digits = message[7:].split("]", 1)[0]
        return int(digits) if digits.isdigit() else None
    return None


def _call(target: str, *args, **kwargs) -> dict:
    return {"op": "call", "target": target, "args": list(args), "kwargs": kwargs}


def _call_holding(target: str, positions: list[int], *args, **kwargs) -> dict:
    return {**_call(target, *args, **kwargs), "hold": list(positions)}


def _new(target: str, *args, **kwargs) -> dict:
    return {"op": "new", "target": target, "args": list(args), "kwargs": kwargs}


def _call_method(handle, name: str, *args, **kwargs) -> dict:
    return {"op": "method", "handle": _handle(handle), "name": name, "args": list(args),
            "kwargs": kwargs}


def _get_attr(handle, name: str) -> dict:
    return {"op": "getattr", "handle": _handle(handle), "name": name}


def _set_attr(handle, name: str, value) -> dict:
    return {"op": "setattr", "handle": _handle(handle), "name": name, "value": value}


def _set_item(handle, attr: str, key, value) -> dict:
    return {"op": "setitem", "handle": _handle(handle), "name": attr, "key": key, "value": value}


# The operations a batch may hold (see WorkerSession.many), as the worker's requests.
_REQUESTS = {"call": _call, "call_holding": _call_holding, "new": _new,
             "call_method": _call_method, "get_attr": _get_attr, "set_attr": _set_attr,
             "set_item": _set_item}
OPERATIONS = tuple(_REQUESTS)
