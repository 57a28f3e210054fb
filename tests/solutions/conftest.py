"""Make the reference ``cs231n`` package of ``solutions/`` importable for these tests.

The package is imported by its CS231n name, so whichever tree comes first on
``sys.path`` wins; the check below turns a shadowing copy (an ``assignment/`` on
the path, a stray ``cs231n`` install) into a clear error instead of tests that
silently exercise the skeleton.
"""

import sys
from pathlib import Path

import pytest

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"

if str(SOLUTIONS) not in sys.path:
    sys.path.insert(0, str(SOLUTIONS))

import cs231n

if Path(cs231n.__file__).resolve().parent != SOLUTIONS / "cs231n":
    raise RuntimeError(f"cs231n is imported from {cs231n.__file__}, not from {SOLUTIONS}")


@pytest.fixture
def no_cifar(monkeypatch, tmp_path):
    """Hide any real CIFAR-10 so the loader has to take its synthetic fallback."""
    from cs231n import data_utils
    monkeypatch.delenv("CIFAR10_DIR", raising=False)
    monkeypatch.setattr(data_utils, "DATASETS_DIR", str(tmp_path / "no-datasets"))
    return data_utils
