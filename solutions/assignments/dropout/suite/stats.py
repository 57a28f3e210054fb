"""Acceptance regions derived from the distributions the checks observe.

Every statistical check in this suite accepts an observation when it lies inside a region
that a correct implementation leaves with probability at most ``alpha`` (the check's
false-failure probability). The regions are exact binomial tails or Bernstein bounds, never
"looks close enough", so the false-failure probabilities in README.md are upper bounds.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from grader.suites import directional_error  # noqa: F401 - where the checks found it

# False-failure budget of one statistical check. README.md adds these up per run.
ALPHA = 1e-9


@lru_cache(maxsize=256)
def binomial_region(n: int, p: float, alpha: float = ALPHA) -> tuple[int, int]:
    """Counts [lo, hi] with P(K < lo) <= alpha/2 and P(K > hi) <= alpha/2, K ~ Bin(n, p).

    Exact tails from the log-pmf recursion (a binomial has no closed-form quantile), so
    the region is as tight as the distribution allows at this alpha.
    """
    if not 0.0 < p < 1.0:
        count = n if p >= 1.0 else 0
        return count, count
    k = np.arange(n)
    steps = np.log((n - k) / (k + 1.0)) + math.log(p / (1.0 - p))
    logpmf = np.concatenate(([n * math.log1p(-p)], n * math.log1p(-p) + np.cumsum(steps)))
    pmf = np.exp(logpmf - logpmf.max())
    pmf /= pmf.sum()
    below = np.cumsum(pmf)  # P(K <= k)
    above = np.cumsum(pmf[::-1])[::-1]  # P(K >= k)
    # lo: the first count whose lower tail P(K <= lo - 1) is still within alpha/2.
    lo = int(np.searchsorted(below, alpha / 2, side="right"))
    hi = int(n - np.searchsorted(above[::-1], alpha / 2, side="right"))
    return lo, hi


def fraction_region(n: int, p: float, alpha: float = ALPHA) -> tuple[float, float]:
    """The binomial region as fractions of n."""
    lo, hi = binomial_region(n, p, alpha)
    return lo / n, hi / n


def bernstein_halfwidth(variance: float, bound: float, alpha: float = ALPHA) -> float:
    """t with P(|S - E S| >= t) <= alpha for a sum of independent centred terms.

    ``variance`` is the sum of the terms' variances and ``bound`` bounds each term's
    absolute deviation. Bernstein: P(|S - ES| >= t) <= 2 exp(-t^2 / (2 (V + M t / 3))),
    solved for t.
    """
    log_term = math.log(2.0 / alpha)
    a = log_term * bound / 3.0
    return a + math.sqrt(a * a + 2.0 * log_term * variance)


def mean_region(x: np.ndarray, p: float, alpha: float = ALPHA) -> tuple[float, float]:
    """Where mean(x * B / p) lies with probability >= 1 - alpha, B_i ~ Bernoulli(p) i.i.d.

    Inverted dropout's train output is x_i B_i / p: mean x.mean(), variance per term
    x_i^2 (1 - p) / p, deviation per term at most |x_i| max(1 - p, p) / p.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    variance = float(np.sum(x * x)) * (1.0 - p) / p
    bound = float(np.max(np.abs(x))) * max(1.0 - p, p) / p
    half = bernstein_halfwidth(variance, bound, alpha) / n
    centre = float(x.mean())
    return centre - half, centre + half


def all_lines_constant_probability(size: int, lines: int, p: float) -> float:
    """P(every one of ``lines`` independent lines of ``size`` units is all-kept or all-dropped)."""
    return (p ** size + (1.0 - p) ** size) ** lines


def normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
