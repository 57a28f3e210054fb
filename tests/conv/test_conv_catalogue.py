"""The conv suite against its catalogue: every mutant loses points where it should, with its
diagnosis; every correct variant gets 100; the released skeleton gets 0."""

from __future__ import annotations

import pytest
from conv_helpers import CATALOGUE, lost

from grader.audit import catalogue

VARIANTS = catalogue.load(CATALOGUE)
MUTANTS = [v.name for v in VARIANTS if v.kind == "mutant"]
CORRECT = [v.name for v in VARIANTS if v.kind == "correct"]
FUNCTIONS = ("conv_forward_naive", "conv_backward_naive", "max_pool_forward_naive",
             "max_pool_backward_naive")


def test_catalogue_covers_enough():
    assert len(MUTANTS) >= 10 and len(CORRECT) >= 3


def test_every_kill_names_a_real_test(conv_variants, conv_test_names):
    for variant in conv_variants.values():
        assert set(variant.kills) <= set(conv_test_names), variant.name
        assert variant.kind == "correct" or (variant.kills and variant.says), variant.name


def test_points_add_up_to_100(conv_results):
    result = conv_results["reference"]
    assert sum(t.max_score for t in result.tests) == 100


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_loses_points_in_its_tests(name, conv_variants, conv_results, conv_test_names):
    variant, result = conv_variants[name], conv_results[name]
    assert result.status == "graded", result.output
    failed = lost(result)
    expected = {conv_test_names[k] for k in variant.kills}
    assert expected <= set(failed), f"{name} passed {sorted(expected - set(failed))}"
    assert any(variant.says in message for message in failed.values()), (
        f"no message of {name} says {variant.says!r}: {list(failed.values())}")


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_costs_only_in_its_tests(name, conv_variants, conv_results, conv_test_names):
    """One mistake, one loss: a mutant fails nothing but the tests it is listed to kill."""
    variant, result = conv_variants[name], conv_results[name]
    expected = {conv_test_names[k] for k in variant.kills}
    assert set(lost(result)) <= expected, sorted(set(lost(result)) - expected)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(name, conv_results):
    result = conv_results[name]
    assert result.status == "graded" and not lost(result), lost(result)
    assert result.score == result.max_score == 100


def test_released_skeleton_scores_zero_naming_each_function(conv_results):
    result = conv_results["released_skeleton"]
    assert result.score == 0
    messages = set(lost(result).values())
    assert messages == {f"{f} is not implemented yet; this check needs it" for f in FUNCTIONS}
