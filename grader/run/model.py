"""Plain data passed between discovery, staging, the judge and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The student's files: submitted name -> path inside the staged cs231n package.
STUDENT_FILES = {
    "layers.py": "cs231n/layers.py",
    "fc_net.py": "cs231n/classifiers/fc_net.py",
    # Optional: students add helpers of their own (affine_relu_dropout_forward) here.
    "layer_utils.py": "cs231n/layer_utils.py",
}
REQUIRED_FILES = ("layers.py",)


@dataclass(frozen=True)
class Submission:
    """One student's submission as found on disk (nothing read or run yet)."""

    student: str
    files: dict[str, Path] = field(default_factory=dict)  # submitted name -> source path
    problems: tuple[str, ...] = ()  # what discovery found wrong, in student-facing words


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
