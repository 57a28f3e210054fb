"""The data-only channel between the trusted grader and a student's worker.

A frame is ``MAGIC | u64 body length | u32 header length | JSON header | buffers``.
The header is ``[tree, [buffer lengths]]`` where every node of the tree is a tagged
list (``["i", 3]``, ``["a", "<f8", [2, 3], 0]``...); raw bytes of arrays and bytes
objects follow the header, so arrays cross without any text conversion.

The decoder is the trust boundary: it only ever builds None, bool, int, float,
complex, str, bytes, numpy scalars, base ``np.ndarray`` of numeric dtypes, tuples,
lists, dicts and :class:`Handle`, checks every size against the bytes present, and
raises ``ProtocolError`` for anything else. Nothing is ever evaluated or unpickled.

This file is also copied next to ``worker_main.py`` into the sandbox, where no
``grader`` package exists, so it depends on the standard library and numpy only.
"""

from __future__ import annotations

import json
import math
import re
import struct

import numpy as np

if __package__:
    from .errors import ProtocolError
else:  # a plain file inside the sandbox: errors only need to carry a message
    class ProtocolError(Exception):
        pass

MAGIC = b"GRW1"
MAX_FRAME = 512 * 2**20
MAX_HEADER = 32 * 2**20
MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_DIMS = 32
MAX_NAME = 200
_PREFIX = struct.Struct("<4sQ")
_HLEN = struct.Struct("<I")
_DOUBLE = struct.Struct("<d")
_DTYPE = re.compile(r"[<>|=]?[biufc][0-9]{1,2}\Z")
_SCALARS = {"N": None, "T": True, "F": False}
_DTYPES: dict[str, np.dtype] = {}  # dtype strings already checked


class EncodeError(TypeError):
    """A value cannot be sent (not data, too deep or too large)."""


class Handle:
    """An object that lives in the worker; only its number crosses the channel."""

    __slots__ = ("generation", "id", "type_name")

    def __init__(self, id: int, type_name: str = "object", generation: int = 0) -> None:
        self.id, self.type_name, self.generation = id, type_name, generation

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Handle) and other.id == self.id
                and other.generation == self.generation)

    def __hash__(self) -> int:
        return hash((self.id, self.generation))

    def __repr__(self) -> str:
        return f"<remote {self.type_name} #{self.id}>"


def encode(value, fallback=None, *, max_frame: int = MAX_FRAME) -> bytes:
    """One complete frame for ``value``.

    ``fallback(obj) -> Handle`` is called for anything that is not data; without
    it such values raise :class:`EncodeError` (the trusted side sends data only).
    """
    return b"".join(encode_parts(value, fallback, max_frame=max_frame))


def encode_parts(value, fallback=None, *, max_frame: int = MAX_FRAME) -> list:
    """The frame as a list of buffers for a scatter/gather send (arrays are not copied)."""
    enc = _Encoder(fallback, max_frame)
    tree = enc.node(value, 0)
    try:
        header = _JSON_OUT.encode([tree, [len(b) for b in enc.bufs]])
    except ValueError as exc:  # e.g. an int with more digits than Python will print
        raise EncodeError(f"cannot send the value: {exc}") from None
    head = header.encode("ascii")
    size = _HLEN.size + len(head) + enc.size
    if size > max_frame or len(head) > MAX_HEADER:
        raise EncodeError(f"the value is too large to send ({size} bytes)")
    return [_PREFIX.pack(MAGIC, size) + _HLEN.pack(len(head)) + head, *enc.bufs]


