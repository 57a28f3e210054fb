"""NaN, inf and values of the wrong type: a failed check that names the problem, never
points and never internal_error; the reference beside them keeps its full marks."""

from __future__ import annotations

import pytest
from hostile_values import CASES, TOLERATED
from judge_helpers import REFERENCE_LAYERS, REFERENCE_NET, SUITE, RecordingSlot

from grader.audit.catalogue import suite_tests
from grader.run.judge import judge

SHOWN = suite_tests(SUITE)  # test function -> the name students see


@pytest.fixture(scope="module")
def graded(tmp_path_factory, support):
    from grader.run.model import Submission
    from grader.run.stage import prepare, write_staged

    root = tmp_path_factory.mktemp("hostile_values")
    sources = {"reference": (REFERENCE_LAYERS, REFERENCE_NET),
               "reference_layers_only": (REFERENCE_LAYERS, None)}
    sources.update({name: case.sources() for name, case in {**CASES, **TOLERATED}.items()})
    staged = []
    for name, (layers, net) in sources.items():
        folder = root / "submissions" / name
        folder.mkdir(parents=True)
        files = {"layers.py": folder / "layers.py"}
        files["layers.py"].write_text(layers, encoding="utf-8")
        if net is not None:
            files["fc_net.py"] = folder / "fc_net.py"
            files["fc_net.py"].write_text(net, encoding="utf-8")
        prepared = prepare(Submission(student=name, files=files))
        staged.append(write_staged(prepared, root / "staged" / name, support))
    results = {}
    judge(staged, slot=RecordingSlot(), suite_dir=SUITE,
          on_result=lambda r: results.setdefault(r.student, r))
    assert list(results) == list(sources)
    return results


@pytest.mark.parametrize("name", ["reference", "reference_layers_only"])
def test_the_reference_beside_them_keeps_full_marks(graded, name):
    result = graded[name]
    assert (result.status, result.score) == ("graded", 100), result.output


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_value_is_a_named_failure_not_points_or_an_error(graded, name):
    case, result = CASES[name], graded[name]
    assert result.status == "graded", result.output
    assert not [t.name for t in result.tests if t.status == "error"]
    assert result.score < 100
    if case.score is not None:
        assert result.score == case.score, {t.name: t.output for t in result.tests
                                            if not t.passed}
    outputs = {t.name: t for t in result.tests}
    for test, words in case.fails.items():
        got = outputs[SHOWN[test]]
        assert not got.passed and got.score == 0, (test, got.output)
        assert words in got.output, (test, got.output)
        assert "regraded" not in got.output and "Traceback" not in got.output


@pytest.mark.parametrize("name", sorted(TOLERATED))
def test_an_unusual_but_working_value_keeps_its_points(graded, name):
    result = graded[name]
    assert (result.status, result.score) == ("graded", TOLERATED[name].score), result.output


def test_nan_in_the_backward_pass_costs_only_the_checks_that_look_at_it(graded):
    result = graded["backward_all_nan"]  # NaN in train mode only
    outcome = {t.name: t.passed for t in result.tests}
    forward = [name for name in outcome if name.startswith("dropout_forward")]
    assert forward and all(outcome[name] for name in forward)
    assert outcome[SHOWN["test_test_mode_backward_identity"]]
    assert outcome[SHOWN["test_matches_reference_without_dropout"]]  # dropout = 1: no dx
    assert not outcome[SHOWN["test_gradient_check"]]
