"""One cgroup per slot, where the machine lets the grader make one: memory, CPU, pids.

RLIMIT_AS bounds what a worker maps, not what it leaves in the kernel (files in a memory
filesystem, pipes, socket buffers), and rlimits are per process, so a submission that
forks busy children takes CPU from every other slot. A slot's zygote is moved into its own
cgroup, so every worker it forks is born there, and the kernel enforces, for the
submission's whole process tree at once:

- memory: ``memory + headroom``, files in memory included (the kill is named as the
  student's memory limit);
- CPU: one core's worth (a submission that forks many busy children competes with its
  own children, not with the other slots);
- pids: the process limit, for the tree rather than per user.

cgroup v2 is used when the grader may create a child there with the controllers
delegated; otherwise the cgroup v1 hierarchies that are writable (root on older systems);
otherwise nothing, and the levels' descriptions say what is then not bounded.
"""

from __future__ import annotations

import functools
import os
import secrets
import time
from pathlib import Path

HEADROOM = 256 * 2**20  # the zygote's numpy and the kernel's own bookkeeping
CPU_PERIOD_US = 100_000


class SlotCgroup:
    """The cgroup(s) of one slot: one folder in v2, one per controller in v1."""

    def __init__(self, folders: dict[str, Path], version: int) -> None:
        self.folders = folders  # controller -> folder ("memory", "cpu", "pids")
        self.version = version
        self._ooms_seen = self.oom_kills()

    @property
    def path(self) -> Path:
        return self.folders["memory"]

    @classmethod
    def create(cls, memory_bytes: int, max_pids: int) -> SlotCgroup | None:
        """A new cgroup with its limits set, or None when this machine allows none."""
        name = f"grader-{os.getpid()}-{secrets.token_hex(3)}"
        v2 = _v2_parent()
        if v2 is not None:
            group = cls._make({c: v2 / name for c in ("memory", "cpu", "pids")}, 2)
            if group is not None and group._limit(memory_bytes, max_pids):
                return group
            if group is not None:
                group.remove()
        folders = {c: parent / name for c, parent in _v1_parents().items()}
        if "memory" not in folders:
            return None
        group = cls._make(folders, 1)
        if group is not None and group._limit(memory_bytes, max_pids):
            return group
        if group is not None:
            group.remove()
        return None

    @classmethod
    def _make(cls, folders: dict[str, Path], version: int) -> SlotCgroup | None:
        made = {}
        for controller, folder in folders.items():
            try:
                folder.mkdir(exist_ok=version == 2)
                made[controller] = folder
            except OSError:
                if controller == "memory":
                    cls(made, version).remove()
                    return None
        return cls(made, version)

    def _limit(self, memory_bytes: int, max_pids: int) -> bool:
        """Set the limits; False when the memory limit cannot be set (then it is useless)."""
        try:
            if self.version == 2:
                controllers = (self.path / "cgroup.controllers").read_text().split()
                if "memory" not in controllers:
                    return False
                _write(self.path / "memory.max", memory_bytes)
                _write(self.path / "memory.swap.max", 0, optional=True)
                if "cpu" in controllers:
                    _write(self.path / "cpu.max", f"{CPU_PERIOD_US} {CPU_PERIOD_US}",
                           optional=True)
                if "pids" in controllers:
                    _write(self.path / "pids.max", max_pids, optional=True)
                return True
            _write(self.folders["memory"] / "memory.limit_in_bytes", memory_bytes)
            _write(self.folders["memory"] / "memory.memsw.limit_in_bytes", memory_bytes,
                   optional=True)
        except OSError:
            return False
        if "cpu" in self.folders:
            _write(self.folders["cpu"] / "cpu.cfs_period_us", CPU_PERIOD_US, optional=True)
            _write(self.folders["cpu"] / "cpu.cfs_quota_us", CPU_PERIOD_US, optional=True)
        if "pids" in self.folders:
            _write(self.folders["pids"] / "pids.max", max_pids, optional=True)
        return True

    def add(self, pid: int) -> None:
        """Move ``pid`` in (raises OSError if the memory cgroup refuses it)."""
        for controller, folder in sorted(self.folders.items(), key=lambda c: c[0] != "memory"):
            if self.version == 2 and controller != "memory":
                break  # one folder holds every controller
            _write(folder / "cgroup.procs", pid, optional=controller != "memory")

    def oom_kills(self) -> int:
        folder = self.folders.get("memory")
        if folder is None:
            return 0
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (folder / name).read_text().splitlines():
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
        except (OSError, ValueError, KeyError):
            return 0

    def remove(self) -> None:
        """Remove the folders once their processes are gone (they are being killed)."""
        for folder in set(self.folders.values()):
            for _ in range(50):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
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


def _own() -> dict[str, str]:
    """This process's cgroup per controller list ("" is the v2 hierarchy)."""
    own = {}
    for line in _read("/proc/self/cgroup").splitlines():
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        own[controllers] = path
    return own


def _mounts(kind: str) -> list[list[str]]:
    return [f for f in (line.split() for line in _read("/proc/self/mounts").splitlines())
            if len(f) >= 4 and f[2] == kind]


def _v2_parent() -> Path | None:
    own = _own()
    for fields in _mounts("cgroup2"):
        if "" in own:
            return Path(fields[1]) / own[""].lstrip("/")
    return None


def _v1_parents() -> dict[str, Path]:
    """Our own cgroup folder in each v1 hierarchy of memory, cpu and pids."""
    own, found = _own(), {}
    for fields in _mounts("cgroup"):
        options = fields[3].split(",")
        for controller in ("memory", "cpu", "pids"):
            if controller in options and controller not in found:
                path = next((p for c, p in own.items() if controller in c.split(",")), None)
                if path is not None:
                    found[controller] = Path(fields[1]) / path.lstrip("/")
    return found


def _write(path: Path, value, *, optional: bool = False) -> None:
    try:
        path.write_text(str(value))
    except OSError:
        if not optional:
            raise


def _read(path: str) -> str:
    try:
        with open(path) as handle:
            return handle.read()
    except OSError:
        return ""
