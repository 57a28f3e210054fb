"""grader ci through the real path: discovery, staging, a judge process, the sandbox, the
hidden suite, and the Gradescope renderer. Every case must leave a valid results.json."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from assignments.dropout.suite import diagnose
from ci_cases import read_results

from grader import course
from grader.ci import main
from grader.errors import UsageError


def declared_visibility() -> dict[str, str]:
    """Test name -> visibility, read from the hidden suite's decorators and docstrings."""
    declared = {}
    for path in sorted((course.find("dropout").suite).glob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not (isinstance(node, ast.FunctionDef) and node.name.startswith("test_")):
                continue
            shown = "visible"
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and "visibility" in ast.unparse(decorator):
                    shown = decorator.args[0].value
            doc = (ast.get_docstring(node) or node.name).strip().splitlines()[0]
            declared[doc] = shown
    return declared


def grade(folder, tmp_path, **options):
    results = tmp_path / "out" / "results.json"
    code = main(submission=folder, results=results, **options)
    return code, read_results(results)


def test_correct_submission_gets_full_marks_with_the_suites_visibilities(submission, tmp_path):
    code, data = grade(submission("passes_all"), tmp_path)
    assert code == 0
    total = sum(t["max_score"] for t in data["tests"])
    assert total > 0 and data["score"] == total
    assert all(t["score"] == t["max_score"] for t in data["tests"])
    assert {t["name"]: t["visibility"] for t in data["tests"]} == declared_visibility()
    assert any(t["visibility"] != "visible" for t in data["tests"])  # hidden ones stay hidden
    assert data["extra_data"]["status"] == "graded"
    assert data["extra_data"]["sandbox"] in ("bwrap", "process")


def test_randn_bug_gets_partial_credit_and_the_diagnosis(submission, tmp_path):
    code, data = grade(submission("randn_bug"), tmp_path)
    total = sum(t["max_score"] for t in data["tests"])
    assert code == 0 and 0 < data["score"] < total
    failed = " ".join(t["output"] for t in data["tests"] if t["score"] < t["max_score"])
    assert diagnose.RANDN in failed


def test_empty_folder_scores_zero_and_says_nothing_was_found(submission, tmp_path):
    code, data = grade(submission("empty"), tmp_path)
    assert code == 0 and data["score"] == 0.0
    assert data["extra_data"]["status"] == "missing"
    assert "No layers.py was found" in data["output"]
    assert data["tests"] and all(t["score"] == 0 for t in data["tests"])


def test_os_exit_at_import_scores_zero_and_says_the_import_stopped(submission, tmp_path):
    code, data = grade(submission("os_exit"), tmp_path)
    assert code == 0 and data["score"] == 0.0
    assert data["extra_data"]["status"] == "import_error"
    [line] = [x for x in data["output"].splitlines() if "could not be imported" in x]
    assert "exit" in line  # names how the worker ended, not only that it did


def test_a_missing_submission_folder_is_a_verdict_not_an_error(tmp_path):
    code, data = grade(tmp_path / "nowhere", tmp_path)
    assert code == 0 and data["score"] == 0.0
    assert "No layers.py was found" in data["output"]


def test_fail_under_fails_the_pipeline_only_below_the_threshold(submission, tmp_path):
    folder = submission("empty")
    assert grade(folder, tmp_path, fail_under=1)[0] == 1
    assert grade(folder, tmp_path, fail_under=0)[0] == 0
    with pytest.raises(UsageError, match="--fail-under"):
        grade(folder, tmp_path, fail_under="lots")


def test_an_internal_failure_still_writes_a_zero_that_explains(submission, tmp_path, capsys):
    code, data = grade(submission("passes_all"), tmp_path, assignment_dir=tmp_path / "gone")
    assert code == 0 and data["score"] == 0.0
    assert data["extra_data"]["status"] == "internal_error"
    assert "not your code" in data["output"] and "rerun the autograder" in data["output"]
    assert "internal error" in capsys.readouterr().err


def test_an_unwritable_results_path_is_a_one_line_error(submission, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    command = [sys.executable, "-m", "grader.cli", "ci", "--submission",
               str(submission("empty")), "--results", str(blocker / "results.json")]
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "grader: error:" in done.stderr
    assert str(blocker / "results.json") in done.stderr and "Traceback" not in done.stderr


def test_results_path_that_is_a_folder_is_refused_before_grading(submission, tmp_path):
    with pytest.raises(UsageError, match="is a folder"):
        main(submission=submission("empty"), results=tmp_path)
