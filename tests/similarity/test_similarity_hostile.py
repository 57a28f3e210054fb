"""Hostile submissions: broken, binary, huge, linked or oddly named files, and markup in
code or names, never stop the report and always come out escaped."""

import os

from similarity_cases import (
    INDEPENDENT_ONE,
    INDEPENDENT_TWO,
    ORIGINAL,
    ORIGINAL_HELPER,
    SKELETON,
    disguised_original,
    filled,
    run_similarity,
    write_class,
)

SCRIPT = "<script>alert('x')</script>"
IMG = "<img src=x onerror=alert(1)>"


def hostile_class(root):
    marked = filled(ORIGINAL, ORIGINAL_HELPER).replace(
        "# same mask as forward, already divided by p", f"# {SCRIPT}").replace(
        "gradient shape mismatch", f"{SCRIPT} {IMG}")
    copy = disguised_original().replace("def make_mask(", "def make_mask_ｓcript_(")
    files = {
        f"{IMG}/layers.py": marked,  # a folder name that is markup
        "=HYPERLINK(1)/layers.py": copy,  # a folder name that is a spreadsheet formula
        "syntax/layers.py": filled(INDEPENDENT_ONE).replace("out = x\n", "out = = x\n"),
        "binary/layers.py": bytes(range(256)) * 40,
        "huge/layers.py": "x = 1\n" * 400_000,  # over the 1 MB cap
        "latin/layers.py": filled(INDEPENDENT_TWO).encode("utf-8") + b"# caf\xe9\n",
        "empty/layers.py": "",
    }
    write_class(root, files)
    os.makedirs(root / "linked")
    os.symlink(root / f"{IMG}" / "layers.py", root / "linked" / "layers.py")
    undecodable = os.fsencode(str(root)) + b"/bad\xffname"
    os.makedirs(undecodable)
    with open(undecodable + b"/layers.py", "w") as handle:
        handle.write(SKELETON)
    return root


def test_hostile_inputs_do_not_stop_or_corrupt_the_report(tmp_path):
    root = hostile_class(tmp_path / "class")
    code, rows, html = run_similarity(root, tmp_path / "out")
    assert code == 0
    # the markup-named student and the formula-named copy are still the top pair
    assert {rows[0]["student_a"], rows[0]["student_b"]} == {IMG, "'=HYPERLINK(1)"}
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "not valid Python 3" in html  # syntax and binary compared by tokens
    assert "not compared: layers.py is 2.4 MB; the limit is 1 MB" in html
    # the symlink was not followed: "linked" has nothing to compare
    assert not any("linked" in (r["student_a"], r["student_b"]) for r in rows)
    assert "bad\\xffname" in html  # in the notes: nothing of its own to compare
    assert "Latin-1" in html


def test_the_csv_never_starts_a_cell_with_a_formula(tmp_path):
    root = hostile_class(tmp_path / "class")
    _, rows, _ = run_similarity(root, tmp_path / "out")
    raw = (tmp_path / "out" / "similarity.csv").read_text()
    assert ",=HYPERLINK" not in raw and "\n=" not in raw
    assert any(r["student_a"] == "'=HYPERLINK(1)" or r["student_b"] == "'=HYPERLINK(1)"
               for r in rows)


def test_the_page_loads_nothing_and_runs_nothing(tmp_path):
    root = hostile_class(tmp_path / "class")
    _, _, html = run_similarity(root, tmp_path / "out")
    assert "default-src 'none'" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html
