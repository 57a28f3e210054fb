"""Batched calls keep verdicts apart: one failing call fails only the checks that need it."""

from __future__ import annotations

from suite_helpers import ROOT, grade

SOLUTION = (ROOT / "solutions" / "cs231n" / "layers.py").read_text(encoding="utf-8")


def submit(tmp_path, name: str, prelude: str) -> object:
    """The reference layers.py whose dropout_forward first runs ``prelude``."""
    head = "def dropout_forward(x, dropout_param):\n"
    assert SOLUTION.count(head) == 1
    source = SOLUTION.replace(head, head + "".join(f"    {line}\n" for line in
                                                   prelude.splitlines()))
    folder = tmp_path / "submissions" / name
    folder.mkdir(parents=True)
    (folder / "layers.py").write_text(source, encoding="utf-8")
    return folder


def test_a_call_failing_for_one_p_fails_only_the_checks_that_use_that_p(tmp_path):
    folder = submit(tmp_path, "fails_at_04", "if dropout_param['p'] == 0.4 and "
                    "dropout_param['mode'] == 'train':\n    raise ValueError('no 0.4')")
    result = grade([folder], tmp_path / "staged")["fails_at_04"]
    tests = {t.name: t for t in result.tests}
    zero = next(t for name, t in tests.items() if "1 - p of the train outputs" in name)
    assert not zero.passed and "'p': 0.4" in zero.output and "no 0.4" in zero.output
    # Test mode, the seeds (p = 0.3, 0.8) and the net (0.75, 0.5, 0.3) never train at 0.4.
    for words in ("test mode returns the input unchanged", "the same seed gives the same",
                  "gradients with dropout pass a gradient check"):
        assert next(t for name, t in tests.items() if words in name).passed, words
    assert result.status == "graded"
