"""The TA review sheet: every student's inline answers, side by side, one section per question.

Answers are untrusted text. The HTML escapes everything first and only then adds a fixed
set of tags (paragraphs, line breaks, code, bold, italic); it never produces a link, an
attribute from student text or a script, and it loads nothing from the network. The
Markdown copy puts each answer in a fence longer than any backtick run inside it, so no
answer can end its block and inject headings or HTML into the sheet.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from .sheet_style import CSS

# The info string holds no backtick (as in CommonMark), so a long run of backticks is
# scanned once, not once per backtick.
_FENCE = re.compile(r"```[^\n`]*\n(.*?)(?:\n```|\Z)", re.DOTALL)


def _inline(escaped: str) -> str:
    escaped = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*(?=\S)([^*\n]+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"(?<![*\w])\*(?=\S)([^*\n]+?)\*(?![*\w])", r"<em>\1</em>", escaped)


def render_markdown(text: str) -> str:
    """A small, safe subset of Markdown as HTML: fenced code, paragraphs, code, bold, italic."""
    pieces, position = [], 0
    for fence in _FENCE.finditer(text):
        pieces.append(_paragraphs(text[position:fence.start()]))
        pieces.append(f"<pre><code>{html.escape(fence.group(1))}</code></pre>")
        position = fence.end()
    pieces.append(_paragraphs(text[position:]))
    return "".join(pieces)


def _paragraphs(text: str) -> str:
    blocks = [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]
    return "".join("<p>" + "<br>".join(_inline(html.escape(line)) for line in b.splitlines())
                   + "</p>" for b in blocks)


def _order(answers: dict, questions: dict) -> list[str]:
    found = {q for per_student in answers.values() for q in per_student}
    extra = sorted(found - set(questions), key=lambda q: (len(q), q))
    return list(questions) + extra


def _default_questions() -> dict[str, str]:
    """The inline questions of the course's notebook (GRADER_ASSIGNMENT or the only one)."""
    from .. import course
    from ..errors import GraderError
    from .source import load_source
    try:
        source = course.find(course.resolve(None)).notebook
        return load_source(source).questions() if source else {}
    except (GraderError, OSError):
        return {}


def _twins(answers: dict, question: str) -> dict[str, list[str]]:
    """student -> other students whose answer to ``question`` is the same text."""
    groups: dict[str, list[str]] = {}
    for student, per_student in answers.items():
        # Same words in the same order: markdown emphasis and spacing do not hide a copy.
        text = " ".join(re.sub(r"[\W_]+", " ", str(per_student.get(question, ""))).split()).lower()
        if text:
            groups.setdefault(text, []).append(student)
    return {s: [o for o in group if o != s] for group in groups.values() if len(group) > 1
            for s in group}


def _html(answers, questions, order, title) -> str:
    students = sorted(answers)
    nav = "".join(f'<a href="#q{i}">{html.escape(q)}</a>' for i, q in enumerate(order, 1))
    sections = []
    for number, question in enumerate(order, 1):
        twins = _twins(answers, question)
        answered = sum(bool(str(answers[s].get(question, "")).strip()) for s in students)
        cards = []
        for student in students:
            text = str(answers[student].get(question, "")).strip()
            body = render_markdown(text) if text else '<p class="none">no answer</p>'
            same = twins.get(student)
            badge = (f'<p class="twin">same text as {html.escape(", ".join(same))}</p>'
                     if same else "")
            cards.append(f'<article class="card{"" if text else " empty"}">'
                         f"<h3>{html.escape(student)}</h3>{badge}{body}</article>")
        prompt = questions.get(question, "")
        sections.append(
            f'<section id="q{number}"><h2>{html.escape(question)}</h2>'
            f'<div class="prompt">{render_markdown(prompt)}</div>'
            f'<p class="count">{answered} of {len(students)} students answered</p>'
            f'<div class="grid">{"".join(cards)}</div></section>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            # No network and no scripts, even if an escape were ever missed.
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{html.escape(title)}</h1><p>{len(students)} students, "
            f"{len(order)} questions</p><nav>{nav}</nav></header>"
            + "".join(sections) + "</body></html>\n")


def _fenced(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"


def _plain(name: str) -> str:
    return " ".join(re.sub(r"[\x00-\x1f\x7f#<>\[\]`*_]", " ", str(name)).split()) or "?"


def _markdown(answers, questions, order, title) -> str:
    lines = [f"# {_plain(title)}", "", f"{len(answers)} students, {len(order)} questions", ""]
    for question in order:
        lines += [f"## {_plain(question)}", ""]
        prompt = questions.get(question, "")
        if prompt:
            lines += ["> " + line for line in prompt.splitlines()] + [""]
        for student in sorted(answers):
            text = str(answers[student].get(question, "")).strip()
            lines += [f"### {_plain(student)}", "", _fenced(text) if text else "*no answer*", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def write_review_sheet(answers: dict[str, dict[str, str]], out_dir: Path, *,
                       questions: dict[str, str] | None = None,
                       title: str = "Inline answers") -> list[Path]:
    """Write ``inline_answers.html`` and ``inline_answers.md`` into ``out_dir``.

    ``answers`` maps student id -> {question label -> answer text}; ``questions`` maps
    label -> prompt and fixes the order (default: the questions of the course's notebook,
    followed by any other label found in the answers). Returns the two paths.
    """
    questions = _default_questions() if questions is None else dict(questions)
    answers = {str(s): dict(a or {}) for s, a in answers.items()}
    order = _order(answers, questions)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "inline_answers.html"
    page.write_text(_html(answers, questions, order, title), encoding="utf-8")
    notes = out_dir / "inline_answers.md"
    notes.write_text(_markdown(answers, questions, order, title), encoding="utf-8")
    return [page, notes]
