"""A course of its own: a toy assignment declared in a temporary folder goes through
release, run, check, ci, audit and the Gradescope export, with nothing of it in grader/."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader import course
from grader.errors import UsageError
from grader.run import levels

REFERENCE = '''import numpy as np


def relu_forward(x):
    """
    Computes the forward pass of a rectified linear unit.

    Inputs:
    - x: Inputs, of any shape

    Returns:
    - out: Output, of the same shape as x
    """
    out = None
    # BEGIN SOLUTION: Implement the ReLU forward pass.
    out = np.maximum(x, 0)
    # END SOLUTION
    return out
'''
SUITE = '''import numpy as np
import pytest

from grader.suites import Failure, close, real_array

from . import inputs


@pytest.mark.points(6)
@pytest.mark.visibility("visible")
def test_relu_values(student, ref):
    """relu_forward: max(x, 0) for every entry"""
    x = inputs.signed()
    out = real_array(student.call("cs231n.layers:relu_forward", x), "out", shape=x.shape)
    if not close(out, ref.layers.relu_forward(x), "out", rtol=1e-12, atol=0):
        raise Failure("relu_forward(x) is not max(x, 0) entrywise")


@pytest.mark.points(4)
@pytest.mark.visibility("visible")
def test_relu_shape(student):
    """relu_forward: keeps the input's shape"""
    x = inputs.signed().reshape(2, 3, 2)
    real_array(student.call("cs231n.layers:relu_forward", x), "out", shape=x.shape)
'''
INPUTS = '''import numpy as np


def signed():
    return np.linspace(-1.0, 1.0, 12).reshape(3, 4)
'''
PUBLIC = '''import numpy as np
import pytest

from grader.suites import Failure, close, real_array


@pytest.mark.points(1)
@pytest.mark.visibility("visible")
def test_public_relu(student):
    """relu_forward: the notebook's check"""
    x = np.array([[-1.0, 2.0]])
    out = real_array(student.call("cs231n.layers:relu_forward", x), "out", shape=x.shape)
    if not close(out, np.array([[0.0, 2.0]]), "out", rtol=0, atol=0):
        raise Failure("relu_forward([[-1, 2]]) must be [[0, 2]]")
'''
MANIFEST = '''name = "toy"
title = "ReLU"
[files]
"layers.py" = "cs231n/layers.py"
[files_required]
names = ["layers.py"]
[grading]
suite = "suite"
public = "public"
functions = ["cs231n.layers:relu_forward"]
[audit]
catalogue = "audit/catalogue.toml"
variants = "audit/variants"
[release]
functions = ["relu_forward"]
'''
CATALOGUE = '''[[variant]]
name = "identity"
kind = "mutant"
mistake = "returns x unchanged"
replace."layers.py" = "identity.py"
kills = ["test_relu_values"]
says = "is not max(x, 0)"

[[variant]]
name = "where"
kind = "correct"
mistake = "np.where instead of np.maximum"
replace."layers.py" = "where.py"
'''


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def toy(tmp_path, monkeypatch) -> Path:
    """A course folder with one assignment, 'toy', and GRADER_HOME pointing at it."""
    home = tmp_path / "course"
    write(home / "solutions/cs231n/__init__.py", "")
    write(home / "solutions/cs231n/layers.py", REFERENCE)
    folder = home / "solutions/assignments/toy"
    write(home / "solutions/assignments/__init__.py", "")
    write(folder / "assignment.toml", MANIFEST)
    write(folder / "suite/__init__.py", "")
    write(folder / "suite/inputs.py", INPUTS)
    write(folder / "suite/test_relu.py", SUITE)
    write(folder / "public/__init__.py", "")
    write(folder / "public/test_public_relu.py", PUBLIC)
    write(folder / "audit/catalogue.toml", CATALOGUE)
    write(folder / "audit/variants/identity.py", "def relu_forward(x):\n    return x\n")
    write(folder / "audit/variants/where.py",
          "import numpy as np\n\n\ndef relu_forward(x):\n    return np.where(x > 0, x, 0.0)\n")
    monkeypatch.setenv("GRADER_HOME", str(home))
    monkeypatch.delenv(course.ENV, raising=False)
    return home


def students(home: Path) -> Path:
    reference = (home / "solutions/cs231n/layers.py").read_text()
    right = reference.replace("    # BEGIN SOLUTION: Implement the ReLU forward pass.\n", "")
    right = right.replace("    # END SOLUTION\n", "")
    write(home / "class/ada/layers.py", right)
    write(home / "class/bob/layers.py", right.replace("np.maximum(x, 0)", "np.abs(x)"))
    return home / "class"


def test_a_toy_assignment_goes_through_every_verb(toy, tmp_path, capsys):
    from grader.audit import main as audit
    from grader.check import main as check
    from grader.ci import main as ci
    from grader.export.gradescope import contents
    from grader.release import main as release
    from grader.run import main as run

    assert list(course.assignments()) == ["toy"]
    release(check=False, out=None)
    skeleton = (toy / "assignment/cs231n/layers.py").read_text()
    assert "np.maximum" not in skeleton and "NotImplementedError" in skeleton

    level = levels.choose("auto").level
    code = run(submissions=students(toy), out=tmp_path / "grades", jobs=1, sandbox=level)
    assert code == 0
    book = (tmp_path / "grades/gradebook.csv").read_text().splitlines()
    assert book[0].startswith('student,score,max_score,status,"relu_forward: max(x, 0)')
    assert book[1].startswith("ada,10,10,graded") and book[2].startswith("bob,4,10,graded")

    results = tmp_path / "ada.json"
    assert ci(submission=toy / "class/ada", results=results, sandbox=level) == 0
    assert json.loads(results.read_text())["score"] == 10

    mine = tmp_path / "mine"
    write(mine / "cs231n/__init__.py", "")
    write(mine / "cs231n/layers.py", (toy / "class/ada/layers.py").read_text())
    assert check(path=mine, sandbox=level, assignment="toy") == 0

    assert audit(jobs=1, sandbox=level) == 0
    files, version = contents(assignment="toy")
    assert "home/solutions/assignments/toy/suite/test_relu.py" in files
    assert version and not any("assignments/dropout" in name for name in files)
    capsys.readouterr()


def test_several_assignments_need_a_name_and_the_error_lists_them(toy, tmp_path):
    second = toy / "solutions/assignments/other"
    write(second / "assignment.toml", MANIFEST.replace('name = "toy"', 'name = "other"'))
    with pytest.raises(UsageError, match=r"several assignments \(other, toy\).*--assignment"):
        course.find(None)
    with pytest.raises(UsageError, match="unknown assignment 'nope'.*other, toy"):
        course.find("nope")
    assert course.find("other").suite == second / "suite"


def test_a_bad_manifest_is_one_line_naming_the_file_and_field(toy):
    from grader.errors import ConfigError
    path = toy / "solutions/assignments/toy/assignment.toml"
    path.write_text(MANIFEST.replace('names = ["layers.py"]', 'names = ["net.py"]'))
    with pytest.raises(ConfigError, match=r"assignment.toml: 'net.py' is not one of \[files\]"):
        course.load(path)
    path.write_text('name = "wrong"\n[files]\n"layers.py" = "cs231n/layers.py"\n')
    with pytest.raises(ConfigError, match="must be its folder's name"):
        course.load(path)
