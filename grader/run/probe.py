"""The live probe: a submission that tries to escape, run at a given sandbox level.

A level is what it does, not what is installed: the probe starts a real slot at that
level and calls a function that tries what a hostile student would, against targets
that ordinary file permissions leave open (so only the sandbox can stop it): read a
file planted outside its folder, connect to a port the grader listens on, write into
a world-writable folder, make SysV shared memory and a memfd, signal the grader.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..config import Limits
from ..errors import GraderError

ESCAPES = r'''
import ctypes
import os
import socket


def escape(planted, outside, port, grader_pid):
    found = []
    try:
        with open(planted) as handle:
            handle.read()
        found.append("read a file outside its folder")
    except OSError:
        pass
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        found.append("open a network connection")
    except OSError:
        pass
    try:
        with open(os.path.join(outside, "written"), "w") as handle:
            handle.write("x")
        found.append("write outside its folder")
    except OSError:
        pass
    libc = ctypes.CDLL(None, use_errno=True)
    shm = libc.shmget(0, 4096, 0o1000 | 0o600)
    if shm >= 0:
        libc.shmctl(shm, 0, None)
        found.append("keep SysV shared memory")
    try:
        os.close(os.memfd_create("probe"))
        found.append("hold memory outside its limit (memfd)")
    except OSError:
        pass
    try:
        os.kill(grader_pid, 0)
        found.append("signal the grader")
    except OSError:
        pass
    return found
'''

PROBE_LIMITS = Limits(call_timeout=20.0, submission_timeout=30.0, cpu_seconds=10,
                      memory_mb=1024, max_processes=8)


@dataclass(frozen=True)
class Probe:
    """What one level did when a submission tried to escape it."""

    level: str
    started: bool
    reason: str | None = None  # why it did not start
    leaks: tuple[str, ...] = ()  # what the probe submission managed to do
    seconds: float = 0.0

    def problem(self) -> str | None:
        """Why this level cannot be used as what it claims (None: it can)."""
        from .levels import ISOLATING
        if not self.started:
            return self.reason
        if self.level in ISOLATING and self.leaks:
            return "a probe submission could " + ", ".join(self.leaks)
        return None


@functools.cache
def probe(level: str) -> Probe:
    """Start a slot at ``level`` and let the probe submission try everything."""
    from .sandbox import SandboxSlot
    from .scratch import scratch_root
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="grader-probe-", dir=scratch_root()))
    targets = Path(tempfile.mkdtemp(prefix="grader-probe-targets-"))
    listener = socket.socket()
    try:
        planted, outside = _targets(targets)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        staged = work / "staged" / "cs231n"
        staged.mkdir(parents=True)
        (staged / "__init__.py").write_text("")
        (staged / "probe.py").write_text(ESCAPES)
        with SandboxSlot(level=level, limits=PROBE_LIMITS, workdir=work / "slot") as slot, \
                slot.open(staged.parent) as session:
            leaks = session.call("cs231n.probe:escape", str(planted), str(outside),
                                 listener.getsockname()[1], os.getpid())
        if not isinstance(leaks, list) or not all(isinstance(x, str) for x in leaks):
            return Probe(level, False, f"the probe returned {leaks!r}")
        return Probe(level, True, leaks=tuple(leaks), seconds=time.monotonic() - started)
    except (GraderError, OSError) as exc:
        return Probe(level, False, _one_line(exc), seconds=time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - a worker failure: the level does not work
        return Probe(level, False, f"the probe submission failed: {_one_line(exc)}",
                     seconds=time.monotonic() - started)
    finally:
        listener.close()
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(targets, ignore_errors=True)


def _targets(root: Path) -> tuple[Path, Path]:
    """A readable planted file and a world-writable folder: open to anyone, so only the
    sandbox stands between them and the probe."""
    os.chmod(root, 0o755)
    planted = root / "planted.txt"
    planted.write_text("a hidden test would be here\n")
    os.chmod(planted, 0o644)
    outside = root / "open"
    outside.mkdir()
    os.chmod(outside, 0o1777)
    return planted, outside


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]
