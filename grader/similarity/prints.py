"""One submission's fingerprints, computed where it is cheap to run many at once.

:func:`fingerprint_all` spreads submissions over worker processes (normalising is the
slow part: ~8 ms for a layers.py). Workers receive text and return arrays; they never
import or execute student code, so they need no sandbox. One student's file that breaks
the normaliser becomes a note on that student, never a failed run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np

from .fingerprint import WINDOW, K, all_kgrams, fingerprint
from .normalise import normalise
from .sources import Collected, SourceFile

IN_PROCESS_BELOW = 40  # starting worker processes costs more than this many files take


@dataclass(frozen=True)
class FileFacts:
    name: str
    text: str
    parsed: bool
    tokenizer: str
    tokens: int
    functions: tuple[tuple[int, int, str], ...]
    token_lines: np.ndarray  # int32: the line of each normalised token


@dataclass(frozen=True)
class SubmissionPrints:
    student: str
    files: tuple[FileFacts, ...]
    hashes: np.ndarray  # uint64, one per fingerprint (a hash may repeat)
    file_index: np.ndarray  # int16: which of ``files``
    positions: np.ndarray  # int32: first token of the k-gram in that file
    first_lines: np.ndarray  # int32
    last_lines: np.ndarray  # int32
    notes: tuple[str, ...] = ()

    def unique_hashes(self) -> np.ndarray:
        return np.unique(self.hashes)


def skeleton_hashes(files: list[SourceFile], k: int = K) -> np.ndarray:
    parts = [all_kgrams(normalise(f.text), k) for f in files]
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)


def submission_prints(sub: Collected, skeleton: np.ndarray, k: int = K,
                      window: int = WINDOW) -> SubmissionPrints:
    facts, arrays, notes = [], [], list(sub.notes)
    for source in sub.files:
        try:
            norm = normalise(source.text)
            prints = fingerprint(norm, skeleton, k=k, window=window)
        except Exception as error:  # noqa: BLE001 - hostile input must not stop the class
            notes.append(f"{source.name} could not be normalised ({type(error).__name__}); "
                         "not compared.")
            continue
        index = len(facts)
        facts.append(FileFacts(source.name, source.text, norm.parsed, norm.tokenizer,
                               len(norm.tokens), norm.functions,
                               np.asarray(norm.lines, dtype=np.int32)))
        arrays.append((prints, index))
        if not norm.parsed:
            notes.append(f"{source.name} is not valid Python 3; compared by its tokens.")
    if arrays:
        hashes = np.concatenate([p.hashes for p, _ in arrays])
        file_index = np.concatenate([np.full(len(p.hashes), i, dtype=np.int16)
                                     for p, i in arrays])
        positions = np.concatenate([p.positions for p, _ in arrays])
        first = np.concatenate([p.first_lines for p, _ in arrays])
        last = np.concatenate([p.last_lines for p, _ in arrays])
    else:
        hashes = np.empty(0, dtype=np.uint64)
        file_index = np.empty(0, dtype=np.int16)
        positions = first = last = np.empty(0, dtype=np.int32)
    return SubmissionPrints(sub.student, tuple(facts), hashes, file_index, positions,
                            first, last, tuple(notes))


_SKELETON: np.ndarray | None = None
_PARAMS: tuple[int, int] = (K, WINDOW)


def _init(skeleton: np.ndarray, k: int, window: int) -> None:
    global _SKELETON, _PARAMS
    _SKELETON, _PARAMS = skeleton, (k, window)


def _work(sub: Collected) -> SubmissionPrints:
    return submission_prints(sub, _SKELETON, *_PARAMS)


def fingerprint_all(subs: list[Collected], skeleton: np.ndarray, *, jobs: int,
                    k: int = K, window: int = WINDOW, advance=lambda: None
                    ) -> list[SubmissionPrints]:
    """Fingerprints of every submission, in the order given; ``advance`` per submission."""
    if jobs <= 1 or len(subs) < IN_PROCESS_BELOW:
        out = []
        for sub in subs:
            out.append(submission_prints(sub, skeleton, k, window))
            advance()
        return out
    # Never fork: the progress bar's thread may hold a lock at the moment of the fork.
    method = "forkserver" if sys.platform.startswith("linux") else "spawn"
    chunk = max(1, min(16, len(subs) // (jobs * 8)))
    out: list[SubmissionPrints] = []
    try:
        with ProcessPoolExecutor(jobs, mp_context=mp.get_context(method), initializer=_init,
                                 initargs=(skeleton, k, window)) as pool:
            for prints in pool.map(_work, subs, chunksize=chunk):
                out.append(prints)
                advance()
    except BrokenProcessPool:
        # A worker died (killed for memory, or a start method this host cannot run): the
        # rest is done here, slower but complete.
        for sub in subs[len(out):]:
            out.append(submission_prints(sub, skeleton, k, window))
            advance()
    return out


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
