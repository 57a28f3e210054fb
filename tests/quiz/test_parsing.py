"""Tokenizer, formula finder and parser: notations in, whitelisted trees out."""

import ast

import pytest

from grader.quiz.errors import ParseError
from grader.quiz.extract import find_spans
from grader.quiz.lexer import tokenize
from grader.quiz.parse import parse_statement

VOCAB = frozenset(["H", "D", "Y", "p", "mask", "m", "out", "x", "dout", "dx", "dY", "dH", "L"])


def names(text):
    return [(t.text, t.sub_text) for t in tokenize(text) if t.kind == "NAME"]


def test_numbered_names_are_single_names_never_products():
    assert names("X_{11} X11 X₁₁ X_11") == [("X", "11")] * 4
    assert names("X12W11") == [("X", "12"), ("W", "11")]


def test_odot_is_an_operator_not_a_name():
    assert [t.text for t in tokenize(r"D \odot Y")] == ["D", "⊙", "Y"]


def test_unknown_command_is_an_error_with_its_position():
    text = r"H = D \oplus Y"
    with pytest.raises(ParseError) as info:
        parse_statement(tokenize(text), text)
    assert info.value.pos == text.index(r"\oplus")
    assert "^" in info.value.where()


def test_unbalanced_parenthesis_points_at_it():
    text = "H = D ⊙ Y / p)"
    with pytest.raises(ParseError) as info:
        parse_statement(tokenize(text), text)
    assert info.value.pos == len(text) - 1


@pytest.mark.parametrize("text, tree", [
    (r"H = D \odot Y / p", "_n0 * _n1 / _n2"),
    ("H = D Y", "_n0 % _n1"),
    ("H = D @ Y", "_n0 @ _n1"),
    (r"H = \frac{D \odot Y}{p}", "_n0 * _n1 / _n2"),
    ("H = D Y^T", "_n0 % _n1.T"),
    ("H = p(1-p)Y", "_n0 % (1 - _n1) % _n2"),
])
def test_rewrite_to_python_ast(text, tree):
    st = parse_statement(tokenize(text), text)
    assert st.kind == "eq"
    assert ast.unparse(st.sides[1].tree) == tree


@pytest.mark.parametrize("text", [
    r"\frac{\partial L}{\partial Y} = x", "dL/dY = x", "∂L/∂Y = x", r"\nabla_Y L = x",
    "δY = x"])
def test_derivatives_collapse_to_one_name(text):
    st = parse_statement(tokenize(text), text)
    assert [t.text for t in st.sides[0].names] == ["dY"]


def test_distribution_and_update_statements():
    assert parse_statement(tokenize("D ~ Bernoulli(p)"), "D ~ Bernoulli(p)").kind == "dist"
    assert parse_statement(tokenize("out /= p"), "out /= p").op == "/"


def test_no_python_beyond_the_whitelist():
    text = "H = (lambda: 1)"
    with pytest.raises(ParseError):
        parse_statement(tokenize(text), text)


def test_formulas_are_cut_out_of_prose_with_their_phase():
    ex = find_spans("The forward pass is H = D * Y / p (inverted). At test time, H = Y.", VOCAB)
    assert [(s.text, s.phase) for s in ex.spans] == [("H = D * Y / p", ""), ("H = Y", "test")]
    assert "inverted" in ex.prose


def test_code_blocks_keep_branch_phases():
    text = "```python\nif mode == 'train':\n    out = x * mask\nelse:\n    out = x\n```"
    assert [(s.text, s.phase) for s in find_spans(text, VOCAB).spans] == [
        ("out = x * mask", "train"), ("out = x", "test")]


def test_a_word_assigned_to_becomes_a_name():
    ex = find_spans("Let keep = np.random.rand(*Y.shape) < p. Then H = Y * keep / p.", VOCAB)
    assert [s.text for s in ex.spans][-1] == "H = Y * keep / p"
