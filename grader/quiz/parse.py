"""Tokens of one formula -> statements holding a whitelisted Python AST.

The formula is rewritten to Python source in which every name is a placeholder
(``_n0``, ``_n1`` ...) pointing back at its token, then parsed by :func:`ast.parse`,
which never evaluates anything, and every node is checked against a whitelist. This is
the approach PrairieLearn takes; the rewrite step is where the notations meet:

* ``⊙ ∘ .* *`` become ``*`` (element-wise), juxtaposition and ``· \\cdot ×`` become ``%``
  (a product whose kind the normalizer decides), ``@`` stays a matrix product;
* ``\\frac{a}{b}`` becomes ``((a)/(b))``, ``^`` becomes ``**``, ``^T``/``'`` a transpose;
* derivatives (``\\frac{\\partial L}{\\partial Y}``, ``dL/dY``, ``∂L/∂Y``, ``\\nabla_Y L``)
  collapse into one name token ``dY`` before the rewrite;
* ``\\begin{cases}`` and matrices become calls of reserved functions.

Statements split at top-level ``=`` (chains allowed), ``~``, ``∈`` and augmented
assignments (``out /= p``).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from .bounds import check_tokens, check_tree
from .derivatives import _group, _is, _match, collapse_derivatives
from .errors import ParseError, TooBig
from .lexer import Token

# Names that are functions when followed by "(": anything else followed by "(" is an
# implicit product, so p(1-p) is p*(1-p).
FUNCTIONS = frozenset(["Bernoulli", "bernoulli", "Bern", "Ber", "Binomial", "binomial", "B", "N", "Normal", "normal", "Gaussian", "gaussian", "U", "Uniform", "sigma", "exp", "log", "sqrt", "max", "min", "float", "int", "abs", "sum", "diag", "P", "Pr", "E"])

_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Constant, ast.Call,
            ast.Attribute, ast.Compare, ast.Starred, ast.Tuple, ast.List, ast.Subscript,
            ast.Load, ast.keyword, ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.MatMult,
            ast.Mod, ast.Pow, ast.USub, ast.UAdd, ast.Lt, ast.Gt, ast.LtE, ast.GtE,
            ast.Eq, ast.NotEq, ast.Slice)
_OPS = {"+": "+", "-": "-", "*": "*", "⊙": "*", ".*": "*", "/": "/", "./": "/",
        "·": "%", "@": "@", "**": "**", "^": "**", "<": "<", ">": ">", "<=": "<=",
        ">=": ">=", "==": "==", "!=": "!=", ",": ",", "(": "(", ")": ")", "[": "[",
        "]": "]", "{": "(", "}": ")"}
_ATOM_END = ("NAME", "NUM")
_MATRIX_ENVS = {"bmatrix", "pmatrix", "matrix", "vmatrix", "Bmatrix", "array", "smallmatrix"}


@dataclass(frozen=True)
class Side:
    """One side of a statement: the parsed tree and the tokens its placeholders name."""

    tree: ast.expr
    names: tuple[Token, ...]  # _n{i} -> names[i]
    text: str  # the student's text of this side

    def name(self, node: ast.Name) -> Token:
        return self.names[int(node.id[2:])]


@dataclass(frozen=True)
class Statement:
    kind: str  # "eq" (chain a = b = c), "dist" (a ~ b), "in" (a ∈ b), "aug", "expr"
    sides: tuple[Side, ...]
    op: str = ""  # the operator of an augmented assignment
    pos: int = 0
    text: str = ""


def words_as_names(tokens: list[Token]) -> list[Token]:
    r"""``\text{Bernoulli}`` in a formula is the name Bernoulli, not prose."""
    return [Token("NAME", t.text, t.pos, t.end, raw=t.text)
            if t.kind == "TEXT" and t.text.isalpha() else t for t in tokens]


# ---------------------------------------------------------------- rewrite

class _Writer:
    """Python source under construction, remembering where each piece came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.origins: list[tuple[int, int]] = []  # (offset in source, offset in text)
        self.names: list[Token] = []
        self.length = 0

    def put(self, text: str, origin: int) -> None:
        self.origins.append((self.length, origin))
        self.parts.append(text)
        self.length += len(text)

    def name(self, tok: Token) -> None:
        self.names.append(tok)
        self.put(f"_n{len(self.names) - 1}", tok.pos)

    def source(self) -> str:
        return "".join(self.parts)

    def origin(self, offset: int) -> int:
        best = self.origins[0][1] if self.origins else 0
        for at, origin in self.origins:
            if at > offset:
                break
            best = origin
        return best


