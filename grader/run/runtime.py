"""What of this Python installation a worker needs, derived from the interpreter itself.

Distributions, python.org/pyenv builds, uv's standalone builds and conda lay Python out
differently: the standard library's extension modules sit in ``lib-dynload`` or are built
into the binary, libpython is shared or static, numpy's BLAS lives beside it or in the
prefix's ``lib``. So nothing here is guessed from one module's location: the interpreter
is asked, once, in the state a worker starts in (``-I -S``), for its ``sys.path``, and,
after importing numpy as the zygote does, for every shared object it mapped.
"""

from __future__ import annotations

import functools
import json
import os
import site
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import numpy

from ..errors import SandboxUnavailable

GRADER_DIR = Path(__file__).resolve().parent.parent
# Trees every Linux worker may read: the loader, libc and the system's shared libraries.
SYSTEM_TREES = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin")

_ASK = r"""
import json, sys
path = list(sys.path)
sys.path.append(sys.argv[1])
import numpy, numpy.fft, numpy.linalg, numpy.random
ext = []
for name, module in list(sys.modules.items()):
    file = getattr(module, "__file__", None) or ""
    if name.split(".")[0] in sys.stdlib_module_names and file.endswith((".so", ".pyd")):
        ext.append(file)
maps = set()
with open("/proc/self/maps") as f:
    for line in f:
        parts = line.split(None, 5)
        if len(parts) == 6 and parts[5].startswith("/"):
            maps.add(parts[5].strip())
print(json.dumps({"path": path, "ext": ext, "maps": sorted(maps)}))
"""


@dataclass(frozen=True)
class Runtime:
    """The parts of this Python installation a worker needs, as host paths."""

    executable: str
    libraries: tuple[str, ...]  # folders of shared objects it maps outside the system trees
    worker_path: tuple[str, ...]  # the standard library's entries, in sys.path order
    numpy_dir: str
    numpy_libs: str | None
    hidden: tuple[str, ...] = field(default=())  # site dirs and the grader: never visible

    @property
    def numpy_parent(self) -> str:
        return os.path.dirname(self.numpy_dir)


def under(path: str, tree: str) -> bool:
    return path == tree or path.startswith(tree.rstrip("/") + "/")


@functools.lru_cache(maxsize=1)
def runtime() -> Runtime:
    executable = os.path.realpath(sys.executable)
    numpy_dir = os.path.dirname(os.path.realpath(numpy.__file__))
    asked = _ask(executable, os.path.dirname(numpy_dir))
    hidden = _hidden()
    worker_path = [os.path.realpath(p) for p in asked["path"] if p and os.path.exists(p)]
    worker_path += [os.path.dirname(os.path.realpath(f)) for f in asked["ext"]]
    numpy_libs = numpy_dir + ".libs"
    numpy_trees = [numpy_dir, numpy_libs]
    libraries = []
    for mapped in asked["maps"]:
        real = os.path.realpath(mapped)
        if (".so" not in os.path.basename(real) or not os.path.isfile(real)
                or any(under(real, t) for t in (*SYSTEM_TREES, *numpy_trees))):
            continue
        libraries.append(os.path.dirname(real))
    libraries = [d for d in libraries if not any(under(d, p) for p in worker_path)]
    return Runtime(
        executable=executable, libraries=tuple(dict.fromkeys(libraries)),
        worker_path=tuple(dict.fromkeys(worker_path)), numpy_dir=numpy_dir,
        numpy_libs=numpy_libs if os.path.isdir(numpy_libs) else None, hidden=hidden)


def _ask(executable: str, numpy_parent: str) -> dict:
    """The interpreter's own answer, in the state the zygote starts in."""
    try:
        done = subprocess.run([executable, "-I", "-S", "-B", "-c", _ASK, numpy_parent],
                              capture_output=True, text=True, timeout=60, env={},
                              stdin=subprocess.DEVNULL, check=False)
        if done.returncode == 0:
            return json.loads(done.stdout)
        why = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
    except (OSError, subprocess.TimeoutExpired, ValueError) as exc:
        why = str(exc)
    raise SandboxUnavailable(f"{executable} cannot start a worker (it failed to import "
                             f"numpy in isolated mode: {why})")


def _hidden() -> tuple[str, ...]:
    """Every place third-party packages or the grader live: a worker sees none of them."""
    base = [sys.base_prefix, sys.base_exec_prefix]  # a venv's own interpreter's site dirs
    places = [*site.getsitepackages(), *site.getsitepackages(base), site.getusersitepackages(),
              sysconfig.get_path("purelib"), sysconfig.get_path("platlib"),
              *(p for p in sys.path if os.path.basename(p) in ("site-packages", "dist-packages")),
              str(GRADER_DIR), str(GRADER_DIR.parent)]
    real = (os.path.realpath(p) for p in places if p and os.path.isdir(p))
    return tuple(dict.fromkeys(real))


def readable_cover(trees, hidden) -> tuple[list[str], list[str]]:
    """What to grant so that everything below ``trees`` is readable except ``hidden``.

    Landlock grants whole hierarchies and cannot carve a hole, so a tree holding a
    hidden folder (pyenv's lib/python3.X holds site-packages, /usr/lib holds Debian's
    dist-packages) is granted child by child, leaving the hidden folder out, and the
    tree itself only for listing (the import system lists folders). A tree given here
    is granted even when it lies in a hidden one (numpy in site-packages).
    Returns (readable, listable).
    """
    readable: list[str] = []
    listable: list[str] = []
    for tree in dict.fromkeys(os.path.realpath(t) for t in trees if t):
        _cover(tree, hidden, readable, listable)
    return list(dict.fromkeys(readable)), list(dict.fromkeys(listable))


def _cover(tree: str, hidden, readable: list[str], listable: list[str]) -> None:
    if not os.path.exists(tree):
        return
    if not os.path.isdir(tree) or not any(under(h, tree) and h != tree for h in hidden):
        readable.append(tree)
        return
    try:
        children = sorted(os.scandir(tree), key=lambda e: e.name)
    except OSError:
        return
    listable.append(tree)
    for child in children:
        if not child.is_symlink() and not any(under(child.path, h) for h in hidden):
            _cover(child.path, hidden, readable, listable)
