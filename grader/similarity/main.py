"""``grader similarity``: rank pairs of submissions by shared normalised code.

Read, fingerprint (in worker processes), rank through an inverted index, work out the
matching regions of the listed pairs, then hand plain data to the CSV and HTML writers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..reports.files import atomic_write
from .fingerprint import WINDOW, K
from .prints import SubmissionPrints, default_jobs, fingerprint_all, skeleton_hashes
from .rank import Pair, rank
from .regions import PairDetail, detail
from .sources import collect, is_notebook, skeleton_sources

MAX_LISTED = 10_000  # pairs written to the CSV; the report says when more qualified


@dataclass(frozen=True)
class ListedPair:
    rank: int
    student_a: str
    student_b: str
    pair: Pair
    detail: PairDetail


@dataclass(frozen=True)
class SimilarityReport:
    """Everything the writers show; they compute nothing."""

    submissions: int
    compared: int  # submissions with at least one fingerprint after removing provided code
    notebooks: int
    k: int
    window: int
    common_fraction: float
    cutoff: int
    common_count: int
    threshold: float
    top: int
    candidates: int
    pairs: list[ListedPair]
    prints: dict[str, SubmissionPrints]  # students of the top pairs, for the side-by-side view
    notes: list[tuple[str, str]]  # (student, note)
    no_own_code: list[str]  # nothing left once the skeleton is removed
    skeleton: str
    provided_lines: frozenset[str] = frozenset()  # stripped skeleton lines, shown paler
    elapsed: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


def main(*, submissions: Path, out: Path, top: int = 20, threshold: float = 0.3,
         common: float = 0.1, jobs: int | None = None, skeleton: Path | None = None,
         k: int = K, window: int = WINDOW, console=None, assignment: str | None = None) -> int:
    """Write OUT/similarity.csv and OUT/similarity.html; returns the exit code (0)."""
    from rich.console import Console

    from .. import paths
    from .progress import Steps

    _check(top=top, threshold=threshold, common=common, jobs=jobs, k=k, window=window)
    console = console or Console()
    skeleton = Path(skeleton) if skeleton else paths.assignment_dir()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    steps = Steps(console)
    from .. import course
    name = course.resolve(assignment)  # whose files, and which notebook, are compared
    subs = collect(Path(submissions), exclude=(Path(out),), assignment=name)
    base = skeleton_sources(skeleton)
    masked = skeleton_hashes(base, k)
    timings["read"] = time.perf_counter() - started
    jobs = jobs or default_jobs()
    with steps.bar("fingerprinting", total=len(subs)) as advance:
        prints = fingerprint_all(subs, masked, jobs=jobs, k=k, window=window, advance=advance)
    timings["fingerprint"] = time.perf_counter() - started - timings["read"]
    mark = time.perf_counter()
    sets = [p.unique_hashes() for p in prints]
    ranking = rank(sets, common_fraction=common, threshold=threshold)
    timings["rank"] = time.perf_counter() - mark
    mark = time.perf_counter()
    listed = []
    for number, pair in enumerate(ranking.pairs[:MAX_LISTED], 1):
        a, b = prints[pair.a], prints[pair.b]
        listed.append(ListedPair(number, a.student, b.student, pair,
                                 detail(a, b, ranking.common, k=k, window=window)))
    timings["regions"] = time.perf_counter() - mark
    shown = {s for p in listed[:top] for s in (p.student_a, p.student_b)}
    report = SimilarityReport(
        submissions=len(prints), compared=int((ranking.sizes > 0).sum()),
        notebooks=sum(any(is_notebook(f) for f in p.files) for p in prints),
        k=k, window=window, common_fraction=common, cutoff=ranking.cutoff,
        common_count=len(ranking.common), threshold=threshold, top=top,
        candidates=len(ranking.pairs), pairs=listed,
        prints={p.student: p for p in prints if p.student in shown},
        notes=[(p.student, note) for p in prints for note in p.notes],
        no_own_code=[p.student for p, size in zip(prints, ranking.sizes)
                     if size == 0 and p.files],
        skeleton=str(skeleton),
        provided_lines=frozenset(line.strip() for f in base for line in f.text.split("\n")),
        elapsed=time.perf_counter() - started, timings=timings)
    from .report_csv import render as render_csv
    from .report_html import render as render_html
    out = Path(out)
    try:
        atomic_write(out / "similarity.csv", render_csv(report))
        atomic_write(out / "similarity.html", render_html(report))
    except OSError as error:
        raise UsageError(f"cannot write the report ({error.strerror or error})",
                         path=out) from None
    steps.summary(report, out)
    return 0


def _check(*, top, threshold, common, jobs, k, window) -> None:
    if top < 0:
        raise UsageError("--top must be 0 or more")
    if not 0.0 <= threshold <= 1.0:
        raise UsageError("--threshold is a share of fingerprints: between 0 and 1")
    if not 0.0 < common <= 1.0:
        raise UsageError("--common is a fraction of the class: above 0, at most 1")
    if jobs is not None and jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if k < 3 or window < 1:
        raise UsageError("k-grams need at least 3 tokens and a window of at least 1")
