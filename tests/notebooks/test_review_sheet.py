"""The TA review sheet: escaped, self-contained, every student under every question."""

from __future__ import annotations

import re

from grader.notebooks import write_review_sheet
from grader.notebooks.review import render_markdown

HOSTILE = ('<script>alert("owned")</script><img src=x onerror=alert(1)>\n\n'
           '[click](javascript:alert(2)) ```\n## Injected heading\n```')
ANSWERS = {
    "alice": {"Inline Question 1": "Activations are **1/p** too large: `E[out] = p * x`.",
              "Inline Question 2": "It regularizes."},
    "mallory": {"Inline Question 1": HOSTILE, "Inline Question 2": "it  *REGULARIZES*"},
    "zoe": {},
}


def test_a_hostile_answer_is_escaped_in_html(tmp_path):
    page, _ = write_review_sheet(ANSWERS, tmp_path)
    html = page.read_text()
    assert "<script" not in html.lower()
    assert "onerror=alert" not in html.replace("&lt;img src=x onerror=alert", "")
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt;" in html
    assert "href" not in html.split("<nav>")[1].split("</nav>")[1]  # links only in the nav
    assert not re.search(r"(src|href)=[\"']?(https?:|//)", html)  # nothing from the network
    assert "Content-Security-Policy" in html


def test_every_student_appears_under_every_question(tmp_path):
    page, _ = write_review_sheet(ANSWERS, tmp_path)
    html = page.read_text()
    sections = html.split("<section")[1:]
    assert len(sections) == 3  # the notebook's three questions, even one nobody answered
    for section in sections:
        assert [s for s in ("alice", "mallory", "zoe") if f"<h3>{s}</h3>" in section] == \
            ["alice", "mallory", "zoe"]
    assert "<strong>1/p</strong>" in html and "<code>E[out] = p * x</code>" in html
    assert "2 of 3 students answered" in html and "no answer" in html
    assert "same text as mallory" in html  # identical answers are flagged for the TA


def _headings_outside_fences(text: str) -> list[str]:
    """Headings a CommonMark renderer would see (a fence closes only on a run as long)."""
    headings, fence = [], None
    for line in text.splitlines():
        run = re.match(r"^(`{3,})\s*\w*\s*$", line)
        if fence is None and run:
            fence = run.group(1)
        elif fence is not None and run and len(run.group(1)) >= len(fence) and \
                line.strip() == run.group(1):
            fence = None
        elif fence is None and line.startswith("#"):
            headings.append(line)
    return headings


def test_markdown_copy_fences_each_answer(tmp_path):
    _, notes = write_review_sheet(ANSWERS, tmp_path)
    text = notes.read_text()
    headings = _headings_outside_fences(text)
    assert "## Injected heading" not in headings
    assert headings.count("### mallory") == 3
    assert "````text\n<script>" in text  # fence longer than the answer's own ```


def test_questions_and_order_can_be_given(tmp_path):
    page, notes = write_review_sheet({"b": {"Q2": "two"}, "a": {"Q1": "one", "Q9": "x"}},
                                     tmp_path, questions={"Q2": "Second?", "Q1": "First?"},
                                     title="Quiz <8>")
    text = notes.read_text()
    assert text.index("## Q2") < text.index("## Q1") < text.index("## Q9")
    assert "<title>Quiz &lt;8&gt;</title>" in page.read_text()


def test_minimal_markdown():
    assert render_markdown("a *b* **c** `d<e>`\nnext\n\npara") == \
        "<p>a <em>b</em> <strong>c</strong> <code>d&lt;e&gt;</code><br>next</p><p>para</p>"
    assert render_markdown("```python\nif a < b:\n    pass\n```") == \
        "<pre><code>if a &lt; b:\n    pass</code></pre>"
