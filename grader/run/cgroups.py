"""One memory cgroup per slot, where the machine lets the grader make one.

RLIMIT_AS bounds what a worker maps, not what it leaves in the kernel: files in a
memory filesystem (its own folder under /dev/shm, /tmp on tmpfs), pipes and socket
buffers. A memory cgroup counts all of it, so a slot's zygote is moved into one (its
workers, forked later, are born there) and the kernel stops the slot at
``memory + headroom``. cgroup v2 is used when the grader may create a child with the
memory controller; otherwise cgroup v1's memory hierarchy when it is writable (root on
older systems); otherwise nothing, and the levels' descriptions say what is uncounted.
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from pathlib import Path

HEADROOM = 256 * 2**20  # the zygote's numpy and the kernel's own bookkeeping


class SlotCgroup:
    """A cgroup of one slot; ``None`` from :meth:`create` when none can be made here."""

    def __init__(self, path: Path, version: int) -> None:
        self.path = path
        self.version = version
        self._ooms_seen = self.oom_kills()

    @classmethod
    def create(cls, memory_bytes: int, max_pids: int) -> SlotCgroup | None:
        for version, parent in _parents():
            path = parent / f"grader-{os.getpid()}-{secrets.token_hex(3)}"
            try:
                path.mkdir()
            except OSError:
                continue
            group = cls(path, version)
            try:
                group._limit(memory_bytes, max_pids)
                return group
            except OSError:
                group.remove()
        return None

    def _limit(self, memory_bytes: int, max_pids: int) -> None:
        if self.version == 2:
            if "memory" not in (self.path / "cgroup.controllers").read_text().split():
                raise OSError("the memory controller is not delegated here")
            _write(self.path / "memory.max", memory_bytes)
            _write(self.path / "memory.swap.max", 0, optional=True)
            if "pids" in (self.path / "cgroup.controllers").read_text().split():
                _write(self.path / "pids.max", max_pids)
        else:
            _write(self.path / "memory.limit_in_bytes", memory_bytes)
            _write(self.path / "memory.memsw.limit_in_bytes", memory_bytes, optional=True)

    def add(self, pid: int) -> None:
        _write(self.path / "cgroup.procs", pid)

    def oom_kills(self) -> int:
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (self.path / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def killed_for_memory(self) -> bool:
        """True when the kernel killed a process of this slot for memory since last asked."""
        now = self.oom_kills()
        killed, self._ooms_seen = now > self._ooms_seen, now
        return killed

    def usage(self) -> int:
        name = "memory.current" if self.version == 2 else "memory.usage_in_bytes"
        try:
            return int((self.path / name).read_text())
        except (OSError, ValueError):
            return 0

    def remove(self) -> None:
        """Remove the cgroup once its processes are gone (they are being killed)."""
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                time.sleep(0.02)


@functools.cache
def available() -> int | None:
    """The cgroup version slots get here (made and removed once to find out), or None."""
    group = SlotCgroup.create(HEADROOM, 64)
    if group is None:
        return None
    group.remove()
    return group.version


def _parents():
    """Where this process may make a child cgroup: (version, folder), best first."""
    mounts = _read("/proc/self/mounts").splitlines()
    own = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        own[controllers] = path
    for line in mounts:
        fields = line.split()
        if len(fields) >= 3 and fields[2] == "cgroup2" and "" in own:
            yield 2, Path(fields[1]) / own[""].lstrip("/")
    for line in mounts:
        fields = line.split()
        if len(fields) >= 4 and fields[2] == "cgroup" and "memory" in fields[3].split(","):
            path = next((p for c, p in own.items() if "memory" in c.split(",")), None)
            if path is not None:
                yield 1, Path(fields[1]) / path.lstrip("/")


def _write(path: Path, value, *, optional: bool = False) -> None:
    try:
        path.write_text(str(value))
    except FileNotFoundError:
        if not optional:
            raise
    except OSError:
        if not optional:
            raise


def _read(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""
