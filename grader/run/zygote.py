"""The slot's resident process: imports numpy once, forks one worker per submission.

A plain file run as ``python -I -S zygote.py CONFIG`` (inside bubblewrap at the
``bwrap`` level): it imports only the standard library, numpy and the worker loop,
never grader code, so a forked worker inherits nothing a student may not see.
It is non-dumpable (workers cannot ptrace it or read its memory) and a child
subreaper (every process a submission starts, even after setsid or a double fork,
stays its descendant), so ``kill`` can find and SIGKILL the whole submission.

Control messages are JSON over a SOCK_SEQPACKET socket; ``fork`` carries the
worker's channel socket and output pipe as SCM_RIGHTS. Events the zygote sends on
its own: ``ready`` once, ``exit`` whenever a worker it forked ends.

``zygote.py --launch SPEC`` is the root-only launcher in front of bwrap: it builds
a private mount view in which the Python installation is reachable by ``nobody``
(e.g. under a 0700 /root), drops to ``nobody`` and execs bwrap, so the sandbox
maps to an unprivileged host user and RLIMIT_NPROC is enforced by the kernel.
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import io
import json
import os
import resource
import select
import signal
import socket
import sys
import time

PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS, PR_SET_CHILD_SUBREAPER = 1, 4, 38, 36
WORKER_CHANNEL_FD = 3
KEEP_FD_BASE = 20
libc = ctypes.CDLL(None, use_errno=True)


WORKER_NICENESS = 10
tools = None  # zygote_tools, imported in Zygote.start once sys.path holds the shipped code


def _staged_seed(root: str) -> int:
    """A seed from the names and bytes of the staged files (the submission's code)."""
    import hashlib
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                digest.update(os.path.relpath(path, root).encode() + b"\0")
                with open(path, "rb") as handle:
                    digest.update(handle.read() + b"\0")
    return int.from_bytes(digest.digest()[:8], "big")


def prctl(option: int, value: int) -> None:
    if libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


class Zygote:
    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.ctl = socket.socket(fileno=cfg["ctl_fd"])
        self.workers: set[int] = set()
        self.keep_fds: list[int] = []
        self.dirty = ""
        self.root_paths: dict[str, str] = {}

    def start(self) -> None:
        # No PR_SET_PDEATHSIG here: it fires when the *thread* that started us ends.
        # The end of the control socket is what tells us the grader is gone.
        prctl(PR_SET_DUMPABLE, 0)
        prctl(PR_SET_CHILD_SUBREAPER, 1)
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(sig, signal.SIG_IGN)
        self.wake_r, wake_w = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        sys.path[:] = self.cfg["path"]
        global tools  # the shipped helpers, importable once the path is set
        import confine  # before any drop to nobody, like worker_main
        import numpy
        import numpy.fft
        import numpy.linalg
        import numpy.random  # noqa: F401
        import worker_main  # noqa: F401
        import zygote_tools as tools
        self.uid = self.cfg.get("uid")
        self.own_user = False
        if self.uid is not None:
            self.own_user = (uid := tools.own_uid(self.uid)) != self.uid
            self.uid = uid
            self.reach_as_nobody()
        self.confined = self.open_landlock_paths()
        if self.confined:
            import confine
            self.landlock_rules = confine.prepare(self.confined, self.cfg["landlock"]["abi"])
        self.pid = os.getpid()
        # Objects the zygote made are never collected in a worker: without this, the
        # first garbage collection there writes to (and so copies) every inherited page.
        gc.freeze()
        self.send({"ev": "ready", "pid": self.pid, "uid": self.uid})

    def reach_as_nobody(self) -> None:
        """After dropping to nobody, reach stdlib and numpy through fds opened as root.

        A path below a 0700 directory cannot be traversed by nobody, but
        /proc/self/fd/N of a directory opened earlier can, and lazily imported
        modules then still load.
        """
        import numpy
        dirs = list(self.cfg["worker_path"]) + [os.path.dirname(numpy.__file__)]
        for path in dirs:
            if not os.path.isdir(path):
                continue
            fd = os.open(path, os.O_PATH | os.O_DIRECTORY)
            # The lowest free fd at or above the base: a fixed number could be the
            # control socket, whose number is whatever the grader's process had free.
            kept = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, KEEP_FD_BASE)
            os.close(fd)
            self.keep_fds.append(kept)
            self.root_paths[path] = f"/proc/self/fd/{kept}"
        prefixes = sorted(self.root_paths, key=len, reverse=True)
        for module in list(sys.modules.values()):  # packages imported already, e.g. importlib
            paths = getattr(module, "__path__", None)
            if type(paths) is list:
                paths[:] = [self.reachable(p, prefixes) for p in paths]

    def open_landlock_paths(self) -> list[tuple[int, int]]:
        """O_PATH fds of what a worker may read, with their rights, opened now (as root,
        where a path lies under a folder its user may not traverse) for each worker."""
        spec = self.cfg.get("landlock")
        rules = []
        for path, rights in (spec or {}).get("rules", ()):
            if os.path.exists(path):
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
                rules.append((fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, KEEP_FD_BASE), rights))
                os.close(fd)
        return rules

    def confine(self) -> None:
        """Landlock (at that level) and seccomp (wherever the kernel has it), last thing
        before the worker serves: from here on nothing can lift them."""
        import confine
        if self.cfg.get("landlock"):
            here = os.open(".", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            # Its own /proc entry (status, fds, maps) and nobody else's.
            own = os.open(f"/proc/{os.getpid()}", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
            confine.landlock([(here, confine.EVERYTHING), (own, confine.READ)],
                             self.cfg["landlock"]["abi"], prepared=self.landlock_rules)
            for fd in [here, own, *(fd for fd, _ in self.confined)]:
                os.close(fd)
        if self.cfg.get("seccomp"):
            confine.seccomp()

    def reachable(self, path: str, prefixes: list[str]) -> str:
        for prefix in prefixes:
            if path == prefix or path.startswith(prefix + "/"):
                return self.root_paths[prefix] + path[len(prefix):]
        return path

    def send(self, message: dict) -> None:
        try:
            self.ctl.send(json.dumps(message).encode())
        except OSError:  # the grader is gone: still clean up (see loop)
            pass

    def loop(self) -> None:
        while True:
            ready, _, _ = select.select([self.ctl, self.wake_r], [], [])
            if self.wake_r in ready:
                self.drain_wakeups()
                self.reap()
            if self.ctl in ready:
                try:
                    data, fds, _, _ = socket.recv_fds(self.ctl, 65536, 4)
                except OSError:  # ECONNRESET when the grader died with replies unread
                    data, fds = b"", []
                if not data:
                    self.op_kill({"timeout": 5.0}, [])
                    return
                message = json.loads(data)
                try:
                    reply = getattr(self, "op_" + message["op"])(message, fds)
                except Exception as exc:  # noqa: BLE001 - report, the grader decides
                    for fd in fds:
                        try:
                            os.close(fd)
                        except OSError:
                            pass
                    reply = {"op": message.get("op"), "error": f"{type(exc).__name__}: {exc}"}
                self.send(reply)
                if reply.get("op") == "kill" and reply.get("ok"):
                    self.wipe()

    def reap(self) -> bool:
        """Collect exited children; True when no child is left at all."""
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return True
            if pid == 0:
                return False
            if pid in self.workers:
                self.workers.discard(pid)
                self.send({"ev": "exit", "pid": pid, "status": tools.describe_status(status)})

    def op_ping(self, message: dict, fds) -> dict:
        return {"op": "ping"}

    def op_fork(self, message: dict, fds: list[int]) -> dict:
        chan, out, files = fds
        if self.dirty:
            raise RuntimeError(f"the last submission's files could not be removed: {self.dirty}")
        name = message["name"]
        if "/" in name or name.startswith("."):
            raise ValueError("bad submission name")
        work = os.path.join(self.cfg["scratch"], name)
        if not os.path.isdir(work):
            tools.unpack(files, work, self.uid)
        os.close(files)
        pid = os.fork()
        if pid == 0:
            try:
                self.become_worker(work, [chan, out])
            except BaseException as exc:  # noqa: BLE001 - the child must never return
                try:
                    os.write(2, f"worker setup failed: {exc!r}\n".encode())
                finally:
                    os._exit(70)
        os.close(chan)
        os.close(out)
        self.workers.add(pid)
        return {"op": "fork", "pid": pid}

    def become_worker(self, work: str, fds: list[int]) -> None:
        os.setsid()
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP,
                    signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        chan, out = fds
        try:  # when memory runs out, the kernel takes the worker, never the zygote first
            with open("/proc/self/oom_score_adj", "w") as handle:
                handle.write("1000")
        except OSError:
            pass
        null = os.open("/dev/null", os.O_RDONLY)
        for src, dst in ((null, 0), (out, 1), (out, 2), (chan, WORKER_CHANNEL_FD)):
            os.dup2(src, dst)
        keep = {0, 1, 2, WORKER_CHANNEL_FD, *self.keep_fds, *(fd for fd, _ in self.confined)}
        for fd in [int(n) for n in os.listdir("/proc/self/fd")]:
            if fd not in keep:
                try:
                    os.close(fd)
                except OSError:
                    pass
        os.chdir(work)
        root = work
        if self.keep_fds:  # dropping to nobody: see reach_as_nobody
            fd = os.open(".", os.O_PATH | os.O_DIRECTORY)
            os.dup2(fd, KEEP_FD_BASE - 1, inheritable=False)
            os.close(fd)
            root = f"/proc/self/fd/{KEEP_FD_BASE - 1}"
        uid = self.uid
        if uid is not None:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # after setuid, which clears it
        if os.getppid() != self.pid:
            os._exit(0)
        prctl(PR_SET_NO_NEW_PRIVS, 1)
        self.confine()
        # Below the grader's own processes: code that spins until its wall-time limit then
        # only gets the CPU that grading the others leaves idle.
        os.nice(WORKER_NICENESS)
        for name, soft, hard in self.cfg["rlimits"]:
            resource.setrlimit(getattr(resource, name), (soft, hard))
        os.environ.clear()
        os.environ.update(self.cfg["env"], HOME=root, TMPDIR=root)
        sys.path[:] = [root] + [self.root_paths.get(p, p) for p in self.cfg["worker_path"]]
        sys.argv = [""]  # not the zygote's command line: nothing of the grader's layout
        sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
        sys.stdout = tools.text_out(1)
        sys.stderr = tools.text_out(2)
        sys.__stdin__, sys.__stdout__, sys.__stderr__ = sys.stdin, sys.stdout, sys.stderr
        import random

        import numpy
        # Not the parent's stream, and not a new one each run: the same files draw the same
        # numbers, so regrading a submission gives the same verdict even when a check on a
        # wrong implementation passes or fails by chance. Student code has not run yet.
        seed = _staged_seed(root)
        numpy.random.seed(seed % 2**32)
        random.seed(seed)
        import worker_main
        worker_main.serve(socket.socket(fileno=WORKER_CHANNEL_FD), root)
        os._exit(0)

    def op_kill(self, message: dict, fds) -> dict:
        """SIGKILL every process of the submission and reap them all.

        Every such process is our descendant (we are a subreaper), so once waitpid
        reports no children at all, none survives.
        """
        deadline = time.monotonic() + message.get("timeout", 3.0)
        for pid in self.workers:
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        by_user = self.own_user and tools.kill_as_user(self.uid)
        while not self.reap():
            if time.monotonic() > deadline:
                left = len(tools.descendants(os.getpid()))
                return {"op": "kill", "ok": False, "detail": f"{left} processes survive"}
            if not by_user:  # children forked while we looked are found the next time
                for pid, state in tools.descendants(os.getpid()):
                    if state != "Z":
                        try:
                            os.kill(pid, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
            self.wait_children(0.02)
        return {"op": "kill", "ok": True}

    def wipe(self) -> None:
        """Empty every writable place. Runs after the kill reply so that slow disks
        overlap with the grader's own work; a failure refuses the next fork."""
        problems = [path for path in self.cfg["wipe"] if not tools.empty_dir(path)]
        if self.own_user:  # a user no one else has: all it owns there is the submission's
            problems += [path for path in self.cfg.get("sweep", ())
                         if not tools.remove_owned(path, self.uid)]
        if self.cfg.get("ipc"):
            tools.clear_sysv_ipc()
        self.dirty = " ".join(problems)

    def wait_children(self, timeout: float) -> None:
        """Sleep until a child changes state (SIGCHLD) or ``timeout``, then reap."""
        select.select([self.wake_r], [], [], timeout)
        self.drain_wakeups()
        self.reap()

    def drain_wakeups(self) -> None:
        while True:
            try:
                if not os.read(self.wake_r, 512):
                    return
            except BlockingIOError:
                return


def launch(spec: dict) -> None:
    CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x20000, 4096, 0x4000, 1 << 18

    def check(result: int, what: str) -> None:
        if result != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")
    check(libc.unshare(CLONE_NEWNS), "unshare")
    check(libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "make / private")
    fds = {path: os.open(path, os.O_PATH | os.O_CLOEXEC) for path in spec["binds"]}
    for mask in spec["masks"]:
        check(libc.mount(b"tmpfs", mask.encode(), b"tmpfs", 0, b"mode=0755"), "tmpfs " + mask)
    for path, fd in fds.items():
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, "x").close()
        check(libc.mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND, None),
              "bind " + path)
        os.close(fd)
    uid = spec["uid"]
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    os.execv(spec["argv"][0], spec["argv"])


def main(argv: list[str]) -> None:
    if argv[1] == "--launch":
        launch(json.loads(argv[2]))
        return
    if argv[1].startswith("--config-fd="):
        fd = int(argv[1].partition("=")[2])
        config = os.pread(fd, 1 << 24, 0)
        os.close(fd)
    else:
        config = argv[1]
    zygote = Zygote(json.loads(config))
    zygote.start()
    try:
        zygote.loop()
    finally:  # whatever went wrong, no process of a submission outlives the zygote
        zygote.op_kill({"timeout": 5.0}, [])


if __name__ == "__main__":
    main(sys.argv)
