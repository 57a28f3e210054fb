"""Verdicts of formula questions and the consistency between two of them.

The rule throughout: a wrong automatic verdict is worse than a review. An answer is
``correct`` only when a reading equals an accepted form symbolically and numerically and
nothing in its prose contradicts it; ``incorrect``/``partial`` only when it is read with
confidence (every name known, one formula); everything else is ``review`` with the
checker's reading shown.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import sympy as sp

from . import feedback
from .answers import Section, no_answer
from .equivalence import DIFFERENT, EQUAL, compare
from .extract import find_spans
from .model import Form, Policy, Question
from .normalize import P
from .prose import ProseFacts, read_prose
from .reading import Reading, read_formulas
from .result import QuestionResult
from .symbols import MATMUL, Vocab


@lru_cache(maxsize=64)
def vocab_for(question: Question, extra: tuple[tuple[str, str], ...] = ()) -> Vocab:
    vocab = Vocab(question)
    for name, role in extra:
        vocab.alias.setdefault(name, role)
    vocab.letters = frozenset(a for a in vocab.alias if len(a) == 1)
    return vocab


def _masks(question: Question) -> frozenset[str]:
    return frozenset(s.name for s in question.symbols if s.kind == "mask")


@lru_cache(maxsize=256)
def _form_expr(question: Question, text: str) -> sp.Expr:
    vocab = vocab_for(question)
    reading = read_formulas(find_spans(text, vocab.words()), vocab)
    if reading.errors or len(reading.train) != 1:
        detail = reading.errors[0] if reading.errors else "expected one formula for the target"
        raise ValueError(f"{question.id}: cannot read the form {text!r}: {detail}")
    return reading.train[0].expr


def compiled_forms(question: Question) -> list[tuple[str, Form, sp.Expr]]:
    """("accepted" | "wrong", form, expression) for every form of the question."""
    out = [("accepted", f, _form_expr(question, f.text)) for f in question.accepted]
    out += [("wrong", f, _form_expr(question, f.text)) for f in question.wrong]
    return out


def _aliases(question: Question, facts: ProseFacts) -> tuple[tuple[str, str], ...]:
    roles = {"mask": next((s.name for s in question.symbols if s.kind == "mask"), ""),
             "upstream": question.source if question.source.startswith("d") else "",
             "keep": "p" if question.symbol("p") else ""}
    return tuple(sorted((name, roles[meaning]) for name, meaning in facts.aliases.items()
                        if roles.get(meaning)))


def _read(question: Question, section: Section, facts: ProseFacts, *,
          drop: bool, carry: dict | None = None) -> Reading:
    vocab = vocab_for(question, _aliases(question, facts))
    preset = {k: v for k, v in (carry or {}).items()
              if k in vocab.roles or k not in vocab.alias}
    mask = next((s.name for s in question.symbols if s.kind == "mask"), None)
    if facts.says("scaled_mask") and mask:
        preset[mask] = sp.Symbol(mask) / P
    extracted = find_spans(section.text, vocab.words())
    return read_formulas(extracted, vocab, drop_convention=drop, preset=preset)


def _classify(question: Question, expr: sp.Expr, seed: int) -> tuple[str, Form | None]:
    masks = _masks(question)
    for kind, form, target in compiled_forms(question):
        outcome = compare(expr, target, masks, seed)
        if outcome == EQUAL:
            return kind, form
        if outcome != DIFFERENT:
            return "unknown", None
    return "none", None


def facts_for(question: Question, section: Section | None,
              earlier: ProseFacts | None = None) -> ProseFacts:
    if section is None:
        return earlier or ProseFacts()
    vocab = vocab_for(question)
    facts = read_prose(question, find_spans(section.text, vocab.words()).prose)
    return facts.inherit(earlier) if earlier is not None else facts


def grade_formula(question: Question, section: Section | None, *, policy: Policy,
                  seed: int, facts: ProseFacts, carry: dict | None = None,
                  export: dict | None = None) -> QuestionResult:
    """Verdict of one formula answer. ``carry`` holds bindings of an earlier answer
    (Q1's ``mask = (rand < p) / p`` for Q2's ``dx = dout * mask``); the answer's own
    bindings are put into ``export`` for a later one."""
    pts = question.points
    base = QuestionResult(question.id, "missing", 0.0, pts,
                          answer=section.text if section else "")
    if no_answer(section):
        return replace(base, messages=(feedback.message("missing", question),))
    complement = facts.says("complement")
    reading = _read(question, section, facts, drop=complement, carry=carry)
    if export is not None:
        export.update(reading.env)

    def review(reason_key: str, **details) -> QuestionResult:
        text = feedback.message(reason_key, question, **details)
        return replace(base, verdict="review", score=None, review_reason=text,
                       reading=_describe(reading, facts, question.domain.describe), messages=(text,))

    train = reading.train
    if not train:
        if reading.errors:
            return review("parse_error", error=_error_text(reading.errors[0]))
        return review("only_test" if reading.test else "no_formula")
    unknown = sorted(n for c in train for n in _unknown(c.expr))
    if unknown:
        return review("unknown_names", names=", ".join(unknown))
    outcomes = [_classify(question, c.expr, seed) for c in train]
    if any(kind == "unknown" for kind, _ in outcomes):
        return review("undecided")
    keys = {(kind, form.name if form else feedback.show(c.expr))
            for (kind, form), c in zip(outcomes, train)}
    if len(keys) > 1 and not all(kind == "accepted" for kind, _ in keys):
        return review("several", forms="; ".join(sorted(c.text for c in train)))
    kind, form = outcomes[-1]
    expr = train[-1].expr
    messages: list[str] = []
    if complement:
        keep_reading = _read(question, section, facts, drop=False, carry=carry)
        keep_kinds = {_classify(question, c.expr, seed)[0] for c in keep_reading.train}
        if kind != "accepted" and keep_kinds == {"accepted"}:
            return review("convention_contradiction")
        if kind == "accepted":
            messages.append(feedback.message("convention_ok", question))
    if reading.errors and kind != "accepted":
        return review("parse_error", error=_error_text(reading.errors[0]))
    if kind != "accepted" and reading.conditions:
        return review("conditional", condition=f'"{reading.conditions[0]}"')
    if kind != "accepted" and facts.says("elementwise") and _has_matmul(expr):
        return review("elementwise_matmul")
    if kind == "accepted":
        return _accepted(question, base, reading, facts, policy, seed,
                         forms=tuple(sorted({f.name for k, f in outcomes if f})),
                         messages=messages, review=review)
    tags: tuple[str, ...]
    if kind == "wrong":
        text, credit, tags = form.message or feedback.message("wrong", question), \
            form.credit, (form.name,)
        texts = [text]
    else:
        keys_found = _rediagnosed(feedback.diagnose(expr, question), question, facts)
        texts = [feedback.message(k, question) for k in keys_found] or [
            feedback.message("wrong", question, reading=feedback.show(expr), expected="")]
        credit, tags = 0.0, tuple(keys_found) or ("wrong",)
    if question.settings.get("redraw_is_wrong") and reading.draws:
        texts.insert(0, feedback.message("redrawn", question))
        tags = ("redrawn",) + tags
    verdict = "partial" if credit > 0 else "incorrect"
    return replace(base, verdict=verdict, score=round(pts * credit, 4),
                   reading=_describe(reading, facts, question.domain.describe), messages=tuple(messages + texts),
                   tags=tags)


def _accepted(question: Question, base: QuestionResult, reading: Reading,
              facts: ProseFacts, policy: Policy, seed: int, *, forms: tuple[str, ...],
              messages: list[str], review) -> QuestionResult:
    pts = question.points
    described = _describe(reading, facts, question.domain.describe)
    if question.settings.get("redraw_is_wrong") and reading.draws:
        return replace(base, verdict="incorrect", score=0.0, reading=described, forms=forms,
                       messages=(feedback.message("redrawn", question),), tags=("redrawn",))
    # The domain's rules: words that contradict an accepted formula (a form claimed in
    # words that the formula is not) send it to a person.
    for flag, only_forms, unless, setting, key in question.domain.accepted_review:
        if facts.says(flag) and (not only_forms or forms == tuple(only_forms)) and \
                not (unless and facts.says(unless)) and \
                (not setting or question.settings.get(setting)):
            return review(key)
    if reading.conditions:
        return review("conditional", condition=f'"{reading.conditions[0]}"')
    if "implicit" in reading.notes:
        if policy.implicit_product == "review":
            return review("implicit")
        messages.append(feedback.message("implicit", question))
    score, verdict, tags = pts, "correct", ()
    by_name = {f.name: f for f in question.accepted}
    test_forms = [by_name[n].test_text for n in forms if by_name[n].test_text]
    if reading.test and test_forms and len(forms) == 1:
        expected = _form_expr(question, test_forms[0])
        for cand in reading.test:
            outcome = compare(cand.expr, expected, _masks(question), seed)
            if outcome == DIFFERENT:
                score, verdict, tags = round(pts * policy.test_time_credit, 4), "partial", \
                    ("test_time",)
                messages.append(feedback.message(
                    "test_time", question, expected=test_forms[0],
                    got=f"{question.target} = {feedback.show(cand.expr)}"))
                break
            if outcome != EQUAL:
                return review("undecided")
    return replace(base, verdict=verdict, score=score, forms=forms, reading=described,
                   messages=tuple(messages), tags=tags)


def _rediagnosed(keys: list[str], question: Question, facts: ProseFacts) -> list[str]:
    """The domain's ``[diagnose] replace``: what the words explain instead ("no mask",
    when the words say the mask is Gaussian, is a Gaussian mask)."""
    for rule in question.domain.diagnose.get("replace", []):
        if rule.get("key") in keys and facts.says(rule.get("flag", "")):
            return [rule["with"]]
    return keys


def _has_matmul(expr: sp.Expr) -> bool:
    return any(f.func == MATMUL for f in expr.atoms(sp.Function))


def _unknown(expr: sp.Expr) -> list[str]:
    return [s.name[1:] for s in expr.free_symbols if s.name.startswith("?")]


def _error_text(error) -> str:
    where = error.where()
    return f"{error}" + (f"\n\n```\n{where}\n```" if where else "")


def _describe(reading: Reading, facts: ProseFacts, describe: tuple = ()) -> str:
    parts = []
    for cand in reading.train:
        parts.append(f"training: {cand.text}  →  {feedback.show(cand.expr)}")
    for cand in reading.test:
        parts.append(f"test time: {cand.text}  →  {feedback.show(cand.expr)}")
    for error in reading.errors:
        parts.append(f"unreadable: {error}")
    if reading.mask:
        parts.append(f"mask: {reading.mask}")
    for flag, label in describe:
        if flag in facts.quotes and facts.says(flag):
            parts.append(f"prose ({label}): \"{facts.quotes[flag]}\"")
    return "\n".join(parts)


def apply_consistency(later: QuestionResult, earlier: QuestionResult | None,
                      question: Question, policy: Policy) -> QuestionResult:
    """A later answer in another form than the earlier one it must match earns the
    policy's share; the domain's ``[consistency] hints`` say why per form."""
    if earlier is None or not earlier.forms or later.verdict != "correct" or not later.forms:
        return later
    if set(later.forms) & set(earlier.forms):
        return later
    got, expected = later.forms[0], earlier.forms[0]
    hints = question.domain.consistency.get("hints", {})
    hint = next((hints[f] for f in (got, expected) if f in hints),
                question.domain.consistency.get("default", "use the same form in both"))
    text = feedback.message("consistency", question, got=got, expected=expected, hint=hint)
    return replace(later, verdict="partial",
                   score=round(later.max_score * policy.consistency_credit, 4),
                   messages=later.messages + (text,), tags=later.tags + ("consistency",))
