"""Fixtures for the notebook tests: the project's paths and small notebooks made on the fly."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_test_support import ROOT, SOURCE, make_notebook  # noqa: F401 (fixtures use them)


@pytest.fixture
def notebook_factory(tmp_path):
    def factory(name: str, *cells) -> Path:
        return make_notebook(tmp_path / name, *cells)
    return factory
