"""Isolated places where students' code runs.

A :class:`SandboxSlot` owns one zygote (a process that has imported only numpy and
the worker loop, inside bubblewrap at the ``bwrap`` level). :meth:`SandboxSlot.open`
returns a :class:`~grader.run.session.WorkerSession` for one submission, which
forks its worker from the zygote and calls the student's code with data-only
messages. After every submission the zygote SIGKILLs every process the submission
started and empties every writable place; if it cannot, or stops answering, the
whole slot is torn down and restarted.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

from ..config import Limits
from ..errors import InternalError, SandboxUnavailable
from . import cgroups, confine, levels
from . import limits as policy
from .levels import describe_level
from .session import WorkerSession
from .zygote_tools import descendants

__all__ = ["SandboxSlot", "WorkerSession", "describe_level"]

START_TIMEOUT = 30.0
CONTROL_TIMEOUT = 5.0


class SlotBroken(Exception):
    """The zygote did not answer as it should; the slot must be restarted."""


class SandboxSlot:
    """One isolated place where workers run, reused for many submissions."""

    control_timeout = CONTROL_TIMEOUT  # how long a healthy zygote may take to answer

    def __init__(self, *, level: str = "auto", limits: Limits | None = None,
                 workdir: Path) -> None:
        self.limits = limits or Limits()
        if level == "auto":
            level = levels.choose("auto").level
        elif level not in levels.LEVELS:
            raise SandboxUnavailable(f"unknown sandbox level {level!r}")
        self.level = level
        self.requested = level
        self.workdir = Path(workdir).resolve()
        self.description = describe_level(self.level)
        self.starts = 0
        self.exits: dict[int, dict] = {}
        self._proc: subprocess.Popen | None = None
        self._ctl: socket.socket | None = None
        self._session: WorkerSession | None = None
        self._broken = False
        self._count = 0
        self.cgroup: cgroups.SlotCgroup | None = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> None:
        """Start the zygote now (otherwise the first ``open`` does)."""
        if self._proc is not None:
            return
        self._start()

    def open(self, staged: Path) -> WorkerSession:
        """A session for the submission staged in ``staged`` (a dir holding cs231n/)."""
        if self._session is not None and not self._session.closed:
            raise InternalError("a sandbox slot runs one submission at a time")
        self.start()
        self._count += 1
        name = f"sub{self._count}-{secrets.token_hex(4)}"
        self._session = WorkerSession(self, name, pack(Path(staged)))
        return self._session

    def close(self) -> None:
        """Kill everything of this slot and remove its temporary state."""
        if self._session is not None and not self._session.closed:
            self._session.close()
        self._stop(grace=2.0)
        if self.cgroup is not None:
            self.cgroup.remove()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _start(self) -> None:
        lib, scratch = self.workdir / "lib", self.workdir / "scratch"
        shutil.rmtree(scratch, ignore_errors=True)  # what a failed slot may have left
        for d in (lib, scratch):
            d.mkdir(parents=True, exist_ok=True)
            os.chmod(d, 0o755)
        for name in policy.SHIPPED:
            shutil.copyfile(policy.HERE / name, lib / name)
            os.chmod(lib / name, 0o644)
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # The configuration (paths, limits) goes in a memfd, not on the command line, where
        # every process of the submission could read it (sys.argv, /proc/self/cmdline).
        config = os.memfd_create("zygote-config", 0)
        argv = self._plan(child.fileno(), lib, scratch, config)
        try:
            with open(self.workdir / "zygote.log", "wb") as log:
                self._proc = subprocess.Popen(
                    argv, pass_fds=[child.fileno(), config], env=dict(policy.WORKER_ENV),
                    cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            child.close()
            os.close(config)
        self._ctl = parent
        self._broken = False
        self.starts += 1
        try:
            ready = self.control(None, timeout=START_TIMEOUT, want="ready")
        except SlotBroken as exc:
            self._stop()
            tail = self._log_tail()
            raise SandboxUnavailable(f"the {self.level} sandbox did not start ({exc})"
                                     + (f": {tail}" if tail else "")) from None
        self.zygote_pid = ready["pid"]
        self.worker_uid = ready.get("uid")
        self._bound_memory()

    def _bound_memory(self) -> None:
        """Put the zygote (so every worker it forks) into this slot's memory cgroup."""
        if self.cgroup is None:
            self.cgroup = cgroups.SlotCgroup.create(
                self.limits.memory_mb * 2**20 + cgroups.HEADROOM, self.limits.max_processes + 8)
        pid = self.zygote_host_pid()
        if self.cgroup is not None and pid is not None:
            try:
                self.cgroup.add(pid)
            except OSError:  # e.g. a cgroup we may make but not move our children into
                self.cgroup.remove()
                self.cgroup = None

    def _plan(self, ctl_fd: int, lib: Path, scratch: Path, config_fd: int):
        rt = policy.runtime()
        cfg = {"ctl_fd": ctl_fd, "env": policy.WORKER_ENV,
               "rlimits": policy.rlimits(self.limits, self.level),
               "worker_path": list(rt.worker_path), "seccomp": confine.seccomp_supported()}
        python = [rt.executable, "-I", "-S", "-B"]
        if self.level in ("process", "landlock"):
            os.chmod(scratch, 0o755)
            cfg.update(path=[str(lib), *rt.worker_path, rt.numpy_parent],
                       scratch=str(scratch), wipe=[str(scratch)],
                       uid=policy.NOBODY if os.geteuid() == 0 else None,
                       sweep=list(policy.WORLD_WRITABLE))
            if self.level == "landlock":
                cfg.update(landlock={"abi": confine.landlock_abi(),
                                     "rules": policy.landlock_rules(rt, lib=str(lib))})
            os.write(config_fd, json.dumps(cfg).encode())
            return [*python, str(lib / "zygote.py"), f"--config-fd={config_fd}"]
        tmp_bytes = max(64 * 2**20, 2 * self.limits.max_file_bytes)
        argv = policy.bwrap_argv(rt, lib=str(lib), tmp_bytes=tmp_bytes)
        site_dir = os.path.dirname(policy.numpy_mount(rt, rt.numpy_dir))
        cfg.update(path=["/sandbox/lib", *rt.worker_path, site_dir],
                   scratch="/sandbox/scratch", ipc=True,
                   wipe=["/sandbox/scratch", "/tmp", "/dev/shm", "/dev/mqueue"])
        os.write(config_fd, json.dumps(cfg).encode())
        argv = [*argv, "--", *python, "/sandbox/lib/zygote.py", f"--config-fd={config_fd}"]
        if os.geteuid() == 0:
            argv = policy.root_launch(argv, str(lib / "zygote.py"))
        return argv

    def _stop(self, *, grace: float = 0.0) -> None:
        """SIGKILL the zygote and everything below it, whether it answers or not.

        With ``grace``, a healthy zygote first gets that long to clean up and exit on
        its own once its control socket closes, so bwrap reaps its own children.
        """
        if self._ctl is not None:
            self._ctl.close()
            self._ctl = None
        self._broken = True
        proc, self._proc = self._proc, None
        if proc is None:
            return
        try:
            proc.wait(timeout=grace)
            self.exits.clear()
            return
        except subprocess.TimeoutExpired:
            pass
        for _ in range(100):
            tree = [pid for pid, _ in descendants(proc.pid)]
            if not tree:
                break
            for pid in tree:
                _kill(pid)
            time.sleep(0.002)
        _kill(proc.pid)
        proc.wait()
        self.exits.clear()

    def zygote_host_pid(self) -> int | None:
        """The zygote's pid as the grader sees it (bwrap runs it in its own pid namespace)."""
        if self._proc is None or self.level != "bwrap":
            return None if self._proc is None else self._proc.pid
        return next((pid for pid, _ in descendants(self._proc.pid)
                     if _ns_pid(pid) == self.zygote_pid), None)

    def submission_processes(self) -> list[int]:
        """Host pids of every process the current submission has (for checks and tests)."""
        zygote = self.zygote_host_pid()
        return [] if zygote is None else [pid for pid, _ in descendants(zygote)]

    def restart(self) -> None:
        self._stop()
        self._start()

    def _log_tail(self) -> str:
        try:
            text = (self.workdir / "zygote.log").read_text(errors="replace").strip()
        except OSError:
            return ""
        return " ".join(text.splitlines()[-1:])[:300]

    # ------------------------------------------------------------ control channel
    def control(self, message: dict | None, *, fds=(), timeout: float | None = None,
                want: str | None = None) -> dict:
        """Send one control message and wait for its reply (events are recorded)."""
        if self._ctl is None or self._broken:
            raise SlotBroken("the zygote is not usable")
        try:
            if message is not None:
                socket.send_fds(self._ctl, [json.dumps(message).encode()], list(fds))
            deadline = time.monotonic() + (timeout or self.control_timeout)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise SlotBroken("the zygote did not answer in time")
                reply = self._read_control(left)
                if reply is None:
                    continue
                if reply.get("op") == (message or {}).get("op") or reply.get("ev") == want:
                    if "error" in reply:
                        raise SlotBroken(reply["error"])
                    return reply
        except (OSError, SlotBroken) as exc:
            self._broken = True
            raise SlotBroken(str(exc)) from None

    def _read_control(self, timeout: float) -> dict | None:
        self._ctl.settimeout(max(timeout, 0.0))
        try:
            data = self._ctl.recv(65536)
        except (TimeoutError, BlockingIOError):
            return None
        if not data:
            raise SlotBroken("the zygote has exited")
        try:
            message = json.loads(data)
        except ValueError:
            raise SlotBroken("garbage on the control channel") from None
        if message.get("ev") == "exit":
            self.exits[message["pid"]] = message["status"]
        return message

    def control_fd(self) -> int:
        return self._ctl.fileno()

    def poll_events(self, timeout: float) -> bool:
        """Record the zygote's events for up to ``timeout`` s; False if it is gone."""
        if self._ctl is None or self._broken:
            return False
        try:
            self._read_control(timeout)
            return True
        except (OSError, SlotBroken):
            self._broken = True
            return False

    def fork(self, name: str, chan: socket.socket, out_w: int, files: int) -> int:
        """A fresh worker for submission ``name``; a broken zygote is replaced first."""
        if self._broken:
            self.restart()
        message, fds = {"op": "fork", "name": name}, [chan.fileno(), out_w, files]
        try:
            return self.control(message, fds=fds)["pid"]
        except SlotBroken:
            self.restart()
            return self.control(message, fds=fds)["pid"]

    def kill_all(self) -> None:
        """Kill every process of the current submission; restart the slot if that fails."""
        try:
            reply = self.control({"op": "kill", "timeout": 3.0})
            if not reply.get("ok"):
                raise SlotBroken(reply.get("detail") or "cleanup failed")
        except SlotBroken:
            self.restart()
        self.exits.clear()

    def finish(self, name: str) -> None:
        """Called by a closing session, after its processes are gone."""
        self.exits.clear()


MAX_STAGED_BYTES = 64 * 2**20


def pack(staged: Path) -> int:
    """The staged files in a memfd for the zygote (see zygote.unpack): no disk writes,
    regular files only (a symlink could point at the grader's files)."""
    entries, blobs, total = [], [], 0
    for path in sorted(staged.rglob("*")):
        rel = path.relative_to(staged).as_posix()
        if path.is_symlink() or not path.is_file() or "__pycache__" in rel.split("/"):
            continue
        data = path.read_bytes()
        total += len(data)
        if total > MAX_STAGED_BYTES:
            raise InternalError(f"staged submission larger than {MAX_STAGED_BYTES} bytes",
                                path=staged)
        entries.append([rel, len(data)])
        blobs.append(data)
    header = json.dumps(entries).encode()
    fd = os.memfd_create("submission", os.MFD_CLOEXEC)
    data = memoryview(b"".join([struct.pack("<I", len(header)), header, *blobs]))
    while data:
        data = data[os.write(fd, data):]
    return fd


def _ns_pid(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("NSpid:"):
                    return int(line.split()[-1])
    except OSError:
        pass
    return None


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
