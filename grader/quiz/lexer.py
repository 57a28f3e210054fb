"""Tokenize the text of an answer: LaTeX, plain math, Unicode math and numpy-style code.

One tokenizer serves prose and formulas alike, because students mix them on one line
("H = D ⊙ Y / p where D ~ Bernoulli(p)"); deciding which tokens form a formula is the
job of :mod:`grader.quiz.extract`. Every token keeps its offset in the original text so a
parse error can point at the character the student wrote.

Names are assembled here with their subscripts and superscripts (``X_{11}``, ``D_ij``,
``X₁₁``, ``Y^T``) because the subscript decides what a name means (an entry, a numbered
input, a code identifier such as ``keep_prob``), and reading ``X11`` as ``11*X`` or ``O``
as big-O is exactly the mistake this layer exists to avoid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .bounds import check_line
from .errors import ParseError

# Commands a formula may contain, by what they become. Anything else is refused in a
# formula (and ignored in prose), so an unknown command can never silently turn into a
# variable named after it.
_CMD_OPS = {
    r"\odot": "⊙", r"\circ": "⊙", r"\otimes": "⊗", r"\cdot": "·", r"\times": "·",
    r"\ast": "*", r"\star": "*", r"\div": "/", r"\sim": "~", r"\approx": "≈",
    r"\leftarrow": ":=", r"\gets": ":=", r"\coloneqq": ":=", r"\leq": "<=", r"\le": "<=",
    r"\geq": ">=", r"\ge": ">=", r"\lt": "<", r"\gt": ">", r"\in": "∈", r"\top": "T",
    r"\intercal": "T", r"\neq": "!=", r"\ne": "!=", r"\mid": "|", r"\vert": "|",
    r"\{": "{", r"\}": "}", r"\|": "|", r"\to": "->", r"\rightarrow": "->",
    r"\Rightarrow": "=>", r"\implies": "=>", r"\equiv": "=", r"\triangleq": "=",
}
_CMD_SPACE = {r"\quad", r"\qquad", r"\,", r"\;", r"\:", r"\!", r"\ ", r"\left", r"\right",
              r"\big", r"\Big", r"\bigg", r"\Bigg", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr",
              r"\biggl", r"\biggr", r"\displaystyle", r"\limits", r"\nonumber", r"\notag",
              r"\hline", r"\hspace", r"\vspace", r"\label", r"\tag", r"\middle"}
_CMD_FONT = {r"\mathbf", r"\boldsymbol", r"\bm", r"\mathrm", r"\mathit", r"\mathcal",
             r"\mathbb", r"\mathsf", r"\operatorname", r"\pmb", r"\vec", r"\hat",
             r"\tilde", r"\bar", r"\widehat", r"\widetilde", r"\overline"}
_CMD_TEXT = {r"\text", r"\textrm", r"\textit", r"\textbf", r"\mbox", r"\textnormal",
             r"\texttt"}
_CMD_SPECIAL = {r"\frac": "FRAC", r"\dfrac": "FRAC", r"\tfrac": "FRAC", r"\sqrt": "SQRT",
                r"\sum": "SUM", r"\partial": "PARTIAL", r"\nabla": "NABLA",
                r"\begin": "BEGIN", r"\end": "END", r"\\": "ROW", r"\cdots": "DOTS",
                r"\ldots": "DOTS", r"\dots": "DOTS", r"\vdots": "DOTS"}
_GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "eta", "theta", "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi", "omega", "Delta", "Gamma", "Lambda", "Sigma", "Phi", "Omega", "Theta"]
_CMD_NAMES = {"\\" + g: g for g in _GREEK} | {
    r"\exp": "exp", r"\log": "log", r"\ln": "log", r"\max": "max", r"\min": "min",
    r"\operatorname": "", r"\mathcal": ""}
_UNICODE_NAMES = {"σ": "sigma", "δ": "delta", "Δ": "Delta", "α": "alpha", "β": "beta",
                  "λ": "lambda", "η": "eta", "θ": "theta", "μ": "mu", "ε": "epsilon",
                  "π": "pi", "ρ": "rho", "τ": "tau", "φ": "phi", "ω": "omega", "ℒ": "L"}
_UNICODE_OPS = {"⊙": "⊙", "∘": "⊙", "⊗": "⊗", "·": "·", "⋅": "·", "×": "·", "∗": "*",
                "÷": "/", "−": "-", "–": "-", "∼": "~", "≈": "≈", "←": ":=", "≤": "<=",
                "≥": ">=", "≠": "!=", "∈": "∈", "⊤": "T", "ᵀ": "T", "′": "'", "’": "'",
                "→": "->", "⇒": "=>", "（": "(", "）": ")", "，": "，", "＝": "=",
                "∂": "PARTIAL", "∇": "NABLA", "…": "DOTS", "⋯": "DOTS", "≡": "="}
_SUB_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙₘₗₐₑₒₓ", "0123456789ijknmlaeox")
_SUP_CHARS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻ᵀ", "0123456789-T")

_TOKEN_RE = re.compile(r"""
 (?P<ws>\s+)
