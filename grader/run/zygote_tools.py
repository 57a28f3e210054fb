"""What the zygote does to processes and files of its slot: kill, reap, unpack, wipe.

Shipped beside zygote.py and imported by it once ``sys.path`` holds the shipped code, so it
imports only the standard library, like everything that runs in the sandbox.
"""

from __future__ import annotations

import ctypes
import io
import json
import os
import shutil
import signal
import struct
import threading

libc = ctypes.CDLL(None, use_errno=True)


UID_BASE = 0x70000000
SYS_SETRESUID = {"x86_64": 117, "aarch64": 147}.get(os.uname().machine)


def kill_as_user(uid: int) -> bool:
    """SIGKILL every process of ``uid`` at once, without scanning /proc.

    kill(-1) signals everything the caller may signal, so it is sent from a thread
    whose credentials alone became ``uid`` (the raw syscall changes one thread only;
    the zygote stays root). The kernel makes it atomic with respect to fork.
    """
    if SYS_SETRESUID is None:
        return False
    done = []

    def as_user() -> None:
        if libc.syscall(SYS_SETRESUID, uid, uid, uid) == 0:
            libc.kill(-1, signal.SIGKILL)
            done.append(True)
    thread = threading.Thread(target=as_user)
    thread.start()
    thread.join()
    return bool(done)



def own_uid(fallback: int) -> int:
    """A user id no other slot or user has: UID_BASE + our pid, if this system maps it.

    Per-slot users keep one slot's workers from signalling another's and make
    RLIMIT_NPROC count only this slot's processes. Without a mapping (e.g. in a
    container whose user namespace is small), every slot shares ``fallback``.
    """
    uid = UID_BASE + os.getpid()
    try:
        with open("/proc/self/uid_map") as f:
            ranges = [tuple(map(int, line.split())) for line in f]
    except OSError:
        return fallback
    return uid if any(lo <= uid < lo + n for lo, _, n in ranges) else fallback


def text_out(fd: int):
    raw = io.FileIO(fd, "w", closefd=False)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="backslashreplace",
                            line_buffering=True)


def describe_status(status: int) -> dict:
    if os.WIFSIGNALED(status):
        return {"signal": os.WTERMSIG(status)}
    return {"code": os.waitstatus_to_exitcode(status)}


def descendants(root: int) -> list[tuple[int, str]]:
    parent: dict[int, tuple[int, str]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except (OSError, IndexError):
                continue
            parent[int(entry.name)] = (int(fields[1]), fields[0].decode())
    found, frontier = [], {root}
    while frontier:
        nxt = {pid for pid, (ppid, _) in parent.items() if ppid in frontier}
        found += [(pid, parent[pid][1]) for pid in nxt]
        frontier = nxt
    return found


def unpack(fd: int, dst: str, uid: int | None) -> None:
    """Write the submission's files from the grader's memfd: ``u32 n | JSON [[path,
    size]...] | contents``. Paths are checked: the grader made them, but a bug must
    not write outside ``dst``."""
    (n,) = struct.unpack("<I", os.pread(fd, 4, 0))
    entries = json.loads(os.pread(fd, n, 4))
    offset = 4 + n
    for rel, size in entries:
        parts = rel.split("/")
        if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"bad path in submission: {rel!r}")
        path = dst
        for part in [None, *parts[:-1]]:
            path = path if part is None else os.path.join(path, part)
            if not os.path.isdir(path):
                os.mkdir(path, 0o755)
                if uid is not None:
                    os.chown(path, uid, uid)
        target = os.path.join(dst, *parts)
        out = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        try:
            data = os.pread(fd, size, offset)
            while data:
                data = data[os.write(out, data):]
        finally:
            os.close(out)
        if uid is not None:
            os.chown(target, uid, uid)
        offset += size


def empty_dir(path: str) -> bool:
    def unlock(func, failed, _):
        os.chmod(os.path.dirname(failed) or failed, 0o700)
        func(failed)
    try:
        for entry in os.scandir(path):
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, 0o700)
                shutil.rmtree(entry.path, onerror=unlock)
            else:
                os.unlink(entry.path)
        return not os.listdir(path)
    except Exception:  # noqa: BLE001 - e.g. a tree too deep to recurse: the slot restarts
        return False


def remove_owned(folder: str, uid: int) -> bool:
    """Remove what ``uid`` made at the top of a world-writable ``folder``."""
    try:
        entries = [e for e in os.scandir(folder) if e.stat(follow_symlinks=False).st_uid == uid]
    except OSError:
        return True  # no such place here
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                os.chmod(entry.path, 0o700)
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            return False
    return True


def clear_sysv_ipc() -> None:
    """SysV IPC objects outlive their processes; remove what a submission left."""
    for kind, remove in (("shm", lambda i: libc.shmctl(i, 0, None)),
                         ("msg", lambda i: libc.msgctl(i, 0, None)),
                         ("sem", lambda i: libc.semctl(i, 0, 0))):
        try:
            with open(f"/proc/sysvipc/{kind}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            remove(int(row.split()[1]))
