"""Code written for another release of the course is graded in that release's conventions:
the 2016/17 skeleton's p (the DROP probability) and its net's dropout=0, a helper from the
student's own layer_utils.py, and a (1, M) bias gradient that costs one check, not six."""

from __future__ import annotations

import numpy as np
from fairness_cases import FC_NET, LAYERS, MASK

KEEP_DOC = "We keep each neuron output with probability p."
DROP_DOC = "We drop each neuron output with probability p."
DROP_MASK = "mask = (np.random.rand(*x.shape) >= p) / (1 - p)"
assert KEEP_DOC in LAYERS

LAYERS_2017 = LAYERS.replace(KEEP_DOC, DROP_DOC).replace(MASK, DROP_MASK)
# The 2016/17 net: dropout is the drop probability, 0 = off, passed on to the layers as is.
FC_NET_2017 = FC_NET.replace("dropout=1,", "dropout=0,").replace(
    "self.use_dropout = dropout != 1", "self.use_dropout = dropout > 0")
assert FC_NET_2017.count("dropout > 0") == 1 and "dropout=0," in FC_NET_2017


def lost(result) -> dict:
    return {t.name: t.output for t in result.tests if t.score < t.max_score}


def test_correct_2017_code_scores_full_in_its_own_convention(grade):
    result, feedback = grade(layers=LAYERS_2017, fc_net=FC_NET_2017)
    assert (result.status, result.score) == ("graded", 100), lost(result)
    assert "documents p as the DROP probability" in feedback
    assert "dropout defaults to 0" in feedback


def test_2017_layers_alone_score_full_around_the_reference_net(grade):
    result, _ = grade(layers=LAYERS_2017)
    assert result.score == 100, lost(result)


def test_this_releases_docstring_never_excuses_dropping_with_probability_p(grade):
    # The same code under this assignment's docstring is the classic mistake.
    result, _ = grade(layers=LAYERS.replace(MASK, DROP_MASK))
    assert result.score < 100
    assert any("KEEP probability" in message for message in lost(result).values())


def test_a_drop_docstring_over_code_that_keeps_is_graded_as_keep_with_a_note(grade):
    result, feedback = grade(layers=LAYERS.replace(KEEP_DOC, DROP_DOC))
    assert result.score == 100, lost(result)
    assert "docstring says p is the DROP probability, but your code keeps" in feedback


def test_wrong_2017_code_still_loses_points_without_keep_advice(grade):
    # Dropping with probability p and dividing by p: wrong in either convention.
    wrong = LAYERS_2017.replace(DROP_MASK, "mask = (np.random.rand(*x.shape) >= p) / p")
    result, _ = grade(layers=wrong)
    messages = lost(result)
    assert result.score < 100 and messages
    assert not any("p is the KEEP probability" in m for m in messages.values()), messages


HELPER = '''
from cs231n.layers import *
from cs231n.layer_utils import *


def affine_relu_drop_forward(x, w, b, dropout_param):
    out, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(out)
    out, drop_cache = dropout_forward(out, dropout_param)
    return out, (fc_cache, relu_cache, drop_cache)
'''
NET_WITH_HELPER = FC_NET.replace(
    "            out, relu_cache = relu_forward(out)\n            dropout_cache = None\n",
    "            relu_cache = dropout_cache = None\n"
    "            if self.use_dropout:  # the helper redoes the affine layer on its own input\n"
    "                out, (_, relu_cache, dropout_cache) = affine_relu_drop_forward(\n"
    "                    *fc_cache, self.dropout_param)\n"
    "            else:\n"
    "                out, relu_cache = relu_forward(out)\n").replace(
    "out, dropout_cache = dropout_forward(out, self.dropout_param)", "pass")

def test_a_helper_from_the_students_layer_utils_is_graded_with_it(grade):
    assert "affine_relu_drop_forward(" in NET_WITH_HELPER and "= dropout_forward(out" not in \
        NET_WITH_HELPER
    without, feedback = grade("without", layers=LAYERS, fc_net=NET_WITH_HELPER)
    assert without.score == 75
    assert "affine_relu_drop_forward is not defined in the released cs231n package" in feedback
    assert "submit that file too" in feedback
    with_it, feedback = grade("with", layers=LAYERS, fc_net=NET_WITH_HELPER,
                              layer_utils=HELPER)
    assert with_it.score == 100, lost(with_it)
    assert "layer_utils.py" in with_it.files


def test_a_row_shaped_bias_gradient_costs_one_check(grade):
    layers = LAYERS.replace("db = np.sum(dout, axis=0)",
                            "db = np.sum(dout, axis=0, keepdims=True)")
    assert layers != LAYERS
    result, _ = grade(layers=layers, fc_net=FC_NET)
    messages = lost(result)
    net_check = "FullyConnectedNet: with dropout = 1, and at test time, it matches the reference"
    assert list(messages) == [net_check], messages
    assert "has shape (1, 20)" in next(iter(messages.values()))


def test_a_lost_star_import_names_the_module_that_has_the_function(grade):
    net = FC_NET.replace("from cs231n.layers import *\n", "")
    assert net != FC_NET
    result, feedback = grade(layers=LAYERS, fc_net=net.replace(
        "from cs231n.layer_utils import *\n", ""))
    assert result.score == 75
    assert "is defined in cs231n.layers, but the module that uses it does not import it" \
        in feedback
    assert "not defined in the released cs231n package" not in feedback


def test_numpy_1_code_is_named_with_the_version_that_removed_it(grade):
    old = "out = x.reshape(x.shape[0], -1).dot(w) + b"
    assert old in LAYERS
    layers = LAYERS.replace(old, "out = np.reshape(x, newshape=(x.shape[0], -1)).dot(w) + b")
    result, feedback = grade(layers=layers, fc_net=FC_NET)
    try:
        np.reshape(np.ones(2), newshape=(2,))
    except TypeError:  # removed in NumPy 2.4: the net checks fail and say why
        assert result.score == 75
        assert "reshape(..., newshape=...) is NumPy 1" in feedback
        assert "the grader runs NumPy" in feedback
    else:  # only deprecated in this NumPy: the code runs and is right
        assert result.score == 100


def test_reading_the_docstring_is_bounded_whatever_the_student_wrote():
    from assignments.dropout.suite.conventions import DOC_READ, documented

    def with_doc(doc: str) -> bytes:
        return f'def dropout_forward(x, dropout_param):\n    """{doc}"""\n'.encode()

    said = "We drop each neuron output with probability p."
    assert documented(with_doc(said)) == "drop"
    # Only the docstring's start is read: what comes after it is never scanned (a
    # docstring of "drop drop ..." without a full stop would cost the judge hours).
    assert documented(with_doc("x" * DOC_READ + said)) is None
    assert documented(with_doc("drop " * 400_000)) is None
    nested = b"x = " + b"(" * 100_000 + b")" * 100_000 + b"\n"
    assert documented(nested) is None  # too deep to parse: left to the checks
    assert documented(LAYERS_2017.encode()) == "drop"
    assert documented(LAYERS.encode()) == "keep"
