"""Every command that runs student code says which sandbox level protects the run, warns
below full isolation, and refuses a level below the one required."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import project_root
from grader.run.levels import prerequisite

LAYERS = (project_root() / "solutions" / "cs231n" / "layers.py").read_text()


def grader(*args, cwd, env=None):
    done = subprocess.run([sys.executable, "-m", "grader.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, check=False,
                          env={**os.environ, **(env or {})})
    return done.returncode, done.stdout, done.stderr


def one_student(tmp_path: Path) -> Path:
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "layers.py").write_text(LAYERS)
    return tmp_path / "class"


@pytest.mark.parametrize("level", ["bwrap", "landlock", "process"])
def test_grader_run_names_the_level_at_the_start_and_in_the_summary(tmp_path, level):
    if (why := prerequisite(level)) is not None:
        pytest.skip(f"{level} unavailable: {why}")
    code, out, err = grader("run", str(one_student(tmp_path)), "--sandbox", level,
                            cwd=tmp_path)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"sandbox: {level} (")
    assert any(line.strip("│ ").startswith(f"sandbox         │ {level} (") for line in lines)
    warned = [line for line in lines if line.startswith("warning: sandbox level")]
    if level == "bwrap":
        assert not warned
    else:
        assert warned and f"'{level}'" in warned[0]
    if level == "process":
        assert "NOT isolated" in out and "can read any file" in warned[0]


def test_a_required_level_above_the_one_asked_for_is_refused_in_one_line(tmp_path):
    code, _out, err = grader("run", str(one_student(tmp_path)), "--sandbox", "process",
                            "--require-sandbox", "landlock", cwd=tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("grader: error: the required sandbox level is landlock but the "
                          "strongest that works here is process")
    assert not (tmp_path / "grades").exists()


def test_a_bad_required_level_names_its_source(tmp_path):
    code, _, err = grader("run", str(one_student(tmp_path)), cwd=tmp_path,
                          env={"GRADER_REQUIRE_SANDBOX": "strong"})
    assert code == 2
    assert "invalid sandbox level 'strong' from GRADER_REQUIRE_SANDBOX" in err


def test_grader_ci_refusing_a_level_still_writes_why(tmp_path):
    submission = one_student(tmp_path) / "alice"
    results = tmp_path / "results.json"
    code, _out, err = grader("ci", "--submission", str(submission), "--results", str(results),
                            "--sandbox", "process", "--require-sandbox", "bwrap",
                            cwd=tmp_path)
    assert code == 2 and "required sandbox level is bwrap" in err
    written = json.loads(results.read_text())
    assert written["score"] == 0 and "required sandbox level is bwrap" in written["output"]


@pytest.mark.parametrize("command", ["ci", "check"])
def test_ci_and_check_print_the_level(tmp_path, command):
    submission = one_student(tmp_path) / "alice"
    if command == "ci":
        args = ["ci", "--submission", str(submission), "--results",
                str(tmp_path / "r.json"), "--sandbox", "process"]
    else:
        released = project_root() / "assignment"
        work = tmp_path / "assignment"
        subprocess.run(["cp", "-r", str(released), str(work)], check=True)
        (work / "cs231n" / "layers.py").write_text(LAYERS)
        args = ["check", str(work), "--sandbox", "process"]
    _code, out, err = grader(*args, cwd=tmp_path)
    assert "sandbox: process (process only: NOT isolated)" in out
    assert "warning: sandbox level 'process'" in out + err
