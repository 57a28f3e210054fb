"""Which probability the student's p means: this assignment's keep, or the 2016/17 drop.

The 2016/17 skeleton documented dropout_forward's p as the DROP probability ("We drop
each neuron output with probability p"), and its net's ``dropout=0`` meant no dropout.
Code written for that skeleton is right in its own convention and would fail every
statistical check here. A TA grades it in the convention its skeleton defined, so:

- a layers.py whose dropout_forward docstring says p is the drop probability, and whose
  code does read p that way (at p = 0.25 it zeroes fewer than half of the units), is
  called with 1 - p wherever the checks give it a keep probability, with a note;
- a layers.py that says "drop" but keeps with probability p (this assignment's reading)
  is graded as it stands, with a note that its docstring and code disagree;
- anything else (this assignment's docstring) is graded as it stands.

The docstring is read from the staged source as text, never by importing anything. The
net's convention is the net's own (see :mod:`netapi`): an old-API net is given 1 - p.
"""

from __future__ import annotations

import ast
import re

import numpy as np

from grader.suites import shared

from . import data
from .netapi import note

_DROP = re.compile(r"\bdrop(?:s|ped|ping)?\b[^.]*?\bwith\s+probability\s+p\b", re.IGNORECASE)
_KEEP = re.compile(r"\bkeep(?:s|ing)?\b[^.]*?\bwith\s+probability\s+p\b", re.IGNORECASE)

DROP_NOTE = ("Note: your dropout_forward documents p as the DROP probability (\"drop each "
             "neuron output with probability p\", the 2016/17 skeleton) and your code reads it "
             "so. It was graded in that convention: your function was called with p = 1 - "
             "the keep probability, and every p in the messages below is the keep "
             "probability.")
MIXED_NOTE = ("Note: your dropout_forward's docstring says p is the DROP probability, but "
              "your code keeps each unit with probability p, as this assignment defines it; "
              "it was graded as this assignment's keep probability. Make the docstring say "
              "what the code does.")
PROBE_P = 0.25
DOC_READ = 2000  # characters of dropout_forward's docstring read for what p means


def documented(source: bytes | None) -> str | None:
    """'drop' or 'keep' when dropout_forward's docstring says what p is, else None."""
    if not source:
        return None
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # the checks report it
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "dropout_forward":
            # The skeleton says what p is in its first lines; a docstring of any length
            # must not cost the judge more than that (the patterns scan to a full stop).
            doc = (ast.get_docstring(node) or "")[:DOC_READ]
            drop, keep = _DROP.search(doc), _KEEP.search(doc)
            if drop and not keep:
                return "drop"
            if keep and not drop:
                return "keep"
            return None
    return None


class DropConvention:
    """``student.layers`` for code that reads p as the drop probability."""

    def __init__(self, layers) -> None:
        self._layers = layers

    @staticmethod
    def wire(param: dict) -> dict:
        """The dropout_param the student's code expects for a keep-probability param."""
        if isinstance(param, dict) and isinstance(param.get("p"), (int, float)):
            return {**param, "p": 1.0 - param["p"]}
        return param

    def dropout_forward(self, x, dropout_param):
        return self._layers.dropout_forward(x, self.wire(dropout_param))

    def dropout_backward(self, dout, cache):
        return self._layers.dropout_backward(dout, cache)

    def forward_watching_input(self, x, dropout_param):
        return self._layers.forward_watching_input(x, self.wire(dropout_param))


def settle(student) -> str:
    """'keep' or 'drop', decided once per submission before its first check."""
    if student is None or not hasattr(student, "sources"):
        return "keep"
    return shared(student, ("p-convention",), lambda: _decide(student))


def _decide(student) -> str:
    if documented(student.sources.get("layers.py")) != "drop":
        return "keep"
    if _zero_fraction(student) >= 0.5:  # it keeps with probability p: this assignment's p
        note(student, MIXED_NOTE)
        return "keep"
    note(student, DROP_NOTE)
    student.layers = DropConvention(student.layers)
    return "drop"


def _zero_fraction(student) -> float:
    """The fraction of units the code zeroes when handed p = 0.25 as it stands.

    A layer that raises is taken at its docstring's word: its checks fail either way.
    """
    x = data.activations((100, 100), "convention")
    try:
        out, _ = student.layers.dropout_forward(x, {"mode": "train", "p": PROBE_P})
        return float(np.mean(np.asarray(out) == 0))
    except Exception:  # noqa: BLE001 - any failure is the checks' to report
        return 0.0

