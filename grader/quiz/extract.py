"""Find the formulas in an answer section and the prose around them.

Students surround formulas with prose ("H = D ⊙ Y / p, where D ~ Bernoulli(p) and p is the
keep probability") and mix notations on a line. A formula is a run of math tokens around
a relation (``=``, ``~``, ``/=`` ...), stopped by prose words, sentence punctuation or a
``$``; a line (or ``$...$``) that is all math with an operator is a bare expression. Each
formula is tagged with the phase its prose names ("at test time", ``if mode == 'test':``)
so a test-time formula is not mistaken for the training-time answer. What is not a
formula is returned as prose for :mod:`grader.quiz.prose`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import display_blocks, fenced_blocks
from .derivatives import LOSS_NAMES
from .errors import AnswerError
from .lexer import Token, tokenize
from .parse import FUNCTIONS

CODE_WORDS = frozenset(["np", "numpy", "torch", "random", "rand", "randn", "shape", "astype", "float32", "float64", "float", "dot", "matmul", "multiply", "binomial", "uniform", "normal", "bernoulli", "rng", "ones_like", "zeros_like", "rand_like", "randn_like", "size", "dtype", "standard_normal", "random_sample", "divide", "T", "nn", "functional", "default_rng", "Generator"])
_ANCHORS = {"=", ":=", "~", "+=", "-=", "*=", "/=", "∈", "≈"}
_OPERATORS = {"+", "-", "*", "/", "⊙", ".*", "./", "·", "@", "^", "**", "<", ">"}
_PUNCT = {",", ";", ":", "?", "!", '"', "#", "，", "=>", "&", "|", "$"}
_TEST_WORDS = re.compile(
    r"\b(test|testing|tests|inference|eval|evaluation|prediction|predict|deploy\w*)\b|"
    r"测试|推理|预测", re.IGNORECASE)
_TRAIN_WORDS = re.compile(r"\b(train|training|trains)\b|训练", re.IGNORECASE)
_CLAUSE = re.compile(r"[,;.，。；]\s|[,;，。；]|\.$")
_ALIGN_ENVS = re.compile(r"\\(begin|end)\{(aligned|align\*?|equation\*?|gathered|gather\*?|"
                         r"split|eqnarray\*?|multline\*?)\}")


@dataclass(frozen=True)
class Span:
    """One formula: its tokens, the logical line they index into, and its phase."""

    tokens: tuple[Token, ...]
    line: str
    phase: str  # "train", "test" or "" (not said)
    code: bool = False

    @property
    def text(self) -> str:
        return self.line[self.tokens[0].pos:self.tokens[-1].end]


@dataclass(frozen=True)
class Extracted:
    spans: tuple[Span, ...]
    prose: str
    errors: tuple[AnswerError, ...]
    # Words right after a formula that restrict it to some units ("dY = dH ⊙ D for the
    # dropped units only"); the formula alone does not say what the answer means.
    conditions: tuple[str, ...] = ()


# "dL/dY_i = dL/dH_i / p if unit i was kept, and 0 if it was dropped": cases in words,
# rewritten to \begin{cases} so the parser reads them as the LaTeX cases are read.
_UNIT_WORDS = r"(?:kept|keep|retain\w*|surviv\w*|drop\w*|zeroed|removed|active|inactive)"
_PROSE_CASES = re.compile(
    r"^(?P<head>[^=]*?=)\s*(?P<v1>[^=,;]+?)\s*,?\s+(?P<c1>(?:if|when|for)\s+[^,;]+?)\s*"
    r"(?:[,;]|\bwhile\b|\bwhereas\b)\s*(?:and\s+|or\s+|but\s+)?(?:it\s+is\s+|is\s+)?"
    r"(?P<v2>[^=,;]{1,40}?)\s*,?\s+(?P<c2>(?:if|when|for)\s+[^.;]+?|otherwise|else)"
    r"\s*[.;]?\s*$", re.IGNORECASE)
_CONDITION = re.compile(r"^\s*[,(]?\s*(?:only\s+)?(?:if|when|whenever|for|on)\s+[^.;)]{0,50}?\b"
                        + _UNIT_WORDS + r"\b[^.;)]*", re.IGNORECASE)


def _case_condition(text: str) -> str:
    words = text.strip()
    if words.lower() in ("otherwise", "else"):
        return r"\text{otherwise}"
    head, _, rest = words.partition(" ")
    if "=" in rest:
        return "\\text{" + head + "} " + rest
    return "\\text{" + words.replace("{", " ").replace("}", " ").replace("\\", " ") + "}"


def _prose_cases(line: str) -> str:
    m = _PROSE_CASES.match(line.strip())
    if not m:
        return line
    c1, c2 = m.group("c1"), m.group("c2")
    if not (re.search(_UNIT_WORDS, c1 + " " + c2, re.IGNORECASE) or "=" in c1):
        return line
    v2 = "0" if m.group("v2").strip().lower() in ("zero", "0", "it is 0") else m.group("v2")
    return (f"${m.group('head')} \\begin{{cases}} {m.group('v1')} & {_case_condition(c1)} "
            f"\\\\ {v2} & {_case_condition(c2)} \\end{{cases}}$")


def _phase(text: str) -> str:
    test, train = _TEST_WORDS.search(text), _TRAIN_WORDS.search(text)
    if test and train:
        return "test" if test.start() > train.start() else "train"
    return "test" if test else "train" if train else ""


class _Line:
    def __init__(self, text: str, *, code: bool = False, phase: str = "") -> None:
        self.text, self.code, self.phase = text, code, phase


def _markdown_clean(line: str) -> str:
    line = re.sub(r"^\s{0,3}(?:[-*+]|\d+[.)])\s+", "", line)  # list bullets
    line = re.sub(r"^\s{0,3}#{1,6}\s+", "", line)
    line = re.sub(r"\*\*([^*=\n]+?)\*\*|__([^_=\n]+?)__", lambda m: m.group(1) or m.group(2),
                  line)
    return line.replace("`", " ")


def _display_rows(body: str) -> list[str]:
    """Rows of a display block: ``\\\\`` splits rows, ``&=`` rows continue a chain."""
    body = _ALIGN_ENVS.sub(" ", body)
    rows, depth, start, i = [], 0, 0, 0
    while i < len(body):
        if body.startswith(r"\begin", i):
            depth += 1
        elif body.startswith(r"\end", i):
            depth -= 1
        elif body.startswith("\\\\", i) and depth == 0:
            rows.append(body[start:i])
            start = i + 2
            i += 2
            continue
        i += 1
    rows.append(body[start:])
    merged: list[str] = []
    for row in rows:
        flat = _drop_alignment(row).strip()
        if not flat:
            continue
        if merged and flat.startswith("="):
            merged[-1] = merged[-1] + " " + flat
        else:
            merged.append(flat)
    return merged


def _drop_alignment(row: str) -> str:
    out, depth, i = [], 0, 0
    while i < len(row):
        if row.startswith(r"\begin", i):
            depth += 1
        elif row.startswith(r"\end", i):
            depth -= 1
        if row[i] == "&" and depth == 0 and (i == 0 or row[i - 1] != "\\"):
            out.append(" ")
        else:
            out.append(row[i])
        i += 1
    return "".join(out)


def _code_lines(code: str) -> list[_Line]:
    lines, phase = [], ""
    for raw in code.split("\n"):
        body, _, comment = raw.partition("#")
        stripped = body.strip()
        if comment.strip():
            lines.append(_Line(comment))
        if not stripped:
            continue
        head = re.match(r"(?:el)?if\b(.*):$", stripped)
        if head:
            phase = _phase(head.group(1)) or phase
            continue
        if stripped == "else:":
            phase = "test" if phase == "train" else "train" if phase == "test" else ""
            continue
        if stripped.startswith(("def ", "class ", "import ", "from ", "@", "for ", "while ")):
            if stripped.startswith("def "):
                phase = ""
            continue
        lines.append(_Line(stripped, code=True, phase=phase))
    return lines


def logical_lines(section: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    text = section
    for start, end, body in fenced_blocks(text):
        lines += _text_lines(text[pos:start])
        lines += _code_lines(body)
        pos = end
    lines += _text_lines(text[pos:])
    return lines


def _text_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    for start, end, body in display_blocks(text):
        lines += [_Line(_markdown_clean(x)) for x in text[pos:start].split("\n")]
        lines += [_Line("$" + row + "$") for row in _display_rows(body)]
        pos = end
    lines += [_Line(_markdown_clean(x)) for x in text[pos:].split("\n")]
    return [ln for ln in lines if ln.text.strip()]


class _Classifier:
    def __init__(self, vocab: frozenset[str]) -> None:
        self.vocab = vocab | FUNCTIONS | CODE_WORDS | LOSS_NAMES

    def prose(self, toks: list[Token], i: int) -> bool:
        t = toks[i]
        if t.kind in ("CJK", "OTHER"):
            return True
        if t.kind == "TEXT":
            return not (t.text.isalpha() and t.text in self.vocab)
        if t.kind != "NAME":
            return False
        if t.sub or t.sup or t.font:
            return False
        prev = toks[i - 1] if i > 0 else None
        if prev is not None and prev.kind == "OP" and prev.text == "." and prev.end == t.pos:
            return False
        word = t.text
        if word in self.vocab:
            return False
        if len(word) <= 3 and word != word.lower() and all(c in self.vocab for c in word):
            return False  # pY, DY: juxtaposed one-letter names
        if word[0] == "d" and word[1:] in self.vocab:
            return False  # dY, dout, dx
        if len(word) == 1:
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            return word in ("a", "I") and nxt is not None and nxt.kind == "NAME" and \
                len(nxt.text) > 1 and nxt.text not in self.vocab
        return True

    def boundary(self, toks: list[Token], i: int) -> bool:
        t = toks[i]
        if t.kind == "DOLLAR":
            return True
        if t.kind == "OP" and t.text in _PUNCT:
            return True
        if t.kind == "OP" and t.text == ".":
            nxt = toks[i + 1] if i + 1 < len(toks) else None
            return nxt is None or nxt.pos > t.end or nxt.kind != "NAME"
        return self.prose(toks, i)


def _extend(toks: list[Token], start: int, step: int, cls: _Classifier) -> int:
    """Index of the last math token reached from ``start`` walking by ``step``."""
    i, last, depth = start, start - step, 0
    opener, closer = ("(", "[", "{"), (")", "]", "}")
    while 0 <= i < len(toks):
        t = toks[i]
        if t.kind == "OP" and t.text in (opener if step > 0 else closer):
            depth += 1
        elif t.kind == "OP" and t.text in (closer if step > 0 else opener):
            if depth == 0:
                break
            depth -= 1
        elif t.kind in ("BEGIN",):
            depth += 1 if step > 0 else -1
        elif t.kind in ("END",):
            depth += -1 if step > 0 else 1
        elif depth == 0 and cls.boundary(toks, i):
            break
        elif depth > 0 and (t.kind in ("CJK",) or (t.kind == "NAME" and cls.prose(toks, i)
                                                     and t.text not in ("if", "otherwise"))):
            # A parenthesis holding prose ("(the inverted form)") ends the formula before it.
            return _unwind(toks, start, i, step)
        last = i
        i += step
    while depth and last != start - step:
        # An unclosed bracket: give it back.
        if toks[last].kind == "OP" and toks[last].text in (opener if step > 0 else closer):
            depth -= 1
        last -= step
    return last


def _unwind(toks: list[Token], start: int, i: int, step: int) -> int:
    """Back off to just before the bracket that encloses ``toks[i]``."""
    depth = 0
    j = i
    opener = ("(", "[", "{") if step > 0 else (")", "]", "}")
    closer = (")", "]", "}") if step > 0 else ("(", "[", "{")
    while j != start - step:
        t = toks[j]
        if t.kind == "OP" and t.text in closer:
            depth += 1
        elif t.kind == "OP" and t.text in opener:
            if depth == 0:
                return j - step
            depth -= 1
        j -= step
    return start - step


_NOT_DEFINED = frozenset(["is", "are", "be", "the", "a", "an", "then", "so", "thus", "hence", "therefore", "where", "which", "that", "this", "it", "we", "and", "or", "but", "if", "with", "when", "let", "output", "input", "result", "answer", "formula", "equation", "here", "there"])


def _define(toks: list[Token], i: int, cls: _Classifier) -> None:
    """``keep = np.random.rand(...) < p``: a word assigned to becomes a name."""
    if i == 0 or toks[i].text not in ("=", ":=", "+=", "*=", "/=", "-="):
        return
    word = toks[i - 1]
    if word.kind == "NAME" and word.text.isalpha() and word.text.lower() not in _NOT_DEFINED \
            and cls.prose(toks, i - 1) and i + 1 < len(toks) and not cls.prose(toks, i + 1):
        cls.vocab = cls.vocab | {word.text}


def _spans_in(toks: list[Token], cls: _Classifier) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind == "OP" and t.text in _ANCHORS:
            _define(toks, i, cls)
            lo = _extend(toks, i - 1, -1, cls) if i > 0 else i
            lo = max(lo, found[-1][1] + 1 if found else 0)
            hi = _extend(toks, i + 1, +1, cls)
            if lo < i < hi:
                found.append((lo, hi))
                i = hi + 1
                continue
        i += 1
    return found


def _bare(toks: list[Token], cls: _Classifier, *, math: bool) -> bool:
    body = [t for t in toks if not (t.kind == "OP" and t.text in (".", ",", ";"))]
    if len(body) < 2 or any(cls.boundary(toks, toks.index(t)) for t in body):
        return False
    ops = any(t.kind == "OP" and t.text in _OPERATORS or t.kind == "FRAC" for t in body)
    return ops or math


def find_spans(section: str, vocab: frozenset[str]) -> Extracted:
    """The formulas of ``section`` in reading order, their phases, and the prose."""
    cls = _Classifier(vocab)
    spans: list[Span] = []
    prose: list[str] = []
    errors: list[AnswerError] = []
    conditions: list[str] = []
    heading_phase = ""
    for line in logical_lines(section):
        if not line.code:
            line = _Line(_prose_cases(line.text), phase=line.phase)
        try:
            toks = tokenize(line.text)
        except AnswerError as error:
            errors.append(type(error)(str(error), pos=error.pos, text=line.text))
            continue
        if line.code:
            stmt = re.sub(r"^return\b", "return =", line.text)
            if stmt != line.text:
                line = _Line(stmt, code=True, phase=line.phase)
                toks = tokenize(stmt)
            if toks:
                spans.append(Span(tuple(toks), line.text, line.phase, code=True))
            continue
        ranges = _segments(toks, cls)
        if not ranges:
            prose.append(line.text)
            words = len(re.findall(r"\w+", line.text))
            if words <= 8 and _phase(line.text):
                heading_phase = _phase(line.text)
            continue
        cursor = 0
        for n, (lo, hi) in enumerate(ranges):
            before = line.text[cursor:toks[lo].pos]
            after_end = toks[ranges[n + 1][0]].pos if n + 1 < len(ranges) else len(line.text)
            after = line.text[toks[hi].end:after_end]
            clause_before = _CLAUSE.split(before.rstrip(" ,;:，："))[-1][-40:]
            clause_after = _CLAUSE.split(after.lstrip())[0][:25]
            phase = _phase(clause_before) or _phase(clause_after) or heading_phase
            cond = _CONDITION.match(after)
            if cond:
                conditions.append(cond.group(0).strip(" ,("))
            spans.append(Span(tuple(toks[lo:hi + 1]), line.text, phase))
            prose.append(before)
            cursor = toks[hi].end
        prose.append(line.text[cursor:])
        for t in toks:
            if t.kind == "TEXT":
                prose.append(t.text)
    text = "\n".join(p.replace("$", " ") for p in prose if p.strip(" $\t"))
    return Extracted(tuple(spans), text, tuple(errors), tuple(conditions))


def _segments(toks: list[Token], cls: _Classifier) -> list[tuple[int, int]]:
    """Formula ranges of one line, searched inside each ``$...$`` piece separately."""
    ranges: list[tuple[int, int]] = []
    dollars = [i for i, t in enumerate(toks) if t.kind == "DOLLAR"]
    pieces, start, math = [], 0, False
    for d in dollars + [len(toks)]:
        pieces.append((start, d, math))
        start, math = d + 1, not math
    for lo, hi, is_math in pieces:
        part = toks[lo:hi]
        found = _spans_in(part, cls)
        if not found and _bare(part, cls, math=is_math):
            found = [(0, len(part) - 1)]
        ranges += [(lo + a, lo + b) for a, b in found]
    return ranges
