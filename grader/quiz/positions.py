"""Positions questions: which entries of a grid (a set of row, column pairs).

An answer names entries the way students write them: ``X12``, ``X_{1,2}``, ``X₁₂``,
``X[0][1]``, ``X[0, 1]``, bare pairs ``(1, 2)``, numpy slices ``X[0:2, 1:4]`` or "rows
1-2, columns 2-4". The question's own numbering (``numbering``, 1 or 0) is what its
forms are written in; an answer may use the other one when it says so ("0-based",
"from 0") or writes an index 0 (a slice is always 0-based, as in Python). Words that say
both, or entries that fall outside the grid in the numbering read, go to review: the
checker does not guess which entries were meant. Mentions of the output the question
asks about (``O12``) are not entries.
"""

from __future__ import annotations

import re
from dataclasses import replace

from . import feedback
from .answers import Section
from .model import Question
from .result import QuestionResult

_SUB = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
_ZERO_WORDS = re.compile(r"\b(?:0|zero)[- ]?(?:based|indexed|indexing)\b|\b(?:start|begin|"
                         r"count|number)\w*\s+(?:\w+\s+){0,2}?(?:at|from)\s+(?:0|zero)\b|"
                         r"\bpython(?:'s)?\s+index", re.IGNORECASE)
_ONE_WORDS = re.compile(r"\b(?:1|one)[- ]?(?:based|indexed|indexing)\b|\b(?:start|begin|"
                        r"count|number)\w*\s+(?:\w+\s+){0,2}?(?:at|from)\s+(?:1|one)\b",
                        re.IGNORECASE)
_INDEX = (r"(?:_\{\s*(\d)\s*,?\s*(\d)\s*\}|_\{?(\d)(\d)\}?|\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*\]|"
          r"\[\s*(\d+)\s*,\s*(\d+)\s*\]|\(\s*(\d+)\s*,\s*(\d+)\s*\)|(\d)(\d)(?!\d)|"
          r"([₀-₉])([₀-₉]))")
_PAIR = re.compile(r"[(\[]\s*(\d+)\s*,\s*(\d+)\s*[)\]]")
_RANGE = r"(\d+)\s*(?:-|–|—|to|\.\.|through)\s*(\d+)"
_ROWS = re.compile(r"\brows?\s+" + _RANGE, re.IGNORECASE)
_COLS = re.compile(r"\bcol(?:umn)?s?\s+" + _RANGE, re.IGNORECASE)


def check_settings(r, question: dict) -> None:
    settings = question["settings"]
    shape = settings.get("shape")
    if not (isinstance(shape, list) and len(shape) == 2 and all(
            isinstance(n, int) and n > 0 for n in shape)):
        r.fail("settings.shape", "expected [rows, columns] of the grid")
    if settings.get("numbering", 1) not in (0, 1):
        r.fail("settings.numbering", "must be 0 or 1")
    if not isinstance(settings.get("grid", ""), str) or not settings.get("grid"):
        r.fail("settings.grid", "missing: the name of the grid the entries are in")
    if not question["accepted"]:
        r.fail("accepted", "a positions question needs its accepted set as a form")


def _names(settings: dict, key: str, aliases: str) -> list[str]:
    main = settings.get(key, "")
    return [n for n in [main, *settings.get(aliases, [])] if n]


def _prefix(names: list[str]) -> str:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return rf"(?<![A-Za-z0-9_])(?:{alternatives})\s*"


def _named(names: list[str]) -> re.Pattern:
    return re.compile(_prefix(names) + _INDEX)


def _pairs(pattern: re.Pattern, text: str) -> list[tuple[int, int]]:
    out = []
    for m in pattern.finditer(text):
        groups = [g for g in m.groups() if g is not None]
        out.append((int(groups[0].translate(_SUB)), int(groups[1].translate(_SUB))))
    return out


