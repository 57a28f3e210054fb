"""Landlock and seccomp as a worker applies them to itself, each checked in a forked child.

The child reports what it could do over a pipe; the parent (the test) stays unconfined.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket

import pytest

from grader.run import confine
from grader.run.runtime import readable_cover

pytestmark = pytest.mark.skipif(not confine.seccomp_supported(),
                                reason="the kernel has no seccomp filter")


def in_child(body) -> dict:
    """Run ``body()`` in a forked child; its dict comes back through a pipe."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            result = body()
        except BaseException as exc:  # noqa: BLE001 - the child reports everything
            result = {"error": repr(exc)}
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(data)


def attempt(action) -> str:
    try:
        action()
        return "done"
    except OSError as exc:
        return os.strerror(exc.errno) if exc.errno else str(exc)


def test_seccomp_refuses_what_reaches_past_the_limits_and_keeps_the_rest():
    libc = ctypes.CDLL(None, use_errno=True)

    def syscall(number, *args):
        def call():
            if libc.syscall(number, *args) < 0:
                raise OSError(ctypes.get_errno(), "")
        return call

    numbers = confine._ARCHES[os.uname().machine][1]

    def body():
        before = attempt(lambda: socket.socket().close())
        confine.seccomp()
        return {
            "before": before,
            "socket": attempt(lambda: socket.socket(socket.AF_INET)),
            "unix socket": attempt(lambda: socket.socket(socket.AF_UNIX)),
            "socketpair": attempt(lambda: [s.close() for s in socket.socketpair()]),
            "memfd": attempt(lambda: os.memfd_create("x")),
            "keyring": attempt(syscall(numbers["add_key"], b"user", b"k", b"v", 1, -3)),
            "shm": attempt(syscall(numbers["shmget"], 0, 4096, 0o1600)),
            "ptrace": attempt(syscall(numbers["ptrace"], 16, os.getppid(), 0, 0)),
            "pipe": attempt(lambda: [os.close(fd) for fd in os.pipe()]),
        }
    got = in_child(body)
    assert got["before"] == "done"
    refused = os.strerror(1)  # EPERM
    for name in ("socket", "unix socket", "memfd", "keyring", "shm", "ptrace"):
        assert got[name] == refused, (name, got)
    assert got["socketpair"] == got["pipe"] == "done"


@pytest.mark.skipif(confine.landlock_abi() < 1, reason="the kernel has no Landlock")
def test_landlock_grants_only_its_trees_and_its_own_folder(tmp_path):
    granted, own, outside = tmp_path / "runtime", tmp_path / "own", tmp_path / "outside"
    for folder in (granted, own, outside):
        folder.mkdir()
        (folder / "file.txt").write_text("data")
    abi = confine.landlock_abi()

    def body():
        rules = [(os.open(granted, os.O_PATH), confine.READ),
                 (os.open(own, os.O_PATH), confine.EVERYTHING),
                 (os.open("/dev/null", os.O_PATH), confine.FS_READ_FILE | confine.FS_WRITE_FILE)]
        confine.landlock(rules, abi)
        return {
            "read granted": attempt(lambda: open(granted / "file.txt").read()),
            "write granted": attempt(lambda: open(granted / "new.txt", "w").close()),
            "write own": attempt(lambda: open(own / "new.txt", "w").close()),
            "read outside": attempt(lambda: open(outside / "file.txt").read()),
            "list outside": attempt(lambda: os.listdir(outside)),
            "write outside": attempt(lambda: open(outside / "new.txt", "w").close()),
            "etc": attempt(lambda: open("/etc/hostname").read()),
            "dev null": attempt(lambda: open("/dev/null", "w").write("x")),
            "signal parent": attempt(lambda: os.kill(os.getppid(), 0)),
        }
    got = in_child(body)
    assert got["read granted"] == got["write own"] == got["dev null"] == "done", got
    denied = os.strerror(13)  # EACCES
    for name in ("write granted", "read outside", "list outside", "write outside", "etc"):
        assert got[name] == denied, (name, got)
    if abi >= 6:  # signals are scoped to the sandbox from ABI 6 on
        assert got["signal parent"] == os.strerror(1)
    assert not (outside / "new.txt").exists() and (own / "new.txt").exists()


def test_a_tree_holding_a_hidden_folder_is_granted_around_it(tmp_path):
    stdlib = tmp_path / "lib" / "python3.11"
    (stdlib / "site-packages" / "grader").mkdir(parents=True)
    (stdlib / "json").mkdir()
    (stdlib / "os.py").write_text("")
    numpy = stdlib / "site-packages" / "numpy"
    numpy.mkdir()
    readable, listable = readable_cover([str(stdlib), str(numpy)],
                                        [str(stdlib / "site-packages")])
    assert sorted(readable) == sorted([str(stdlib / "json"), str(stdlib / "os.py"), str(numpy)])
    assert listable == [str(stdlib)]  # listed (the import system lists it), not read whole
