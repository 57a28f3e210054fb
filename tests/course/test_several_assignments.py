"""With several assignments and no GRADER_ASSIGNMENT, each verb grades the one named, and
refuses to guess when none is."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import course

CONV = course.find("conv")


def grader(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != course.ENV}
    return subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def test_the_course_has_several_assignments():
    assert len(course.assignments()) > 1


def test_every_verb_grades_the_assignment_it_is_given(tmp_path):
    examples = CONV.examples
    done = grader("run", str(examples), "--assignment", "conv", "--out", str(tmp_path / "run"),
                  "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "run" / "gradebook.csv", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert any(name.startswith("conv_forward_naive") for name in header), header
    student = min(p for p in examples.iterdir() if p.is_dir())
    done = grader("ci", "--assignment", "conv", "--submission", str(student), "--results",
                  str(tmp_path / "ci.json"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "ci.json").read_text())["tests"]
    done = grader("similarity", str(examples), "--assignment", "conv", "--out",
                  str(tmp_path / "sim"), cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "sim" / "similarity.csv").is_file(), done.stderr


@pytest.mark.parametrize("verb", [["run", "."], ["ci", "--submission", "."], ["audit"],
                                  ["similarity", "."], ["check", "."]])
def test_without_a_name_each_verb_lists_the_assignments(verb, tmp_path):
    done = grader(*verb, cwd=tmp_path)
    assert done.returncode != 0
    names = ", ".join(sorted(course.assignments()))
    assert f"several assignments ({names})" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
