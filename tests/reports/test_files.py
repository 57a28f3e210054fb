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


def test_no_student_folder_takes_a_name_the_run_writes_itself():
    from grader.reports.files import RESERVED, folder_names
    names = sorted(RESERVED) + ["grades.sqlite", "grades.sqlite-journal", "GRADEBOOK.CSV"]
    folders = folder_names(names)
    for folder in folders.values():
        assert folder.lower() not in RESERVED and not folder.startswith("grades.sqlite"), folder
    assert len(set(folders.values())) == len(names)


def test_csv_cells_are_inert_in_spreadsheets_and_terminals():
    from grader.reports.safe_text import csv_cell as cell
    assert cell("alice") == "alice" and cell("José Núñez") == "José Núñez"
    for formula in ('=HYPERLINK("http://x")', "+1", "-1+1", "@SUM(A1)", " =1+1", "\u00a0=1"):
        assert cell(formula).startswith("'"), formula
    for hostile in ("a\x1b[2Jb", "bell\x07", "\x9bc", "tab\there", "cr\rhere"):
        out = cell(hostile)
        assert not any(ord(c) < 32 or 0x7f <= ord(c) <= 0x9f for c in out), repr(out)
    assert cell("a\x1bb") == "a\\x1bb"
