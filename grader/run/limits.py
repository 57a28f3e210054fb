"""What confines a worker: the sandbox level, how its zygote is launched, its rlimits,
and the plain-words names of the limits that students read in their feedback."""

from __future__ import annotations

import functools
import os
import shutil
import stat
import subprocess
from pathlib import Path

from ..config import Limits
from .runtime import Runtime, runtime
from .runtime import under as _under

NOBODY = 65534
HERE = Path(__file__).resolve().parent
SHIPPED = ("zygote.py", "zygote_tools.py", "worker_main.py", "worker_notes.py", "wire.py",
           "confine.py")  # the only code a sandbox may run
# Where any user may create files: after each submission, what its own user left there is
# removed (only when that user is the slot's own, so it can be told apart).
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/dev/mqueue")
WORKER_ENV = {
    "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8",
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
}

BATCH_REPLIES = 4  # a batch of calls may return this many largest replies' worth, in all


def limit_name(limits: Limits, kind: str) -> str:
    """The student-facing name of a limit, with its value."""
    mb = 2**20
    return {
        "call": f"wall time per call ({limits.call_timeout:g} s)",
        "submission": f"submission wall time ({limits.submission_timeout:g} s)",
        "memory": f"memory ({limits.memory_mb} MB)",
        "cpu": f"CPU time ({limits.cpu_seconds} s)",
        "processes": f"processes ({limits.max_processes})",
        "open files": f"open files ({limits.max_open_files})",
        "file size": f"file size ({limits.max_file_bytes / mb:g} MB)",
        "output": f"output size ({limits.max_output_bytes / 1024:g} KB)",
        "reply": f"size of a returned value ({limits.max_reply_bytes / mb:g} MB)",
        "batch": f"data returned at once ({BATCH_REPLIES * limits.max_reply_bytes / mb:g} MB)",
        "returned": f"data returned per submission ({limits.max_returned_bytes / mb:g} MB)",
    }[kind]


def rlimits(limits: Limits, level: str) -> list[tuple[str, int, int]]:
    nproc = limits.max_processes
    if level == "bwrap":
        nproc += 2  # bwrap's init and the zygote share the sandbox user
    elif os.geteuid() != 0:
        nproc += _count_own_processes()  # the limit is per user, not per process tree
    return [
        ("RLIMIT_AS", limits.memory_mb * 2**20, limits.memory_mb * 2**20),
        # SIGXCPU at the soft limit names the cause; the hard limit is the backstop.
        ("RLIMIT_CPU", limits.cpu_seconds, limits.cpu_seconds + 2),
        ("RLIMIT_NPROC", nproc, nproc),
        ("RLIMIT_NOFILE", limits.max_open_files, limits.max_open_files),
        ("RLIMIT_FSIZE", limits.max_file_bytes, limits.max_file_bytes),
        ("RLIMIT_CORE", 0, 0),
    ]


def _count_own_processes() -> int:
    uid = os.getuid()
    return sum(1 for entry in os.scandir("/proc")
               if entry.name.isdigit() and _owner(entry.path) == uid)


def _owner(path: str) -> int:
    try:
        return os.stat(path).st_uid
    except OSError:
        return -1


SANDBOX_SITE = "/sandbox/site"  # where numpy is mounted when its own place is covered
COVERED = ("/tmp", "/dev", "/proc", "/sandbox")  # places the sandbox fills with its own


