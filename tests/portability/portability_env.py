"""Python layouts and their venvs, and the background class runs of the portability tests
(the fixtures that hold them are in conftest.py)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from portability_helpers import (
    Identity,
    Outcome,
    Unavailable,
    install_env,
    installed_pins,
    own_base_python,
    project_requirements,
    python_facts,
    python_version,
    record,
    relocate_python,
    run_as,
    run_checked,
    stop_running,
    switch_prefix,
    which,
)

LAYOUTS = ("own", "debian")
IDENTITIES = ("root", "user")
SANDBOXES = ("auto", "process")
REFERENCE = ("own", "root", "auto")  # the layout, identity and sandbox others must match
# Grading the whole example class, notebooks included, costs 40-50 CPU-seconds a run, so
# the full layout x identity x sandbox matrix (8 runs) takes 4-5 minutes on 2 cores. By
# default the class runs cover every pair of the three factors in 4 runs: each layout as
# each identity, and each layout and each identity at each sandbox level. `grader ci` covers
# the full matrix on one submission. PORTABILITY_FULL_MATRIX=1 grades the class in all 8.
FULL_MATRIX = [(lay, who, box) for lay in LAYOUTS for who in IDENTITIES for box in SANDBOXES]
PAIRWISE = [REFERENCE, ("own", "user", "process"), ("debian", "root", "process"),
            ("debian", "user", "auto")]
CLASS_CELLS = FULL_MATRIX if os.environ.get("PORTABILITY_FULL_MATRIX") == "1" else PAIRWISE
DEBIAN_PYTHON = "/usr/bin/python3"
CLASS_TEST = "test_grade_example_class"  # the test whose cells class_runs runs
RUN_JOBS = "2"  # --jobs of each grader run
PARALLEL_RUNS = max(2, min(4, os.cpu_count() or 1))  # grader runs at once (CPU-bound)


def identity(identities, label: str) -> Identity:
    who = identities[label]
    if isinstance(who, Unavailable):
        pytest.skip(f"no {label} identity: {who}")
    return who


class Environments:
    """Venvs per Python layout, built on first use (thread-safe) and shared by all tests."""

    def __init__(self, workroot: Path, project: Path) -> None:
        self.root, self.project = workroot, project
        self._locks: dict[str, threading.Lock] = {}
        self._done: dict[str, Path | Exception] = {}
        self.guard = threading.Lock()
        self._editable = threading.Lock()  # `pip install -e` writes into the project copy
        self.notes: dict[str, str] = {}  # layout key -> what it is, for messages

    # one result per key, computed once even when several threads ask at once
    def _once(self, key: str, build):
        with self.guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._done:
                try:
                    self._done[key] = build()
                except Exception as exc:  # noqa: BLE001 - handed to every test that asks
                    self._done[key] = exc
            result = self._done[key]
        if isinstance(result, Exception):
            raise result
        return result

    def venv_or_skip(self, layout: str, who: Identity) -> Path:
        try:
            return self.venv(layout, who)
        except Unavailable as exc:
            pytest.skip(f"no {layout} layout for {who.label}: {exc}")

    def base_python(self, layout: str, who: Identity) -> str:
        """The interpreter ``who``'s venv of ``layout`` was made from (after venv())."""
        if layout == "debian":
            return os.path.realpath(DEBIAN_PYTHON)
        if who.label == "root" or self.reachable_by(who):
            return own_base_python()
        return self.relocated_python(who)

    def venv(self, layout: str, who: Identity) -> Path:
        """The venv of ``layout`` that ``who`` runs (raises Unavailable to skip)."""
        if layout == "debian":
            return self._once("venv:debian", lambda: self._build("debian", self.debian_python()))
        if layout == "own":
            if who.label == "root" or self.reachable_by(who):
                return self._once("venv:own", lambda: self._build("own", own_base_python()))
            return self._once("venv:own-copy",
                              lambda: self._build("own-copy", self.relocated_python(who)))
        raise ValueError(layout)

    def prepare(self, identities, wanted) -> None:
        """Start building the venvs of the (layout, identity) pairs in ``wanted``, a thread
        each (pip mostly waits for the disk); the tests' ``venv()`` calls then only wait."""
        def build(layout, who):
            with contextlib.suppress(Exception):  # _once keeps it for the test that asks
                self.venv(layout, who)
        for layout, label in sorted(wanted):
            who = identities.get(label)
            if isinstance(who, Identity):
                threading.Thread(target=build, args=(layout, who), daemon=True,
                                 name=f"venv-{layout}-{label}").start()

    def describe(self, layout: str, who: Identity) -> str:
        key = "own-copy" if layout == "own" and who.label != "root" and \
            not self.reachable_by(who) else layout
        return f"{layout} layout ({self.notes.get(key, key)}) as {who.label} {who.name}"

    def reachable_by(self, who: Identity) -> bool:
        def check():
            try:
                python_facts(own_base_python(), who)
                return True
            except Unavailable:
                return False
        return self._once(f"reach:{who.name}", check)

    def debian_python(self) -> str:
        if not os.path.exists(DEBIAN_PYTHON):
            raise Unavailable(f"{DEBIAN_PYTHON} is not installed (Debian package python3)")
        done = subprocess.run([DEBIAN_PYTHON, "-I", "-c", "import venv, ensurepip"],
                              check=False, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise Unavailable(f"{DEBIAN_PYTHON} cannot make venvs (install python3-venv): "
                              f"{done.stderr.strip().splitlines()[-1:]}")
        return DEBIAN_PYTHON

    def relocated_python(self, who: Identity) -> str:
        """The own Python copied to a place ``who`` can reach, checked to be the same Python."""
        def build():
            prefix = Path(sys.base_prefix).resolve()
            base = own_base_python()
            if not base.startswith(str(prefix) + "/") or str(prefix) == "/usr":
                raise Unavailable(f"{base} is out of {who.name}'s reach and does not live in "
                                  f"a prefix of its own ({prefix}) that could be copied")
            start = time.monotonic()
            exe = relocate_python(prefix, self.root / "opt" / prefix.name)
            record("copy and relocate the own Python", time.monotonic() - start)
            facts = python_facts(str(exe), who)
            if facts["version"] != sys.version:
                raise Unavailable(f"the copy of {prefix} runs as Python {facts['version']} for "
                                  f"{who.name}, not {sys.version} (could not relocate it)")
            if facts["libpython"] and not facts["libpython"][0].startswith(str(exe.parent.parent)):
                raise Unavailable(f"the copy of {prefix} loads {facts['libpython'][0]} (could "
                                  "not relocate its RUNPATH)")
            done = run_as(who, [exe, "-m", "venv", "--without-pip", who.home / "probe-venv"],
                          cwd=who.home, timeout=120)
            if done.returncode != 0:
                raise Unavailable(f"the copy of {prefix} cannot make a venv as {who.name}: "
                                  f"{done.stderr.strip()[-300:]}")
            self.notes["own-copy"] = (f"{prefix} copied to {exe.parent.parent}, because "
                                      f"{who.name} cannot run {base}")
            return str(exe)
        return self._once("python:own-copy", build)

    def wheelhouse(self) -> Path:
        """The project's dependencies as wheels that every layout's Python accepts, made once
        with ``pip download`` (pip's cache serves what it had already downloaded).

        Resolved for the oldest Python among the layouts (Debian's 3.11.2 is older than some
        current releases allow, soupsieve for one): pinned to the test-running venv's versions
        when that is the tests' own Python, else the newest that Python accepts.
        """
        def build():
            start = time.monotonic()
            folder = self.root / "wheelhouse"
            folder.mkdir()
            reqs = self.root / "requirements.txt"
            reqs.write_text("\n".join(project_requirements(self.project)) + "\n")
            pythons = [own_base_python()]
            with contextlib.suppress(Unavailable):
                pythons.append(self.debian_python())
            oldest = min((python_version(p) for p in pythons),
                         key=lambda v: tuple(map(int, v.split("."))))
            if oldest == platform.python_version():
                pins = self.root / "constraints.txt"
                pins.write_text("\n".join(installed_pins()) + "\n")
                options = ["--constraint", str(pins)]
            else:
                options = ["--only-binary=:all:", "--python-version", oldest]
            # --timeout: one stalled connection must not cost the default 15 s (or a
            # machine's PIP_DEFAULT_TIMEOUT, 180 s here) per retry
            run_checked([sys.executable, "-m", "pip", "download", "--quiet", "--timeout", "30",
                         "--disable-pip-version-check", "--dest", folder, *options,
                         "--requirement", reqs], what=f"pip download {' '.join(options)}",
                        env={k: v for k, v in os.environ.items() if k != "PIP_REQUIRE_VIRTUALENV"})
            record(f"wheelhouse (pip download for Python {oldest})", time.monotonic() - start)
            return folder
        return self._once("wheelhouse", build)

    def _build(self, key: str, python: str) -> Path:
        """``python -m venv`` of that Python, then the project installed into it offline.

        The venv module runs ``--without-pip`` and the tests' own pip installs into it
        (``pip --python``): ensurepip would cost seconds per venv for a pip that setup.sh
        upgrades anyway. Nothing is byte-compiled ahead, as in a fresh clone.
        """
        start = time.monotonic()
        venv = self.root / "venvs" / key
        venv.parent.mkdir(exist_ok=True)
        self.notes.setdefault(key, python)
        run_checked([python, "-m", "venv", "--without-pip", venv], what=f"{python} -m venv",
                    env=install_env())
        wheels = self.wheelhouse()
        pip = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install",
               "--quiet", "--no-compile", "--no-index", "--find-links", wheels]
        deps = self.root / "dependencies.txt"
        with self.guard:
            if not deps.exists():
                deps.write_text("\n".join(r for r in project_requirements(self.project)
                                          if not r.startswith(("setuptools", "wheel"))))
        run_checked([*pip, "--requirement", deps],
                    what=f"installing the dependencies into the {key} venv", env=install_env())
        with self._editable:  # the build writes grader.egg-info into the one project copy
            run_checked([*pip, "--editable", self.project],
                        what=f"pip install -e the project into the {key} venv",
                        env=install_env())
        run_checked([venv / "bin" / "grader", "--version"], what=f"{key} venv: grader --version",
                    env=install_env())
        record(f"venv {key} ({python})", time.monotonic() - start)
        return venv


