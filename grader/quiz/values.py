"""Values a formula can stand for besides a sympy expression, and the known names.

A random draw (``np.random.rand(...)``) is not a number until it is compared with a
probability; a distribution (``Bernoulli(p)``) only appears right of ``~``; a matrix
(``\\begin{bmatrix}``) gives several outputs at once. Symbols with fixed meanings live
here too: ``p``, and the entries of a Gaussian mask.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

P = sp.Symbol("p")
GAUSS = sp.Symbol("gauss")  # an entry of a Gaussian multiplicative mask
GAUSS_LT = sp.Symbol("gauss_lt")  # 1[randn < p]: a Bernoulli(Phi(p)) mask
MODULES = frozenset({"np", "numpy", "torch", "rng", "random", "F", "nn", "math", "gen",
                     "generator", "jnp", "tf", "functional"})
UNIFORM = frozenset({"rand", "random", "random_sample", "uniform", "rand_like", "sample",
                     "ranf"})
NORMAL = frozenset({"randn", "normal", "standard_normal", "randn_like", "normal_"})
IDENTITY = frozenset({"astype", "float", "float32", "float64", "double", "copy", "array",
                      "asarray", "tensor", "from_numpy", "type", "to", "numpy", "reshape",
                      "int", "view", "clone", "type_as"})


@dataclass(frozen=True)
class Draw:
    dist: str  # "uniform" | "normal"


@dataclass(frozen=True)
class Dist:
    kind: str  # "bernoulli" | "gaussian" | "uniform"
    q: sp.Expr | None = None


@dataclass(frozen=True)
class Matrix:
    rows: tuple[tuple[object, ...], ...]


class _Shape:
    """``x.shape``, ``*x.shape``: only meaningful as the size of a draw."""

    def __reduce__(self) -> str:
        return "SHAPE"  # one object, also after a trip to a worker process


SHAPE = _Shape()