def bwrap_argv(rt: Runtime, *, lib: str, tmp_bytes: int) -> list[str]:
    """bubblewrap arguments showing only what a worker needs (ends before ``--``)."""
    argv = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
            "--uid", str(NOBODY), "--gid", str(NOBODY), "--new-session", "--clearenv",
            "--chdir", "/"]
    for key, value in WORKER_ENV.items():
        argv += ["--setenv", key, value]
    trees = ["/usr"]
    argv += ["--ro-bind", "/usr", "/usr"]
    for top in ("/lib", "/lib64", "/bin", "/sbin"):
        if os.path.islink(top):
            argv += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            argv += ["--ro-bind", top, top]
            trees.append(top)
    argv += ["--ro-bind-try", "/etc/ld.so.cache", "/etc/ld.so.cache",
             "--proc", "/proc", "--dev", "/dev", "--size", str(tmp_bytes), "--tmpfs", "/dev/shm",
             "--mqueue", "/dev/mqueue", "--remount-ro", "/dev"]
    for path in (rt.executable, *rt.libraries, *rt.worker_path):
        if not any(_under(path, t) for t in trees):
            argv += ["--ro-bind", path, path]
            trees.append(path)
    masks = [h for h in rt.hidden if any(_under(h, t) for t in trees)
             and not any(_under(h, other) for other in rt.hidden if other != h)]
    for mask in masks:  # an empty read-only directory over site-packages and the grader
        argv += ["--tmpfs", mask]
    # numpy appears where it is on the host, so that relative RPATHs to the prefix's
    # BLAS (conda) still resolve, unless the sandbox's own /tmp or /dev would cover
    # that place (a venv in a checkout under /tmp): then at a fixed place.
    for path in (rt.numpy_dir, rt.numpy_libs):
        if path:
            argv += ["--ro-bind", path, numpy_mount(rt, path)]
    for mask in masks:
        argv += ["--remount-ro", mask]
    argv += ["--ro-bind", lib, "/sandbox/lib",
             "--size", str(tmp_bytes), "--tmpfs", "/sandbox/scratch",
             "--size", str(tmp_bytes), "--tmpfs", "/tmp", "--remount-ro", "/"]
    return argv


# Files any Python process reads or writes: (path, Landlock rights).
_DEVICES = (("/dev/null", "rw"), ("/dev/zero", "r"), ("/dev/urandom", "r"),
            ("/dev/random", "r"), ("/etc/ld.so.cache", "r"), ("/etc/localtime", "r"))


def landlock_rules(rt: Runtime, *, lib: str) -> list[tuple[str, int]]:
    """What a worker may open at the landlock level: the runtime and the system's shared
    libraries without any site-packages or the grader, numpy, and the shipped code
    (its own folder is added by the zygote). Everything else is denied."""
    from . import confine
    from .runtime import SYSTEM_TREES, readable_cover
    trees = [*SYSTEM_TREES, *rt.worker_path, *rt.libraries, rt.numpy_dir, rt.numpy_libs, lib]
    readable, listable = readable_cover(trees, rt.hidden)
    rules = [(path, confine.READ) for path in readable]
    rules += [(path, confine.FS_READ_DIR) for path in listable]
    for path, mode in _DEVICES:
        rights = confine.FS_READ_FILE | (confine.FS_WRITE_FILE if "w" in mode else 0)
        rules.append((os.path.realpath(path), rights))
    return rules


def numpy_mount(rt: Runtime, path: str) -> str:
    """Where ``path`` (numpy or its bundled libraries) appears inside the bwrap sandbox."""
    if any(_under(rt.numpy_dir, covered) for covered in COVERED):
        return f"{SANDBOX_SITE}/{os.path.basename(path)}"
    return path


def bind_sources(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a in ("--ro-bind", "--ro-bind-try")
            and os.path.exists(argv[i + 1])]


def root_launch(argv: list[str], launcher: str) -> list[str]:
    """As root, run bwrap as nobody through the launcher in zygote.py (see there)."""
    import json
    binds = [p for p in bind_sources(argv) if not _under(p, "/usr")]
    masks = sorted({m for m in map(_first_closed_ancestor, binds) if m})
    masks = [m for m in masks if not any(_under(m, o) for o in masks if o != m)]
    spec = {"binds": [b for b in binds if any(_under(b, m) for m in masks)], "masks": masks,
            "uid": NOBODY, "argv": [shutil.which("bwrap") or "bwrap", *argv[1:]]}
    return [runtime().executable, "-I", "-S", "-B", launcher, "--launch", json.dumps(spec)]


def _first_closed_ancestor(path: str) -> str | None:
    """The highest directory above ``path`` that 'nobody' may not traverse."""
    parts = Path(path).parts
    for i in range(2, len(parts)):
        ancestor = os.path.join(*parts[:i])
        if not os.stat(ancestor).st_mode & stat.S_IXOTH:
            return ancestor
    return None


@functools.lru_cache(maxsize=1)
def probe_bwrap() -> str | None:
    """None when bubblewrap can build the sandbox here, else why not (one line)."""
    if shutil.which("bwrap") is None:
        return "bwrap is not installed"
    argv = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--uid",
            str(NOBODY), "--gid", str(NOBODY), "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"]
    if os.geteuid() == 0:
        argv = root_launch(argv, str(HERE / "zygote.py"))
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, env={},
                              stdin=subprocess.DEVNULL, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bwrap failed to run: {exc}"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        return f"bwrap cannot create a sandbox here: {last}"
    return None
