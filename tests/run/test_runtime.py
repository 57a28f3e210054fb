"""The worker's view of Python is what the interpreter itself says, on any build."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig

from grader.run.runtime import runtime, under


def isolated_path(executable: str) -> list[str]:
    done = subprocess.run([executable, "-I", "-S", "-c", ("import sys, json; "
                           "print(json.dumps(sys.path))")], capture_output=True, text=True,
                          check=True, env={})
    return [os.path.realpath(p) for p in json.loads(done.stdout) if os.path.exists(p)]


def test_the_worker_path_is_the_isolated_interpreters_own():
    rt = runtime()
    assert list(rt.worker_path[:len(isolated_path(rt.executable))]) == \
        isolated_path(rt.executable)


def test_every_stdlib_extension_module_is_reachable_from_the_worker_path():
    """Debian builds select into the interpreter, so its folder once told nothing about
    where _contextvars and the other extension modules live."""
    rt = runtime()
    suffixes = tuple(s for s in importlib.machinery.EXTENSION_SUFFIXES)
    for name in ("_contextvars", "_json", "_decimal", "_ctypes", "select", "_socket", "math"):
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin in (None, "built-in"):
            continue  # built into this interpreter: nothing to find
        assert spec.origin.endswith(suffixes)
        folder = os.path.dirname(os.path.realpath(spec.origin))
        assert folder in rt.worker_path, (name, folder, rt.worker_path)  # a path entry, exactly


def test_nothing_third_party_or_of_the_grader_is_on_the_worker_path():
    rt = runtime()
    assert rt.hidden, "the site folders and the grader must be named to be hidden"
    for entry in rt.worker_path:
        assert not any(under(entry, h) for h in rt.hidden), entry
        assert os.path.basename(entry) not in ("site-packages", "dist-packages")
    purelib = os.path.realpath(sysconfig.get_path("purelib"))
    assert any(under(purelib, h) for h in rt.hidden)


def test_libpython_and_numpys_libraries_are_mounted_where_they_live():
    rt = runtime()
    assert os.path.realpath(sys.executable) == rt.executable
    for folder in rt.libraries:
        assert os.path.isdir(folder) and not under(folder, "/usr")
        assert not any(under(folder, h) for h in rt.hidden)
