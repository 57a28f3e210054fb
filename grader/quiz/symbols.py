"""What a name in an answer stands for, from the question's symbol table.

A Hadamard product is compared entry by entry: an array role ``D`` becomes one
commutative sympy symbol ``D`` standing for "the generic entry D_ij", so ``D ⊙ Y``,
``D .* Y``, ``D_{ij} Y_{ij}`` and ``m_i y_i`` are all the product ``D*Y``. The same entry
with swapped indices (``Y_{ji}``, ``Y^T``) is the different symbol ``Yᵀ``, and an entry
at unrelated indices (``Y_{ik}`` when the answer is about ``_{ij}``) another one, so
neither can be mistaken for the right answer. Grid roles (Q3's X, W, O) are numbered
entries: ``X_{11}``, ``X11``, ``X₁₁`` and ``X[0][0]`` are all the symbol ``X_11``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from .lexer import Token
from .model import Question

GRADIENT_WORDS = ("delta", "nabla", "grad", "g", "d")


@dataclass(frozen=True)
class Role:
    name: str
    kind: str  # array | mask | scalar | grid


class Intermediate(Exception):
    """A chain-rule factor such as dH/dY: the statement member is a step, not the answer."""


class Vocab:
    """The question's names and aliases; resolution is case-sensitive, like math."""

    def __init__(self, question: Question) -> None:
        self.question = question
        self.roles = {s.name: Role(s.name, s.kind) for s in question.symbols}
        self.alias: dict[str, str] = {}
        self.calls: dict[str, str] = {}  # "sigma(Z)" -> "Y"
        for spec in question.symbols:
            self.alias[spec.name] = spec.name
            for a in spec.aliases:
                if "(" in a:
                    self.calls[a.replace(" ", "")] = spec.name
                else:
                    self.alias.setdefault(a, spec.name)
        self.letters = frozenset(a for a in self.alias if len(a) == 1)

    def words(self) -> frozenset[str]:
        """Identifiers that are math, not prose, in this question's answers."""
        out = set(self.alias)
        out |= {"d" + a for a in self.alias} | {"d" + r for r in self.roles}
        out |= {c.split("(")[0] for c in self.calls}
        return frozenset(out)

    def role(self, name: str) -> Role | None:
        key = self.alias.get(name)
        return self.roles.get(key) if key else None

    def gradient_of(self, name: str) -> Role | None:
        """``dY``, ``dx``, ``dL/dY`` (collapsed to ``dY``): the gradient role, if any."""
        if "/" in name:
            raise Intermediate(name)
        if len(name) > 1 and name[0] == "d":
            inner = self.role(name[1:])
            if inner is not None:
                return self.roles.get("d" + inner.name)
        return None

    def resolve(self, tok: Token) -> tuple[Role | None, tuple[str, ...] | None]:
        """(role, index) of a name token; index is the subscript read as indices."""
        raw = tok.raw or tok.text
        if "/" in tok.text:
            raise Intermediate(tok.text)
        for candidate in (raw, raw.replace("_", ""), raw.replace("{", "").replace("}", "")):
            role = self.role(candidate) or self.gradient_of(candidate)
            if role is not None:
                return role, None
        role = self.role(tok.text) or self.gradient_of(tok.text)
        if role is None and tok.sub and tok.text in GRADIENT_WORDS:
            inner = self.role(tok.sub_text.strip("{}"))
            if inner is not None:
                grad = self.roles.get("d" + inner.name)
                if grad is not None:
                    return grad, None
        if role is None:
            return None, None
        return role, split_index(tok) if tok.sub else None

    def split_letters(self, word: str) -> list[str] | None:
        """``pY`` -> ["p", "Y"] when every letter is a one-letter name of the question."""
        if 1 < len(word) <= 3 and all(c in self.letters for c in word):
            return list(word)
        return None


def split_index(tok: Token) -> tuple[str, ...]:
    """Subscript as indices: ``ij`` -> (i, j); ``i,j`` -> (i, j); ``11`` -> (1, 1)."""
    text = "".join(t.text for t in tok.sub or ())
    text = text.replace("{", "").replace("}", "").replace(" ", "")
    if "," in text:
        return tuple(text.split(","))
    if re.fullmatch(r"[A-Za-z]+|\d+", text):
        return tuple(text)
    return (text,)


def entry_symbol(role: Role, index: tuple[str, ...] | None,
                 canonical: tuple[str, ...] | None) -> sp.Symbol:
    """The symbol of an array entry given the answer's canonical index."""
    if index is None or canonical is None or tuple(index) == tuple(canonical):
        return sp.Symbol(role.name)
    if len(index) == 2 and tuple(index) == tuple(reversed(canonical)):
        return sp.Symbol(role.name + "ᵀ")
    return sp.Symbol(f"{role.name}[{','.join(index)}]")


def grid_symbol(role: Role, row: int, col: int) -> sp.Symbol:
    return sp.Symbol(f"{role.name}_{row}{col}")


def transpose(expr: sp.Expr, arrays: frozenset[str]) -> sp.Expr:
    """Transpose an entry-wise expression: every generic entry swaps to its ᵀ twin and a
    matrix product reverses, (AB)ᵀ = BᵀAᵀ."""
    if isinstance(expr, sp.Symbol):
        name = expr.name
        if name in arrays:
            return sp.Symbol(name + "ᵀ")
        if name.endswith("ᵀ") and name[:-1] in arrays:
            return sp.Symbol(name[:-1])
        return expr
    if isinstance(expr, sp.Function) and expr.func == MATMUL:
        return MATMUL(transpose(expr.args[1], arrays), transpose(expr.args[0], arrays))
    if not expr.args:
        return expr
    return expr.func(*[transpose(a, arrays) for a in expr.args])


MATMUL = sp.Function("matmul")  # a matrix product: opaque, never equal to entry-wise
BERN = sp.Function("bern")  # a Bernoulli mask with a keep probability other than p, 1-p
