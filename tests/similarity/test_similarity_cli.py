"""The command line: one-line errors for bad input, and the example class end to end."""

import subprocess
import sys
from pathlib import Path

import pytest
from similarity_cases import read_csv

from grader.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(argv, capsys):
    try:
        main(argv)
        code = 0  # --help returns without exiting
    except SystemExit as stop:
        code = stop.code
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing", "submissions folder does not exist"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "no submissions found"),
    (lambda p: (p / "file.py").write_text("x") and p / "file.py", "is not a folder"),
])
def test_bad_input_is_one_line(tmp_path, capsys, make, message):
    code, _out, err = run_cli(["similarity", str(make(tmp_path)), "--out",
                              str(tmp_path / "out")], capsys)
    assert code == 2
    assert err.startswith("grader: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out" / "similarity.html").exists()


@pytest.mark.parametrize("option", [["--threshold", "1.5"], ["--common", "0"], ["--top", "-1"],
                                    ["--jobs", "0"]])
def test_bad_options_are_one_line(tmp_path, capsys, option):
    (tmp_path / "class" / "a").mkdir(parents=True)
    (tmp_path / "class" / "a" / "layers.py").write_text("x = 1\n")
    code, _, err = run_cli(["similarity", str(tmp_path / "class"), *option], capsys)
    assert code == 2 and err.startswith("grader: error: ") and err.count("\n") == 1


def test_help_has_examples(capsys):
    code, out, _ = run_cli(["similarity", "--help"], capsys)
    assert code == 0
    assert "Examples:" in out and "grader similarity examples/submissions" in out


def test_the_example_class_ranks_the_disguised_copy_first(tmp_path):
    result = subprocess.run([sys.executable, "-m", "grader.cli", "similarity",
                             str(ROOT / "examples" / "submissions"), "--out",
                             str(tmp_path / "out")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out" / "similarity.csv")
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {"carmen_diaz", "oscar_lindqvist"}
    assert float(rows[0]["b_in_a"]) >= 0.9  # the copy's own code is nearly all the original's
    students = {s for r in rows for s in (r["student_a"], r["student_b"])}
    assert "ivan_petrov" not in students  # the untouched skeleton
    html = (tmp_path / "out" / "similarity.html").read_text()
    assert "ranks pairs for a person to look at" in html and "not a finding of misconduct" in html


def test_the_output_folder_inside_the_class_is_not_a_student(tmp_path):
    import shutil
    root = tmp_path / "class"
    shutil.copytree(ROOT / "examples" / "submissions", root)
    for _ in range(2):  # the second run finds the first run's output inside the class
        subprocess.run([sys.executable, "-m", "grader.cli", "similarity", str(root), "--out",
                        str(root / "similarity")], capture_output=True, check=True)
    html = (root / "similarity" / "similarity.html").read_text()
    assert "Code similarity: 15 submissions" in html


def test_an_output_path_that_is_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "class" / "a").mkdir(parents=True)
    (tmp_path / "class" / "a" / "layers.py").write_text("x = 1\n")
    (tmp_path / "taken").write_text("not a folder")
    code, _, err = run_cli(["similarity", str(tmp_path / "class"), "--out",
                            str(tmp_path / "taken")], capsys)
    assert code == 2 and "cannot write the report" in err and err.count("\n") == 1
