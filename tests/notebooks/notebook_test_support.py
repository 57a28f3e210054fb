"""Paths and notebook makers shared by the notebook tests (a unique module name, so it
never clashes with another test folder's helpers when the whole suite is collected)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
from nbformat import v4

from grader.notebooks import submitted

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "solutions" / "notebook" / "Dropout.toml"


def make_notebook(path: Path, *cells) -> Path:
    """Write a notebook whose cells are ("code"|"markdown", source[, metadata])."""
    nb = v4.new_notebook()
    for i, (kind, source, *meta) in enumerate(cells):
        maker = v4.new_code_cell if kind == "code" else v4.new_markdown_cell
        nb.cells.append(maker(source, id=f"c{i}", metadata=meta[0] if meta else {}))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


# A correct control beside every hostile notebook: its result must not change.
TAG1 = {"tags": ["inline-answer"], "question": "Inline Question 1"}
CONTROL_ANSWER = "The test-time scale is off by 1/p."
FORWARD_CHECK = ("import numpy as np\nfrom cs231n.layers import dropout_forward\n"
                 "np.random.seed(231)\nx = np.random.randn(500, 500) + 10\n"
                 "out, _ = dropout_forward(x, {'mode': 'train', 'p': 0.25})\n"
                 "print('Fraction of train-time output set to zero: ', (out == 0).mean())")


def cell(kind: str, source, **extra) -> dict:
    """One raw cell as JSON data (no validation, so hostile shapes can be written)."""
    raw = {"cell_type": kind, "metadata": extra.pop("metadata", {}), "source": source, **extra}
    if kind == "code":
        raw.setdefault("outputs", [])
        raw.setdefault("execution_count", None)
    return raw


def control_cells() -> list[dict]:
    return [cell("code", FORWARD_CHECK), cell("markdown", "## Inline Question 1:"),
            cell("markdown", CONTROL_ANSWER, metadata=TAG1)]


def write_raw(path: Path, cells: list | None = None, **top) -> Path:
    """Write notebook JSON as given: ``top`` replaces or adds top-level keys."""
    import json
    data = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
            "cells": control_cells() if cells is None else cells, **top}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))
    return path


class InProcessSession:
    """Calls the staged runner module directly, in its staged folder."""

    def __init__(self, root, monkeypatch, fail_with=None):
        monkeypatch.chdir(root)
        monkeypatch.syspath_prepend(str(root))
        # The runner installs its plotting shim as `matplotlib`: undo that after the test.
        for name in [n for n in sys.modules if n.startswith(("matplotlib", "_grader_"))]:
            monkeypatch.setitem(sys.modules, name, sys.modules[name])
        for name in ("matplotlib", "matplotlib.pyplot", "_grader_plotshim", "_grader_nbrunner"):
            if name not in sys.modules:
                monkeypatch.setitem(sys.modules, name, None)
                monkeypatch.delitem(sys.modules, name)
        spec = importlib.util.spec_from_file_location(
            submitted.RUNNER_MODULE, root / f"{submitted.RUNNER_MODULE}.py")
        self.module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(self.module)
        self.fail_with = fail_with
        self.calls = []

    def call(self, target, *args):
        module, _, name = target.partition(":")
        assert module == submitted.RUNNER_MODULE
        self.calls.append(name)
        if self.fail_with and name == "run_cell" and "boom" in args[0]:
            raise self.fail_with
        return getattr(self.module, name)(*args)

    def close(self):
        pass


class InProcessSlot:
    def __init__(self, monkeypatch, call_timeout=5.0, fail_with=None):
        self.monkeypatch, self.fail_with = monkeypatch, fail_with
        self.limits = type("Limits", (), {"call_timeout": call_timeout})()

    def open(self, root):
        return InProcessSession(root, self.monkeypatch, self.fail_with)
