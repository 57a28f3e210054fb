"""Where two submissions match: aligned regions of lines, and the functions they fall in.

Shared fingerprints are chained into regions the way a reader would see them: a run of
matches that advances in both files together (within a small gap) is one region, so a
function moved elsewhere in the file is a region of its own rather than noise.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .fingerprint import WINDOW, K
from .normalise import function_at
from .prints import SubmissionPrints

MAX_OCCURRENCES = 8  # per fingerprint and side: a line repeated 100 times is one fact


@dataclass(frozen=True)
class Region:
    file_a: str
    lines_a: tuple[int, int]  # first and last line, inclusive
    file_b: str
    lines_b: tuple[int, int]
    fingerprints: int
    function_a: str
    function_b: str
    marked_a: frozenset[int]  # lines holding matched tokens (comment lines never do)
    marked_b: frozenset[int]


@dataclass(frozen=True)
class PairDetail:
    regions: tuple[Region, ...]  # largest first
    tokens_a: int  # normalised tokens of A covered by shared fingerprints
    tokens_b: int
    lines_a: int  # distinct lines of A in matched regions
    lines_b: int
    functions: tuple[tuple[str, str, int], ...]  # (function in A, in B, fingerprints)


def _occurrences(prints: SubmissionPrints, keep: np.ndarray) -> dict[int, list[int]]:
    where: dict[int, list[int]] = {}
    for i in np.flatnonzero(np.isin(prints.hashes, keep)).tolist():
        spots = where.setdefault(int(prints.hashes[i]), [])
        if len(spots) < MAX_OCCURRENCES:
            spots.append(i)
    return where


def detail(a: SubmissionPrints, b: SubmissionPrints, common: np.ndarray, *,
           k: int = K, window: int = WINDOW) -> PairDetail:
    shared = np.intersect1d(np.unique(a.hashes), np.unique(b.hashes))
    shared = shared[~np.isin(shared, common)]
    in_a, in_b = _occurrences(a, shared), _occurrences(b, shared)
    matches = sorted((int(a.file_index[i]), int(a.positions[i]), int(b.file_index[j]),
                      int(b.positions[j]), i, j)
                     for h in in_a for i in in_a[h] for j in in_b.get(h, ()))
    gap = k + window
    chains: list[list[tuple]] = []
    for m in matches:
        for chain in reversed(chains[-4:]):  # a region is continued by a nearby match
            fa, pa, fb, pb = chain[-1][:4]
            if m[0] == fa and m[2] == fb and 0 <= m[1] - pa <= gap and 0 <= m[3] - pb <= gap:
                chain.append(m)
                break
        else:
            chains.append([m])
    regions = [_region(a, b, chain, k) for chain in chains]
    regions.sort(key=lambda r: (-r.fingerprints, r.file_a, r.lines_a))
    functions = Counter()
    for h in in_a:
        if h in in_b:
            i, j = in_a[h][0], in_b[h][0]
            functions[(_function(a, i), _function(b, j))] += 1
    return PairDetail(tuple(regions), _covered(a, in_a, k), _covered(b, in_b, k),
                      len({(r.file_a, n) for r in regions for n in r.marked_a}),
                      len({(r.file_b, n) for r in regions for n in r.marked_b}),
                      tuple((fa, fb, n) for (fa, fb), n in functions.most_common()))


def _region(a: SubmissionPrints, b: SubmissionPrints, chain: list[tuple], k: int) -> Region:
    ia = [m[4] for m in chain]
    ib = [m[5] for m in chain]
    lines_a = (int(a.first_lines[ia].min()), int(a.last_lines[ia].max()))
    lines_b = (int(b.first_lines[ib].min()), int(b.last_lines[ib].max()))
    fa, fb = a.files[chain[0][0]], b.files[chain[0][2]]
    return Region(fa.name, lines_a, fb.name, lines_b, len(chain),
                  function_at(fa.functions, lines_a[0]), function_at(fb.functions, lines_b[0]),
                  _marked(fa.token_lines, [m[1] for m in chain], k),
                  _marked(fb.token_lines, [m[3] for m in chain], k))


def _marked(token_lines: np.ndarray, starts: list[int], k: int) -> frozenset[int]:
    lines: set[int] = set()
    for start in starts:
        lines.update(token_lines[start:start + k].tolist())
    return frozenset(lines)


def _function(prints: SubmissionPrints, i: int) -> str:
    facts = prints.files[int(prints.file_index[i])]
    return f"{facts.name}: " + (function_at(facts.functions, int(prints.first_lines[i]))
                                or "(module level)")


def _covered(prints: SubmissionPrints, where: dict[int, list[int]], k: int) -> int:
    spans: dict[int, set[int]] = {}
    for spots in where.values():
        for i in spots:
            start = int(prints.positions[i])
            spans.setdefault(int(prints.file_index[i]), set()).update(range(start, start + k))
    return sum(len(s) for s in spans.values())
