"""The GitHub Actions workflow grader release puts into the student skeleton."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from grader import paths
from grader.ci.workflow import WORKFLOW, write_workflow
from grader.release import release

yaml = pytest.importorskip("yaml")


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    dest = tmp_path_factory.mktemp("release") / "assignment"
    release(paths.solutions_dir(), dest)
    return dest


def steps(released) -> dict[str, dict]:
    workflow = yaml.safe_load((released / WORKFLOW).read_text())
    return {step.get("name", step.get("uses")): step for step in workflow["jobs"]["check"]["steps"]}


def test_release_writes_it_and_the_committed_skeleton_has_it(released):
    assert (released / WORKFLOW).is_file()
    assert (paths.assignment_dir() / WORKFLOW).read_bytes() == (released / WORKFLOW).read_bytes()


def test_it_runs_the_public_tests_and_grader_check_from_the_student_edition(released):
    found = steps(released)
    install = found["Install numpy, pytest and the grader's public checks"]["run"]
    assert "GRADER_PACKAGE" in install and "grader-*-py3-none-any.whl" in install
    assert "python -m pytest tests" in found["Public tests (pytest tests)"]["run"]
    check = found["grader check (public checks and score)"]
    assert check["run"].strip() == "grader check ." and "!cancelled()" in check["if"]
    text = (released / WORKFLOW).read_text()
    # Nothing hidden on a runner the student controls: no grading, no secrets.
    for word in ("grader ci", "secrets.", "suites", "solutions"):
        assert word not in text, word


def test_every_run_script_is_valid_bash(released):
    for name, step in steps(released).items():
        if "run" in step:
            done = subprocess.run(["bash", "-n"], input=step["run"], text=True,
                                  capture_output=True, check=False)
            assert done.returncode == 0, f"{name}: {done.stderr}"


def test_public_tests_step_puts_its_result_in_the_job_summary(released, tmp_path):
    script = steps(released)["Public tests (pytest tests)"]["run"]
    summary = tmp_path / "summary.md"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "GRADER"))}
    env.update(GITHUB_STEP_SUMMARY=str(summary), PATH=f"{tmp_path}:{env['PATH']}")
    (tmp_path / "python").symlink_to(sys.executable)  # the runner's python is ours here
    done = subprocess.run(["bash", "-eo", "pipefail", "-c", script], cwd=released, env=env,
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode != 0  # the skeleton's stubs fail the public tests
    assert summary.read_text().startswith("### Public tests: ")
    assert "failed" in summary.read_text()


def test_the_step_leaves_an_unchanged_file_alone(tmp_path):
    [path] = write_workflow(tmp_path, tmp_path)
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    write_workflow(tmp_path, tmp_path)
    assert path.stat().st_mtime_ns == before - 10**9
