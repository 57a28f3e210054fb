"""Talks on the channel itself instead of returning values."""
import os
import struct

CHANNEL = 3


def huge_frame():
    os.write(CHANNEL, b"GRW1" + struct.pack("<Q", 2**40))


def garbage():
    os.write(CHANNEL, b"this is not a frame at all" * 10)


def forged_reply():
    import wire  # the worker's own codec: the student can reach it, so it proves nothing
    os.write(CHANNEL, wire.encode({"id": 999, "ok": "forged"}))
    return "real"


def evil_dtype():
    header = b'[["a","|O",[1],0],[8]]'
    body = struct.pack("<I", len(header)) + header + b"\0" * 8
    os.write(CHANNEL, b"GRW1" + struct.pack("<Q", len(body)) + body)


def close_channel():
    os.close(CHANNEL)
    import time
    time.sleep(60)


def fine():
    return "fine"