def read_entries(question: Question, text: str, numbering: int | None = None):
    """(entries in the question's numbering, problem): ``problem`` is a message key when
    the numbering cannot be told or an entry falls outside the grid."""
    s = question.settings
    rows, cols = s["shape"]
    base = s.get("numbering", 1)
    output = _named(_names(s, "output", "output_aliases")) if s.get("output") else None
    said_zero, said_one = _ZERO_WORDS.search(text), _ONE_WORDS.search(text)
    if numbering is None and said_zero and said_one:
        return set(), "index_convention"
    outputs = _pairs(output, text) if output else []
    rest = output.sub(" ", text) if output else text
    grid = _named(_names(s, "grid", "aliases"))
    slices = re.compile(_prefix(_names(s, "grid", "aliases")) + r"\[\s*(\d+)?\s*:\s*(\d+)\s*,"
                        r"\s*(\d+)?\s*:\s*(\d+)\s*\]")
    found = {(r, c) for m in slices.finditer(rest)
             for r in range(int(m.group(1) or 0), int(m.group(2)))
             for c in range(int(m.group(3) or 0), int(m.group(4)))}
    sliced = {(r + base, c + base) for r, c in found}  # a slice counts from 0, as Python
    rest = slices.sub(" ", rest)
    written = _pairs(grid, rest) or (_pairs(_PAIR, rest) if not sliced else [])
    ranges = [(r, c) for m_r in _ROWS.finditer(rest) for m_c in _COLS.finditer(rest)
              for r in range(int(m_r.group(1)), int(m_r.group(2)) + 1)
              for c in range(int(m_c.group(1)), int(m_c.group(2)) + 1)] \
        if not written and not sliced else []
    written += ranges
    if numbering is None:
        zero = any(0 in pair for pair in written + outputs)
        numbering = 0 if said_zero or (zero and not said_one) else 1
    shift = base - numbering
    entries = {(r + shift, c + shift) for r, c in written} | sliced
    low = base
    if any(not (low <= r < low + rows and low <= c < low + cols) for r, c in entries):
        return entries, "index_convention"
    return entries, ""


def _name(question: Question, entry: tuple[int, int]) -> str:
    return f"{question.settings['grid']}{entry[0]}{entry[1]}"


def _form_entries(question: Question, text: str) -> frozenset:
    entries, problem = read_entries(question, text, question.settings.get("numbering", 1))
    if problem or not entries:
        raise ValueError(f"{question.id}: cannot read the form {text!r}")
    return frozenset(entries)


def grade_positions(question: Question, section: Section | None) -> QuestionResult:
    pts = question.points
    base = QuestionResult(question.id, "missing", 0.0, pts,
                          answer=section.text if section else "")
    if section is None or section.is_blank:
        return replace(base, messages=(feedback.message("missing", question),))
    entries, problem = read_entries(question, section.text)
    shown = ", ".join(_name(question, e) for e in sorted(entries))
    reading = f"entries: {shown}" if entries else ""

    def review(key: str) -> QuestionResult:
        text = feedback.message(key, question)
        return replace(base, verdict="review", score=None, review_reason=text,
                       reading=reading, messages=(text,))

    if problem:
        return review(problem)
    if not entries:
        return review("positions_none")
    for form in question.accepted:
        if entries == _form_entries(question, form.text):
            return replace(base, verdict="correct", score=pts, forms=(form.name,),
                           reading=reading, messages=(feedback.message("positions_ok",
                                                                       question),))
    for form in question.wrong:
        if entries == _form_entries(question, form.text):
            verdict = "partial" if form.credit > 0 else "incorrect"
            return replace(base, verdict=verdict, score=round(pts * form.credit, 4),
                           reading=reading, tags=(form.name,), messages=(
                               form.message or feedback.message("wrong", question,
                                                                reading=shown, expected=""),))
    # Unnamed: each right entry earns its share, each wrong one takes a share away.
    right = _form_entries(question, question.accepted[0].text)
    missing, extra = sorted(right - entries), sorted(entries - right)
    share = max(0.0, (len(right & entries) - len(extra)) / len(right))
    messages = []
    if missing:
        messages.append(feedback.message("positions_missing", question, names=", ".join(
            _name(question, e) for e in missing)))
    if extra:
        messages.append(feedback.message("positions_extra", question, names=", ".join(
            _name(question, e) for e in extra)))
    return replace(base, verdict="partial" if share > 0 else "incorrect",
                   score=round(pts * share, 4), reading=reading, messages=tuple(messages),
                   tags=("positions",))
