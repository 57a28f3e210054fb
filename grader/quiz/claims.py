"""Claims questions: what an answer says, in words, code or formulas, part by part.

Some answers are statements rather than one formula ("the gradient goes to the arg-max
of each window", ``db = dout.sum(axis=(0, 2, 3))``, "dx is the full convolution of dout
with the flipped filter"). The quiz lists, per part of the answer, accepted and wrong
claims, each a list of ``patterns`` (regular expressions, case-insensitive) that must
all be said, each in a sentence or line of its own that does not negate it ("it is NOT
averaged" is not the averaging claim). A part is right when an accepted claim is said
and no wrong one; wrong (its credit and message) when only a wrong claim is; and
review when both are, or when the part is talked about (its ``mentions`` pattern) but
no claim is recognised: an unusual but plausible answer goes to a person rather than
being guessed. A part the answer does not talk about at all earns nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from . import feedback
from .answers import Section, no_answer
from .model import Form, Question
from .prose import NEGATION
from .result import Part, QuestionResult

_PIECES = re.compile(r"(?<=[.;!?])\s+|\n+")
_CLAUSE = re.compile(r"[:;]|,\s|\bbut\b|—")


def _parts(question: Question) -> list[dict]:
    parts = question.settings.get("parts") or [{"name": "", "label": "the answer"}]
    return [{"name": p.get("name", ""), "label": p.get("label", p.get("name", "")),
             "weight": float(p.get("weight", 1.0)), "mentions": p.get("mentions", "")}
            for p in parts]


def check_settings(r, question: dict) -> None:
    parts = question["settings"].get("parts", [])
    if not isinstance(parts, list) or not all(isinstance(p, dict) for p in parts):
        r.fail("settings.parts", "expected a list of tables (name, label, weight, mentions)")
    names = {p.get("name", "") for p in parts} or {""}
    for key in ("accepted", "wrong"):
        for n, form in enumerate(question[key]):
            if not form.patterns:
                r.fail(f"{key}[{n}].patterns", "a claim needs its patterns")
            if form.part not in names:
                r.fail(f"{key}[{n}].part", f"no part {form.part!r} in settings.parts")
            for pattern in form.patterns:
                try:
                    re.compile(pattern)
                except re.error as error:
                    r.fail(f"{key}[{n}].patterns", f"not a regular expression: {error}")
    if not question["accepted"]:
        r.fail("accepted", "a claims question needs at least one accepted claim")


def _said(pattern: str, pieces: list[str]) -> str:
    """The first piece of the answer that says ``pattern`` without negating it."""
    rule = re.compile(pattern, re.IGNORECASE)
    for piece in pieces:
        for m in rule.finditer(piece):
            # A negation counts within its clause: "it is not averaged: dout goes to
            # the arg-max" claims the arg-max.
            before = _CLAUSE.split(piece[max(0, m.start() - 40):m.start()])[-1]
            if not NEGATION.search(before):
                return piece
    return ""


def _claimed(form: Form, pieces: list[str]) -> list[str]:
    """Where the answer says every pattern of ``form`` (empty: it does not)."""
    found = [_said(p, pieces) for p in form.patterns]
    return found if all(found) else []


def _regions(parts: list[dict], pieces: list[str]) -> dict[str, list[str]]:
    """The pieces about each part: from a piece that mentions it (``dw = ...``, a
    ``**dW**`` heading) up to one that mentions another part; pieces before any
    mention are about every part."""
    regions: dict[str, list[str]] = {p["name"]: [] for p in parts}
    current = set(regions)
    for piece in pieces:
        named = {p["name"] for p in parts
                 if p["mentions"] and re.search(p["mentions"], piece, re.IGNORECASE)}
        current = named or current
        for name in current:
            regions[name].append(piece)
    return regions


def _grade_part(question: Question, part: dict, pieces: list[str], text: str):
    """(credit or None for review, message, tag, reading lines) of one part."""
    label = part["label"]
    right = [f for f in question.accepted if f.part == part["name"] and _claimed(f, pieces)]
    wrong = [f for f in question.wrong if f.part == part["name"] and _claimed(f, pieces)]
    reading = [f"{label}: says {f.name} ({'; '.join(dict.fromkeys(_claimed(f, pieces)))})"
               for f in right + wrong]
    if right and wrong:
        return None, feedback.message("claims_both", question, part=label), "", reading
    if right:
        key = "claims_ok" if part["name"] else "claims_right"
        return 1.0, feedback.message(key, question, part=label), "", reading
    if wrong:
        form = wrong[0]
        return form.credit, form.message or feedback.message(
            "wrong", question, reading=form.name, expected=""), form.name, reading
    mentions = part["mentions"]
    if not mentions or re.search(mentions, text, re.IGNORECASE):
        return None, feedback.message("claims_none", question, part=label), "", reading
    return 0.0, feedback.message("claims_missing", question, part=label), "missing", reading


def grade_claims(question: Question, section: Section | None) -> QuestionResult:
    pts = question.points
    base = QuestionResult(question.id, "missing", 0.0, pts,
                          answer=section.text if section else "")
    if no_answer(section):
        return replace(base, messages=(feedback.message("missing", question),))
    text = section.text
    pieces = [p.strip() for p in _PIECES.split(text) if p.strip()]
    parts, tags, reading, reviews = [], [], [], []
    earned = total = 0.0
    regions = _regions(_parts(question), pieces)
    for part in _parts(question):
        credit, message, tag, lines = _grade_part(question, part, regions[part["name"]],
                                                  text)
        reading += lines
        total += part["weight"]
        if credit is None:
            reviews.append(message)
            continue
        earned += part["weight"] * credit
        parts.append(Part(part["label"], credit == 1.0, message))
        if tag:
            tags.append(tag)
    described = "\n".join(reading)
    if not reviews and tags.count("missing") == len(parts):
        # Not one part recognised or even named: what the answer means is for a person.
        text = feedback.message("claims_none", question, part="any part")
        reviews.append(text)
    if reviews:
        return replace(base, verdict="review", score=None, review_reason=reviews[0],
                       reading=described, messages=tuple(reviews))
    share = earned / total
    verdict = "correct" if share == 1 else "incorrect" if share == 0 else "partial"
    messages = tuple(p.message for p in parts if not p.ok)
    if len(parts) == 1:  # one part: its message is the feedback, not a list of one
        return replace(base, verdict=verdict, score=round(pts * share, 4),
                       reading=described, messages=(parts[0].message,), tags=tuple(tags))
    return replace(base, verdict=verdict, score=round(pts * share, 4), reading=described,
                   messages=messages, parts=tuple(parts), tags=tuple(tags))
