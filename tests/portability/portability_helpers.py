"""Helpers of the portability tests: a copy of the project, Python layouts with their own
venvs, an unprivileged user, and running the installed ``grader`` command as someone.

Nothing here imports the grader: every check goes through the command a user types, run by
a venv built for one Python layout from a copy of this checkout.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import sysconfig
import threading
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent  # tests/portability/ -> the checkout these tests belong to
SBIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
RUN_TIMEOUT = 600.0  # one grader command; the class takes well under a minute on 2 cores
INSTALL_TIMEOUT = 900.0

# Seconds per phase, printed at the end of the session (see conftest.pytest_terminal_summary).
TIMINGS: dict[str, float] = {}
LEVELS: dict[str, str] = {}  # command -> the sandbox level its results.json names
_TIMINGS_LOCK = threading.Lock()


def record(name: str, seconds: float) -> None:
    with _TIMINGS_LOCK:
        TIMINGS[name] = seconds


class Unavailable(Exception):
    """A layout or identity this machine cannot provide; tests skip with this reason."""


def which(name: str) -> str | None:
    """A system command, also from sbin folders a CI job's PATH may lack."""
    return shutil.which(name) or shutil.which(name, path=SBIN_PATH)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join((text or "").rstrip().splitlines()[-lines:])


# --------------------------------------------------------------------------- folders
def world_traversable(path: Path) -> bool:
    """Every folder from / down to ``path`` may be entered by any user."""
    path = Path(path).resolve()
    return all(os.stat(p).st_mode & stat.S_IXOTH for p in [*reversed(path.parents), path])


def open_temp_base() -> Path:
    """A temporary folder every user can reach: the tests' user must read the venvs."""
    import tempfile
    for candidate in (tempfile.gettempdir(), "/tmp", "/var/tmp"):
        if os.path.isdir(candidate) and world_traversable(Path(candidate)):
            return Path(candidate)
    raise Unavailable("no world-traversable temporary folder (tried $TMPDIR, /tmp, /var/tmp)")


def make_readable(path: Path) -> None:
    """Folders 0755 and files a+r (a+x when executable), as a umask 022 checkout has."""
    for root, dirs, files in os.walk(path):
        os.chmod(root, 0o755)
        for name in files:
            full = os.path.join(root, name)
            if not os.path.islink(full):
                mode = os.stat(full).st_mode
                os.chmod(full, mode | 0o444 | (0o111 if mode & 0o100 else 0))


def tracked_files(repo: Path) -> list[str]:
    """What a fresh clone of ``repo`` would hold: tracked files plus new files not ignored
    (so a file a developer added but has not committed yet is there too), minus deletions."""
    if not (repo / ".git").exists() or not which("git"):
        raise Unavailable(f"{repo} is not a git checkout (or git is missing): the tests copy "
                          "the files git knows")
    done = subprocess.run(["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others",
                           "--exclude-standard"], capture_output=True, check=True)
    names = sorted({n for n in done.stdout.decode().split("\0") if n})
    return [n for n in names if os.path.lexists(repo / n)]


def copy_project(repo: Path, dest: Path) -> Path:
    for name in tracked_files(repo):
        src, dst = repo / name, dest / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), dst)
        elif src.is_file():
            shutil.copy2(src, dst)
    make_readable(dest)
    return dest