def _ends_atom(prev: Token | None, wrote_call_name: bool) -> bool:
    if prev is None:
        return False
    if prev.kind in _ATOM_END:
        return not wrote_call_name
    return _is(prev, ")", "]", "}", "'", "T")


def _starts_atom(tok: Token) -> bool:
    return tok.kind in ("NAME", "NUM", "FRAC", "SQRT", "SUM", "BEGIN") or _is(tok, "(", "{")


def _is_function(tokens: list[Token], i: int, prev: Token | None) -> bool:
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None or not _is(nxt, "("):
        return False
    if prev is not None and _is(prev, ".") and not tok.sub:
        return True  # np.random.rand(...), x.astype(...)
    return tok.text in FUNCTIONS and not tok.sub


def _rewrite(tokens: list[Token], w: _Writer, text: str) -> None:
    prev: Token | None = None
    prev_is_func = False
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if _starts_atom(t) and _ends_atom(prev, prev_is_func) and not (
                _is(t, "(") and prev_is_func):
            w.put("%", t.pos)  # juxtaposition
        prev_is_func = False
        if t.kind == "NAME":
            w.name(t)
            if t.transposed:
                w.put(".T", t.end)
            prev_is_func = _is_function(tokens, i, prev)
            prev = t
            i += 1
            continue
        if t.kind == "NUM":
            w.put(t.text, t.pos)
        elif t.kind == "STRING":
            w.put(repr(t.text[1:-1]), t.pos)
        elif t.kind == "FRAC":
            num, j = _group(tokens, i + 1)
            den, k = _group(tokens, j)
            w.put("((", t.pos)
            _rewrite(num, w, text)
            w.put(")/(", t.pos)
            _rewrite(den, w, text)
            w.put("))", t.pos)
            prev, i = Token("OP", ")", t.pos, t.end), k
            continue
        elif t.kind == "SQRT":
            arg, j = _group(tokens, i + 1)
            w.put("_sqrt_(", t.pos)
            _rewrite(arg, w, text)
            w.put(")", t.pos)
            prev, i = Token("OP", ")", t.pos, t.end), j
            continue
        elif t.kind == "SUM":
            i = _rewrite_sum(tokens, i, w, text)
            prev = Token("OP", ")", t.pos, t.end)
            continue
        elif t.kind == "BEGIN":
            i = _rewrite_env(tokens, i, w, text)
            prev = Token("OP", ")", t.pos, t.end)
            continue
        elif t.kind == "OP" and t.text in ("T", "'"):
            w.put(".T", t.pos)
        elif t.kind == "OP" and t.text == "^" and i + 1 < len(tokens) and (
                tokens[i + 1].text in ("T", "top") or
                (_is(tokens[i + 1], "{") and i + 3 < len(tokens) and
                 tokens[i + 2].text == "T" and _is(tokens[i + 3], "}"))):
            w.put(".T", t.pos)
            i += 2 if tokens[i + 1].text in ("T", "top") else 4
            prev = Token("OP", "T", t.pos, t.end)
            continue
        elif t.kind == "OP" and t.text == "." and i + 1 < len(tokens) and \
                tokens[i + 1].kind == "NAME":
            w.put(".", t.pos)
            nxt = tokens[i + 1]
            # Attribute names stay readable for the whitelist (np.random.rand).
            w.put(nxt.raw or nxt.text, nxt.pos)
            prev_is_func = i + 2 < len(tokens) and _is(tokens[i + 2], "(")
            prev, i = nxt, i + 2
            continue
        elif t.kind == "OP" and t.text == "*" and prev is not None and _is(prev, "(", ","):
            w.put("*", t.pos)  # rand(*x.shape)
        elif t.kind == "OP" and t.text in _OPS:
            w.put(_OPS[t.text], t.pos)
        elif t.kind == "OP" and t.text == "=" and prev is not None and prev.kind == "NAME":
            w.put("=", t.pos)  # a keyword argument: binomial(1, p, size=x.shape)
        elif t.kind == "DOTS":
            raise ParseError("'...' cannot be graded: write every term out", pos=t.pos)
        elif t.kind == "BADCMD":
            raise ParseError(f"unknown command {t.text}", pos=t.pos)
        elif t.kind == "TEXT":
            raise ParseError(f"unexpected text '{t.text}' inside the formula", pos=t.pos)
        else:
            raise ParseError(f"unexpected '{t.text}'", pos=t.pos)
        prev = t
        i += 1


