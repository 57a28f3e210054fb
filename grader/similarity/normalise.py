"""Source text to a normalised token stream, without ever running or importing it.

What survives normalisation is what a copier cannot change without changing what the
code does: the structure (keywords, operators, statement boundaries), the library API
used (``np.random.rand``, ``x.shape``, builtins such as ``len``) and keyword-argument
names. Everything a copier can rename freely becomes a placeholder: names the file binds
itself (variables, parameters, functions, classes, import aliases, attributes it
assigns), numbers (``N``) and strings (``S``). Comments, docstrings, blank lines and
indentation are dropped, and ``;`` and a line end are the same token.

A file that does not parse (a syntax error, Python 2) is still tokenized: first with the
``tokenize`` module, and when that gives up, with a regular-expression tokenizer that
accepts any text. Parsing (``ast``) only decides whether the file is valid Python and
where its functions are, for the per-function view.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import re
import tokenize
from dataclasses import dataclass

KEYWORDS = frozenset(keyword.kwlist)
BUILTINS = frozenset(n for n in dir(builtins) if not n.startswith("_"))
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENCODING, tokenize.ENDMARKER}
_STRINGISH = {tokenize.STRING} | {getattr(tokenize, n) for n in
                                  ("FSTRING_START", "FSTRING_MIDDLE", "FSTRING_END")
                                  if hasattr(tokenize, n)}
_ASSIGN = {"=", "+=", "-=", "*=", "/=", "//=", "%=", "**=", "@=", "&=", "|=", "^=", ">>=",
           "<<=", ":="}
_BINDERS = {"def", "class", "as", "import", "for", "global", "nonlocal", "lambda"}
# Any text at all: the fallback must never fail on what a student handed in.
_RAW = re.compile(r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>[rRbBuUfF]{0,2}(?:'''[\s\S]*?(?:'''|\Z)|\"\"\"[\s\S]*?(?:\"\"\"|\Z)
                               |'(?:\\.|[^'\\\n])*'?|"(?:\\.|[^"\\\n])*"?))
  | (?P<number>\.?\d[\w.]*(?:(?<=[eE])[-+]\d[\w.]*)?)
  | (?P<name>[^\W\d]\w*)
  | (?P<continuation>\\\n)
  | (?P<newline>\n)
  | (?P<op>\*\*=?|//=?|>>=?|<<=?|->|:=|[-+*/%@&|^=!<>]=|[^\s\w])
  | (?P<space>\s+)
""", re.VERBOSE)


@dataclass(frozen=True)
class Token:
    kind: str  # "name", "string", "number", "op", "newline", "keyword"
    text: str
    line: int  # 1-based line where the token starts
    end_line: int


@dataclass(frozen=True)
class Normalised:
    tokens: tuple[str, ...]  # the normalised token texts
    lines: tuple[int, ...]  # start line of each token
    end_lines: tuple[int, ...]
    parsed: bool  # the file is valid Python (ast.parse accepted it)
    tokenizer: str  # "tokenize" or "fallback" (the regular-expression tokenizer)
    functions: tuple[tuple[int, int, str], ...]  # (first line, last line, qualified name)


def normalise(text: str) -> Normalised:
    """The normalised token stream of ``text`` (any text: never raises on bad input)."""
    tree = _parse(text)
    raw, how = _python_tokens(text), "tokenize"
    if raw is None:
        raw, how = _raw_tokens(text), "fallback"
    kept = _abstract(_drop_docstrings(raw))
    functions = _functions_ast(tree) if tree is not None else _functions_indent(text)
    return Normalised(tuple(t for t, _, _ in kept), tuple(ln for _, ln, _ in kept),
                      tuple(e for _, _, e in kept), tree is not None, how, tuple(functions))


def _parse(text: str):
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def _python_tokens(text: str) -> list[Token] | None:
    out: list[Token] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in _SKIPPED:
                continue
            line, end = tok.start[0], tok.end[0]
            if tok.type == tokenize.NEWLINE or (tok.type == tokenize.OP and tok.string == ";"):
                out.append(Token("newline", ";", line, end))
            elif tok.type in _STRINGISH:
                out.append(Token("string", tok.string, line, end))
            elif tok.type == tokenize.NUMBER:
                out.append(Token("number", tok.string, line, end))
            elif tok.type == tokenize.NAME:
                kind = "keyword" if tok.string in KEYWORDS else "name"
                out.append(Token(kind, tok.string, line, end))
            elif tok.string.strip():
                out.append(Token("op", tok.string, line, end))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return out


def _raw_tokens(text: str) -> list[Token]:
    out: list[Token] = []
    line, depth = 1, 0
    for m in _RAW.finditer(text):
        kind, value = m.lastgroup, m.group()
        end = line + value.count("\n")
        if kind == "newline":
            # Inside brackets a line end is not a statement end, as for tokenize.
            if depth == 0 and out and out[-1].kind != "newline":
                out.append(Token("newline", ";", line, line))
        elif kind == "name":
            out.append(Token("keyword" if value in KEYWORDS else "name", value, line, end))
        elif kind in ("string", "number"):
            out.append(Token(kind, value, line, end))
        elif kind == "op":
            depth = max(0, depth + (value in "([{") - (value in ")]}"))
            out.append(Token("newline", ";", line, end) if value == ";"
                       else Token("op", value, line, end))
        line = end
    return out


