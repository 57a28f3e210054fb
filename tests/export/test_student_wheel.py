"""grader export student: a wheel pip accepts, with the grader command and honest metadata.

What is left out of it, and that it runs grader check alone, is tested in tests/check."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile

import pytest

from grader.errors import UsageError
from grader.export import main, student


def test_pip_installs_it_with_the_grader_command(tmp_path):
    assert main(platform="student", out=tmp_path / "dist") == 0
    [wheel] = (tmp_path / "dist").glob("grader-*+student-py3-none-any.whl")
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index",
                           "--disable-pip-version-check", "--target", str(tmp_path / "site"),
                           str(wheel)], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "site" / "bin" / "grader").is_file()
    shipped = tmp_path / "site" / "grader" / "_course" / "assignments" / "dropout"
    assert (shipped / "public" / "test_public_layers.py").is_file()
    # What the public checks import (the facade, diagnoses, statistics): no test, no input.
    assert sorted(p.name for p in (shipped / "suite").glob("*.py")) == [
        "__init__.py", "diagnose.py", "facade.py", "stats.py"]


def test_record_matches_every_file_and_requirements_are_the_runtime_ones(tmp_path):
    wheel = student.build(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        info = f"grader-{student.VERSION}.dist-info"
        record = archive.read(f"{info}/RECORD").decode().splitlines()
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            if name.endswith("RECORD"):
                continue
            data = archive.read(name)
            expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert digest == "sha256=" + expected.decode() and int(size) == len(data), name
        assert len(record) == len(archive.namelist())
        metadata = archive.read(f"{info}/METADATA").decode()
    required = {line.split(": ", 1)[1].split(">")[0].split(";")[0].strip()
                for line in metadata.splitlines() if line.startswith("Requires-Dist")}
    assert {"numpy", "pytest", "click", "rich"} <= required
    assert not required & {"nbconvert", "sympy", "matplotlib", "dask"}


def test_out_must_be_a_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UsageError, match="must be a folder"):
        main(platform="student", out=blocker)
