"""The data-only codec: faithful round trips, and a decoder that refuses everything else."""

from __future__ import annotations

import collections
import json
import math
import random
import struct

import numpy as np
import pytest

from grader.run import wire
from grader.run.errors import ProtocolError
from grader.run.wire import EncodeError, Handle

DTYPES = ["?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "g",
          "c8", "c16", "G", ">f8", ">i4", "<u2", ">c16"]
SHAPES = [(), (0,), (5,), (2, 3), (0, 4), (2, 0, 3), (1, 1, 1, 1), (3, 1, 2)]


def round_trip(value, fallback=None, handle=None):
    frames = wire.FrameReader().feed(wire.encode(value, fallback))
    assert len(frames) == 1
    return wire.decode(frames[0], handle)


def body(header, *buffers: bytes) -> bytes:
    """A frame body with a hand-written header: what a hostile worker could send."""
    head = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<I", len(head)) + head + b"".join(buffers)


@pytest.mark.parametrize("value", [
    None, True, False, 0, -1, 2**100, -(2**70), 1.5, -0.0, 1e308, 5e-324, math.inf, -math.inf,
    complex(1, -2), "", "héllo ☃", "\ud800", b"", b"\x00\xff" * 10,
])
def test_plain_values_round_trip_exactly(value):
    back = round_trip(value)
    assert type(back) is type(value) and back == value
    if isinstance(value, float):
        assert math.copysign(1, back) == math.copysign(1, value)


def test_nan_keeps_its_bits():
    nan = struct.unpack("<d", bytes.fromhex("010000000000f87f"))[0]
    back = round_trip([nan, complex(math.nan, math.inf)])
    assert struct.pack("<d", back[0]) == struct.pack("<d", nan)
    assert math.isnan(back[1].real) and back[1].imag == math.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_arrays_round_trip_as_base_ndarray(dtype, shape):
    rng = np.random.default_rng(0)
    a = np.asarray(rng.standard_normal(shape) * 100).astype(dtype)
    back = round_trip(a)
    assert type(back) is np.ndarray and back.dtype == a.dtype and back.shape == a.shape
    assert np.array_equal(back, a, equal_nan=a.dtype.kind in "fc")
    assert back.flags.writeable and back.flags.c_contiguous