|(?P<cmd>\\[A-Za-z]+|\\[,;:!\\{}| ])
|(?P<num>\d+\.\d+|\d+|\.\d+(?![A-Za-z_]))
|(?P<name>[A-Za-z][A-Za-z0-9]*)
|(?P<uname>[σδΔαβλημεθπρτφωℒ])
|(?P<usub>[₀-₉ᵢⱼₖₙₘₗₐₑₒₓ]+)
|(?P<usup>[⁰-⁹⁻]+)
|(?P<string>(?<![A-Za-z0-9_)\]'])'[^'\n]*'|"[^"\n]*")
|(?P<op>\.\*|\./|\*\*|==|<=|>=|!=|\+=|-=|\*=|/=|:=|->|=>|[-+*/^_=<>()\[\]{},.;:~&|@!?'"$%#`])
|(?P<uop>[⊙∘⊗·⋅×∗÷−–∼≈←≤≥≠∈⊤ᵀ′’→⇒（），＝∂∇…⋯≡])
|(?P<cjk>[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+)
|(?P<other>.)
""", re.VERBOSE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Token:
    """One token. ``kind`` is NUM, NAME, OP, FRAC, SQRT, SUM, PARTIAL, NABLA, BEGIN, END,
    ROW, DOTS, TEXT (prose inside ``\\text{}``), CJK, DOLLAR, BADCMD or OTHER."""

    kind: str
    text: str
    pos: int
    end: int
    # For NAME: subscript and superscript as token lists, and the raw identifier.
    sub: tuple[Token, ...] | None = None
    sup: tuple[Token, ...] | None = None
    raw: str = ""
    font: bool = False  # came from \mathbf{...} and the like

    @property
    def sub_text(self) -> str:
        return "".join(t.text for t in self.sub) if self.sub else ""

    @property
    def transposed(self) -> bool:
        return bool(self.sup) and len(self.sup) == 1 and self.sup[0].text == "T"


@dataclass
class _Raw:
    kind: str
    text: str
    pos: int
    end: int
    extra: dict = field(default_factory=dict)


def _raw_tokens(text: str) -> list[_Raw]:
    out: list[_Raw] = []
    for match in _TOKEN_RE.finditer(text):
        kind, value = match.lastgroup, match.group()
        pos, end = match.start(), match.end()
        if kind == "ws":
            continue
        if kind == "cmd":
            if value in _CMD_OPS:
                out.append(_Raw("OP", _CMD_OPS[value], pos, end))
            elif value in _CMD_SPACE:
                continue
            elif value in _CMD_SPECIAL:
                out.append(_Raw(_CMD_SPECIAL[value], value, pos, end))
            elif value in _CMD_FONT:
                out.append(_Raw("FONT", value, pos, end))
            elif value in _CMD_TEXT:
                out.append(_Raw("TEXTCMD", value, pos, end))
            elif value in _CMD_NAMES:
                out.append(_Raw("NAME", _CMD_NAMES[value], pos, end))
            else:
                out.append(_Raw("BADCMD", value, pos, end))
        elif kind == "name" and re.fullmatch(r"(?:[A-Za-z]\d+){2,}", value):
            # X12W11: numbered names written side by side, a product of two names.
            for part in re.finditer(r"[A-Za-z]\d+", value):
                out.append(_Raw("NAME", part.group(), pos + part.start(), pos + part.end()))
        elif kind == "uname":
            out.append(_Raw("NAME", _UNICODE_NAMES[value], pos, end))
        elif kind == "uop":
            mapped = _UNICODE_OPS[value]
            if mapped in ("PARTIAL", "NABLA", "DOTS"):
                out.append(_Raw(mapped, value, pos, end))
            else:
                out.append(_Raw("OP", mapped, pos, end))
        elif kind == "usub":
            out.append(_Raw("USUB", value.translate(_SUB_DIGITS), pos, end))
        elif kind == "usup":
            out.append(_Raw("USUP", value.translate(_SUP_CHARS), pos, end))
        elif kind == "op" and value == "$":
            out.append(_Raw("DOLLAR", value, pos, end))
        else:
            out.append(_Raw(kind.upper(), value, pos, end))
    return out


def _group(raw: list[_Raw], i: int) -> tuple[list[_Raw], int]:
    """The tokens of the brace group opening at ``raw[i]`` and the index after it."""
    depth, j = 0, i
    while j < len(raw):
        if raw[j].kind == "OP" and raw[j].text == "{":
            depth += 1
        elif raw[j].kind == "OP" and raw[j].text == "}":
            depth -= 1
            if depth == 0:
                return raw[i + 1:j], j + 1
        j += 1
    raise ParseError("unbalanced '{'", pos=raw[i].pos)


def _script(raw: list[_Raw], i: int, text: str) -> tuple[list[Token], int]:
    """The argument of ``_`` or ``^`` at ``raw[i]``: a brace group or one token."""
    if i >= len(raw):
        raise ParseError("nothing after '_' or '^'", pos=len(text))
    head = raw[i]
    if head.kind == "OP" and head.text == "{":
        inner, j = _group(raw, i)
        return _assemble(inner, text), j
    if head.kind == "OP" and head.text == "-" and i + 1 < len(raw):
        return _assemble(raw[i:i + 2], text), i + 2
    return _assemble([head], text), i + 1


def _font_name(inner: list[_Raw], text: str) -> str:
    return "".join(r.text for r in inner if r.kind in ("NAME", "NUM")) or text


def _assemble(raw: list[_Raw], text: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(raw):
        r = raw[i]
        if r.kind == "TEXTCMD":
            if i + 1 < len(raw) and raw[i + 1].text == "{":
                inner, j = _group(raw, i + 1)
                words = text[inner[0].pos:inner[-1].end] if inner else ""
                out.append(Token("TEXT", words.strip(), r.pos, raw[j - 1].end))
                i = j
                continue
            i += 1
            continue
        if r.kind == "FONT":
            if i + 1 < len(raw) and raw[i + 1].text == "{":
                inner, j = _group(raw, i + 1)
                name = _font_name(inner, "")
                accent = r.text[1:] if r.text in (r"\hat", r"\tilde", r"\bar", r"\widehat",
                                                   r"\widetilde", r"\overline") else ""
                if name and all(x.kind in ("NAME", "NUM") for x in inner):
                    raw[j - 1:j] = [_Raw("NAME", name + accent, r.pos, raw[j - 1].end,
                                         {"font": True})]
                    i = j - 1
                    continue
                # \mathbf{D_{ij}} or \text-like groups: drop the font, keep the content.
                raw[i:j] = inner
                continue
            i += 1
            continue
        if r.kind in ("BEGIN", "END") and i + 1 < len(raw) and raw[i + 1].text == "{":
            inner, j = _group(raw, i + 1)
            name = "".join(x.text for x in inner)
            out.append(Token(r.kind, name, r.pos, raw[j - 1].end))
            i = j
            continue
        if r.kind == "NAME":
            token, i = _name_with_scripts(raw, i, text)
            out.append(token)
            continue
        if r.kind == "USUP" and out:
            # ² or ⁻¹ after an atom is a power; ᵀ was mapped to the T operator.
            out.append(Token("OP", "^", r.pos, r.pos))
            out.append(Token("NUM" if r.text.lstrip("-").isdigit() else "NAME", r.text,
                             r.pos, r.end))
            i += 1
            continue
        out.append(Token(r.kind, r.text, r.pos, r.end))
        i += 1
    return out


def _name_with_scripts(raw: list[_Raw], i: int, text: str) -> tuple[Token, int]:
    r = raw[i]
    base, pos, end = r.text, r.pos, r.end
    rawtext = base
    sub: list[Token] | None = None
    sup: list[Token] | None = None
    j = i + 1
    while j < len(raw):
        nxt = raw[j]
        if nxt.kind == "USUB" and sub is None and nxt.pos == end:
            sub = [Token("NAME" if not nxt.text.isdigit() else "NUM", nxt.text,
                         nxt.pos, nxt.end)]
            rawtext += "_" + nxt.text
            end, j = nxt.end, j + 1
        elif nxt.kind == "OP" and nxt.text == "_" and sub is None:
            # Code identifiers (keep_prob, d_out, dL_dY) are glued; LaTeX subscripts may
            # be spaced. Both become base + subscript and the raw name is kept.
            parts, j2 = _script(raw, j + 1, text)
            sub = parts
            rawtext += "_" + "".join(t.raw or t.text for t in parts)
            end, j = raw[j2 - 1].end, j2
        elif nxt.kind == "OP" and nxt.text == "^" and sup is None:
            parts, j2 = _script(raw, j + 1, text)
            if len(parts) == 1 and parts[0].text in ("T", "top", "t") and parts[0].kind in (
                    "NAME", "OP"):
                parts = [Token("OP", "T", parts[0].pos, parts[0].end)]
            if len(parts) == 1 and parts[0].text == "T":
                sup = parts
                end, j = raw[j2 - 1].end, j2
            else:
                break  # a power: left to the parser as an operator
        else:
            break
    if base.isalpha() is False and base[0].isalpha() and sub is None:
        # Plain "X11" or "W2": letters then digits is a numbered name (X_11), never 11*X.
        m = re.fullmatch(r"([A-Za-z]+?)(\d+)", base)
        if m:
            digits = m.group(2)
            sub = [Token("NUM", digits, pos + len(m.group(1)), end)]
            base = m.group(1)
    token = Token("NAME", base, pos, end, tuple(sub) if sub else None,
                  tuple(sup) if sup else None, rawtext,
                  bool(r.extra.get("font")))
    return token, j


def tokenize(text: str) -> list[Token]:
    """Tokens of ``text``. Raises :class:`ParseError` only for unbalanced braces, and
    :class:`TooBig` for a line too long or nested too deeply to read."""
    check_line(text)
    return _assemble(_raw_tokens(text), text)
