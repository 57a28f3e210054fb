"""The Gradescope autograder.zip: its layout, its scripts, and a real run of run_autograder
in a temporary root standing in for /autograder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from grader import course, paths
from grader.errors import UsageError
from grader.export import gradescope, main


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "autograder.zip"
    assert main(platform="gradescope", out=out) == 0
    return out


def unpack(zip_path, dest):
    """Extract like unzip does on Gradescope: with the archive's permission bits."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = archive.extract(info, dest)
            os.chmod(target, (info.external_attr >> 16) & 0o777)


def test_layout_has_the_scripts_the_suite_and_the_oracle(bundle):
    with zipfile.ZipFile(bundle) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert modes["setup.sh"] == modes["run_autograder"] == 0o755
    hidden = sorted(p.name for p in course.find("dropout").suite.glob("test_*.py"))
    assert hidden and all(f"home/solutions/assignments/dropout/suite/{n}" in modes
                          for n in hidden)
    for name in ("package/pyproject.toml", "home/solutions/cs231n/layers.py",
                 "home/assignment/cs231n/layer_utils.py", "home/BUNDLE.txt"):
        assert name in modes, name
    assert not [n for n in modes if "__pycache__" in n or n.endswith(".pyc")]


def test_the_zip_is_reproducible(bundle, tmp_path):
    again = tmp_path / "again.zip"
    gradescope.build(again)
    assert again.read_bytes() == bundle.read_bytes()


def test_scripts_are_valid_bash_and_setup_installs_what_grading_needs(bundle, tmp_path):
    unpack(bundle, tmp_path)
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(["bash", "-n", str(tmp_path / script)], capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
    setup = (tmp_path / "setup.sh").read_text()
    assert "apt-get install -y" in setup and "bubblewrap" in setup and "python3-venv" in setup
    assert 'pip install --quiet --disable-pip-version-check "$SOURCE/package"' in setup


def run_autograder(root, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRADER", "PYTEST"))}
    env.pop("PYTHONPATH", None)
    env.update({"AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable, **env_extra})
    return subprocess.run(["bash", str(root / "source" / "run_autograder")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def test_run_autograder_grades_a_submission_with_the_bundled_suite(bundle, tmp_path):
    root = tmp_path / "autograder"
    unpack(bundle, root / "source")
    (root / "submission" / "cs231n").mkdir(parents=True)
    shutil.copyfile(paths.solutions_dir() / "cs231n" / "layers.py",
                    root / "submission" / "cs231n" / "layers.py")
    # A test only the bundle has proves the bundle's suite ran, not the project's.
    (root / "source/home/solutions/assignments/dropout/suite/test_9_bundle.py").write_text(
        "import pytest\n\n\n@pytest.mark.points(1)\n@pytest.mark.visibility('hidden')\n"
        "def test_bundle(student):\n    \"\"\"only in the bundle\"\"\"\n")
    done = run_autograder(root)
    assert done.returncode == 0, done.stderr
    data = json.loads((root / "results" / "results.json").read_text())
    names = {t["name"]: t for t in data["tests"]}
    assert names["only in the bundle"]["visibility"] == "hidden"
    assert data["score"] == sum(t["max_score"] for t in data["tests"]) > 1, data["output"]


def test_run_autograder_leaves_a_verdict_when_python_is_broken(bundle, tmp_path):
    root = tmp_path / "autograder"
    unpack(bundle, root / "source")
    done = run_autograder(root, GRADER_PYTHON=str(tmp_path / "no-python"))
    assert done.returncode == 0
    data = json.loads((root / "results" / "results.json").read_text())
    assert data["score"] == 0.0 and "could not start" in data["output"]


def test_out_must_be_a_file(tmp_path):
    with pytest.raises(UsageError, match="is a folder"):
        main(platform="gradescope", out=tmp_path)
    with pytest.raises(UsageError, match="unknown platform"):
        main(platform="moodle", out=tmp_path / "x.zip")
