"""`grader release`: byte-identical, idempotent, drift-checked, extensible by steps."""

import shutil
from pathlib import Path

import pytest

from grader.cli import main as cli_main
from grader.errors import InternalError, UsageError
from grader.release import MANIFEST, ReleaseDrift, check_release, release, tree_files
from grader.release.steps import STEPS, write_text

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS, ASSIGNMENT = ROOT / "solutions", ROOT / "assignment"


def test_the_committed_assignment_is_a_fresh_release():
    # Fails when solutions/ changed without `grader release` being run and committed.
    count = check_release(SOLUTIONS, ASSIGNMENT)
    assert count == len((ASSIGNMENT / MANIFEST).read_text().splitlines())


def test_release_is_idempotent_and_leaves_unchanged_files_alone(tmp_path):
    first = release(SOLUTIONS, tmp_path / "a")
    before = tree_files(tmp_path / "a")
    stamps = {p: p.stat().st_mtime_ns for p in (tmp_path / "a").rglob("*") if p.is_file()}
    second = release(SOLUTIONS, tmp_path / "a")
    assert first == second == sorted(first)
    assert tree_files(tmp_path / "a") == before
    assert stamps == {p: p.stat().st_mtime_ns for p in (tmp_path / "a").rglob("*") if p.is_file()}
    release(SOLUTIONS, tmp_path / "b")
    assert tree_files(tmp_path / "b") == before


def test_release_writes_the_package_tests_support_files_and_readme(tmp_path):
    names = release(SOLUTIONS, tmp_path)
    for expected in ["README.md", "pytest.ini", "cs231n/layers.py", "cs231n/solver.py",
                     "cs231n/classifiers/fc_net.py", "cs231n/datasets/README.md",
                     "tests/conftest.py"]:
        assert expected in names
    assert (tmp_path / MANIFEST).read_text() == "".join(n + "\n" for n in names)
    readme = (tmp_path / "README.md").read_text()
    assert "{{" not in readme
    assert "| `cs231n/layers.py` | `dropout_backward` |" in readme
    assert "pytest tests" in readme


def test_caches_data_and_binary_files_are_not_released(tmp_path):
    src = tmp_path / "solutions"
    shutil.copytree(SOLUTIONS, src, ignore=shutil.ignore_patterns("__pycache__"))
    (src / "cs231n" / "__pycache__").mkdir()
    (src / "cs231n" / "__pycache__" / "layers.cpython-311.pyc").write_bytes(b"\0\1")
    data = src / "cs231n" / "datasets" / "cifar-10-batches-py"
    data.mkdir()
    (data / "data_batch_1").write_bytes(b"\x80\x02}q\0.")
    (data / "readme.html").write_text("<html></html>")
    (src / "cs231n" / "picture.png").write_bytes(b"\x89PNG")
    names = release(src, tmp_path / "out")
    assert not [n for n in names if "__pycache__" in n or "cifar-10-batches-py" in n
                or n.endswith((".pyc", ".png"))]


def test_stale_files_of_a_previous_release_go_and_nothing_else(tmp_path, mini_solutions):
    dest = tmp_path / "assignment"
    release(mini_solutions, dest)
    (dest / "notes.txt").write_text("the instructor's own file")
    (mini_solutions / "tests" / "test_double.py").unlink()
    release(mini_solutions, dest)
    assert not (dest / "tests").exists()  # released before, released no more
    assert (dest / "notes.txt").read_text() == "the instructor's own file"


def test_a_registered_step_runs_and_its_files_are_tracked(tmp_path, mini_solutions):
    def write_notebook(src_root, dest_root):
        return [write_text(dest_root / "Dropout.ipynb", '{"cells": []}\n')]

    steps = STEPS + (write_notebook,)
    names = release(mini_solutions, tmp_path / "a", steps=steps)
    assert "Dropout.ipynb" in names
    check_release(mini_solutions, tmp_path / "a", steps=steps)
    with pytest.raises(ReleaseDrift, match="Dropout.ipynb should not be there"):
        check_release(mini_solutions, tmp_path / "a")


def test_a_step_writing_outside_the_release_is_an_internal_error(tmp_path, mini_solutions):
    def rogue(src_root, dest_root):
        return [write_text(tmp_path / "elsewhere.txt", "x")]

    with pytest.raises(InternalError, match="rogue wrote .*elsewhere.txt"):
        release(mini_solutions, tmp_path / "a", steps=(rogue,))


def test_releasing_into_the_sources_is_refused(mini_solutions):
    with pytest.raises(UsageError, match="inside the sources"):
        release(mini_solutions, mini_solutions / "cs231n")


def test_check_lists_each_drifted_file(tmp_path):
    committed = tmp_path / "assignment"
    release(SOLUTIONS, committed)
    (committed / "cs231n" / "layers.py").write_text("# edited by hand\n")
    (committed / "README.md").unlink()
    (committed / "cs231n" / "extra.py").write_text("")
    (committed / "cs231n" / "__pycache__").mkdir()
    (committed / "cs231n" / "__pycache__" / "x.pyc").write_bytes(b"")  # caches are ignored
    with pytest.raises(ReleaseDrift) as raised:
        check_release(SOLUTIONS, committed)
    message = str(raised.value)
    assert raised.value.exit_code == 1 and "\n" not in message
    assert "README.md is missing" in message
    assert "cs231n/extra.py should not be there" in message
    assert "cs231n/layers.py differs" in message
    assert "__pycache__" not in message


def cli(monkeypatch, capsys, root, *args):
    monkeypatch.setenv("GRADER_HOME", str(root))
    try:
        cli_main(["release", *args])
        code = 0
    except SystemExit as exited:
        code = exited.code
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_release_then_check(monkeypatch, capsys, mini_solutions):
    root = mini_solutions.parent
    code, out, _ = cli(monkeypatch, capsys, root)
    assert code == 0 and "released" in out
    assert "raise NotImplementedError" in (root / "assignment" / "cs231n" / "layers.py").read_text()
    code, out, _ = cli(monkeypatch, capsys, root, "--check")
    assert code == 0 and "matches" in out
    (root / "assignment" / "cs231n" / "layers.py").write_text("")
    code, _, err = cli(monkeypatch, capsys, root, "--check")
    assert code == 1
    assert err.startswith("grader: error: ") and "cs231n/layers.py differs" in err
    assert err.count("\n") == 1


def test_cli_reports_a_bad_marker_as_one_line_with_file_and_line(monkeypatch, capsys,
                                                                 mini_solutions):
    layers = mini_solutions / "cs231n" / "layers.py"
    layers.write_text(layers.read_text().replace("    # END SOLUTION\n", ""))
    code, _, err = cli(monkeypatch, capsys, mini_solutions.parent, "--out",
                       str(mini_solutions.parent / "out"))
    assert code == 2
    assert err == ("grader: error: solutions/cs231n/layers.py:2: BEGIN SOLUTION is never "
                   "closed by '# END SOLUTION'\n")
