"""Plain data passed between discovery, staging, the judge and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Layout:
    """An assignment's submitted files: where each goes in the course package (its
    manifest's ``[files]``), which must be there, and which count only once started."""

    files: tuple[tuple[str, str], ...]  # (submitted name, package path), manifest order
    required: tuple[str, ...] = ()
    # Graded as not submitted while still exactly as released (every TODO raising its stub).
    optional_unless_started: tuple[str, ...] = ()
    # (optional file, what the grader used in its place), said when it was not graded
    when_absent: tuple[tuple[str, str], ...] = ()

    @property
    def paths(self) -> dict[str, str]:
        return dict(self.files)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.files)

    def module(self, name: str) -> str:
        """The module a submitted file is imported as: cs231n/layers.py -> cs231n.layers"""
        return self.paths[name].removesuffix(".py").replace("/", ".")


def default_layout() -> Layout:
    """The files of the assignment GRADER_ASSIGNMENT (or the course's only one) names, for
    callers handed no layout."""
    from ..course import layout
    return layout("")


@dataclass(frozen=True)
class Submission:
    """One student's submission as found on disk (nothing read or run yet)."""

    student: str
    files: dict[str, Path] = field(default_factory=dict)  # submitted name -> source path
    problems: tuple[str, ...] = ()  # what discovery found wrong, in student-facing words
    layout: Layout | None = None  # the assignment's files (None: the course's default)


@dataclass(frozen=True)
class StagedSubmission:
    """A submission copied into a scratch folder, ready for a worker."""

    student: str
    root: Path  # holds the cs231n/ package the worker imports (support files + student's)
    files: tuple[str, ...]  # student files present, e.g. ("layers.py",) or both
    problems: tuple[str, ...]  # carried over from discovery and staging
    content_hash: str  # sha256 of the student's files and the suite's version
    # submitted name -> source, as staged: what the suite may read as text (docstrings,
    # conventions) without trusting anything the worker could rewrite later
    sources: tuple[tuple[str, bytes], ...] = ()
    layout: Layout | None = None  # the assignment's files, for the judge's imports
