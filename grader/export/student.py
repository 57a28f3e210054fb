"""``grader export student``: the student edition of the grader, as a wheel.

Students run ``grader check`` on their own machines and in their own CI, where they can
read every installed file. So what they install is built from an allow-list: the sandbox,
the judge, the reports, ``grader check``, and of one assignment its public checks and, of
its hidden suite, only the modules those import (diagnosis messages and statistics). Left
out: the hidden tests and their inputs, the audit catalogue (it holds correct
implementations), the quiz checker (it computes the quiz answers), notebook and release
tooling, and the rest of ``solutions/``. ``tests/export`` checks the wheel against the hidden suite's lines.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import importlib.metadata
from pathlib import Path

from .. import __version__, course
from ..errors import UsageError
from .bundle import package_dir, tree, write_zip

NAME = "grader"
VERSION = f"{__version__}+student"  # a local version: pip shows which edition is installed
TOP_LEVEL = ("__init__.py", "cli.py", "config.py", "course.py", "errors.py", "paths.py",
             "results.py", "store.py", "adjust.py")
SUBPACKAGES = ("run", "reports", "check", "ci")
SUITE_FILES = ("__init__.py", "compare.py", "plugin.py")  # grader/suites/ itself
RUNTIME = ("numpy", "pytest", "click", "rich", "tomli")  # what `grader check` imports
SUMMARY = ("Student edition of the grader: `grader check` runs the public checks in the "
           "sandbox. It holds no hidden tests and no reference solution.")


def files(package: Path | None = None, assignment: str | None = None) -> dict[str, Path]:
    """The student edition's files by name inside the wheel (``grader/...``).

    Of the course, one assignment goes in, under ``grader/_course/``: its manifest, its
    public checks, and of its hidden suite only the modules the public checks import at
    module level (diagnoses and statistics), never its tests or their inputs.
    """
    package = Path(package or package_dir())
    chosen = {f"{NAME}/{name}": package / name for name in TOP_LEVEL
              if (package / name).is_file()}
    for sub in SUBPACKAGES:
        chosen.update(tree(package / sub, f"{NAME}/{sub}"))
    suites = package / "suites"
    chosen.update({f"{NAME}/suites/{name}": suites / name for name in SUITE_FILES})
    chosen.update(course_slice(course.find(course.resolve(assignment))))
    return chosen


def course_slice(manifest: course.Assignment) -> dict[str, Path]:
    """What of ``manifest``'s folder the student edition carries, by name in the wheel."""
    if manifest.public is None:
        raise UsageError(f"assignment {manifest.name!r} has no public checks to ship "
                         f"([grading] public in {manifest.folder / course.MANIFEST})")
    top = f"{NAME}/{course.SHIPPED}/{course.ASSIGNMENTS}"
    here = f"{top}/{manifest.name}"
    chosen = {f"{top}/__init__.py": course.root() / "__init__.py",
              f"{here}/__init__.py": manifest.folder / "__init__.py",
              f"{here}/{course.MANIFEST}": manifest.folder / course.MANIFEST}
    chosen.update(tree(manifest.public, f"{here}/{manifest.public.name}"))
    if manifest.suite is not None:
        for module in shared_modules(manifest.public, manifest.suite):
            chosen[f"{here}/{manifest.suite.name}/{module}"] = manifest.suite / module
    return chosen


def shared_modules(public: Path, suite: Path) -> list[str]:
    """The suite's modules the public checks need: what they import from it, and what those
    import in turn, at module level only (a function's own import runs in hidden tests)."""
    wanted, queue = {"__init__.py"}, []
    for path in sorted(public.glob("*.py")):
        queue += _suite_imports(path, 2, suite.name)
    while queue:
        module = queue.pop()
        if module in wanted or not (suite / module).is_file():
            continue
        wanted.add(module)
        queue += _suite_imports(suite / module, 1, None)
    return sorted(wanted)


def _suite_imports(path: Path, level: int, package: str | None) -> list[str]:
    """Module files named by the top-level ``from`` imports of ``path`` that go ``level``
    folders up (into ``package`` when given): ``from ..suite import diagnose``,
    ``from ..suite.stats import x``, ``from . import data``, ``from .stats import y``."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ImportFrom) or node.level != level:
            continue
        parts = node.module.split(".") if node.module else []
        if package is not None:
            if not parts or parts[0] != package:
                continue
            parts = parts[1:]
        found += [parts[0] + ".py"] if parts else [f"{alias.name}.py" for alias in node.names]
    return found


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


def build(out_dir: Path, assignment: str | None = None) -> Path:
    """Write ``grader-<version>-py3-none-any.whl`` into ``out_dir``; returns its path."""
    out = Path(out_dir) / f"{NAME}-{VERSION}-py3-none-any.whl"
    entries = [(name, path.read_bytes())
               for name, path in sorted(files(assignment=assignment).items())]
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
