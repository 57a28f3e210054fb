"""Deadlines and late penalties.

A :class:`Policy` (due date with time zone, grace period, penalty rule, extensions, where
submission times come from) is read from a ``[deadline]`` TOML table; a
:class:`LateSource` turns it into one ``late`` adjustment per student, which
:mod:`grader.adjust` applies after grading and the reports render. The judge's score is
never touched: the gradebook keeps the score as graded, the lateness and the penalised
score side by side.
"""

from __future__ import annotations

from .penalty import Penalty
from .policy import DeadlineError, Policy, load_policy, load_policy_file, parse_duration
from .source import LateSource, build_source, decide

__all__ = ["DeadlineError", "LateSource", "Penalty", "Policy", "build_source", "decide",
           "load_policy", "load_policy_file", "parse_duration"]