class _Encoder:
    def __init__(self, fallback, max_frame: int) -> None:
        self.fallback, self.max_frame = fallback, max_frame
        self.bufs: list[bytes] = []
        self.size = 0

    def buf(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.max_frame:
            raise EncodeError("the value is too large to send")
        self.bufs.append(data)
        return len(self.bufs) - 1

    def node(self, v, depth: int):
        if depth > MAX_DEPTH:
            raise EncodeError(f"the value is nested deeper than {MAX_DEPTH} levels")
        t = type(v)
        # Exact types first: nearly everything that crosses is one of these.
        if t is dict:
            pairs = []
            for k, x in v.items():
                kind = type(k)
                if kind is not str and kind is not int:
                    return self.other(v, t, depth)
                pairs.append([["s" if kind is str else "i", k], self.node(x, depth + 1)])
            return ["d", pairs]
        if t is np.ndarray:
            if _allowed(v.dtype):
                return ["a", v.dtype.str, list(v.shape), self.buf(_raw(v))]
            return self.other(v, t, depth)
        if t is str:
            return ["s", v]
        if t is float:
            return ["f", _DOUBLE.pack(v).hex()]
        if t is int:
            return ["i", v]
        if t is tuple or t is list:
            return ["t" if t is tuple else "l", [self.node(x, depth + 1) for x in v]]
        return self.other(v, t, depth)

    def other(self, v, t, depth: int):
        """Everything but the common exact types: subclasses are sent as their plain data."""
        if v is None or t is bool:
            return ["N"] if v is None else ["T"] if v else ["F"]
        if t is complex:
            return ["c", struct.pack("<dd", v.real, v.imag).hex()]
        if t is bytes:
            return ["y", self.buf(v)]
        if isinstance(v, Handle):
            return ["h", v.id, v.type_name]
        if isinstance(v, np.ndarray):
            arr = np.ndarray.view(v, np.ndarray)  # subclasses travel as their plain data
            if _allowed(arr.dtype):
                return ["a", arr.dtype.str, list(arr.shape), self.buf(_raw(arr))]
        elif isinstance(v, np.generic):
            if _allowed(v.dtype):
                return ["S", v.dtype.str, self.buf(v.tobytes())]
        elif isinstance(v, (list, tuple)):
            items = list.copy(v) if isinstance(v, list) else tuple.__getitem__(v, slice(None))
            return ["l" if isinstance(v, list) else "t", [self.node(x, depth + 1) for x in items]]
        elif isinstance(v, dict):
            pairs = list(dict.items(v))
            if all(type(k) in (str, int) for k, _ in pairs):
                return ["d", [[self.node(k, depth + 1), self.node(x, depth + 1)]
                              for k, x in pairs]]
        elif isinstance(v, int):
            return ["i", int.__int__(v)]
        elif isinstance(v, float):
            return self.node(float.__float__(v), depth)
        elif isinstance(v, str):
            return ["s", str.__str__(v)]
        elif isinstance(v, (bytes, bytearray, memoryview)):
            return ["y", self.buf(bytes(memoryview(v)))]
        if self.fallback is None:
            raise EncodeError(f"cannot send a {t.__name__} value: only plain data can cross")
        return self.node(self.fallback(v), depth)


def _raw(arr: np.ndarray) -> memoryview:
    """The array's bytes in C order, without a copy when it is contiguous already."""
    flat = np.ascontiguousarray(arr).reshape(-1)
    return memoryview(flat.view(np.uint8))


def _allowed(dtype) -> bool:
    return dtype.kind in "biufc" and dtype.fields is None and dtype.subdtype is None


def decode(body, handle=None):
    """Rebuild the value of one frame body; ``handle(id, type_name)`` makes handles."""
    view = memoryview(body)
    if len(view) < _HLEN.size:
        raise ProtocolError("frame too short")
    (hlen,) = _HLEN.unpack_from(view)
    if hlen > MAX_HEADER or _HLEN.size + hlen > len(view):
        raise ProtocolError("header length out of range")
    try:
        text = bytes(view[_HLEN.size:_HLEN.size + hlen]).decode("ascii")
        doc = _JSON_IN.decode(text)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(f"malformed header: {str(exc)[:100]}") from None
    if type(doc) is not list or len(doc) != 2 or type(doc[1]) is not list:
        raise ProtocolError("malformed header")
    lens = doc[1]
    if not all(type(n) is int and n >= 0 for n in lens):
        raise ProtocolError("malformed buffer table")
    if _HLEN.size + hlen + sum(lens) != len(view):
        raise ProtocolError("buffer sizes do not add up to the frame size")
    dec = _Decoder(view, _HLEN.size + hlen, lens, handle)
    value = dec.node(doc[0], 0)
    if dec.used != len(lens):
        raise ProtocolError("unused buffers in frame")
    return value


def _no_constant(text):
    raise ValueError(f"number {text!r} not allowed in a header")


# One of each, made once: json.dumps and json.loads with options build a new one per call.
_JSON_OUT = json.JSONEncoder(separators=(",", ":"), check_circular=False)
_JSON_IN = json.JSONDecoder(parse_constant=_no_constant, parse_float=_no_constant)


class _Decoder:
    def __init__(self, view, offset: int, lens: list[int], handle) -> None:
        self.view, self.handle = view, handle
        self.offsets = []
        for n in lens:
            self.offsets.append((offset, n))
            offset += n
        self.taken = [False] * len(lens)
        self.used = self.count = 0

    def node(self, n, depth: int):
        self.count += 1
        if depth > MAX_DEPTH or self.count > MAX_NODES:
            raise ProtocolError(f"value nested deeper than {MAX_DEPTH} or too many parts")
        if type(n) is not list or not n or type(n[0]) is not str:
            raise ProtocolError("malformed value node")
        tag = n[0]
        if len(n) == 2 and (tag == "s" and type(n[1]) is str or tag == "i" and type(n[1]) is int):
            return n[1]  # the commonest nodes, without a further call
        if tag in _SCALARS and len(n) == 1:
            return _SCALARS[tag]
        method = _TAGS.get(tag)
        if method is None or len(n) != method[1] + 1:
            raise ProtocolError(f"unknown value node {tag[:10]!r}")
        return method[0](self, depth, *n[1:])

    def buffer(self, index) -> memoryview:
        if type(index) is not int or not 0 <= index < len(self.offsets) or self.taken[index]:
            raise ProtocolError("bad buffer reference")
        self.taken[index] = True
        self.used += 1
        start, n = self.offsets[index]
        return self.view[start:start + n]

    def int_(self, depth, v):
        if type(v) is not int:
            raise ProtocolError("bad int")
        return v

    def float_(self, depth, v):
        return struct.unpack("<d", _hex(v, 8))[0]

    def complex_(self, depth, v):
        return complex(*struct.unpack("<dd", _hex(v, 16)))

    def str_(self, depth, v):
        if type(v) is not str:
            raise ProtocolError("bad str")
        return v

    def bytes_(self, depth, index):
        return bytes(self.buffer(index))

    def array(self, depth, dtype, shape, index):
        dt = _dtype(dtype)
        if (type(shape) is not list or len(shape) > MAX_DIMS
                or not all(type(d) is int and 0 <= d < 2**48 for d in shape)):
            raise ProtocolError("bad array shape")
        data = self.buffer(index)
        count = math.prod(shape)
        if count * dt.itemsize != len(data):
            raise ProtocolError(f"array of shape {tuple(shape)} and dtype {dt} needs "
                                f"{count * dt.itemsize} bytes, got {len(data)}")
        try:
            if dt.kind == "b":  # only 0/1 may be a bool, whatever bytes were sent
                return (np.frombuffer(data, np.uint8, count) != 0).reshape(shape)
            return np.frombuffer(data, dt, count).reshape(shape).copy()
        except (ValueError, TypeError) as exc:
            raise ProtocolError(f"bad array: {str(exc)[:100]}") from None

    def scalar(self, depth, dtype, index):
        return self.array(depth, dtype, [], index)[()]

    def seq(self, depth, items):
        if type(items) is not list:
            raise ProtocolError("bad sequence")
        return [self.node(x, depth + 1) for x in items]

    def tuple_(self, depth, items):
        return tuple(self.seq(depth, items))

    def dict_(self, depth, pairs):
        if type(pairs) is not list:
            raise ProtocolError("bad dict")
        out = {}
        for pair in pairs:
            if type(pair) is not list or len(pair) != 2:
                raise ProtocolError("bad dict entry")
            key = pair[0]
            if type(key) is list and len(key) == 2 and key[0] == "s" and type(key[1]) is str:
                key = key[1]  # a str key, the common case, without a call
                self.count += 1
            else:
                key = self.node(key, depth + 1)
            if (type(key) is not str and type(key) is not int) or key in out:
                raise ProtocolError("dict keys must be distinct str or int")
            out[key] = self.node(pair[1], depth + 1)
        return out

    def handle_(self, depth, id, type_name):
        if (type(id) is not int or id < 0 or type(type_name) is not str
                or len(type_name) > MAX_NAME or self.handle is None):
            raise ProtocolError("bad object handle")
        return self.handle(id, type_name)


_TAGS = {
    "i": (_Decoder.int_, 1), "f": (_Decoder.float_, 1), "c": (_Decoder.complex_, 1),
    "s": (_Decoder.str_, 1), "y": (_Decoder.bytes_, 1), "a": (_Decoder.array, 3),
    "S": (_Decoder.scalar, 2), "l": (_Decoder.seq, 1), "t": (_Decoder.tuple_, 1),
    "d": (_Decoder.dict_, 1), "h": (_Decoder.handle_, 2),
}


def _hex(v, size: int) -> bytes:
    if type(v) is not str or len(v) != 2 * size:
        raise ProtocolError("bad number encoding")
    try:
        return bytes.fromhex(v)
    except ValueError:
        raise ProtocolError("bad number encoding") from None


def _dtype(text) -> np.dtype:
    known = _DTYPES.get(text) if type(text) is str else None
    if known is not None:
        return known
    if type(text) is not str or not _DTYPE.match(text):
        raise ProtocolError(f"dtype not allowed: {str(text)[:20]!r}")
    try:
        dt = np.dtype(text)
    except (TypeError, ValueError):
        raise ProtocolError(f"dtype not allowed: {text!r}") from None
    if not _allowed(dt) or dt.hasobject:
        raise ProtocolError(f"dtype not allowed: {text!r}")
    _DTYPES[text] = dt  # the pattern admits a few dozen strings at most
    return dt


class FrameReader:
    """Frames from a non-blocking stream; the caller owns the waiting and the deadline.

    A body is received straight into a buffer of its announced size (checked against
    ``max_frame`` before anything is allocated), so a large array is copied once.
    """

    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self.prefix = bytearray()
        self.body: bytearray | None = None
        self.filled = 0

    def read_from(self, sock) -> tuple[list, bool]:
        """Receive what is available: (complete frame bodies, end of stream seen)."""
        frames = []
        while True:
            if self.body is None:
                want = _PREFIX.size - len(self.prefix)
                try:
                    chunk = sock.recv(want)
                except BlockingIOError:
                    return frames, False
                if not chunk:
                    return frames, True
                self.prefix += chunk
                if len(self.prefix) == _PREFIX.size:
                    self._start(bytes(self.prefix))
            else:
                try:
                    n = sock.recv_into(memoryview(self.body)[self.filled:])
                except BlockingIOError:
                    return frames, False
                if n == 0 and self.filled < len(self.body):
                    return frames, True
                self.filled += n
            if self.body is not None and self.filled == len(self.body):
                frames.append(self._finish())

    def feed(self, data: bytes) -> list:
        """Split bytes already in hand into frame bodies."""
        frames, view = [], memoryview(data)
        while view:
            if self.body is None:
                take = min(_PREFIX.size - len(self.prefix), len(view))
                self.prefix += view[:take]
                view = view[take:]
                if len(self.prefix) == _PREFIX.size:
                    self._start(bytes(self.prefix))
            else:
                take = min(len(self.body) - self.filled, len(view))
                self.body[self.filled:self.filled + take] = view[:take]
                self.filled += take
                view = view[take:]
            if self.body is not None and self.filled == len(self.body):
                frames.append(self._finish())
        return frames

    def _start(self, prefix: bytes) -> None:
        magic, size = _PREFIX.unpack(prefix)
        if magic != MAGIC:
            raise ProtocolError("not a frame (bad magic)")
        if size > self.max_frame:
            raise ProtocolError(f"frame of {size} bytes exceeds {self.max_frame}")
        self.body, self.filled = bytearray(size), 0

    def _finish(self) -> bytearray:
        body, self.body, self.prefix = self.body, None, bytearray()
        return body


def recv_frame(sock, max_frame: int = MAX_FRAME) -> bytearray | None:
    """Blocking read of one frame body (worker side); None on end of stream."""
    prefix = _recv_exact(sock, _PREFIX.size, eof_ok=True)
    if prefix is None:
        return None
    magic, size = _PREFIX.unpack(prefix)
    if magic != MAGIC or size > max_frame:
        raise ProtocolError("bad frame prefix")
    return _recv_exact(sock, size, eof_ok=False)


def _recv_exact(sock, n: int, *, eof_ok: bool) -> bytearray | None:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            if eof_ok and got == 0:
                return None
            raise ProtocolError("channel closed in the middle of a frame")
        got += k
    return buf


def send_parts(sock, parts: list) -> None:
    """Blocking scatter/gather send of a whole frame (worker side)."""
    views = [memoryview(p).cast("B") for p in parts if len(p)]
    while views:
        sent = sock.sendmsg(views[:64])
        views = advance(views, sent)


def advance(views: list, sent: int) -> list:
    """What is left of ``views`` after ``sent`` bytes went out."""
    while sent and views:
        if sent >= len(views[0]):
            sent -= len(views[0])
            views = views[1:]
        else:
            views = [views[0][sent:], *views[1:]]
            sent = 0
    return views