def bwrap_problem(who: Identity) -> str | None:
    """Why bubblewrap cannot make a sandbox for ``who`` here (as root the grader starts it as
    'nobody', so that is whom to ask), or None when it can."""
    bwrap = which("bwrap")
    if not bwrap:
        return "bwrap is not installed"
    if who.label != "root":
        prefix = who.prefix
    else:  # as root the grader starts bwrap as 'nobody'; otherwise as the user itself
        prefix = switch_prefix("nobody", 65534, 65534) if os.geteuid() == 0 else ()
    argv = [*prefix, bwrap, "--unshare-all", "--unshare-user", "--ro-bind", "/usr", "/usr",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink",
            "usr/bin", "/bin", "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"]
    done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env={"PATH": "/usr/bin:/bin"}, timeout=60, check=False)
    if done.returncode != 0:
        return f"bwrap cannot create a sandbox as {who.name}: {done.stderr.strip()[-200:]}"
    return None


class ClassRuns:
    """``grader run examples/submissions`` per cell, several at once in the background."""

    def __init__(self, envs: Environments, identities, cells) -> None:
        self.envs, self.identities = envs, identities
        self.pool = concurrent.futures.ThreadPoolExecutor(PARALLEL_RUNS,
                                                          thread_name_prefix="class-run")
        self.futures = {}
        self.started = time.monotonic()
        for cell in sorted(set(cells), key=lambda c: (c != REFERENCE, c[1], c)):
            self.futures[cell] = self.pool.submit(self._run, cell)

    def result(self, cell) -> Outcome:
        if cell not in self.futures:  # a test selected alone: run its cell now
            self.futures[cell] = self.pool.submit(self._run, cell)
        try:
            return self.futures[cell].result()
        except Unavailable as exc:
            pytest.skip(str(exc))

    def _run(self, cell) -> Outcome:
        layout, label, sandbox = cell
        who = self.identities[label]
        if isinstance(who, Unavailable):
            raise Unavailable(f"no {label} identity: {who}")
        venv = self.envs.venv(layout, who)
        home = self.envs.root / f"runs-{label}"
        with self.envs.guard:
            if not home.exists():
                home.mkdir(mode=0o755)
                os.chown(home, who.uid, who.gid)
        out = home / f"{layout}-{sandbox}"
        argv = [str(venv / "bin" / "grader"), "run", str(self.envs.project / "examples" /
                                                          "submissions"),
                "--assignment", "dropout",  # as the README's command names it
                "--out", str(out), "--sandbox", sandbox, "--jobs", RUN_JOBS]
        start = time.monotonic()
        done = run_as(who, argv, cwd=home)
        seconds = time.monotonic() - start
        record(f"grader run [{layout}-{label}-{sandbox}]", seconds)
        record("all grader runs (wall, from session start)", time.monotonic() - self.started)
        return Outcome(f"{self.envs.describe(layout, who)}, --sandbox {sandbox}", argv,
                       done.returncode, done.stdout, done.stderr, seconds, out)

    def close(self) -> None:
        for future in self.futures.values():
            future.cancel()
        stop_running()  # only left when the session ends early
        self.pool.shutdown(wait=True)