def _drop_docstrings(tokens: list[Token]) -> list[Token]:
    """Strings that are a whole statement (docstrings, strings used as comments)."""
    out: list[Token] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        at_start = not out or out[-1].kind == "newline" or out[-1].text == ":"
        if tok.kind == "string" and at_start:
            j = i
            while j < n and tokens[j].kind == "string":
                j += 1
            if j == n or tokens[j].kind == "newline":
                i = j + 1 if j < n else j
                continue
        out.append(tok)
        i += 1
    return out


def _abstract(tokens: list[Token]) -> list[tuple[str, int, int]]:
    bound, assigned_attrs, kwargs = _binding_facts(tokens)
    out: list[tuple[str, int, int]] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "string":
            if out and out[-1][0] == "S" and tokens[i - 1].kind == "string":
                continue  # implicit concatenation, and an f-string's parts: one literal
            out.append(("S", tok.line, tok.end_line))
        elif tok.kind == "number":
            out.append(("N", tok.line, tok.end_line))
        elif tok.kind == "name":
            after_dot = i > 0 and tokens[i - 1].text == "."
            if after_dot:
                keep = tok.text not in assigned_attrs
            else:
                keep = (tok.text in BUILTINS and tok.text not in bound) or i in kwargs
            out.append((tok.text if keep else "V", tok.line, tok.end_line))
        else:
            out.append((tok.text, tok.line, tok.end_line))
    return out


def _binding_facts(tokens: list[Token]) -> tuple[set[str], set[str], set[int]]:
    """(names the file binds, attributes it assigns, positions of call keyword arguments).

    Read from tokens alone so that a file that does not parse is abstracted the same way
    as one that does: a copy with a syntax error still matches its original.
    """
    bound: set[str] = set()
    attrs: set[str] = set()
    kwargs: set[int] = set()
    parens: list[bool] = []  # per open bracket: is it a def's parameter list?
    n = len(tokens)
    for i, tok in enumerate(tokens):
        prev = tokens[i - 1] if i else None
        nxt = tokens[i + 1] if i + 1 < n else None
        if tok.kind == "op" and tok.text in "([{":
            parens.append(tok.text == "(" and i >= 2 and tokens[i - 2].text == "def")
            continue
        if tok.kind == "op" and tok.text in ")]}":
            if parens:
                parens.pop()
            continue
        if tok.kind != "name":
            continue
        assigned = nxt is not None and nxt.text in _ASSIGN
        if prev is not None and prev.text == ".":
            if assigned:
                attrs.add(tok.text)
        elif parens and not parens[-1] and nxt is not None and nxt.text == "=":
            kwargs.add(i)  # f(size=...): the callee's name for it, not the student's
        elif (assigned or (prev is not None and prev.text in _BINDERS)
              or (parens and parens[-1] and nxt is not None and nxt.text in ",)=:")):
            bound.add(tok.text)
    return bound, attrs, kwargs


def _functions_ast(tree) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    # Statements only: a def cannot hide in an expression, and skipping expressions makes
    # this walk several times cheaper than ast.walk.
    stack: list[tuple[list, str]] = [(tree.body, "")]
    while stack:
        body, prefix = stack.pop()
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + node.name
                if not isinstance(node, ast.ClassDef):
                    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                    out.append((first, node.end_lineno or node.lineno, name))
                stack.append((node.body, name + "."))
                continue
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    stack.append((inner, prefix))
    return sorted(out)


_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?(def|class)[ \t]+(\w+)")


def _functions_indent(text: str) -> list[tuple[int, int, str]]:
    """Function spans by indentation, for files ast cannot read."""
    lines = text.split("\n")
    out: list[tuple[int, int, str]] = []
    open_: list[tuple[int, int, str, str]] = []  # (indent, first line, name, kind)
    last_code = 0

    def close(indent: int) -> None:
        while open_ and open_[-1][0] >= indent:
            _ind, first, name, kind = open_.pop()
            if kind == "def":
                out.append((first, max(first, last_code), name))

    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" \t"))
        close(indent)
        m = _DEF.match(line)
        if m:
            prefix = ".".join(o[2] for o in open_)
            name = f"{prefix}.{m.group(3)}" if prefix else m.group(3)
            open_.append((indent, number, name, m.group(2)))
        last_code = number
    close(0)
    return sorted(out)


def function_at(functions: tuple[tuple[int, int, str], ...], line: int) -> str:
    """The innermost function holding ``line``, or "" at module level."""
    best, size = "", None
    for first, last, name in functions:
        if first <= line <= last and (size is None or last - first < size):
            best, size = name, last - first
    return best
