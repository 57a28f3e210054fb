"""A student's assignment folder for the grader check tests, and the lines that must never
reach a student: distinctive text of every hidden test module."""

from __future__ import annotations

import ast
import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from grader import paths
from grader.check import main

HIDDEN_MODULES = ("test_*.py", "data.py")  # the hidden tests and the inputs they use


@pytest.fixture(autouse=True)
def no_job_summary(monkeypatch):
    """Run in GitHub Actions, the tests must not write into the real job summary."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@pytest.fixture
def skeleton(tmp_path) -> Path:
    """A copy of the released skeleton, as a student gets it."""
    folder = tmp_path / "assignment"
    for part in ("cs231n", "tests"):
        shutil.copytree(paths.assignment_dir() / part, folder / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return folder


@pytest.fixture
def solved(skeleton) -> Path:
    """The skeleton with the reference layers.py and fc_net.py filled in."""
    for rel in ("cs231n/layers.py", "cs231n/classifiers/fc_net.py"):
        shutil.copyfile(paths.solutions_dir() / rel, skeleton / rel)
    return skeleton


def run_check(path: Path, **options) -> tuple[int, str]:
    buffer = io.StringIO()
    code = main(path=path, console=Console(file=buffer, width=100, color_system=None),
                **options)
    return code, buffer.getvalue()


def hidden_lines() -> list[str]:
    """What would give a hidden test away: names, docstrings, messages, and code lines.

    String constants of 25+ characters (messages, docstrings), test function names, and
    code lines of 40+ characters other than imports and decorators; minus lines the
    grading machinery has too (generic code such as a result-shape check).
    """
    found: set[str] = set()
    machinery = "\n".join(p.read_text(encoding="utf-8") for folder in ("run", "reports")
                          for p in (paths.suites_dir().parent / folder).glob("*.py"))
    suite = paths.suites_dir() / "dropout"
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
    return sorted(line for line in found if line not in machinery)


def leaks(text: str) -> list[str]:
    return [line for line in hidden_lines() if line in text]
