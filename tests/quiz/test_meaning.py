"""Normalization, prose and equivalence: what a formula means and whether it is right."""

from pathlib import Path

import sympy as sp

from grader.quiz.answers import Section
from grader.quiz.equivalence import DIFFERENT, EQUAL, compare, reduce_masks
from grader.quiz.extract import find_spans
from grader.quiz.model import load_quiz
from grader.quiz.reading import read_formulas
from grader.quiz.verdict import vocab_for

QUIZ = load_quiz(Path(__file__).resolve().parents[2] / "quizzes" / "quiz8")
read_prose = QUIZ.domain.hook("read_prose")  # the dropout domain's prose reader
D, Y, P, DH = sp.symbols("D Y p dH")


def read(text, qid="q1", **kw):
    vocab = vocab_for(QUIZ.question(qid))
    return read_formulas(find_spans(text, vocab.words()), vocab, **kw)


def expr(text, qid="q1", **kw):
    reading = read(text, qid, **kw)
    assert not reading.errors, reading.errors
    return reading.train[-1].expr


def test_hadamard_notations_are_one_entrywise_product():
    for text in (r"H = D \odot Y / p", "H = D .* Y ./ p", "h_{ij} = d_{ij} y_{ij} / p",
                 "out = np.multiply(x, mask) / p", "H = D ∘ Y / p"):
        assert expr(text) == D * Y / P, text


def test_matrix_products_stay_distinct():
    for text in ("H = D @ Y / p", "out = np.dot(mask, x) / p", "H = D Y^T / p"):
        assert compare(expr(text), D * Y / P, frozenset({"D"}), 8) == DIFFERENT, text


def test_transposed_indices_are_a_different_entry():
    assert expr("H_{ij} = D_{ji} Y_{ij}") != D * Y


def test_masks_from_code():
    assert expr("mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask") == D * Y / P
    assert expr("mask = np.random.rand(*x.shape) > p\nout = x * mask") == (1 - D) * Y
    assert expr("out = x * np.random.binomial(1, p, size=x.shape)") == D * Y
    assert "gauss_lt" in str(expr("out = x * (np.random.randn(*x.shape) < p)"))


def test_definitions_apply_to_formulas_written_before_them():
    assert expr("H = D ⊙ Y / p, where D_ij ~ Bernoulli(1-p)") == (1 - D) * Y / P


def test_drop_convention_rewrites_p():
    assert expr("H = D ⊙ Y / (1-p)", drop_convention=True) == D * Y / P


def test_aliases_on_both_sides_are_read_as_output_and_input():
    assert expr("dx = dy * mask / p", "q2") == DH * D / P
    assert expr("y = mask * x / p") == D * Y / P


def test_upstream_missing_reads_without_it():
    assert expr("dY = D / p", "q2") == D / P


def test_prose_facts_and_negations():
    assert read_prose("where p is the dropout rate").drop_convention
    assert read_prose("p is the keep probability").keep_convention
    assert not read_prose("p is the keep probability, 1-p the drop rate").drop_convention
    assert read_prose("we sample a new mask in the backward pass").redraw
    assert not read_prose("we do not resample the mask").redraw
    assert read_prose("m is the dropout mask").aliases == {"m": "mask"}


def test_mask_idempotence_and_equivalence():
    assert reduce_masks(D**2 * Y, frozenset({"D"})) == D * Y
    assert compare(D * D * Y / P, Y * D * P**-1, frozenset({"D"}), 8) == EQUAL
    assert compare(D * Y, D * Y / P, frozenset({"D"}), 8) == DIFFERENT


def test_section_helper_is_plain_data():
    assert Section("q1", " ", 1).is_blank
