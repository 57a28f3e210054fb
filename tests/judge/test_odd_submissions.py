"""Whatever a submission returns, it gets a verdict: failed checks, never an internal error."""

from __future__ import annotations

import pytest
from judge_helpers import REFERENCE_LAYERS, REFERENCE_NET, SUITE, RecordingSlot

from grader.run.judge import judge

FORWARD = {
    "returns_none": "return None",
    "returns_scalar": "return 3.0, None",
    "returns_list": "return x.tolist(), (dropout_param, None)",
    "returns_complex": "return x * 1j, (dropout_param, None)",
    "returns_nan": "return x * np.nan, (dropout_param, None)",
    "returns_strings": "return np.array(['a'] * x.size), (dropout_param, None)",
    "returns_object": "return object(), (dropout_param, None)",
    "returns_wrong_shape": "return x.ravel()[:3], (dropout_param, None)",
    "returns_triple": "return x, x, x",
    "returns_generator": "return (v for v in x), None",
    "returns_huge_int": "return np.full(x.shape, 2**62, dtype=np.int64), (dropout_param, None)",
}

BACKWARD = {
    "backward_none": "return None",
    "backward_wrong_shape": "return dout.ravel()",
    "backward_complex": "return dout * 1j",
    "backward_scalar": "return 1.0",
}

NET_LOSS = {
    "net_loss_none": "return None",
    "net_loss_complex": "return 1j, {k: v * 1j for k, v in self.params.items()}",
    "net_loss_string": "return 'low', {}",
    "net_scores_object": "return object()",
}


def layers_with_forward(body: str) -> str:
    marker = "def dropout_forward(x, dropout_param):"
    head, tail = REFERENCE_LAYERS.split(marker, 1)
    docstring_end = tail.index('"""', tail.index('"""') + 3) + 3
    return head + marker + tail[:docstring_end] + f"\n    {body}\n" + tail[docstring_end:]


def layers_with_backward(body: str) -> str:
    marker = "def dropout_backward(dout, cache):"
    head, tail = REFERENCE_LAYERS.split(marker, 1)
    docstring_end = tail.index('"""', tail.index('"""') + 3) + 3
    return head + marker + tail[:docstring_end] + f"\n    {body}\n" + tail[docstring_end:]


def net_with_loss(body: str) -> str:
    marker = "    def loss(self, X, y=None):"
    head, tail = REFERENCE_NET.split(marker, 1)
    return head + marker + f"\n        {body}\n" + tail


def test_odd_return_values_are_failed_checks_not_grader_errors(make_staged):
    staged = [make_staged(name, layers=layers_with_forward(body))
              for name, body in FORWARD.items()]
    staged += [make_staged(name, layers=layers_with_backward(body))
               for name, body in BACKWARD.items()]
    staged += [make_staged(name, fc_net=net_with_loss(body)) for name, body in NET_LOSS.items()]
    results = []
    judge(staged, slot=RecordingSlot(), suite_dir=SUITE, on_result=results.append)
    assert [r.student for r in results] == [s.student for s in staged]
    for result in results:
        assert result.status == "graded", (result.student, result.output)
        errors = [t.output for t in result.tests if t.status == "error"]
        assert not errors, (result.student, errors)
        forward = [t for t in result.tests if t.name.startswith("dropout_forward")]
        if result.student in FORWARD:
            assert not any(t.passed for t in forward[:3]), result.student
        elif result.student in BACKWARD:
            backward = [t for t in result.tests if t.name.startswith("dropout_backward")]
            assert all(t.passed for t in forward) and not any(t.passed for t in backward)
        else:
            net = [t for t in result.tests if t.name.startswith("FullyConnectedNet")]
            assert all(t.passed for t in forward) and not any(t.passed for t in net)


@pytest.mark.parametrize("printed", ["print('x' * 10_000)", "import sys; sys.stderr.write('e')"])
def test_student_output_is_kept_short_and_labelled(make_staged, printed):
    layers = REFERENCE_LAYERS.replace("import numpy as np", f"import numpy as np\n{printed}", 1)
    results = []
    judge([make_staged("talker", layers=layers)], slot=RecordingSlot(), suite_dir=SUITE,
          on_result=results.append)
    result, = results
    assert result.score == 100
    assert "Output printed by your code:" in result.output
    assert len(result.output) < 3000
