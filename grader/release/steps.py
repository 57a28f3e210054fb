"""The steps that turn ``solutions/`` into the student skeleton ``assignment/``.

A step is a function ``step(src_root, dest_root) -> list[Path]``: it reads only
under ``src_root`` (the ``solutions/`` folder), writes only under ``dest_root``
(``assignment/``, or a temporary folder when ``grader release --check`` compares),
and returns the paths it wrote. It must be deterministic: the same sources give
byte-identical files (no timestamps, no dict-order or set-order output), because
the committed ``assignment/`` is checked against a fresh release byte for byte.
Use :func:`write_text` to write, which also leaves unchanged files untouched.

To add a step (say, one that renders the student notebook), write such a function
and append it to :data:`STEPS`; release runs them in order and removes files that
an earlier release wrote but no step writes any more.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..ci.workflow import write_workflow
from ..errors import InputFileError
from ..notebooks.build import write_notebooks
from .markers import enclosing_function, find_regions, function_names, stub_regions

Step = Callable[[Path, Path], list[Path]]

PACKAGE = "cs231n"
PUBLIC_TESTS = "tests"
SUPPORT_FILES = ("pytest.ini",)
README_TEMPLATE = "assignment_readme.md"
# What a student skeleton may contain: source and text, never data or caches.
TEXT_SUFFIXES = {".py", ".md", ".txt", ".ini", ".cfg", ".toml", ".sh", ".json"}
TEXT_NAMES = {".gitignore"}
SKIPPED_DIRS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", "cifar-10-batches-py"}


def source_files(folder: Path) -> list[Path]:
    """Text files under ``folder`` that belong in a release, sorted, relative to it."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part in SKIPPED_DIRS for part in relative.parts[:-1]) or not path.is_file():
            continue
        if path.suffix in TEXT_SUFFIXES or path.name in TEXT_NAMES:
            found.append(relative)
    return found


def read_text(path: Path) -> str:
    # newline="" keeps line endings as they are, so a copy is byte-identical.
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except UnicodeDecodeError as error:
        raise InputFileError(f"not UTF-8 text (byte {error.start})", path=path) from None


def write_text(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` unless it already holds exactly that; return ``path``."""
    if path.is_file() and read_text(path) == text:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return path


def _label(src_root: Path, path: Path) -> str:
    # Errors name the file the way the instructor sees it: solutions/cs231n/layers.py.
    try:
        return str(path.relative_to(src_root.parent))
    except ValueError:
        return str(path)


def _copy_tree(src_root: Path, dest_root: Path, name: str) -> list[Path]:
    written = []
    for relative in source_files(src_root / name):
        source = src_root / name / relative
        text = read_text(source)
        if source.suffix == ".py":
            text = stub_regions(text, label=_label(src_root, source),
                                module=f"{name}/{relative.as_posix()}")
        written.append(write_text(dest_root / name / relative, text))
    return written


def copy_package(src_root: Path, dest_root: Path) -> list[Path]:
    """The cs231n package, each solution region replaced by its TODO stub."""
    if not (src_root / PACKAGE / "__init__.py").is_file():
        raise InputFileError(f"no {PACKAGE} package here", path=src_root)
    return _copy_tree(src_root, dest_root, PACKAGE)


def copy_public_tests(src_root: Path, dest_root: Path) -> list[Path]:
    """The public student tests (stubbed like the package, should they hold regions)."""
    return _copy_tree(src_root, dest_root, PUBLIC_TESTS) if (src_root / PUBLIC_TESTS).is_dir() else []


def copy_support_files(src_root: Path, dest_root: Path) -> list[Path]:
    """Top-level helpers a student runs with, such as pytest.ini."""
    return [write_text(dest_root / name, read_text(src_root / name))
            for name in SUPPORT_FILES if (src_root / name).is_file()]


def todo_table(src_root: Path) -> str:
    """A Markdown table of every TODO: file, function and what to implement."""
    rows = ["| file | function | what to implement |", "| --- | --- | --- |"]
    for relative in source_files(src_root / PACKAGE):
        path = src_root / PACKAGE / relative
        if path.suffix != ".py":
            continue
        text, label = read_text(path), _label(src_root, path)
        names = function_names(text, label=label)
        for region in find_regions(text, label=label):
            where = f"`{PACKAGE}/{relative.as_posix()}`"
            function = enclosing_function(names, region.begin) or "(module)"
            rows.append(f"| {where} | `{function}` | {region.todo.replace('|', '&#124;')} |")
    return "\n".join(rows)


def write_readme(src_root: Path, dest_root: Path) -> list[Path]:
    """README.md for students, from the template with its ``{{todo_table}}`` filled in."""
    template_path = src_root / README_TEMPLATE
    if not template_path.is_file():
        return []
    text = read_text(template_path)
    if "{{todo_table}}" not in text:
        raise InputFileError("the template needs a {{todo_table}} placeholder",
                             path=_label(src_root, template_path))
    stray = text.replace("{{todo_table}}", "")
    if "{{" in stray:
        line = stray[:stray.index("{{")].count("\n") + 1
        raise InputFileError("unknown placeholder; only {{todo_table}} is filled in",
                             path=f"{_label(src_root, template_path)}:{line}")
    text = text.replace("{{todo_table}}", todo_table(src_root))
    return [write_text(dest_root / "README.md", text)]


# The release, in order. Append a step here to make `grader release` write more.
STEPS: tuple[Step, ...] = (copy_package, copy_public_tests, copy_support_files, write_readme,
                           write_notebooks, write_workflow)
