"""Fixtures for suite tests: the audit catalogue graded once, in-process, in one batch."""

from __future__ import annotations

import pytest
from suite_helpers import SUITE, grade

from grader.audit import catalogue


@pytest.fixture(scope="session")
def variants():
    return {v.name: v for v in catalogue.load()}


@pytest.fixture(scope="session")
def catalogue_results(tmp_path_factory, variants):
    work = tmp_path_factory.mktemp("catalogue")
    folders = [catalogue.build(v, work / "submissions") for v in variants.values()]
    return grade(folders, work / "staged")


@pytest.fixture(scope="session")
def test_names():
    """Test function name -> name shown to students."""
    return catalogue.suite_tests(SUITE)
