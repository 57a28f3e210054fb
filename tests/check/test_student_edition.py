"""What a student installs for grader check: no hidden test, no solution, and it works alone."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
import zipfile

import pytest
from check_helpers import hidden_lines, leaks

from grader import paths
from grader.export import student


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return student.build(tmp_path_factory.mktemp("dist"))


@functools.cache
def solution_lines() -> tuple[str, ...]:
    """Code between the solution markers of the reference: what students must write."""
    found = []
    for path in (paths.solutions_dir() / "cs231n").rglob("*.py"):
        inside = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if "# BEGIN SOLUTION" in line:
                inside = True
            elif "# END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) >= 12:
                found.append(line.strip())
    assert found, "no solution regions found in solutions/"
    return tuple(found)


def test_the_wheel_holds_no_hidden_test_and_no_solution(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        texts = {n: archive.read(n).decode("utf-8", "replace") for n in names}
    assert not [n for n in names if re.search(r"suites/[^/]+/(test_|data\.py)", n)]
    assert not [n for n in names if n.startswith(("grader/audit/", "grader/quiz/"))]
    assert not [n for n in names if "solutions" in n]
    assert hidden_lines()  # the comparison below must have something to find
    for name, text in texts.items():
        assert not leaks(text), name
        assert not [line for line in solution_lines() if line in text], name


def test_the_wheel_alone_runs_grader_check(wheel, skeleton, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER", "PYTEST"))}
    env["PYTHONPATH"] = str(site)  # ahead of the project's own grader
    code = ("import sys, grader; print('from', grader.__file__); "
            "from grader.cli import main; main(['check', sys.argv[1]])")
    done = subprocess.run([sys.executable, "-c", code, str(skeleton)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.stdout.startswith(f"from {site}"), done.stdout + done.stderr
    assert done.returncode == 1, done.stderr
    assert "Still to implement" in done.stdout and "Hidden tests:" in done.stdout
    assert not leaks(done.stdout + done.stderr)
