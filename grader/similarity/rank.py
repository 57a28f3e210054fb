"""Rank pairs of submissions by the fingerprints they share, through an inverted index.

No pair of files is ever compared token by token: every fingerprint lists the
submissions that hold it, and a pair's count is the number of lists it appears in
together. Fingerprints held by many submissions are common code (the way everybody
writes a loop over ``range``), not evidence, and are ignored: the cutoff is stated in
the report.

A pair's score is the mean of the two shares: the fraction of A's fingerprints found in
B and the fraction of B's found in A. Both are reported, because copying part of a
larger submission shows as a high share on one side only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

MIN_COMMON = 3  # below this many submissions a fingerprint is never called common
MIN_SHARED = 2  # one shared fingerprint is a coincidence of 17 tokens, not a pattern
_CHUNK = 4_000_000  # pair codes generated at once (32 MB)


@dataclass(frozen=True)
class Pair:
    a: int  # submission indices, a < b
    b: int
    shared: int  # distinct fingerprints both hold (common ones left out)
    size_a: int  # distinct fingerprints each holds (common ones left out)
    size_b: int

    @property
    def share_a(self) -> float:
        """Fraction of A's fingerprints that are also in B."""
        return self.shared / self.size_a if self.size_a else 0.0

    @property
    def share_b(self) -> float:
        return self.shared / self.size_b if self.size_b else 0.0

    @property
    def score(self) -> float:
        return (self.share_a + self.share_b) / 2


@dataclass(frozen=True)
class Ranking:
    pairs: list[Pair]  # best first, only those at or above the threshold
    sizes: np.ndarray  # per submission: distinct fingerprints kept
    common: np.ndarray  # sorted hashes ignored as common
    cutoff: int  # a fingerprint in more than this many submissions is common
    candidates: int  # pairs sharing at least MIN_SHARED fingerprints, before the threshold


def common_cutoff(submissions: int, fraction: float) -> int:
    return max(MIN_COMMON, math.floor(fraction * submissions))


def rank(hash_sets: list[np.ndarray], *, common_fraction: float, threshold: float,
         limit: int | None = None) -> Ranking:
    """``hash_sets``: each submission's distinct fingerprint hashes (sorted, unique)."""
    n = len(hash_sets)
    cutoff = common_cutoff(n, common_fraction)
    lengths = np.array([len(h) for h in hash_sets], dtype=np.int64)
    if n == 0 or lengths.sum() == 0:
        empty = np.empty(0, dtype=np.uint64)
        return Ranking([], np.zeros(n, dtype=np.int64), empty, cutoff, 0)
    hashes = np.concatenate(hash_sets)
    docs = np.repeat(np.arange(n, dtype=np.int64), lengths)
    order = np.argsort(hashes, kind="stable")
    hashes, docs = hashes[order], docs[order]
    starts = np.flatnonzero(np.r_[True, hashes[1:] != hashes[:-1]])
    counts = np.diff(np.r_[starts, len(hashes)])
    common = hashes[starts[counts > cutoff]]
    common_doc = np.repeat(counts > cutoff, counts)
    sizes = np.bincount(docs[~common_doc], minlength=n)
    shared = _pair_counts(docs, starts, counts, cutoff, n)
    a, b = np.divmod(shared[0], n)
    pairs = [Pair(int(x), int(y), int(s), int(sizes[x]), int(sizes[y]))
             for x, y, s in zip(a, b, shared[1]) if s >= MIN_SHARED]
    candidates = len(pairs)
    pairs = [p for p in pairs if p.score >= threshold]
    pairs.sort(key=lambda p: (-p.score, -p.shared, p.a, p.b))
    if limit is not None:
        pairs = pairs[:limit]
    return Ranking(pairs, sizes, common, cutoff, candidates)


def _pair_counts(docs, starts, counts, cutoff, n) -> tuple[np.ndarray, np.ndarray]:
    """(pair codes a * n + b with a < b, how many fingerprints each pair shares)."""
    partial: list[tuple[np.ndarray, np.ndarray]] = []
    pending: list[np.ndarray] = []
    pending_size = 0

    def flush() -> None:
        nonlocal pending, pending_size
        if pending:
            partial.append(np.unique(np.concatenate(pending), return_counts=True))
        pending, pending_size = [], 0

    for size in np.unique(counts):
        if size < 2 or size > cutoff:
            continue
        group_starts = starts[counts == size]
        # The stable sort kept each group's submissions in ascending order, so a < b.
        members = docs[group_starts[:, None] + np.arange(size)]
        i, j = np.triu_indices(size, k=1)
        for row in range(0, len(members), max(1, _CHUNK // len(i))):
            block = members[row:row + max(1, _CHUNK // len(i))]
            codes = (block[:, i] * n + block[:, j]).ravel()
            pending.append(codes)
            pending_size += len(codes)
            if pending_size >= _CHUNK:
                flush()
    flush()
    if not partial:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    codes = np.concatenate([c for c, _ in partial])
    hits = np.concatenate([h for _, h in partial])
    order = np.argsort(codes, kind="stable")
    codes, hits = codes[order], hits[order]
    firsts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    return codes[firsts], np.add.reduceat(hits, firsts)