def _rewrite_sum(tokens: list[Token], i: int, w: _Writer, text: str) -> int:
    r"""``\sum_{m=1}^{2} body`` -> ``_sum_(index, lo, hi, (body))``; body ends at + - = ,"""
    t = tokens[i]
    j = i + 1
    if j >= len(tokens) or not _is(tokens[j], "_"):
        raise ParseError("write the summation range, e.g. \\sum_{m=1}^{2}", pos=t.pos)
    lower, j = _group(tokens, j + 1)
    if j >= len(tokens) or not _is(tokens[j], "^"):
        raise ParseError("write the summation range, e.g. \\sum_{m=1}^{2}", pos=t.pos)
    upper, j = _group(tokens, j + 1)
    if len(lower) < 3 or lower[0].kind != "NAME" or not _is(lower[1], "="):
        raise ParseError("write the summation range, e.g. \\sum_{m=1}^{2}", pos=t.pos)
    k, depth = j, 0
    while k < len(tokens):
        tk = tokens[k]
        if _is(tk, "(", "[", "{"):
            depth += 1
        elif _is(tk, ")", "]", "}"):
            if depth == 0:
                break
            depth -= 1
        elif depth == 0 and _is(tk, "+", "-", "=", ",") and k > j:
            break
        k += 1
    w.put("_sum_(", t.pos)
    w.name(lower[0])
    w.put(",(", t.pos)
    _rewrite(lower[2:], w, text)
    w.put("),(", t.pos)
    _rewrite(upper, w, text)
    w.put("),(", t.pos)
    _rewrite(tokens[j:k], w, text)
    w.put("))", t.pos)
    return k


def _env_name(tokens: list[Token], i: int) -> tuple[str, int]:
    return tokens[i].text, i + 1


def _rewrite_env(tokens: list[Token], i: int, w: _Writer, text: str) -> int:
    name, j = _env_name(tokens, i)
    name = name.rstrip("*")
    depth, k = 1, j
    while k < len(tokens):
        if tokens[k].kind == "BEGIN":
            depth += 1
        elif tokens[k].kind == "END":
            depth -= 1
            if depth == 0:
                break
        k += 1
    else:
        raise ParseError(f"\\begin{{{name}}} without \\end", pos=tokens[i].pos)
    body = tokens[j:k]
    _, after = _env_name(tokens, k)
    if name == "array" and body and _is(body[0], "{"):
        body = body[_match(body, 0, "{", "}") + 1:]  # column spec {|c|c|}
    rows = _split(body, lambda t: t.kind == "ROW")
    rows = [r for r in rows if r]
    if name == "cases":
        w.put("_cases_(", tokens[i].pos)
        for row in rows:
            cells = _split(row, lambda t: _is(t, "&"))
            value, cond = (cells[0], [c for cell in cells[1:] for c in cell]) \
                if len(cells) > 1 else _split_case(row)
            value = _strip_trailing_comma(value)
            w.put("(", row[0].pos)
            _rewrite(value, w, text)
            w.put("),", row[0].pos)
            _condition(cond, w, text)
            w.put(",", row[0].pos)
        w.put(")", tokens[k].pos)
    elif name in _MATRIX_ENVS:
        w.put("_matrix_(", tokens[i].pos)
        for row in rows:
            w.put("(", row[0].pos)
            for cell in _split(row, lambda t: _is(t, "&")):
                w.put("(", cell[0].pos if cell else row[0].pos)
                _rewrite(cell, w, text)
                w.put("),", row[0].pos)
            w.put("),", row[0].pos)
        w.put(")", tokens[k].pos)
    else:
        raise ParseError(f"\\begin{{{name}}} cannot appear inside a formula", pos=tokens[i].pos)
    return after


def _split(tokens: list[Token], is_sep) -> list[list[Token]]:
    parts: list[list[Token]] = [[]]
    for t in tokens:
        if is_sep(t):
            parts.append([])
        else:
            parts[-1].append(t)
    return parts


def _split_case(row: list[Token]) -> tuple[list[Token], list[Token]]:
    for n, t in enumerate(row):
        if t.kind == "TEXT" or (t.kind == "NAME" and t.text in ("if", "otherwise", "else")):
            return row[:n], row[n:]
    return row, []


def _strip_trailing_comma(toks: list[Token]) -> list[Token]:
    while toks and _is(toks[-1], ",", ";"):
        toks = toks[:-1]
    return toks


