"""Statements of a formula answer -> what the answer says the target is.

Statements are read in order like a small program that is never run: ``mask = (rand <
p) / p`` binds ``mask``, ``out = x * mask`` then means ``x * D / p``, ``out /= p`` updates
``out``. A statement whose left side is the question's target (``H``, ``out``,
``dL/dY``, ``dx``, ``return ...``) gives a *candidate* reading, tagged with its phase
(training or test time). A chain ``dL/dY = dL/dH ⊙ ∂H/∂Y = dL/dH ⊙ D`` is read at its last
member that is not a chain-rule step. When the left side and a right-side name are two
aliases of one role (``y = mask * x / p``, ``dx = dy * mask``), the left one is read as
the target and the right one as the source.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import sympy as sp

from .bounds import check_count, check_expr
from .errors import AnswerError, NormalizeError, ParseError
from .extract import Extracted
from .normalize import GAUSS, Converter, Dist, Scope
from .parse import Side, Statement, parse_statement
from .symbols import Intermediate, Vocab


@dataclass(frozen=True)
class Candidate:
    expr: sp.Expr
    text: str  # the statement as the student wrote it
    phase: str  # "train" | "test" | ""


@dataclass
class Reading:
    train: list[Candidate] = field(default_factory=list)
    test: list[Candidate] = field(default_factory=list)
    errors: list[AnswerError] = field(default_factory=list)
    notes: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)
    draws: int = 0  # random draws made in this answer (a redrawn mask in a backward pass)
    mask: str = ""  # what the answer says the mask is, in words
    statements: int = 0
    env: dict[str, object] = field(default_factory=dict)  # final bindings (not the target)
    local: list[Candidate] = field(default_factory=list)  # dH/dY = ... statements
    conditions: list[str] = field(default_factory=list)  # "for the dropped units only"


def _single_name(side: Side) -> ast.AST | None:
    node = side.tree
    if isinstance(node, ast.Name) and node.id.startswith("_n"):
        return node
    if isinstance(node, ast.Subscript):
        base = node
        while isinstance(base, ast.Subscript):
            base = base.value
        if isinstance(base, ast.Name) and base.id.startswith("_n"):
            return node
    return None


def _raw(side: Side, node: ast.AST) -> str:
    while isinstance(node, ast.Subscript):
        node = node.value
    tok = side.name(node)
    return tok.raw or tok.text


def _names(side: Side) -> list[str]:
    return [t.raw or t.text for t in side.names]


class _Reader:
    def __init__(self, vocab: Vocab, scope: Scope, reading: Reading) -> None:
        self.vocab, self.scope, self.reading = vocab, scope, reading
        q = vocab.question
        self.target, self.source = q.target, q.source

    def role_of(self, side: Side, node: ast.AST) -> str | None:
        base = node
        while isinstance(base, ast.Subscript):
            base = base.value
        tok = side.name(base)
        if (tok.raw or tok.text) == "return":
            return self.target
        try:
            role, _ = self.vocab.resolve(tok)
        except Intermediate:
            return None
        return role.name if role else None

    def statement(self, st: Statement, phase: str) -> None:
        self.scope.rename = {}
        if st.kind == "dist":
            self._dist(st)
        elif st.kind == "aug":
            lhs = _single_name(st.sides[0])
            if lhs is None:
                raise ParseError("the left side of an update must be a name", pos=st.pos)
            op = {"+": ast.Add(), "-": ast.Sub(), "*": ast.Mult(), "/": ast.Div()}[st.op]
            self._bind(st, st.sides[0], lhs, [(st.sides[1], op)], phase)
        elif st.kind == "eq":
            sides = list(st.sides)
            lhs = _single_name(sides[0])
            if lhs is None and _single_name(sides[-1]) is not None:
                sides.reverse()
                lhs = _single_name(sides[0])
            if lhs is None:
                return  # P(D = 1) = p and the like: left to the prose reader
            self._bind(st, sides[0], lhs, [(s, None) for s in reversed(sides[1:])], phase)
        elif st.kind == "expr":
            value = Converter(self.scope, st.sides[0]).sympy()
            self._candidate(value, st, phase, update=False)
        elif st.kind == "in":
            self._membership(st)

    def _bind(self, st: Statement, lhs_side: Side, lhs: ast.AST,
              members: list[tuple[Side, ast.operator | None]], phase: str) -> None:
        raw = _raw(lhs_side, lhs)
        role = self.role_of(lhs_side, lhs)
        self._index_from(lhs_side, lhs)
        last_error: AnswerError | None = None
        for side, op in members:
            self._rename(raw, role, side)
            key_role = self.scope.rename.get(raw, role)
            self.scope.used = set()
            try:
                value = Converter(self.scope, side).sympy()
            except Intermediate:
                continue
            except AnswerError as error:
                last_error = error
                continue
            if op is not None:
                current = Converter(self.scope, lhs_side).sympy()
                value = check_expr(sp.sympify(_apply(op, current, value)))
                self.scope.used.add(key_role or raw)
            key = key_role or raw
            update = key in self.scope.used or raw in self.scope.used
            if "/" in raw and phase != "test":
                # dH/dY = D/p: the local derivative given where dL/dY was asked; kept
                # as a reading in case the answer has nothing else.
                self.reading.local.append(Candidate(value, st.text, phase))
            if key == self.target:
                self._candidate(value, st, phase, update=update)
            if phase != "test" or key != self.target:
                self.scope.env[key] = value
                if raw != key:
                    self.scope.env.pop(raw, None)
            return
        if last_error is not None:
            raise last_error
        raise NormalizeError("no member of this chain can be read as a formula")

    def _index_from(self, side: Side, node: ast.AST) -> None:
        """The left side's subscript fixes which indices mean "the same entry"."""
        if self.scope.canonical is not None:
            return
        if isinstance(node, ast.Subscript):
            sl = node.slice
            elts = sl.elts if isinstance(sl, ast.Tuple) else [sl]
            if all(isinstance(e, ast.Name) for e in elts):
                self.scope.canonical = tuple(side.name(e).raw or side.name(e).text
                                             for e in elts)
            return
        tok = side.name(node)
        try:
            role, index = self.vocab.resolve(tok)
        except Intermediate:
            return
        if role is not None and index is not None and role.kind != "grid":
            self.scope.canonical = index

    def _rename(self, raw: str, role: str | None, side: Side) -> None:
        """``y = x * m`` or ``dx = dy * mask``: two aliases of one role on both sides."""
        if role is None or role not in (self.target, self.source) or raw == "return":
            return
        for name_tok in side.names:
            other = name_tok.raw or name_tok.text
            if other == raw or other in self.scope.env:
                continue
            try:
                other_role, _ = self.vocab.resolve(name_tok)
            except Intermediate:
                continue
            if other_role is not None and other_role.name == role and self.source:
                self.scope.rename[raw] = self.target
                self.scope.rename[other] = self.source
                self.scope.notes.add("renamed")
                return

    def _candidate(self, value: sp.Expr, st: Statement, phase: str, *, update: bool) -> None:
        bucket = self.reading.test if phase == "test" else self.reading.train
        cand = Candidate(value, st.text, phase)
        if update and bucket:
            bucket[-1] = cand
        else:
            bucket.append(cand)

    def _dist(self, st: Statement) -> None:
        lhs = _single_name(st.sides[0])
        if lhs is None:
            raise ParseError("the left side of '~' must be a name", pos=st.pos)
        raw, role = _raw(st.sides[0], lhs), self.role_of(st.sides[0], lhs)
        dist = Converter(self.scope, st.sides[1]).value(st.sides[1].tree)
        if not isinstance(dist, Dist):
            raise NormalizeError("the right side of '~' should be a distribution such as "
                                 "Bernoulli(p)", pos=st.pos)
        if dist.kind == "bernoulli":
            value = self.scope.mask(dist.q)
            self.reading.mask = f"Bernoulli({sp.sstr(dist.q)})"
        elif dist.kind == "gaussian":
            value, self.reading.mask = GAUSS, "Gaussian"
        else:
            raise NormalizeError("a uniform variable is not a mask", pos=st.pos)
        self.scope.env[role or raw] = value

    def _membership(self, st: Statement) -> None:
        lhs = _single_name(st.sides[0])
        if lhs is None:
            return
        role = self.role_of(st.sides[0], lhs)
        if role is None or self.vocab.roles[role].kind != "mask":
            return
        values = Converter(self.scope, st.sides[1]).value(st.sides[1].tree)
        values = values if isinstance(values, tuple) else (values,)
        nonzero = [v for v in values if isinstance(v, sp.Basic) and v != 0]
        if len(nonzero) == 1 and nonzero[0] != 1:
            # D_ij ∈ {0, 1/p}: the mask already carries the inverted scaling.
            self.scope.env[role] = self.scope.mask(self.scope.p()) * nonzero[0]
            self.reading.mask = f"values in {{0, {sp.sstr(nonzero[0])}}}"


