"""Fixtures of the release tests: a clean child Python and a miniature solutions/."""

import os
import subprocess
import sys

import pytest


def _run_python(args, cwd, timeout=300):
    """Run ``python args`` in a clean child: no bytecode or pytest cache left behind."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "GRADER"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONPATH", None)
    return subprocess.run([sys.executable, *args], check=False, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


@pytest.fixture
def run_python():
    return _run_python


@pytest.fixture
def mini_solutions(tmp_path):
    """A tiny solutions/ with one marked region, in a project folder of its own."""
    src = tmp_path / "project" / "solutions"
    (src / "cs231n").mkdir(parents=True)
    (src / "cs231n" / "__init__.py").write_text("")
    (src / "cs231n" / "layers.py").write_text(
        "def double(x):\n"
        "    # BEGIN SOLUTION: Return twice x.\n"
        "    return 2 * x\n"
        "    # END SOLUTION\n")
    (src / "tests").mkdir()
    (src / "tests" / "test_double.py").write_text(
        "from cs231n.layers import double\n\n\ndef test_double():\n    assert double(2) == 4\n")
    (src / "assignment_readme.md").write_text("# Mini\n\n{{todo_table}}\n")
    return src