def _condition(cond: list[Token], w: _Writer, text: str) -> None:
    words = " ".join(t.text for t in cond if t.kind in ("TEXT", "NAME") and
                     t.text.replace(" ", "").isalpha()).lower()
    body = [t for t in cond if t.kind != "TEXT" and not (
        t.kind == "NAME" and t.text in ("if", "otherwise", "else", "when"))]
    body = _strip_trailing_comma([t for t in body if not _is(t, ",")]) if len(body) <= 1 \
        else _strip_trailing_comma(body)
    if not body:
        # "if not dropped" is kept, "if it was not kept" dropped.
        negated = bool(re.search(r"\b(?:not|never|nt)\b", words.replace("n't", " nt")))
        drop = re.search(r"\bdrop\w*|\bzeroed\b|\bremoved\b|\binactive\b", words)
        keep = re.search(r"\bkept\b|\bkeep\w*|\bretain\w*|\bsurviv\w*|\bactive\b", words)
        if drop or keep:
            kept = bool(keep and not drop) != negated
            w.put("'kept'" if kept else "'dropped'", cond[0].pos)
        elif "otherwise" in words or "else" in words:
            w.put("'otherwise'", cond[0].pos if cond else 0)
        else:
            raise ParseError("cannot read the condition of this case",
                             pos=cond[0].pos if cond else 0)
        return
    pieces = _split(body, lambda t: _is(t, "="))
    w.put("(", body[0].pos)
    _rewrite(pieces[0], w, text)
    for piece in pieces[1:]:
        w.put("==", piece[0].pos if piece else body[0].pos)
        _rewrite(piece, w, text)
    w.put(")", body[-1].end)


def _check(tree: ast.AST, w: _Writer) -> None:
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            pos = w.origin(getattr(node, "col_offset", 0))
            raise ParseError(f"'{type(node).__name__}' is not allowed in a formula", pos=pos)
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float, str)):
            raise ParseError("only numbers are allowed here", pos=w.origin(node.col_offset))
        if isinstance(node, ast.Name) and not (node.id.startswith("_n") or node.id in (
                "_sum_", "_cases_", "_matrix_", "_sqrt_")):
            raise ParseError(f"unexpected name {node.id!r}", pos=w.origin(node.col_offset))


def parse_side(tokens: list[Token], text: str) -> Side:
    """Parse one expression. Raises :class:`ParseError` with a position in ``text``."""
    if not tokens:
        raise ParseError("empty formula", pos=0, text=text)
    check_tokens(tokens)
    try:
        w = _Writer()
        _rewrite(collapse_derivatives(words_as_names(tokens)), w, text)
        source = w.source()
        try:
            tree = ast.parse(source, mode="eval")
            check_tree(tree)
        except (RecursionError, MemoryError):
            raise TooBig("a formula nested too deeply") from None
        except SyntaxError as error:
            offset = max((error.offset or 1) - 1, 0)
            pos = w.origin(min(offset, max(len(source) - 1, 0)))
            raise ParseError("cannot read the formula here", pos=pos) from None
        _check(tree, w)
    except ParseError as error:
        raise ParseError(str(error), pos=error.pos, text=text) from None
    src = text[tokens[0].pos:tokens[-1].end]
    return Side(tree.body, tuple(w.names), src)


def _top_level(tokens: list[Token]) -> list[tuple[int, Token]]:
    depth, found = 0, []
    for n, t in enumerate(tokens):
        if _is(t, "(", "[", "{") or t.kind == "BEGIN":
            depth += 1
        elif _is(t, ")", "]", "}") or t.kind == "END":
            depth -= 1
        elif depth == 0 and t.kind == "OP" and t.text in (
                "=", ":=", "~", "∈", "+=", "-=", "*=", "/=", "≈", "->"):
            found.append((n, t))
    return found


def parse_statement(tokens: list[Token], text: str) -> Statement:
    """One statement: an equation chain, a distribution, a membership or an expression."""
    if not tokens:
        raise ParseError("empty formula", pos=0, text=text)
    check_tokens(tokens)
    marks = _top_level(tokens)
    pos, src = tokens[0].pos, text[tokens[0].pos:tokens[-1].end]
    kinds = {t.text for _, t in marks}
    if not marks:
        return Statement("expr", (parse_side(tokens, text),), pos=pos, text=src)
    if kinds & {"~", "∈", "+=", "-=", "*=", "/=", "->"}:
        if len(marks) != 1:
            raise ParseError("one relation per statement, please", pos=marks[1][1].pos,
                             text=text)
        n, t = marks[0]
        kind = {"~": "dist", "∈": "in", "->": "in"}.get(t.text, "aug")
        lhs, rhs = parse_side(tokens[:n], text), parse_side(tokens[n + 1:], text)
        return Statement(kind, (lhs, rhs), op=t.text[0] if kind == "aug" else "",
                         pos=pos, text=src)
    sides, start = [], 0
    for n, t in marks + [(len(tokens), None)]:
        piece = tokens[start:n]
        if not piece:
            where = t.pos if t is not None else tokens[-1].end
            raise ParseError("one side of '=' is empty", pos=where, text=text)
        sides.append(parse_side(piece, text))
        start = n + 1
    return Statement("eq", tuple(sides), pos=pos, text=src)
