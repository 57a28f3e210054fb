"""Fixtures for the notebook tests: the project's paths and small notebooks made on the fly."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from notebook_test_support import ROOT, SOURCE, make_notebook  # noqa: F401 (fixtures use them)


@pytest.fixture
def notebook_factory(tmp_path):
    def factory(name: str, *cells) -> Path:
        return make_notebook(tmp_path / name, *cells)
    return factory


@pytest.fixture
def code_root(tmp_path):
    package = tmp_path / "staged" / "cs231n"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "layers.py").write_text(
        "def dropout_forward(x, param):\n"
        "    raise NotImplementedError('dropout_forward: implement the training forward pass')\n")
    return tmp_path / "staged"


@pytest.fixture
def forget_cs231n():
    # Other tests may have imported the reference cs231n; each test here must import the
    # package it staged, then leave sys.modules as it found it.
    before = {k: sys.modules.pop(k) for k in list(sys.modules)
              if k == "cs231n" or k.startswith("cs231n.")}
    yield
    for name in [k for k in sys.modules if k == "cs231n" or k.startswith("cs231n.")]:
        del sys.modules[name]
    sys.modules.update(before)
