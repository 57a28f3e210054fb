"""Reports render stored results faithfully and safely (no injection, valid schemas)."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest

from grader.config import Limits
from grader.reports import ReportFacts, feedback_md, gradebook, results_json, write_reports
from grader.reports import html as html_report
from grader.reports.files import atomic_write, folder_names
from grader.results import VISIBILITIES, SubmissionResult
from grader.results import TestResult as Check

HOSTILE = '<script>alert("x")</script>'
SUITE = [("forward: zero fraction", 4.0, "visible"), ("backward: mask", 3.0, "visible"),
         ("net: hidden check", 3.0, "hidden")]


def result(student, passing=3, status="graded", message="expected 0.5, got 0.25", **kw):
    tests = tuple(Check(name, pts if i < passing else 0.0, pts, "" if i < passing else
                        f"{name}: {message}", vis, "passed" if i < passing else "failed")
                  for i, (name, pts, vis) in enumerate(SUITE))
    return SubmissionResult(student=student, status=status, score=sum(t.score for t in tests),
                            max_score=10.0, tests=tests, sandbox="bwrap",
                            content_hash="h-" + student, **kw)


CLASS = [result("carol", 1), result("alice", 3), result("bob", 2),
         SubmissionResult("dave", "missing", 0.0, 10.0, content_hash="h-dave")]


def test_gradebook_columns_order_and_sorting():
    rows = list(csv.reader(io.StringIO(gradebook.render(CLASS))))
    assert rows[0] == ["student", "score", "max_score", "status"] + [n for n, _, _ in SUITE]
    assert [r[0] for r in rows[1:]] == ["alice", "bob", "carol", "dave"]
    assert rows[1][:4] == ["alice", "10", "10", "graded"] and rows[1][4:] == ["4", "3", "3"]
    assert rows[3][4:] == ["4", "0", "0"]
    assert rows[4] == ["dave", "0", "10", "missing", "", "", ""]


def test_gradebook_defuses_spreadsheet_formulas():
    rows = list(csv.reader(io.StringIO(gradebook.render([result("=HYPERLINK(\"x\")")]))))
    assert rows[1][0] == "'=HYPERLINK(\"x\")"


def check_gradescope(data: dict) -> None:
    """The fields Gradescope reads, with the types it expects."""
    assert isinstance(data["score"], (int, float))
    assert isinstance(data["execution_time"], (int, float))
    assert isinstance(data["output"], str)
    for test in data["tests"]:
        assert set(test) >= {"name", "score", "max_score", "output", "visibility"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str)
        assert isinstance(test["score"], (int, float))
        assert isinstance(test["max_score"], (int, float))
        assert test["visibility"] in VISIBILITIES
        assert test["status"] in ("passed", "failed")


def test_results_json_follows_the_gradescope_schema():
    data = json.loads(results_json.render(result("bob", 1, execution_time=2.25)))
    check_gradescope(data)
    assert data["score"] == 4.0 and data["execution_time"] == 2.25
    assert [t["name"] for t in data["tests"]] == [n for n, _, _ in SUITE]
    assert data["tests"][2]["visibility"] == "hidden"
    assert data["extra_data"]["status"] == "graded"


def test_results_json_has_no_nan():
    data = results_json.render(result("x", 0, execution_time=float("nan")))
    json.loads(data, parse_constant=lambda name: pytest.fail(f"{name} in results.json"))


def test_feedback_explains_failures_but_not_hidden_details():
    text = feedback_md.render(result("bob", 1, message="SECRET ORACLE 0.4242"))
    assert "backward: mask" in text and "SECRET ORACLE" in text  # visible: the reason
    hidden = text[text.index("net: hidden check"):]
    assert "SECRET ORACLE" not in hidden.split("##")[0]
    assert "net: hidden check" in text and "hidden test" in text
    assert "bubblewrap sandbox" in text
    assert "Your code ran and every test was scored" in text


def test_feedback_explains_the_status():
    text = feedback_md.render(SubmissionResult("dave", "timeout", 0.0, 10.0, sandbox="process"))
    assert "ran out of time" in text and "process sandbox" in text


def test_feedback_escapes_markdown_and_html_from_students():
    text = feedback_md.render(result(HOSTILE, 0, message="```\n<img src=x onerror=alert(1)>"))
    assert "<script>" not in text
    # the exception text is inside a fence longer than any backtick run it holds
    fence = re.search(r"^(`{4,})text$", text, re.MULTILINE)
    assert fence and "<img src=x onerror=alert(1)>" in text.split(fence.group(1) + "text")[1]


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.hrefs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.hrefs += [v for k, v in attrs if k in ("href", "src")]

    def handle_data(self, data):
        self.text.append(data)


def render_html(results):
    facts = ReportFacts(sandbox="auto", limits=Limits(), suite_version="abc", assignment="dropout")
    return html_report.render(results, folders=folder_names([r.student for r in results]),
                              facts=facts)


def test_html_escapes_hostile_names_and_messages():
    evil = result(HOSTILE, 0, message='"><script>steal()</script>')
    page = render_html(CLASS + [evil, result("javascript:alert(1)", 2)])
    parser = _Collect()
    parser.feed(page)
    assert "script" not in parser.tags
    assert HOSTILE in "".join(parser.text)  # shown as text, exactly
    assert all(h.startswith("./") for h in parser.hrefs), parser.hrefs
    assert "Content-Security-Policy" in page


def test_html_is_self_contained_with_histogram_and_pass_rates():
    page = render_html(CLASS)
    assert "<svg" in page and "<style>" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "1/4" in page or "1/3" in page  # per-test pass counts
    assert "bwrap" in page and "no network" in page


@pytest.mark.parametrize("student", ["../../etc", "a/b", "..", ".", "", "report.html", "logs",
                                     "grades.sqlite", "con", "x" * 400, "tab\there", "é" * 200])
def test_folder_names_are_safe(student):
    name = folder_names([student])[student]
    assert name not in ("", ".", "..") and "/" not in name and "\\" not in name
    assert not name.startswith(".") and len(name.encode()) <= 255
    assert name.lower() not in ("report.html", "grades.sqlite", "con", "logs")
    assert all(c.isprintable() for c in name)


def test_folder_names_are_one_to_one_even_case_insensitively():
    students = ["Alice", "alice", "a/b", "a_b", "a\\b", "ok"]
    names = folder_names(students)
    assert len({n.casefold() for n in names.values()}) == len(students)
    assert names["ok"] == "ok"  # ordinary ids are left alone


def test_write_reports_writes_every_file_atomically(tmp_path):
    paths = write_reports(CLASS + [result("../escape", 1)], out_dir=tmp_path)
    assert paths["gradebook"].is_file() and paths["report"].is_file()
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    assert not any(".tmp" in p for p in written)
    assert not (tmp_path.parent / "escape").exists()
    mapping = dict(csv.reader(io.StringIO((tmp_path / "folders.csv").read_text())))
    for student, folder in mapping.items():
        if student == "student":
            continue
        data = json.loads((tmp_path / folder / "results.json").read_text())
        assert data["extra_data"]["student"] == student
        check_gradescope(data)


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path, monkeypatch):
    path = tmp_path / "gradebook.csv"
    atomic_write(path, "old")

    def full(*args):
        raise OSError("disk full")

    monkeypatch.setattr("grader.reports.files.os.replace", full)
    with pytest.raises(OSError):
        atomic_write(path, "new")
    assert path.read_text() == "old" and list(tmp_path.iterdir()) == [path]


def test_html_uses_the_sandboxs_own_description_of_each_level():
    facts = ReportFacts(sandbox="auto", sandbox_descriptions={"bwrap": "NOT protected: X & Y"})
    page = html_report.render(CLASS, folders=folder_names([r.student for r in CLASS]),
                              facts=facts)
    assert "NOT protected: X &amp; Y" in page


def test_student_feedback_does_not_list_what_the_sandbox_leaves_open():
    text = feedback_md.render(SubmissionResult("dave", "graded", 1.0, 10.0, sandbox="process"))
    assert "weaker" not in text and "NOT protected" not in text
