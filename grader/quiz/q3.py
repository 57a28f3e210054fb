"""Outputs questions (Q3): each output of a small convolution graded on its own.

The reference is not typed in: it is computed by sympy from the definition of
cross-correlation on symbolic matrices, ``O[i][j] = sum_{m,n} X[i+m][j+n] W[m][n]``, and so
are the known wrong variants (the flipped kernel of a true convolution, transposed
input or filter). A student's output is compared with the reference, then with each
variant, then by its terms, so the message can say "the term X22 W22 is missing".
Answers may name outputs (``O_{11}``, ``O11``, ``O₁₁``, ``O[0][0]``), give the matrix
(``O = \\begin{bmatrix} ... \\end{bmatrix}``), or one general formula with sums
(``O_{ij} = \\sum_{m=1}^{2}\\sum_{n=1}^{2} X_{i+m-1,j+n-1} W_{mn}``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from functools import lru_cache

import sympy as sp

from . import feedback
from .answers import Section
from .bounds import check_count
from .equivalence import EQUAL, compare
from .errors import AnswerError
from .extract import find_spans
from .model import Question
from .normalize import Converter, Matrix, Scope
from .parse import parse_statement
from .result import Part, QuestionResult
from .symbols import Intermediate, Vocab

_VARIANTS = ("cross_correlation", "convolution", "transposed_input", "transposed_filter")


def _grid(name: str, rows: int, cols: int) -> sp.Matrix:
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}"))


@lru_cache(maxsize=32)
def reference(question: Question, variant: str = "cross_correlation") -> dict[tuple, sp.Expr]:
    """Outputs by (row, col), 1-based, of ``variant`` computed from its definition."""
    s = question.settings
    X = _grid(s.get("input", "X"), *s.get("input_shape", (3, 3)))
    W = _grid(s.get("filter", "W"), *s.get("filter_shape", (2, 2)))
    if variant == "convolution":
        W = W[::-1, ::-1]  # true convolution flips the kernel by 180 degrees
    elif variant == "transposed_input":
        X = X.T
    elif variant == "transposed_filter":
        W = W.T
    elif variant != "cross_correlation":
        raise ValueError(f"unknown variant {variant!r}")
    kh, kw = W.shape
    out = {}
    for i in range(X.shape[0] - kh + 1):
        for j in range(X.shape[1] - kw + 1):
            out[(i + 1, j + 1)] = sum((X[i + m, j + n] * W[m, n]
                                       for m in range(kh) for n in range(kw)), sp.Integer(0))
    return out


def _out_name(question: Question, key: tuple[int, int]) -> str:
    return f"{question.settings.get('output', 'O')}{key[0]}{key[1]}"


def _read_outputs(question: Question, section: Section, vocab: Vocab, zero: bool
                  ) -> tuple[dict[tuple, list[tuple[sp.Expr, str]]], list[AnswerError], set,
                             list[tuple[sp.Expr, str]]]:
    extracted = find_spans(section.text, vocab.words())
    check_count(len(extracted.spans))
    scope = Scope(vocab, zero_based=zero)
    outputs: dict[tuple, list[tuple[sp.Expr, str]]] = {}
    bare: list[tuple[sp.Expr, str]] = []
    errors = list(extracted.errors)
    shape = reference(question).keys()
    out_role = question.settings.get("output", "O")
    for span in extracted.spans:
        try:
            st = parse_statement(list(span.tokens), span.line)
            if st.kind == "expr":
                bare.append((Converter(scope, st.sides[0]).sympy(), st.text))
                continue
            if st.kind != "eq":
                continue
            lhs = st.sides[0]
            members = list(st.sides[1:])
            targets = _lhs_targets(lhs, scope, out_role, shape)
            if targets is None:
                continue
            for key, env in targets:
                value = None
                for member in reversed(members):
                    scope.index_env = dict(env)
                    try:
                        value = Converter(scope, member).value(member.tree)
                    except Intermediate:
                        continue
                    break
                scope.index_env = {}
                if isinstance(value, Matrix):
                    for r, row in enumerate(value.rows):
                        for c, cell in enumerate(row):
                            outputs.setdefault((r + 1, c + 1), []).append((cell, st.text))
                elif isinstance(value, sp.Basic):
                    outputs.setdefault(key, []).append((value, st.text))
        except AnswerError as error:
            error.text = error.text or span.line
            errors.append(error)
    return outputs, errors, scope.unknown, bare


# 0-based indices: said in words, or an index 0 written (X[0][1], X_{01}, X01, X₀₁).
_ZERO_WORDS = re.compile(r"\b(?:0|zero)[- ]?(?:based|indexed|indexing)\b|"
                         r"\b(?:start|begin|count)\w*\s+(?:at|from)\s+(?:0|zero)\b", re.IGNORECASE)
_ZERO_INDEX = re.compile(r"\[\s*0\s*[,\]]|_\{?\s*0|_\{?\d\s*,?\s*0\b|"
                         r"(?<![A-Za-z0-9\\])[A-Za-z](?:0\d|\d0)\b|[₀]")
_ONE_WORDS = re.compile(r"\b(?:1|one)[- ]?(?:based|indexed|indexing)\b", re.IGNORECASE)


def _zero_based(text: str) -> bool:
    return bool(_ZERO_WORDS.search(text) or _ZERO_INDEX.search(text)) and \
        not _ONE_WORDS.search(text)


def _lhs_targets(lhs, scope: Scope, out_role: str, shape) -> list | None:
    """Which outputs a left side names: one entry, all of them (O_ij), or the matrix."""
    node = lhs.tree
    if isinstance(node, ast.Subscript):
        value = Converter(scope, lhs).value(node)
        name = str(value)
        m = re.fullmatch(rf"{out_role}_(\d)(\d)", name)
        return [((int(m.group(1)), int(m.group(2))), {})] if m else None
    if not (isinstance(node, ast.Name) and node.id.startswith("_n")):
        return None
    tok = lhs.name(node)
    role, _ = scope.vocab.resolve(tok)
    if role is None or role.name != out_role:
        return None
    if not tok.sub:
        return [(None, {})]  # O = [[...]]: the matrix gives the keys
    sub = [t for t in tok.sub if not (t.kind == "OP" and t.text == ",")]
    letters = "".join(t.text for t in sub)
    if re.fullmatch(r"[a-z]{2}", letters) and letters[0] != letters[1]:
        # O_ij for every output; 0-based answers count i, j from 0.
        shift = 1 if scope.zero_based else 0
        return [(key, {letters[0]: key[0] - shift, letters[1]: key[1] - shift})
                for key in shape]
    try:
        value = Converter(scope, lhs).sympy()
    except AnswerError:
        return None
    m = re.fullmatch(rf"{out_role}_(\d)(\d)", str(value))
    if not m:
        return None
    return [((int(m.group(1)), int(m.group(2))), {})]  # already shifted when 0-based


def _out_of_range(question: Question, outputs: dict, *, entries: bool = True) -> bool:
    """An output or entry index outside the grids: 0-based and 1-based numbering mixed
    (O11 with X00, O00 with O22), which no reading of one convention explains."""
    s = question.settings
    shapes = {s.get("input", "X"): tuple(s.get("input_shape", (3, 3))),
              s.get("filter", "W"): tuple(s.get("filter_shape", (2, 2)))}
    keys = set(reference(question))
    for key, found in outputs.items():
        if key is not None and key not in keys:
            return True
        for value, _ in found if entries else ():
            if not isinstance(value, sp.Basic):
                continue
            for sym in value.free_symbols:
                m = re.fullmatch(r"(\w+?)_(\d)(\d)", sym.name)
                if m and m.group(1) in shapes:
                    rows, cols = shapes[m.group(1)]
                    if not (1 <= int(m.group(2)) <= rows and 1 <= int(m.group(3)) <= cols):
                        return True
    return False


def _terms(expr: sp.Expr) -> list[sp.Expr]:
    return list(sp.Add.make_args(sp.expand(expr))) if expr != 0 else []


def _show(expr: sp.Expr, question: Question) -> str:
    """X12 W11 + ...: input entries first, as the question writes them."""
    first = question.settings.get("input", "X")
    terms = []
    for term in sp.Add.make_args(sp.expand(expr)):
        coeff, factors = term.as_coeff_mul()
        names = sorted((sp.sstr(f).replace("_", "") for f in factors),
                       key=lambda n: (not n.startswith(first), n))
        text = " ".join(names)
        terms.append(text if coeff == 1 else f"{sp.sstr(coeff)} {text}")
    return " + ".join(sorted(terms)) if terms else "0"


def _grade_one(question: Question, name: str, got: sp.Expr, key, seed: int,
               order) -> tuple[float, str, str]:
    """(credit, message, tag) of one output."""
    masks: frozenset[str] = frozenset()
    if compare(got, reference(question)[key], masks, seed) == EQUAL:
        return 1.0, feedback.message("output_ok", question, name=name), ""
    for form in order:
        if form.text in _VARIANTS and key in reference(question, form.text) and \
                compare(got, reference(question, form.text)[key], masks, seed) == EQUAL:
            return form.credit, form.message or feedback.message("wrong", question), form.name
    expected = reference(question)[key]
    diff = _terms(got - expected)
    show = lambda e: _show(e, question)
    if len(diff) == 1 and sp.expand(diff[0]).could_extract_minus_sign():
        return 0.0, feedback.message("output_missing_term", question, name=name,
                                     term=show(-diff[0])), "missing_term"
    if len(diff) == 1:
        return 0.0, feedback.message("output_extra_term", question, name=name,
                                     term=show(diff[0])), "extra_term"
    if len(diff) == 2:
        plus = [t for t in diff if not t.could_extract_minus_sign()]
        minus = [-t for t in diff if t.could_extract_minus_sign()]
        if len(plus) == 1 and len(minus) == 1:
            return 0.0, feedback.message("output_wrong_term", question, name=name,
                                         got=show(plus[0]), expected=show(minus[0])), \
                "wrong_term"
    return 0.0, feedback.message("output_wrong", question, name=name, got=show(got),
                                 expected=show(expected)), "wrong"


def _variant_order(question: Question, outputs: dict, seed: int) -> list:
    """Known variants, the one explaining most of this answer's outputs first, so the
    same mistake is named the same way for every output."""
    def explained(form) -> int:
        if form.text not in _VARIANTS:
            return 0
        ref = reference(question, form.text)
        return sum(1 for key, found in outputs.items() if key in ref and found and
                   isinstance(found[0][0], sp.Basic) and
                   compare(found[0][0], ref[key], frozenset(), seed) == EQUAL)
    return sorted(question.wrong, key=lambda f: -explained(f))


def grade_outputs(question: Question, section: Section | None, *, seed: int) -> QuestionResult:
    pts = question.points
    base = QuestionResult(question.id, "missing", 0.0, pts,
                          answer=section.text if section else "")
    if section is None or section.is_blank:
        return replace(base, messages=(feedback.message("missing", question),))
    vocab = Vocab(question)
    zero = _zero_based(section.text)
    outputs, errors, _, bare = _read_outputs(question, section, vocab, zero)
    if zero and not _ZERO_WORDS.search(section.text) and _out_of_range(question, outputs):
        # An index 0 in an answer numbered from 1 (a slip such as X00 among X11...):
        # read 1-based when that places every output; the slip is then a wrong term.
        again = _read_outputs(question, section, vocab, False)
        if again[0] and all(k is None or k in reference(question) for k in again[0]):
            (outputs, errors, _, bare), zero = again, False
    keys = sorted(reference(question))
    notes: list[str] = []
    if not outputs and len(bare) == len(keys):
        outputs = {k: [b] for k, b in zip(keys, bare)}
        notes.append(feedback.message("outputs_by_order", question, names=", ".join(
            _out_name(question, k) for k in keys)))
    reading = "\n".join(f"{_out_name(question, k)}: {text}  →  {sp.sstr(v, order='none')}"
                        for k in keys for v, text in outputs.get(k, []))

    def review(key: str, **details) -> QuestionResult:
        text = feedback.message(key, question, **details)
        return replace(base, verdict="review", score=None, review_reason=text,
                       reading=reading, messages=(text,))

    if not outputs:
        if errors:
            return review("parse_error", error=str(errors[0]))
        return review("no_formula")
    if _out_of_range(question, outputs, entries=zero):
        return review("index_convention")
    if errors and len(outputs) < len(keys):
        return review("parse_error", error=str(errors[0]))
    parts, tags, total, messages = [], [], 0.0, list(notes)
    order = _variant_order(question, outputs, seed)
    for key in keys:
        name = _out_name(question, key)
        found = outputs.get(key, [])
        distinct = {sp.expand(v) if isinstance(v, sp.Basic) else v for v, _ in found}
        if len(distinct) > 1:
            return review("several", forms="; ".join(t for _, t in found))
        if not found:
            parts.append(Part(name, False, feedback.message("output_missing", question,
                                                            name=name)))
            tags.append("output_missing")
            continue
        got = found[0][0]
        if any(s.name.startswith("?") for s in got.free_symbols):
            return review("unknown_names", names=", ".join(sorted(
                s.name[1:] for s in got.free_symbols if s.name.startswith("?"))))
        credit, text, tag = _grade_one(question, name, got, key, seed, order)
        total += credit
        parts.append(Part(name, credit == 1.0, text))
        if tag:
            tags.append(tag)
    share = total / len(keys)
    verdict = "correct" if share == 1 else "incorrect" if share == 0 else "partial"
    for part in parts:
        if not part.ok and part.message not in messages:
            messages.append(part.message)
    return replace(base, verdict=verdict, score=round(pts * share, 4), reading=reading,
                   messages=tuple(messages), parts=tuple(parts), tags=tuple(dict.fromkeys(tags)))