@pytest.mark.parametrize("view", [
    lambda a: a[::2], lambda a: a.T, lambda a: a[:, ::-1], lambda a: np.asfortranarray(a),
    lambda a: a[1:, 1:3], lambda a: a.astype(">f8"), lambda a: a.view(np.matrix),
    lambda a: np.ma.masked_less(a, 3),
])
def test_non_contiguous_big_endian_and_subclassed_arrays(view):
    a = view(np.arange(20.0).reshape(4, 5))
    back = round_trip({"a": a})["a"]
    assert type(back) is np.ndarray
    assert np.array_equal(back, np.asarray(np.ndarray.view(a, np.ndarray)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_scalars_round_trip(dtype):
    scalar = np.ones((), dtype)[()]
    back = round_trip(scalar)
    assert type(back) is type(scalar) and back == scalar and back.dtype == scalar.dtype


def test_containers_round_trip_with_their_types():
    pair = collections.namedtuple("Pair", "a b")
    value = {"t": (1, [2.0, (None,)]), 3: {"x": np.zeros(2)}, "n": pair(1, 2),
             "o": collections.OrderedDict(b=1), "e": [], "et": ()}
    back = round_trip(value)
    assert back["t"] == (1, [2.0, (None,)]) and type(back["t"][1]) is list
    assert np.array_equal(back[3]["x"], np.zeros(2))
    assert type(back["n"]) is tuple and back["n"] == (1, 2)
    assert type(back["o"]) is dict and back["e"] == [] and back["et"] == ()


def test_handles_cross_as_numbers_and_come_back_through_the_factory():
    made = []
    back = round_trip([Handle(7, "Net")], handle=lambda i, name: made.append((i, name)) or i)
    assert back == [7] and made == [(7, "Net")]


@pytest.mark.parametrize("value", [
    object(), lambda: 1, np.array([object()]), np.zeros(2, "i4,f8"), np.zeros(2, "M8[s]"),
    np.array(["text"]), {(1, 2): 3}, {1.5: 0}, np.datetime64("2020-01-01"), {1, 2},
])
def test_values_that_are_not_data_are_refused_or_become_handles(value):
    with pytest.raises(EncodeError):
        wire.encode(value)
    kept = []
    back = round_trip([value], fallback=lambda v: kept.append(v) or Handle(len(kept), "X"),
                      handle=lambda i, name: ("handle", i, name))
    assert back == [("handle", 1, "X")] and kept[0] is value


def test_nesting_and_size_limits_on_the_encoder():
    deep = []
    for _ in range(wire.MAX_DEPTH):
        deep = [deep]
    round_trip(deep)
    with pytest.raises(EncodeError, match="nested deeper"):
        wire.encode([deep])
    with pytest.raises(EncodeError, match="too large"):
        wire.encode(np.zeros(1000), max_frame=4000)
    with pytest.raises(EncodeError):
        wire.encode(10**5000)


def test_bool_arrays_hold_only_zero_and_one():
    back = wire.decode(body([["a", "|b1", [3], 0], [3]], b"\x00\x02\xff"))
    assert back.dtype == bool and back.tolist() == [False, True, True]
    assert back.view(np.uint8).tolist() == [0, 1, 1]


@pytest.mark.parametrize("header,buffers", [
    (b"not json", ()), (b"[1, 2", ()), (b'[["f", NaN], []]', ()), (b'[["i", 1.5], []]', ()),
    (b"\xff\xfe", ()), ({"v": 1}, ()), ([["i", 1]], ()), ([["i", 1], [], 3], ()),
    ([["i", True], []], ()), ([["i", "1"], []], ()), ([["x"], []], ()), ([[], []], ()),
    ([[1], []], ()), ([["N", 1], []], ()), ([["f", "00"], []], ()), ([["f", "zz" * 8], []], ()),
    ([["s", 3], []], ()), ([["l", {}], []], ()), ([["d", [[["s", "a"]]]], []], ()),
    ([["d", [[["s", "a"], ["N"]], [["s", "a"], ["N"]]]], []], ()),
    ([["d", [[["f", "0" * 16], ["N"]]]], []], ()), ([["d", [[["N"], ["N"]]]], []], ()),
    ([["d", [[["T"], ["N"]]]], []], ()), ([["h", 1, "Net"], []], ()),
    ([["y", 0], [2]], (b"a",)), ([["y", 0], [1]], (b"ab",)), ([["y", 1], [1]], (b"a",)),
    ([["l", [["y", 0], ["y", 0]]], [1]], (b"a",)), ([["N"], [1]], (b"a",)),
    ([["y", 0], [-1]], ()), ([["y", 0], [True]], (b"a",)), ([["y", "0"], [1]], (b"a",)),
])
def test_malformed_frames_are_protocol_errors(header, buffers):
    with pytest.raises(ProtocolError):
        wire.decode(body(header, *buffers))


@pytest.mark.parametrize("dtype", [
    "O", "|O", "<M8[ns]", "<m8", "V8", "|V8", "<U4", "S4", "a4", "f3", "<f8 ", "<i16",
    "b8", "u16", "<f8,<i4", "[('a', '<f8')]", "(2,)f8", "", 8, None, "float64", "i", "Q",
])
def test_only_plain_numeric_dtypes_are_accepted(dtype):
    with pytest.raises(ProtocolError):
        wire.decode(body([["a", dtype, [1], 0], [8]], b"\0" * 8))


@pytest.mark.parametrize("shape,nbytes", [
    ([2], 8), ([2], 24), ([-1], 8), ([True], 8), ([1.0], 8), ("2", 16), ([2**62, 0], 0),
    ([1] * 33, 8), ([2**40, 2**40], 8), ([], 0), ([3, 0], 8),
])
def test_array_sizes_must_match_the_bytes_sent(shape, nbytes):
    with pytest.raises(ProtocolError):
        wire.decode(body([["a", "<f8", shape, 0], [nbytes]], b"\0" * nbytes))


def test_empty_arrays_with_large_dimensions_cost_nothing():
    back = wire.decode(body([["a", "<f8", [0, 2**47], 0], [0]]))
    assert back.shape == (0, 2**47) and back.size == 0


def test_deep_nesting_is_refused_before_it_costs_anything():
    for depth in (wire.MAX_DEPTH + 5, 5000, 200_000):
        header = ('[' + '["l",[' * depth + ']]' * depth + ',[]]').encode()
        with pytest.raises(ProtocolError):
            wire.decode(body(header))


def test_frame_reader_checks_magic_and_size_before_reading_a_body():
    reader = wire.FrameReader(max_frame=1000)
    with pytest.raises(ProtocolError, match="magic"):
        reader.feed(b"EVIL" + b"\0" * 8)
    with pytest.raises(ProtocolError, match="exceeds"):
        wire.FrameReader(max_frame=1000).feed(wire.MAGIC + struct.pack("<Q", 10**12))
    frame = wire.encode([1, "two", np.arange(3)])
    reader = wire.FrameReader()
    got = [f for byte in range(len(frame)) for f in reader.feed(frame[byte:byte + 1])]
    assert len(got) == 1 and wire.decode(got[0])[1] == "two"
    assert len(wire.FrameReader().feed(frame * 3)) == 3


def _decode_or_refuse(data: bytes) -> None:
    try:
        wire.decode(data, lambda i, name: Handle(i, name))
    except ProtocolError:
        pass


def test_random_garbage_never_crashes_the_decoder():
    rng = random.Random(1234)
    for _ in range(3000):
        _decode_or_refuse(bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 64))))
        head = bytes(rng.choice(b'[]"{},:0123456789-.eE aflNTFdhyStc') for _ in range(40))
        _decode_or_refuse(body(head, b"\0" * rng.randrange(0, 16)))


def test_mutated_valid_frames_decode_or_are_refused():
    rng = random.Random(99)
    value = {"x": np.arange(6.0).reshape(2, 3), "b": np.array([True, False]), "s": "ok",
             "t": (1, 2.5, 3j, None, b"raw", np.float32(1), Handle(3, "Net"))}
    good = wire.FrameReader().feed(wire.encode(value))[0]
    for _ in range(3000):
        data = bytearray(good)
        for _ in range(rng.randrange(1, 4)):
            op = rng.randrange(3)
            pos = rng.randrange(len(data))
            if op == 0:
                data[pos] = rng.getrandbits(8)
            elif op == 1:
                del data[pos:pos + rng.randrange(1, 8)]
            else:
                data[pos:pos] = bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 8)))
        _decode_or_refuse(bytes(data))
