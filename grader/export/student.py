"""``grader export student``: the student edition of the grader, as a wheel.

Students run ``grader check`` on their own machines and in their own CI, where they can
read every installed file. So what they install is built from an allow-list: the sandbox,
the judge, the reports, ``grader check`` with its public suite, and of each hidden suite
only its diagnosis messages and statistics. Left out: the hidden tests and their inputs,
the audit catalogue (it holds correct implementations), the quiz checker (it computes the
quiz answers), notebook and release tooling, and of course ``solutions/``, which is never
part of the package. ``tests/export`` checks the wheel against the hidden suite's lines.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
from pathlib import Path

from .. import __version__
from .bundle import package_dir, tree, write_zip

NAME = "grader"
VERSION = f"{__version__}+student"  # a local version: pip shows which edition is installed
TOP_LEVEL = ("__init__.py", "cli.py", "config.py", "errors.py", "paths.py", "results.py",
             "store.py")
SUBPACKAGES = ("run", "reports", "check", "ci")
SUITE_FILES = ("__init__.py", "compare.py", "plugin.py")  # grader/suites/ itself
PUBLIC_SUITE_MODULES = ("__init__.py", "diagnose.py", "stats.py")  # of each suite package
RUNTIME = ("numpy", "pytest", "click", "rich", "tomli")  # what `grader check` imports
SUMMARY = ("Student edition of the grader: `grader check` runs the public checks in the "
           "sandbox. It holds no hidden tests and no reference solution.")


def files(package: Path | None = None) -> dict[str, Path]:
    """The student edition's files by name inside the wheel (``grader/...``)."""
    package = Path(package or package_dir())
    chosen = {f"{NAME}/{name}": package / name for name in TOP_LEVEL
              if (package / name).is_file()}
    for sub in SUBPACKAGES:
        chosen.update(tree(package / sub, f"{NAME}/{sub}"))
    suites = package / "suites"
    chosen.update({f"{NAME}/suites/{name}": suites / name for name in SUITE_FILES})
    for suite in sorted(p for p in suites.iterdir() if (p / "__init__.py").is_file()):
        for name in PUBLIC_SUITE_MODULES:
            if (suite / name).is_file():
                chosen[f"{NAME}/suites/{suite.name}/{name}"] = suite / name
    return chosen


def requirements() -> list[str]:
    """The installed grader's own requirements for the modules the edition keeps."""
    try:
        declared = importlib.metadata.requires(NAME) or []
    except importlib.metadata.PackageNotFoundError:
        declared = []
    kept = [r for r in declared if "extra ==" not in r and _project(r) in RUNTIME]
    return kept or ["numpy>=1.24", "pytest>=7.4", "click>=8.1", "rich>=13.0"]


def _project(requirement: str) -> str:
    name = requirement
    for stop in "<>=!~;[ ":
        name = name.split(stop)[0]
    return name.strip().lower()


def build(out_dir: Path) -> Path:
    """Write ``grader-<version>-py3-none-any.whl`` into ``out_dir``; returns its path."""
    out = Path(out_dir) / f"{NAME}-{VERSION}-py3-none-any.whl"
    entries = [(name, path.read_bytes()) for name, path in sorted(files().items())]
    info = f"{NAME}-{VERSION}.dist-info"
    metadata = "".join([
        "Metadata-Version: 2.1\n", f"Name: {NAME}\n", f"Version: {VERSION}\n",
        f"Summary: {SUMMARY}\n", "Requires-Python: >=3.10\n",
        *(f"Requires-Dist: {r}\n" for r in requirements())])
    entries += [
        (f"{info}/METADATA", metadata.encode()),
        (f"{info}/WHEEL", (b"Wheel-Version: 1.0\nGenerator: grader export student\n"
                           b"Root-Is-Purelib: true\nTag: py3-none-any\n")),
        (f"{info}/entry_points.txt", b"[console_scripts]\ngrader = grader.cli:main\n"),
        (f"{info}/top_level.txt", f"{NAME}\n".encode()),
    ]
    record = "".join(f"{name},sha256={_digest(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{info}/RECORD", (record + f"{info}/RECORD,,\n").encode()))
    write_zip(out, [(name, data, False) for name, data in entries])
    return out


def _digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
