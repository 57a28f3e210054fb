r"""How much work a student's text may make the checker do, checked before doing it.

Every answer is hostile input. Cheap static bounds refuse the common bombs in
microseconds, before the parser or sympy sees them:

* text: an answer file at most ``MAX_FILE_BYTES``, a section ``MAX_SECTION_CHARS``, a
  line ``MAX_LINE_CHARS``, at most ``MAX_NESTING`` brackets, braces or ``\begin`` open
  at once (``\frac{1}{\frac{1}{...}}``, ``\left(\left(...``);
* formula: at most ``MAX_TOKENS`` tokens, a parsed tree at most ``MAX_TREE_DEPTH`` deep
  (``- - - ... Y``, ``Y^Y^...^Y``), numbers of at most ``MAX_DIGITS`` digits, at most
  ``MAX_STATEMENTS`` formulas in an answer;
* expression: exponents at most ``MAX_EXPONENT`` (``Y^{10^{10}}``), an expanded form of
  at most ``MAX_TERMS`` terms (``(D+Y+p+1)^{60}`` has 39,711), numbers of at most
  ``MAX_NUMBER_BITS`` bits (``9^{9^9}``), at most ``MAX_STEPS`` conversion steps per
  answer (nested sums, names bound to names).

The limits are far above what any answer in the corpus needs (at most 63 tokens, depth
9, 3 nested brackets, 2-digit numbers). What gets past them meets the wall-time budget of
:mod:`grader.quiz.pool`. A bound hit raises :class:`TooBig`: the answer goes to review.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache

import sympy as sp

from .errors import TooBig

MAX_FILE_BYTES = 512 * 1024
MAX_SECTION_CHARS = 20_000
MAX_CODE_CHARS = 64_000  # a code answer may be a whole pasted module
MAX_LINE_CHARS = 4_000
MAX_NESTING = 24
MAX_TOKENS = 400
MAX_TREE_DEPTH = 48
MAX_DIGITS = 30
MAX_STATEMENTS = 100
MAX_EXPONENT = 32
MAX_TERMS = 64  # a 64-term expansion checks in ~1 s; 165 terms took 2.6 s
MAX_NUMBER_BITS = 2_000  # ~600 digits: also under Python's 4,300-digit str(int) limit
MAX_STEPS = 20_000

_BRACKET = re.compile(r"\\begin\b|\\end\b|[(\[{]|[)\]}]")


def check_section(text: str, *, code: bool = False) -> None:
    limit = MAX_CODE_CHARS if code else MAX_SECTION_CHARS
    if len(text) > limit:
        raise TooBig(f"an answer of {len(text):,} characters; at most {limit:,} are checked")


def check_line(text: str) -> None:
    """A line's length and how deeply its brackets, braces and environments nest."""
    if len(text) > MAX_LINE_CHARS:
        raise TooBig(f"a line of {len(text):,} characters; at most {MAX_LINE_CHARS:,}")
    depth = 0
    for m in _BRACKET.finditer(text):
        token = m.group()
        if token in ("(", "[", "{", r"\begin"):
            depth += 1
            if depth > MAX_NESTING:
                raise TooBig(f"more than {MAX_NESTING} brackets or fractions inside each "
                             "other")
        elif depth:
            depth -= 1


def check_tokens(tokens) -> None:
    if len(tokens) > MAX_TOKENS:
        raise TooBig(f"a formula of {len(tokens):,} symbols; at most {MAX_TOKENS}")
    for t in tokens:
        if t.kind == "NUM" and len(t.text) > MAX_DIGITS:
            raise TooBig(f"a number of {len(t.text):,} digits; at most {MAX_DIGITS}")


def check_tree(tree: ast.AST) -> None:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise TooBig(f"a formula nested more than {MAX_TREE_DEPTH} levels deep")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def check_count(count: int, what: str = "formulas", limit: int = MAX_STATEMENTS) -> None:
    if count > limit:
        raise TooBig(f"more than {limit:,} {what}")


def check_power(base: sp.Expr, exp: sp.Expr) -> None:
    """Before ``base ** exp``: sympy evaluates a number to a number power at once."""
    check_expr(exp)
    n = _whole(exp)
    if n > MAX_EXPONENT:
        raise TooBig(f"an exponent larger than {MAX_EXPONENT}")
    if n and isinstance(base, sp.Rational) and \
            max(abs(base.p), base.q).bit_length() * n > MAX_NUMBER_BITS:
        raise TooBig(f"a number of more than {MAX_NUMBER_BITS:,} bits")


def check_value(value: object) -> object:
    if isinstance(value, sp.Basic):
        check_expr(value)
    return value


def check_expr(expr: sp.Expr) -> sp.Expr:
    """Refuse an expression whose expanded form or numbers would be too large."""
    try:
        _terms(expr)
    except RecursionError:
        raise TooBig("a formula nested too deeply") from None
    return expr


def _whole(exp: sp.Expr) -> int:
    """The integer part of an exponent's constant (``p + 100`` expands to a 100th power)."""
    const = exp if exp.is_Number else exp.as_coeff_Add()[0]
    if not isinstance(const, sp.Rational):
        return 0
    return abs(const.p) // const.q


def _multinomial(terms: int, n: int) -> int:
    """Terms of ``(a1 + ... + a_terms)**n`` expanded: C(n + terms - 1, terms - 1), capped."""
    count = 1
    for k in range(1, terms):
        count = count * (n + k) // k
        if count > MAX_TERMS:
            break
    return count


@lru_cache(maxsize=50_000)
def _terms(expr: sp.Basic) -> int:
    if isinstance(expr, sp.Rational):
        if max(abs(expr.p), expr.q).bit_length() > MAX_NUMBER_BITS:
            raise TooBig(f"a number of more than {MAX_NUMBER_BITS:,} bits")
        return 1
    if expr.is_Atom:
        return 1
    if expr.is_Add:
        count = sum(_terms(a) for a in expr.args)
    elif expr.is_Mul:
        count = 1
        for a in expr.args:
            count *= _terms(a)
            if count > MAX_TERMS:
                break
    elif expr.is_Pow:
        base = _terms(expr.base)
        _terms(expr.exp)
        n = _whole(expr.exp)
        if n > MAX_EXPONENT:
            raise TooBig(f"an exponent larger than {MAX_EXPONENT}")
        count = _multinomial(base, n) if n else 1
    else:  # a function, a relation: one term, but expand goes inside
        for a in expr.args:
            _terms(a)
        count = 1
    if count > MAX_TERMS:
        raise TooBig(f"its expanded form has more than {MAX_TERMS:,} terms")
    return count
