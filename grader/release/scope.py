"""One assignment's own skeleton: the course sources narrowed to what that assignment asks.

Several assignments can share a file of the course package (one layers.py holding the
layers of two assignments). The course skeleton (``grader release``) stubs every
assignment's functions, as the course ships it. ``grader release --assignment NAME`` gives
students of NAME only what NAME asks: the sources are copied into a scratch folder with

- every top-level function another assignment's manifest lists under ``[release]
  functions`` removed (its TODO would be work nobody assigned),
- every file another assignment submits, and NAME does not, left out when it still
  holds a solution region after that (its TODOs belong to the other assignment),
- of the public tests only those NAME lists (``[release] tests``), of the notebook
  sources only NAME's, and NAME's own README template (``[release] readme``),

and the usual release runs on that copy, so the markers, the README's TODO table and the
notebook come out exactly as for the course.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from ..course import Assignment
from ..errors import InputFileError
from .markers import find_regions
from .steps import PACKAGE, PUBLIC_TESTS, README_TEMPLATE, SUPPORT_FILES, read_text, source_files


def others_functions(manifest: Assignment, course: dict[str, Assignment]) -> set[str]:
    """Top-level functions other assignments ask for and this one does not."""
    mine = set(manifest.release_functions)
    return {name for other in course.values() if other.name != manifest.name
            for name in other.release_functions if "." not in name and name not in mine}


def others_files(manifest: Assignment, course: dict[str, Assignment]) -> set[str]:
    """Package paths other assignments have students submit and this one does not."""
    mine = set(manifest.files.values())
    return {path for other in course.values() if other.name != manifest.name
            for path in other.files.values() if path not in mine}


def drop_functions(text: str, names: set[str], *, label: str) -> str:
    """``text`` without the top-level functions called ``names`` (decorators included)."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise InputFileError(f"does not parse ({error.msg})", path=f"{label}:{error.lineno}") \
            from None
    lines = text.splitlines(keepends=True)
    doomed = [node for node in tree.body
              if isinstance(node, ast.FunctionDef) and node.name in names]
    for node in sorted(doomed, key=lambda n: n.lineno, reverse=True):
        start = node.lineno - 1 - len(node.decorator_list)
        end = node.end_lineno
        while end < len(lines) and not lines[end].strip():  # the blank lines after it
            end += 1
        del lines[start:end]
    return "".join(lines)


def scoped_sources(src_root: Path, dest: Path, manifest: Assignment,
                   course: dict[str, Assignment]) -> Path:
    """Write ``manifest``'s narrowed copy of the sources ``src_root`` into ``dest``."""
    src_root, dest = Path(src_root), Path(dest)
    functions, files = others_functions(manifest, course), others_files(manifest, course)
    kept, dropped = {}, set()
    for relative in source_files(src_root / PACKAGE):
        source = src_root / PACKAGE / relative
        text = read_text(source)
        package_path = f"{PACKAGE}/{relative.as_posix()}"
        if source.suffix == ".py" and functions:
            text = drop_functions(text, functions, label=f"solutions/{package_path}")
        if package_path in files and find_regions(text, label=package_path):
            dropped.add(package_path.removesuffix(".py").replace("/", "."))
            continue  # another assignment's file, still holding its TODOs
        kept[relative] = text
    for relative, text in kept.items():
        if relative.suffix == ".py" and dropped:
            text = _without_imports_of(text, dropped, relative)
        _write(dest / PACKAGE / relative, text)
    for name in manifest.release_tests:
        test = src_root / PUBLIC_TESTS / name
        if not test.is_file():
            raise InputFileError(f"[release] tests names {name}, which is not in "
                                 f"solutions/{PUBLIC_TESTS}", path=manifest.folder)
        _write(dest / PUBLIC_TESTS / name, read_text(test))
    for name in SUPPORT_FILES:
        if (src_root / name).is_file():
            _write(dest / name, read_text(src_root / name))
    readme = manifest.release_readme or src_root / README_TEMPLATE
    if readme.is_file():
        _write(dest / README_TEMPLATE, read_text(readme))
    if manifest.notebook is not None and manifest.notebook.is_file():
        _write(dest / "notebook" / manifest.notebook.name, read_text(manifest.notebook))
    return dest


def _without_imports_of(text: str, modules: set[str], relative: Path) -> str:
    """``text`` without its lines that import one of ``modules`` (a left-out file), so the
    package still imports: ``from cs231n.classifiers.mod import *``, ``from .mod import x``."""
    here = ".".join([PACKAGE, *relative.parent.parts])
    kept = []
    for line in text.splitlines(keepends=True):
        match = _FROM.match(line)
        if match:
            name = match.group(1)
            absolute = f"{here}{name}" if name.startswith(".") and name.count(".") == 1 \
                else name
            if absolute in modules:
                continue
        kept.append(line)
    return "".join(kept)


_FROM = re.compile(r"^\s*from\s+([\w.]+)\s+import\b")


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)

