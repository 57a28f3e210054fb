"""grader check: the public checks in the sandbox, with the grader's messages, and nothing
of the hidden suite in what a student sees."""

from __future__ import annotations

import pytest
from assignments.dropout.suite import diagnose
from check_helpers import leaks, run_check

from grader import course
from grader.check.command import find_assignment, remaining_todos
from grader.errors import UsageError

TODO_FUNCTIONS = ("dropout_forward", "dropout_backward", "FullyConnectedNet.__init__",
                  "FullyConnectedNet.loss")


LAYOUT = course.layout("dropout")


def test_on_the_skeleton_it_lists_what_to_implement(skeleton):
    code, out = run_check(skeleton)
    assert code == 1
    todo = out.split("Still to implement")[1].split(" FAIL ")[0]
    for function in TODO_FUNCTIONS:
        assert f": {function}: " in todo, function
    assert "Score: 0/" in out and "Hidden tests:" in out
    assert not leaks(out)


def test_on_the_reference_every_public_check_passes(solved):
    code, out = run_check(solved)
    assert code == 0, out
    assert "FAIL" not in out and "Still to implement" not in out
    score = out.split("Score: ")[1].split(" points")[0]
    got, total = score.split("/")
    assert got == total and float(total) > 0
    assert "Hidden tests:" in out
    assert not leaks(out)


def test_a_known_mistake_gets_the_graders_own_diagnosis(solved):
    layers = solved / "cs231n" / "layers.py"
    layers.write_text(layers.read_text().replace("np.random.rand(*x.shape)",
                                                 "np.random.randn(*x.shape)"))
    code, out = run_check(layers)
    assert code == 1
    # The sentence comes from the diagnosis module the hidden suite uses too.
    assert diagnose.RANDN.split(",")[0] in " ".join(out.split())
    assert not leaks(out)


def test_code_that_exits_at_import_is_explained_not_fatal(solved):
    layers = solved / "cs231n" / "layers.py"
    layers.write_text("import os\nos._exit(0)\n" + layers.read_text())
    code, out = run_check(solved)
    assert code == 1
    assert out.count("could not be imported") == 1 and "Score: 0/" in out  # said once


@pytest.mark.parametrize("where", ["cs231n/layers.py", "cs231n/classifiers/fc_net.py",
                                   "cs231n", "tests", "."])
def test_any_path_inside_the_assignment_finds_it(skeleton, where):
    assert find_assignment(skeleton / where, LAYOUT) == skeleton.resolve()


def test_paths_outside_an_assignment_are_one_line_errors(tmp_path, skeleton):
    with pytest.raises(UsageError, match="no such file"):
        find_assignment(tmp_path / "missing", LAYOUT)
    with pytest.raises(UsageError, match="no cs231n/layers.py"):
        find_assignment(tmp_path, LAYOUT)
    with pytest.raises(UsageError, match="expected your layers.py"):
        find_assignment(skeleton / "tests" / "conftest.py", LAYOUT)


def test_todos_are_read_without_running_anything(skeleton):
    (skeleton / "cs231n" / "classifiers" / "fc_net.py").write_text("def broken(:\n")
    dropout = ("dropout_forward", "dropout_backward", "FullyConnectedNet.loss")
    found = remaining_todos(skeleton, LAYOUT, dropout)
    assert [f for f, _ in found] == ["cs231n/layers.py"] * 3  # a broken file is skipped
    assert found[0][1].startswith("dropout_forward: Implement training phase")


def test_github_job_summary_shows_the_public_score(solved, monkeypatch, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run_check(solved)
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert "### grader check:" in text and "points on the public checks" in text
    assert "| ✅ |" in text and "Hidden tests" in text
    assert not leaks(text)


def test_the_public_suite_is_not_the_hidden_one():
    assert course.find("dropout").public != course.find("dropout").suite
    for path in course.find("dropout").public.glob("*.py"):
        assert not leaks(path.read_text(encoding="utf-8")), path.name


def test_it_never_needs_the_reference_solution(solved, tmp_path, monkeypatch):
    # The student edition has no reference solution, only the assignment's public part:
    # a check that reached for anything else would fail here.
    from grader.export.student import course_slice
    home = tmp_path / "student-edition"
    for name, path in course_slice(course.find("dropout")).items():
        target = home / "solutions" / name.split("/_course/", 1)[1]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    assert not (home / "solutions" / "cs231n").exists()
    assert not list((home / "solutions").rglob("test_1_*.py"))  # no hidden test
    monkeypatch.setenv("GRADER_HOME", str(home))
    code, out = run_check(solved)
    assert code == 0, out