def project_requirements(project: Path) -> list[str]:
    """The project's runtime dependencies and its build requirements (for ``-e``)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: tomli is a dependency of the project there
        import tomli as tomllib
    data = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    return [*data["project"]["dependencies"], *data["build-system"]["requires"]]


def installed_pins() -> list[str]:
    """name==version of what the test-running environment holds, to install the same versions
    (build tools and the project itself excluded: the build requires its own)."""
    from importlib import metadata
    skip = {"grader", "pip", "setuptools", "wheel"}
    pins = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in skip:
            pins[name.lower()] = f"{name}=={dist.version}"
    return sorted(pins.values())


# --------------------------------------------------------------------------- identities
@dataclasses.dataclass(frozen=True)
class Identity:
    """Who runs a command: root (the test process itself) or the tests' unprivileged user."""

    label: str  # "root" or "user"
    name: str
    uid: int
    gid: int
    home: Path
    prefix: tuple[str, ...] = ()  # setpriv/runuser in front of the command, if any

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """A clean environment, like a login shell's: no venv, no pip or pytest settings.
        GRADER_* limits set on the host (tox passes them too) still apply, GRADER_HOME not."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home),
               "USER": self.name, "LOGNAME": self.name, "LANG": "C.UTF-8", "TERM": "dumb",
               "COLUMNS": "200"}
        env.update({k: v for k, v in os.environ.items()
                    if k.startswith("GRADER_") and k != "GRADER_HOME"})
        env.update(extra or {})
        return env

    def owns(self, path: Path) -> Path:
        """Make ``path`` (a folder tree) belong to this identity."""
        for root, dirs, files in os.walk(path):
            os.chown(root, self.uid, self.gid)
            for name in files:
                os.chown(os.path.join(root, name), self.uid, self.gid, follow_symlinks=False)
        return path


def current_identity(home: Path) -> Identity:
    import pwd
    entry = pwd.getpwuid(os.geteuid())
    home.mkdir(mode=0o700, exist_ok=True)
    return Identity("root", entry.pw_name, os.geteuid(), os.getegid(), home)


def switch_prefix(name: str, uid: int, gid: int) -> tuple[str, ...]:
    """The command prefix that runs a command as that user.

    setpriv keeps root's capabilities until its own execve (it sets PR_SET_KEEPCAPS to apply
    the capability options), so the command it starts is looked up with CAP_DAC_OVERRIDE:
    a program the user could never start, such as a venv's python linked to pyenv's under
    0700 /root, would start anyway (and then, unable to read its own installation, run with
    whatever libpython and standard library the system has). ``env`` in between makes the
    user's own execve look the command up, as a shell would.
    """
    setpriv, env = which("setpriv"), which("env")
    if setpriv and env:
        return (setpriv, f"--reuid={uid}", f"--regid={gid}", "--init-groups", env, "--")
    runuser = which("runuser")
    if runuser:
        return (runuser, "-u", name, "--")
    raise Unavailable("neither setpriv nor runuser (util-linux) is installed")


def create_user(base: Path) -> Identity:
    """A fresh unprivileged user with a home of its own under ``base``."""
    import pwd
    import secrets
    if os.geteuid() != 0:
        raise Unavailable("the tests do not run as root, so they cannot create a user")
    useradd = which("useradd")
    if not useradd or not which("userdel"):
        raise Unavailable("useradd/userdel (package passwd) are not installed")
    name = f"gradertest{secrets.token_hex(3)}"
    home = base / f"home-{name}"
    done = subprocess.run([useradd, "--no-create-home", "--home-dir", str(home), "--shell",
                           "/bin/sh", "--user-group", "--comment", "grader portability tests",
                           name], capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          check=False)
    if done.returncode != 0:
        raise Unavailable(f"useradd failed: {tail(done.stderr, 3)}")
    entry = pwd.getpwnam(name)
    try:
        home.mkdir(mode=0o700)
        os.chown(home, entry.pw_uid, entry.pw_gid)
        prefix = switch_prefix(name, entry.pw_uid, entry.pw_gid)
    except BaseException:
        delete_user(name)
        raise
    return Identity("user", name, entry.pw_uid, entry.pw_gid, home, prefix)


def delete_user(name: str) -> str | None:
    """Remove the user (killing what it left running first, each by its pid); returns a
    problem to report, or None."""
    import pwd
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return None
    problem = None
    for _ in range(3):
        for pid in processes_of(uid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        done = subprocess.run([which("userdel") or "userdel", name], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL, check=False)
        if done.returncode == 0:
            problem = None
            break
        problem = f"userdel {name} failed: {tail(done.stderr, 3)}"
        time.sleep(0.5)
    mail = Path("/var/mail") / name
    if mail.is_file():
        mail.unlink()
    return problem


def processes_of(uid: int) -> list[int]:
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.stat(entry.path).st_uid == uid:
                    pids.append(int(entry.name))
            except OSError:
                pass
    return pids


RUNNING: set[subprocess.Popen] = set()  # commands run_as started that have not ended yet
_RUNNING_LOCK = threading.Lock()


def run_as(who: Identity, argv: Sequence[str], *, cwd: Path, timeout: float = RUN_TIMEOUT,
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``argv`` as ``who`` with a clean environment and no stdin, as CI would."""
    proc = subprocess.Popen([*who.prefix, *map(str, argv)], cwd=cwd, env=who.env(env),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            umask=0o022)
    with _RUNNING_LOCK:
        RUNNING.add(proc)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop_group(proc)
        out, err = proc.communicate()
        err += f"\n[portability tests: stopped after {timeout:g} s]"
    finally:
        with _RUNNING_LOCK:
            RUNNING.discard(proc)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def stop_running() -> None:
    """Stop the commands still running (a session that ends early, e.g. on Ctrl-C)."""
    with _RUNNING_LOCK:
        procs = list(RUNNING)
    for proc in procs:
        stop_group(proc)


def stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the command's own process group (the grader cleans up on it), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_checked(argv: Sequence[str], *, what: str, timeout: float = INSTALL_TIMEOUT,
                env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    """Run a set-up step as the test process; a failure is an error naming the step."""
    try:
        done = subprocess.run(list(map(str, argv)), capture_output=True, text=True, env=env,
                              cwd=cwd, stdin=subprocess.DEVNULL, timeout=timeout, umask=0o022,
                              check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"{what}: timed out after {timeout:g} s") from None
    if done.returncode != 0:
        raise RuntimeError(f"{what} failed (exit {done.returncode}):\n$ {' '.join(done.args)}"
                           f"\n{tail(done.stdout, 10)}\n{tail(done.stderr, 30)}")
    return done.stdout


def install_env() -> dict[str, str]:
    """pip without the machine's pip configuration (no index, no extra find-links)."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8", "PIP_CONFIG_FILE": os.devnull, "PIP_NO_INPUT": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


# --------------------------------------------------------------------------- Pythons
def python_facts(python: str, who: Identity | None = None) -> dict:
    """What an interpreter says about itself (run as ``who`` when given)."""
    code = ("import json, sys, sysconfig; print(json.dumps({'version': sys.version, "
            "'prefix': sys.prefix, 'base_prefix': sys.base_prefix, 'executable': "
            "sys.executable, 'libdir': sysconfig.get_config_var('LIBDIR'), 'libpython': "
            "[l.split()[-1] for l in open('/proc/self/maps') if 'libpython' in l][:1]}))")
    argv = [python, "-I", "-c", code]
    if who is None:
        done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}, timeout=60,
                              check=False)
    else:
        done = run_as(who, argv, cwd=who.home, timeout=60)
    if done.returncode != 0:
        raise Unavailable(f"{python} does not run{' as ' + who.name if who else ''}: "
                          f"{tail(done.stderr, 3) or 'exit ' + str(done.returncode)}")
    return json.loads(done.stdout)


def python_version(python: str) -> str:
    done = subprocess.run([python, "-I", "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True, stdin=subprocess.DEVNULL)
    return done.stdout.strip()


def own_base_python() -> str:
    """The interpreter the test-running venv was made from (pyenv's, python.org's, ...)."""
    exe = getattr(sys, "_base_executable", None) or sys.executable
    if sys.prefix != sys.base_prefix and os.path.realpath(exe) == os.path.realpath(
            sys.executable):  # an older venv that reports itself
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        exe = os.path.join(sys.base_prefix, "bin", version)
    return os.path.realpath(exe)


def relocate_python(prefix: Path, dest: Path) -> Path:
    """Copy the Python installation at ``prefix`` to ``dest`` as if it had been built there
    (``./configure --prefix=dest``): the layout of a python.org build under /opt.

    Installed packages, the test suite and the static library are left out. A shared build
    records its library folder twice: in the interpreter's RUNPATH (rewritten here to
    $ORIGIN/../lib, which ld.so resolves wherever the copy lies) and in sysconfig's data
    (rewritten to the new prefix). Without that, the copy silently loads the original's
    libpython as root, and as a user who cannot reach the original, whatever libpython3.X
    the system has, i.e. a different Python.
    """
    prefix = prefix.resolve()
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    stdlib = prefix / "lib" / ver

    def ignore(folder: str, names: list[str]) -> list[str]:
        here = Path(folder)
        if here == stdlib / "site-packages":
            return names
        if here == stdlib:
            return [n for n in names if n == "test"]
        if here == prefix / "bin":
            return [n for n in names if not n.startswith("python")]
        if here.parent == stdlib and here.name.startswith("config-"):
            return [n for n in names if n.endswith(".a")]
        return []

    shutil.copytree(prefix, dest, symlinks=True, ignore=ignore)
    exe = dest / "bin" / Path(own_base_python()).name
    old = str(prefix).encode()
    data = exe.read_bytes()
    for libdir in {old + b"/lib", str(Path(sysconfig.get_config_var("LIBDIR") or "")).encode()}:
        needle = libdir + b"\0"
        if libdir and data.count(needle) == 1:
            new = b"$ORIGIN/../lib"
            if len(new) <= len(libdir):
                data = data.replace(needle, new + b"\0" * (len(needle) - len(new)))
    exe.write_bytes(data)
    for path in (dest / "lib" / ver).glob("_sysconfigdata*.py"):
        path.write_text(path.read_text(encoding="utf-8").replace(str(prefix), str(dest)),
                        encoding="utf-8")
        for cached in (dest / "lib" / ver / "__pycache__").glob(f"{path.stem}.*"):
            cached.unlink()
    make_readable(dest)
    return exe


# --------------------------------------------------------------------------- results
@dataclasses.dataclass
class Outcome:
    """One grader command: how it ended and what it wrote."""

    what: str  # e.g. "debian layout, user gradertest1a2b3c, --sandbox auto"
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    out: Path | None = None

    def describe(self) -> str:
        return (f"{self.what}: exit {self.returncode} after {self.seconds:.1f} s\n"
                f"$ {' '.join(self.argv)}\n--- stdout (end) ---\n{tail(self.stdout, 30)}\n"
                f"--- stderr (end) ---\n{tail(self.stderr, 30)}")


GRADEBOOK_COLUMNS = ("student", "score", "max_score", "status")


def read_gradebook(out: Path) -> dict[str, tuple[str, str, str]]:
    """student -> (score, max_score, status) from OUT/gradebook.csv."""
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows, f"{out / 'gradebook.csv'} has no rows"
    missing = [c for c in GRADEBOOK_COLUMNS if c not in rows[0]]
    assert not missing, f"gradebook.csv lacks the columns {missing}"
    return {r["student"]: (r["score"], r["max_score"], r["status"]) for r in rows}


SCORE_LINE = re.compile(r"^Score:\s*([\d.]+)\s*/\s*([\d.]+) points", re.MULTILINE)


def public_score(output: str) -> tuple[str, str] | None:
    """(score, max) from ``grader check``'s "Score: 26/26 points on the public checks"."""
    found = SCORE_LINE.search(output)
    return (found.group(1), found.group(2)) if found else None


def sandbox_used(out: Path) -> set[str]:
    """The sandbox levels the results.json files of a class run name."""
    levels = set()
    for path in out.glob("*/results.json"):
        extra = json.loads(path.read_text(encoding="utf-8")).get("extra_data", {})
        levels.add(str(extra.get("sandbox")))
    return levels
