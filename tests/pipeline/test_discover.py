"""Discovery: every layout students and LMSs produce, and every hostile one, without crashing."""

from __future__ import annotations

import os
import threading

import pytest

from grader.errors import UsageError
from grader.run.discover import MAX_FILE_BYTES, discover


def write(path, text="x = 1\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def by_student(root, **kwargs):
    return {s.student: s for s in discover(root, **kwargs)}


def test_top_level_and_package_layouts(tmp_path):
    write(tmp_path / "alice" / "layers.py")
    write(tmp_path / "bob" / "cs231n" / "layers.py")
    write(tmp_path / "bob" / "cs231n" / "classifiers" / "fc_net.py")
    write(tmp_path / "carol" / "layers.py")
    write(tmp_path / "carol" / "classifiers" / "fc_net.py")
    subs = by_student(tmp_path)
    assert sorted(subs) == ["alice", "bob", "carol"]
    assert set(subs["alice"].files) == {"layers.py"} and not subs["alice"].problems
    assert subs["bob"].files["fc_net.py"] == tmp_path / "bob/cs231n/classifiers/fc_net.py"
    assert subs["carol"].files["fc_net.py"] == tmp_path / "carol/classifiers/fc_net.py"


def test_zip_wrapped_folder_is_looked_into_once(tmp_path):
    write(tmp_path / "dave" / "hw3" / "cs231n" / "layers.py")
    write(tmp_path / "erin" / "a" / "b" / "cs231n" / "layers.py")  # two levels: too deep
    subs = by_student(tmp_path)
    assert subs["dave"].files["layers.py"] == tmp_path / "dave/hw3/cs231n/layers.py"
    assert "layers.py" not in subs["erin"].files
    assert any("no layers.py found" in p for p in subs["erin"].problems)


def test_both_locations_grades_the_package_path_and_says_so(tmp_path):
    write(tmp_path / "alice" / "layers.py")
    write(tmp_path / "alice" / "cs231n" / "layers.py")
    sub = by_student(tmp_path)["alice"]
    assert sub.files["layers.py"] == tmp_path / "alice/cs231n/layers.py"
    assert any("graded cs231n/layers.py" in p for p in sub.problems)


def test_missing_file_lists_what_was_submitted(tmp_path):
    write(tmp_path / "alice" / "my_layers.py")
    sub = by_student(tmp_path)["alice"]
    assert sub.files == {}
    assert "my_layers.py" in sub.problems[0] and "no layers.py found" in sub.problems[0]


def test_hidden_and_excluded_folders_are_not_students(tmp_path):
    write(tmp_path / ".git" / "layers.py")
    write(tmp_path / "__MACOSX" / "alice" / "layers.py")
    write(tmp_path / "grades" / "alice" / "results.json")
    write(tmp_path / "alice" / "layers.py")
    assert sorted(by_student(tmp_path, exclude=(tmp_path / "grades",))) == ["alice"]


def test_unicode_and_odd_ids_are_kept(tmp_path):
    names = ["José Núñez", "李雷", "o'brien", "<img src=x onerror=alert(1)>", "-rf", "a b  c"]
    for name in names:
        write(tmp_path / name / "layers.py")
    assert sorted(by_student(tmp_path)) == sorted(names)


def test_non_utf8_folder_name_becomes_a_printable_id(tmp_path):
    raw = os.path.join(os.fsencode(tmp_path), b"caf\xe9")
    os.mkdir(raw)
    with open(os.path.join(raw, b"layers.py"), "w") as handle:
        handle.write("x = 1\n")
    (sub,) = discover(tmp_path)
    assert sub.student == "caf\\xe9"
    sub.student.encode("utf-8")  # storable and printable
    assert "layers.py" in sub.files


def test_symlink_to_outside_is_refused(tmp_path):
    secret = write(tmp_path / "outside" / "secret.py", "TOKEN = 1\n")
    (tmp_path / "subs" / "mallory").mkdir(parents=True)
    (tmp_path / "subs" / "mallory" / "layers.py").symlink_to(secret)
    sub = by_student(tmp_path / "subs")["mallory"]
    assert sub.files == {}
    assert "symbolic link" in sub.problems[0]


def test_symlinked_package_folder_is_not_followed(tmp_path):
    write(tmp_path / "outside" / "cs231n" / "layers.py")
    (tmp_path / "subs" / "mallory").mkdir(parents=True)
    (tmp_path / "subs" / "mallory" / "cs231n").symlink_to(tmp_path / "outside" / "cs231n")
    sub = by_student(tmp_path / "subs")["mallory"]
    assert sub.files == {}
    assert any("symbolic link" in p for p in sub.problems)


def test_symlinked_student_folder_is_refused(tmp_path):
    write(tmp_path / "outside" / "layers.py")
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "mallory").symlink_to(tmp_path / "outside")
    sub = by_student(tmp_path / "subs")["mallory"]
    assert sub.files == {} and "symbolic link" in sub.problems[0]


