"""Report files are written whole and readable by whoever the umask allows (a TA group)."""

import os

from grader.reports.files import atomic_write


def test_atomic_write_honours_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "gradebook.csv", "student,score\n")
    finally:
        os.umask(old)
    assert (tmp_path / "gradebook.csv").stat().st_mode & 0o777 == 0o640


def test_atomic_write_replaces_and_leaves_no_temporary_file(tmp_path):
    atomic_write(tmp_path / "a.txt", "one")
    atomic_write(tmp_path / "a.txt", b"two")
    assert (tmp_path / "a.txt").read_text() == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
