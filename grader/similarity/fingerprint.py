"""Winnowing (Schleimer, Wilkerson and Aiken, 2003) over normalised token k-grams.

Every run of ``k`` consecutive normalised tokens is hashed; in every window of ``w``
consecutive k-gram hashes the smallest is kept as a fingerprint. Two files that share a
run of at least ``k + w - 1`` normalised tokens are guaranteed to share a fingerprint,
and runs shorter than ``k`` tokens never match (noise such as ``return V , V``). Because
fingerprints are a set, moving a function elsewhere in the file changes nothing but the
few k-grams that straddle its edges.

The skeleton's k-grams are masked *before* winnowing, so a window never spends its one
fingerprint on provided code and student-written code between skeleton lines is still
fingerprinted.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from .normalise import Normalised

K = 12  # tokens per k-gram: shorter runs are idioms, not evidence
WINDOW = 6  # so any shared run of K + WINDOW - 1 = 17 tokens is always found
_BASE = np.uint64(1_000_003)
_MASKED = np.uint64(2**64 - 1)


@dataclass(frozen=True)
class FilePrints:
    """The fingerprints of one file, as parallel arrays."""

    hashes: np.ndarray  # uint64
    positions: np.ndarray  # int32: index of the k-gram's first normalised token
    first_lines: np.ndarray  # int32: line of its first token
    last_lines: np.ndarray  # int32: line of its last token
    kgrams: int  # how many k-grams the file had (provided code included)


def token_ids(tokens: tuple[str, ...]) -> np.ndarray:
    # crc32, not hash(): the same token must get the same number in every process.
    cache: dict[str, int] = {}
    ids = np.empty(len(tokens), dtype=np.uint64)
    for i, tok in enumerate(tokens):
        value = cache.get(tok)
        if value is None:
            value = cache[tok] = zlib.crc32(tok.encode("utf-8", "surrogatepass")) + 1
        ids[i] = value
    return ids


def kgram_hashes(ids: np.ndarray, k: int = K) -> np.ndarray:
    """A 64-bit rolling hash of every k-gram (arithmetic wraps modulo 2**64)."""
    n = len(ids) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = np.zeros(n, dtype=np.uint64)
    for j in range(k):
        h = h * _BASE + ids[j:j + n]
    # Mix the bits so that the minimum of a window is not biased towards some tokens.
    h ^= h >> np.uint64(31)
    h *= np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    h[h == _MASKED] -= np.uint64(1)
    return h


def winnow(hashes: np.ndarray, window: int = WINDOW) -> np.ndarray:
    """Positions of the fingerprints: the rightmost minimum of every window, once each.

    Masked k-grams hold the largest value, so they are chosen only where a whole window
    is masked, and are dropped afterwards.
    """
    n = len(hashes)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    if n <= window:
        picks = np.array([n - 1 - int(np.argmin(hashes[::-1]))])
    else:
        views = np.lib.stride_tricks.sliding_window_view(hashes, window)
        rightmost = window - 1 - np.argmin(views[:, ::-1], axis=1)
        picks = np.unique(rightmost + np.arange(len(views)))
    return picks[hashes[picks] != _MASKED]


def fingerprint(norm: Normalised, skeleton: np.ndarray | None = None, *,
                k: int = K, window: int = WINDOW) -> FilePrints:
    """The file's fingerprints with every k-gram of the provided code left out.

    ``skeleton`` is the sorted array of every k-gram hash of the released files.
    """
    hashes = kgram_hashes(token_ids(norm.tokens), k)
    if skeleton is not None and len(skeleton) and len(hashes):
        hashes = np.where(np.isin(hashes, skeleton, assume_unique=False), _MASKED, hashes)
    picks = winnow(hashes, window)
    first = np.asarray(norm.lines, dtype=np.int32)
    last = np.asarray(norm.end_lines, dtype=np.int32)
    return FilePrints(hashes=hashes[picks], positions=picks.astype(np.int32),
                      first_lines=first[picks] if len(picks) else first[:0],
                      last_lines=last[picks + k - 1] if len(picks) else last[:0],
                      kgrams=len(hashes))


def all_kgrams(norm: Normalised, k: int = K) -> np.ndarray:
    """Every k-gram hash of a file, sorted and unique: what "provided code" means."""
    return np.unique(kgram_hashes(token_ids(norm.tokens), k))
