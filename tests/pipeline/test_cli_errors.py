"""`grader run` misuse ends in one line naming what is wrong, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


def grader(*args, cwd):
    done = subprocess.run([sys.executable, "-m", "grader.cli", "run", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("args, words", [
    (["/nope"], "/nope: submissions folder does not exist"),
    (["{tmp}/file.txt"], "is not a folder"),
    (["{tmp}/empty"], "no submissions found"),
    (["{tmp}/class", "--memory", "lots"], "--memory"),
    (["{tmp}/class", "--jobs", "0"], "--jobs"),
    (["{tmp}/class", "--only", "nobody"], "--only names students with no submission"),
    (["{tmp}/class", "--timeout", "soon"], "--timeout"),
])
def test_misuse_is_one_line(tmp_path, args, words):
    (tmp_path / "file.txt").write_text("")
    (tmp_path / "empty").mkdir()
    (tmp_path / "class" / "alice").mkdir(parents=True)
    (tmp_path / "class" / "alice" / "layers.py").write_text("x = 1\n")
    code, stdout, stderr = grader(*[a.format(tmp=tmp_path) for a in args], cwd=tmp_path)
    assert code == 2, (stdout, stderr)
    assert stderr.count("\n") == 1 and stderr.startswith("grader: error: "), stderr
    assert words in stderr and "Traceback" not in stderr
    assert not (tmp_path / "grades").exists()
