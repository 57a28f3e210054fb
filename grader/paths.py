"""Where the grader's own resources live.

The grader ships beside its reference solution and quiz data (a source checkout or
an exported autograder bundle). ``GRADER_HOME`` overrides the location.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InternalError


def project_root() -> Path:
    override = os.environ.get("GRADER_HOME")
    root = Path(override) if override else Path(__file__).resolve().parent.parent
    if not (root / "solutions").is_dir():
        raise InternalError(
            f"cannot find the reference solutions under {root}: "
            "set GRADER_HOME to the folder that holds solutions/ and assignment/")
    return root


def solutions_dir() -> Path:
    return project_root() / "solutions"


def assignment_dir() -> Path:
    return project_root() / "assignment"


def quizzes_dir() -> Path:
    return project_root() / "quizzes"


def suites_dir() -> Path:
    return Path(__file__).resolve().parent / "suites"
