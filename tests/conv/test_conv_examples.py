"""The conv assignment's example class and notebook source are current and behave as described."""

from __future__ import annotations

import importlib.util

import pytest
from conv_helpers import CONV, grade

from grader.notebooks.build import render

EXAMPLES = CONV / "examples"
EXPECTED = {"amara_okafor": 100, "elif_demir": 100, "bjorn_halvorsen": 90,
            "chiara_russo": 95, "daniel_kim": 95, "farah_haddad": 0}  # examples/README.md


def _script():
    spec = importlib.util.spec_from_file_location("conv_make_examples",
                                                  EXAMPLES / "make_examples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_examples_are_current():
    assert _script().main(["--check"]) == 0


def test_examples_score_as_described(tmp_path):
    folders = [EXAMPLES / name for name in EXPECTED]
    results = grade(folders, tmp_path / "staged")
    assert {name: results[name].score for name in EXPECTED} == EXPECTED


@pytest.mark.parametrize("variant", ["student", "solution"])
def test_notebook_source_builds(variant):
    name, text = render(CONV / "notebook" / "ConvolutionalNetworks.toml")[variant]
    assert name == "ConvolutionalNetworks.ipynb"
    assert "correct_out" in text and "conv_backward_naive" in text
