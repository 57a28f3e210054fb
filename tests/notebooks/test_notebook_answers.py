"""Inline answers are found by tag, by heading when tags are gone, and untouched cells are empty."""

from __future__ import annotations

import json

import pytest
from notebook_test_support import ROOT

from grader.errors import InputFileError
from grader.notebooks.answers import clean_answer, extract_answers

TAG = {"tags": ["inline-answer"], "question": "Inline Question 1"}


def test_answers_come_from_tagged_cells_whatever_their_text(notebook_factory):
    path = notebook_factory(
        "Dropout.ipynb",
        ("markdown", "## Inline Question 1:\nWhat happens?"),
        ("markdown", "I rewrote the prompt. Activations are 1/p too large at test time.", TAG),
        ("markdown", "## Inline Question 2:\nCompare."),
        ("markdown", "*Your answer:*", {**TAG, "question": "Inline Question 2"}),
    )
    assert extract_answers(path) == {
        "Inline Question 1": "I rewrote the prompt. Activations are 1/p too large at test time.",
        "Inline Question 2": "",
    }


def test_headings_are_the_fallback_in_the_layouts_students_use(notebook_factory):
    path = notebook_factory(
        "Dropout.ipynb",
        ("markdown", "## Inline Question 1:\nWhat happens?"),
        ("markdown", "## Answer:\nThe expected activation changes."),  # seed notebook layout
        ("markdown", "and a second paragraph"),
        ("code", "x = 1"),
        ("markdown", "## Inline Question 2:\nCompare.\n\n**Your Answer:** it regularizes"),
        ("markdown", "# Inline Question 3\nShould p change?"),
        ("markdown", "$\\color{blue}{\\textit Your Answer:}$ Answer is: increase p"),
        ("markdown", "# Next section"),
        ("markdown", "not an answer"),
    )
    assert extract_answers(path) == {
        "Inline Question 1": "The expected activation changes.\n\nand a second paragraph",
        "Inline Question 2": "it regularizes",
        "Inline Question 3": "Answer is: increase p",
    }


def test_the_released_and_solution_notebooks_parse():
    solution = extract_answers(ROOT / "solutions" / "Dropout.ipynb")
    assert sorted(solution) == ["Inline Question 1", "Inline Question 2", "Inline Question 3"]
    assert all(len(text) > 100 for text in solution.values())
    assert not any(text.startswith("*Your") for text in solution.values())


@pytest.mark.parametrize("raw, cleaned", [
    ("*Your answer:*", ""),
    ("*Your answer:* because", "because"),
    ("## Answer:\nfoo", "foo"),
    ("**Your Answer**: baz", "baz"),
    ("Answer is that p is the keep probability", "Answer is that p is the keep probability"),
])
def test_prompts_are_stripped_but_words_are_kept(raw, cleaned):
    assert clean_answer(raw) == cleaned


def test_a_huge_answer_is_truncated():
    assert clean_answer("x" * 50_000).endswith("[... answer truncated by the grader]")


def test_not_a_notebook_is_a_one_line_input_error(tmp_path):
    bad = tmp_path / "Dropout.ipynb"
    bad.write_text("{ not json")
    with pytest.raises(InputFileError, match="not a readable notebook") as caught:
        extract_answers(bad)
    assert "\n" not in str(caught.value)


def test_hostile_cell_shapes_do_not_break_extraction(tmp_path):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {"tags": "inline-answer"},
         "source": "tags is not a list"},
        {"cell_type": "markdown", "id": "b", "metadata": {"tags": ["inline-answer"],
                                                        "question": ["not", "a", "str"]},
         "source": "question is not a string"},
        {"cell_type": "markdown", "id": "c", "metadata": {}, "source": ["## Inline Question 2\n"]},
        {"cell_type": "markdown", "id": "d", "metadata": {}, "source": ["list ", "source"]},
    ]}
    path = tmp_path / "Dropout.ipynb"
    path.write_text(json.dumps(nb))
    assert extract_answers(path) == {"Inline Question 2": "list source"}
