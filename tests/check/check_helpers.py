"""Helpers of the grader check tests: running the command, and the lines that must never
reach a student (distinctive text of every hidden test module)."""

from __future__ import annotations

import ast
import functools
import io
from pathlib import Path

from rich.console import Console

from grader import course, paths
from grader.check import main

HIDDEN_MODULES = ("test_*.py", "data.py")  # the hidden tests and the inputs they use


def run_check(path: Path, **options) -> tuple[int, str]:
    buffer = io.StringIO()
    code = main(path=path, console=Console(file=buffer, width=100, color_system=None),
                **options)
    return code, buffer.getvalue()


@functools.cache
def hidden_lines() -> tuple[str, ...]:
    """What would give a hidden test away: names, docstrings, messages, and code lines.

    String constants of 25+ characters (messages, docstrings), test function names, and
    code lines of 40+ characters other than imports and decorators; minus lines the
    grading machinery has too (generic code such as a result-shape check).
    """
    found: set[str] = set()
    suite = course.find("dropout").suite
    # The grader's own machinery, and the suite modules that ship by design (what the public
    # checks import: the facade, diagnoses, statistics), are public anyway.
    from grader.export.student import shared_modules
    shipped = [suite / name for name in shared_modules(course.find("dropout").public, suite)]
    machinery = "\n".join(p.read_text(encoding="utf-8") for p in [
        *(p for folder in ("run", "reports")
          for p in (paths.suites_dir().parent / folder).glob("*.py")), *shipped])
    files = sorted({p for pattern in HIDDEN_MODULES for p in suite.glob(pattern)})
    assert any(p.name.startswith("test_") for p in files), "no hidden suite found"
    for path in files:
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.update(line.strip() for line in node.value.splitlines()
                             if len(line.strip()) >= 25)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                found.add(f"def {node.name}(")
        for line in text.splitlines():
            line = line.strip()
            if len(line) >= 40 and not line.startswith(("from ", "import ", "@", "#")):
                found.add(line)
    return tuple(sorted(line for line in found if line not in machinery))


def leaks(text: str) -> list[str]:
    return [line for line in hidden_lines() if line in text]
