"""The seed sweep: correct code never loses points by chance; the sweep does notice a loss."""

from __future__ import annotations

import pytest
from assignments.dropout.audit.sweep import correct_variants, sweep

from grader.audit import catalogue


def test_sweep_counts_a_mutant_as_failing():
    mutant = next(v for v in catalogue.load() if v.name == "randn")
    report = sweep(range(3), variants=[mutant])
    assert report.runs == 3 and report.failures == 3
    assert report.lost["dropout_forward: about 1 - p of the train outputs are zero"] == 3


@pytest.mark.slow
def test_correct_variants_over_many_seeds():
    # The full figure (2,000+ seeds) comes from bench/bench_seed_sweep.py.
    report = sweep(range(1000, 1200), variants=correct_variants())
    assert report.runs == 200 * len(correct_variants())
    assert report.failures == 0, (report.lost, report.examples)
