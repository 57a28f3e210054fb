"""Is a student's expression the same as a form? Symbolic first, then numeric evidence.

``sympy``'s ``.equals`` may return ``None`` and has crashed graders, so it is never used.
The symbolic test is ``cancel(expand(a - b)) == 0`` after using that a 0/1 mask is
idempotent (``D**2 = D``, so ``D ⊙ D ⊙ Y`` is ``D ⊙ Y``); the numeric test evaluates both
sides at seeded random points, with opaque functions (a matrix product, a mask of unknown
probability) replaced by fixed arbitrary functions. The two must agree: when they do not,
or either fails, the answer is ``unknown`` and goes to a person.
"""

from __future__ import annotations

import math
import random
from functools import lru_cache

import sympy as sp

from .normalize import GAUSS_LT
from .symbols import BERN, MATMUL

EQUAL, DIFFERENT, UNKNOWN = "equal", "different", "unknown"
_POINTS = 4


def _is_mask(symbol: sp.Symbol, masks: frozenset[str]) -> bool:
    return symbol.name.rstrip("ᵀ") in masks or symbol == GAUSS_LT


def reduce_masks(expr: sp.Expr, masks: frozenset[str]) -> sp.Expr:
    """Expand and replace every power of a 0/1 mask entry by the entry itself."""
    expr = sp.expand(expr)
    targets = [s for s in expr.free_symbols if _is_mask(s, masks)]
    if not targets:
        return expr
    return sp.expand(expr.replace(
        lambda e: e.is_Pow and e.base in targets and e.exp.is_Integer and e.exp > 0,
        lambda e: e.base))


def _stand_ins(expr: sp.Expr) -> sp.Expr:
    expr = expr.replace(MATMUL, lambda a, b: sp.Float(1.37) * a * b + sp.Float(0.61) * a
                        - sp.Float(0.29) * b + sp.Float(0.1))
    return expr.replace(BERN, lambda q: sp.Float(0.3) + sp.Float(0.55) * q ** 2)


def _value(expr: sp.Expr, point: dict) -> complex | None:
    try:
        value = complex(expr.xreplace(point).evalf())
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        return None
    return value


def numeric_equal(a: sp.Expr, b: sp.Expr, *, seed: int) -> bool | None:
    """Both sides agree at seeded random points (None: could not evaluate)."""
    a, b = _stand_ins(a), _stand_ins(b)
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    rng = random.Random(seed)
    for _ in range(_POINTS):
        point = {s: sp.Float(rng.uniform(0.2, 0.8) if s.name == "p" else
                             rng.uniform(0.3, 1.9) * rng.choice((-1, 1))) for s in symbols}
        va, vb = _value(a, point), _value(b, point)
        if va is None or vb is None:
            return None
        if abs(va - vb) > 1e-9 * max(1.0, abs(va), abs(vb)):
            return False
    return True


def symbolic_equal(a: sp.Expr, b: sp.Expr) -> bool | None:
    try:
        return sp.cancel(sp.expand(a - b)) == 0
    except (TypeError, ValueError, ZeroDivisionError, RecursionError,
            sp.PolynomialError, sp.SympifyError):
        return None


@lru_cache(maxsize=20000)
def compare(a: sp.Expr, b: sp.Expr, masks: frozenset[str], seed: int) -> str:
    """EQUAL, DIFFERENT or UNKNOWN; cached because a class repeats the same answers."""
    ra, rb = reduce_masks(a, masks), reduce_masks(b, masks)
    sym = symbolic_equal(ra, rb)
    num = numeric_equal(ra, rb, seed=seed)
    if sym is True and num is True:
        return EQUAL
    if sym is False and num is False:
        return DIFFERENT
    return UNKNOWN
