"""Fixtures of the conv assignment's tests: its audit catalogue graded once, in one batch."""

from __future__ import annotations

import pytest
from conv_helpers import CATALOGUE, SKELETON_LAYERS, SUITE, build_variant, folder_with, grade

from grader.audit import catalogue


@pytest.fixture(scope="session")
def conv_variants():
    return {v.name: v for v in catalogue.load(CATALOGUE)}


@pytest.fixture(scope="session")
def conv_results(tmp_path_factory, conv_variants):
    """Every catalogue variant and the released skeleton, graded in-process in one batch."""
    work = tmp_path_factory.mktemp("conv-catalogue")
    folders = [build_variant(v, work / "submissions") for v in conv_variants.values()]
    folders.append(folder_with(work / "submissions", "released_skeleton",
                               SKELETON_LAYERS.read_text(encoding="utf-8")))
    return grade(folders, work / "staged")


@pytest.fixture(scope="session")
def conv_test_names():
    """Test function name -> the name students see."""
    return catalogue.suite_tests(SUITE)
