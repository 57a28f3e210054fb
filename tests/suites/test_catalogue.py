"""Every known mistake loses points where it should, with its diagnosis; correct code gets 100."""

from __future__ import annotations

import pytest

from grader.audit import catalogue

VARIANTS = catalogue.load()
MUTANTS = [v.name for v in VARIANTS if v.kind == "mutant"]
CORRECT = [v.name for v in VARIANTS if v.kind == "correct"]


def test_catalogue_covers_enough():
    assert len(MUTANTS) >= 15 and len(CORRECT) >= 5
    assert any(dict(v.patch).get("fc_net.py") for v in VARIANTS
               if v.kind == "mutant")  # net mistakes too


@pytest.mark.parametrize("name", MUTANTS)
def test_mutant_loses_points_in_its_tests(name, variants, catalogue_results, test_names):
    variant, result = variants[name], catalogue_results[name]
    assert result.status == "graded", result.output
    lost = {t.name: t.output for t in result.tests if t.score < t.max_score}
    expected = {test_names[k] for k in variant.kills}
    assert expected <= set(lost), f"{name} passed {sorted(expected - set(lost))}"
    assert any(variant.says in message for message in lost.values()), (
        f"no message of {name} says {variant.says!r}: {list(lost.values())}")


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_full_marks(name, catalogue_results):
    result = catalogue_results[name]
    lost = {t.name: t.output for t in result.tests if not t.passed}
    assert result.status == "graded" and not lost, lost
    assert result.score == result.max_score == 100


def test_every_kill_names_a_real_test(variants, test_names):
    for variant in variants.values():
        assert set(variant.kills) <= set(test_names), variant.name
        assert variant.kind == "correct" or (variant.kills and variant.says), variant.name
