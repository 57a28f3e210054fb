"""``grader similarity``: a ranked code-similarity report across a class, for a person to
read (never a verdict). Student code is tokenized and parsed, never imported or run."""

from __future__ import annotations

from .main import main

__all__ = ["main"]