def test_a_symlink_beside_the_real_file_does_not_hide_it(tmp_path):
    real = write(tmp_path / "alice" / "layers.py")
    (tmp_path / "alice" / "cs231n").mkdir()
    (tmp_path / "alice" / "cs231n" / "layers.py").symlink_to(real)
    sub = by_student(tmp_path)["alice"]
    assert sub.files["layers.py"] == real


@pytest.mark.parametrize("make, words", [
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: p.write_text(""), "is empty"),
    (lambda p: p.write_bytes(b"#" * (MAX_FILE_BYTES + 1)), "the limit is 1 MB"),
    (lambda p: os.mkfifo(p), "not a regular file"),
])
def test_unusable_layers_py_becomes_a_problem(tmp_path, make, words):
    (tmp_path / "alice").mkdir()
    make(tmp_path / "alice" / "layers.py")
    done = []
    worker = threading.Thread(target=lambda: done.append(discover(tmp_path)), daemon=True)
    worker.start()
    worker.join(5)
    assert done, "discovery hung"
    (sub,) = done[0]
    assert sub.files == {}
    assert any(words in p for p in sub.problems), sub.problems


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file_becomes_a_problem(tmp_path):
    path = write(tmp_path / "alice" / "layers.py")
    path.chmod(0)
    (sub,) = discover(tmp_path)
    assert sub.files == {} and "permission denied" in sub.problems[0]


def test_canvas_flat_files_are_grouped_and_the_newest_copy_wins(tmp_path):
    write(tmp_path / "smithjane_12345_67890_layers.py", "old = 1\n")
    write(tmp_path / "smithjane_12345_67890_layers-1.py", "new = 1\n")
    write(tmp_path / "smithjane_12345_67890_fc_net.py")
    write(tmp_path / "doejohn_LATE_222_333_layers.py")
    write(tmp_path / "doejohn_LATE_222_333_notes.txt")
    write(tmp_path / "roe_444_555_fc_net.py")  # no layers.py uploaded
    subs = by_student(tmp_path)
    assert sorted(subs) == ["doejohn", "roe", "smithjane"]
    assert subs["smithjane"].files["layers.py"].name == "smithjane_12345_67890_layers-1.py"
    assert set(subs["smithjane"].files) == {"layers.py", "fc_net.py"}
    assert set(subs["doejohn"].files) == {"layers.py"} and not subs["doejohn"].problems
    assert any("no layers.py" in p for p in subs["roe"].problems)


def test_moodle_flat_files(tmp_path):
    write(tmp_path / "Jane Smith_4711_assignsubmission_file_layers.py")
    subs = by_student(tmp_path)
    assert set(subs["Jane Smith"].files) == {"layers.py"}


def test_flat_symlink_is_refused(tmp_path):
    secret = write(tmp_path.parent / f"{tmp_path.name}-secret.py")
    (tmp_path / "eve_1_2_layers.py").symlink_to(secret)
    sub = by_student(tmp_path)["eve"]
    assert sub.files == {} and "symbolic link" in " ".join(sub.problems)


def test_missing_root_and_file_root_are_usage_errors(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        discover(tmp_path / "nope")
    write(tmp_path / "file.txt")
    with pytest.raises(UsageError, match="is not a folder"):
        discover(tmp_path / "file.txt")