def _apply(op: ast.operator, a: sp.Expr, b: sp.Expr) -> sp.Expr:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    return a / b


def read_formulas(extracted: Extracted, vocab: Vocab, *, drop_convention: bool = False,
                  preset: dict[str, object] | None = None) -> Reading:
    """Candidates for the question's target from the formulas found in an answer."""
    reading = Reading()
    scope = Scope(vocab, drop_convention=drop_convention, env=dict(preset or {}))
    reader = _Reader(vocab, scope, reading)
    reading.errors.extend(extracted.errors)
    reading.conditions.extend(extracted.conditions)
    check_count(len(extracted.spans))
    parsed: list[tuple[object, Statement | None]] = []
    for span in extracted.spans:
        try:
            parsed.append((span, parse_statement(list(span.tokens), span.line)))
        except ParseError as error:
            if not span.code or _mentions_target(span, vocab):
                reading.errors.append(error)
    # Definitions ("where D ~ Bernoulli(p)", "D_ij ∈ {0, 1/p}") hold for the whole
    # answer, also for the formulas written before them.
    parsed.sort(key=lambda item: item[1].kind not in ("dist", "in"))
    for span, st in parsed:
        reading.statements += 1
        try:
            reader.statement(st, span.phase)
        except AnswerError as error:
            if not span.code or _mentions_target(span, vocab):
                error.text = error.text or span.line
                if error.pos is None:
                    error.pos = span.tokens[0].pos
                reading.errors.append(error)
        except (TypeError, ValueError, ZeroDivisionError, AttributeError,
                sp.SympifyError) as error:
            reading.errors.append(NormalizeError(f"cannot read this formula ({error})",
                                                 pos=span.tokens[0].pos, text=span.line))
    if not reading.train and vocab.question.source.startswith("d"):
        reading.train = list(reading.local)
    reading.notes |= scope.notes
    reading.unknown |= scope.unknown
    reading.draws = scope.draws
    q = vocab.question
    reading.env = {k: v for k, v in scope.env.items() if k not in (q.target, q.source)}
    return reading


def _mentions_target(span, vocab: Vocab) -> bool:
    """A code line matters when it assigns the target (plumbing lines may be skipped)."""
    first = span.tokens[0]
    if first.kind != "NAME":
        return False
    raw = first.raw or first.text
    if raw == "return":
        return True
    try:
        role, _ = vocab.resolve(first)
    except Intermediate:
        return False
    return role is not None and role.name == vocab.question.target
