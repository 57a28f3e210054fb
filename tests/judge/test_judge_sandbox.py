"""The judge through the real sandbox: the suite runs unchanged, hostile code gets its status."""

from __future__ import annotations

from pathlib import Path

import pytest
from judge_helpers import REFERENCE_NET, ROOT, SUITE, layers_with_prelude

from grader.config import Limits
from grader.run.judge import judge

HOSTILE = ROOT / "tests" / "submissions"


@pytest.fixture(scope="module")
def slot(tmp_path_factory):
    try:
        from grader.run.sandbox import SandboxSlot
        slot = SandboxSlot(level="auto", workdir=tmp_path_factory.mktemp("slot"),
                           limits=Limits(call_timeout=1.0, submission_timeout=6.0))
        slot.start()
    except Exception as error:  # noqa: BLE001 - any reason means: no sandbox on this machine
        pytest.skip(f"the sandbox cannot start here: {error}")
    yield slot
    slot.close()


def hostile(name: str) -> str:
    return (HOSTILE / name / "layers.py").read_text(encoding="utf-8")


def test_hostile_submissions_get_their_status(slot, make_staged):
    staged = [
        make_staged("reference", fc_net=REFERENCE_NET),
        make_staged("syntax", layers=hostile("syntax_error")),
        make_staged("exits_on_import", layers=hostile("os_exit_on_import")),
        make_staged("exits_in_forward", layers=hostile("sys_exit_in_forward")),
        make_staged("loops", layers=hostile("infinite_loop")),
    ]
    results = {}
    judge(staged, slot=slot, suite_dir=SUITE,
          on_result=lambda r: results.setdefault(r.student, r))
    assert list(results) == [s.student for s in staged]  # one each, in order

    reference = results["reference"]
    assert (reference.status, reference.score, reference.sandbox) == ("graded", 100, slot.level)

    assert results["syntax"].status == "syntax_error"
    assert "line 4" in results["syntax"].tests[0].output

    assert results["exits_on_import"].status == "import_error"
    assert results["exits_on_import"].score == 0

    forward = [t for t in results["exits_in_forward"].tests
               if t.name.startswith("dropout_forward")]
    assert forward and not any(t.passed for t in forward)
    assert "SystemExit" in forward[0].output

    loops = results["loops"]
    assert loops.status == "timeout" and loops.score == 0
    assert all("wall time" in t.output for t in loops.tests), loops.tests[0].output
    assert loops.execution_time < 30


def test_no_student_code_runs_in_the_judge_process(slot, make_staged):
    import sys
    before = {name for name in sys.modules if name == "cs231n" or name.startswith("cs231n.")}
    results = []
    judge([make_staged("ref", fc_net=REFERENCE_NET)], slot=slot, suite_dir=SUITE,
          on_result=results.append)
    after = {name: sys.modules[name] for name in sys.modules
             if name == "cs231n" or name.startswith("cs231n.")}
    assert results[0].score == 100
    solutions = (ROOT / "solutions").resolve()
    for name in set(after) - before:  # only the reference package was imported here
        assert solutions in Path(after[name].__file__).resolve().parents, name


def test_a_crash_on_one_input_costs_only_the_checks_that_use_it(slot, make_staged):
    # Calls are batched; a crash at p = 0.9 must not take the later calls of the batch down
    # with it: each check gets the verdict it would get with one call at a time.
    crash = ("import os\nif dropout_param['p'] == 0.9 and dropout_param['mode'] == 'train':\n"
             "    os._exit(1)")
    staged = make_staged("exits_at_09", layers=layers_with_prelude(crash))
    results = []
    judge([staged], slot=slot, suite_dir=SUITE, on_result=results.append)
    tests = {t.name.split(":")[1].strip(): t for t in results[0].tests
             if t.name.startswith("dropout_forward")}
    assert not tests["about 1 - p of the train outputs are zero"].passed
    assert "exited with code 1" in tests["about 1 - p of the train outputs are zero"].output
    for passing in ("test mode returns the input unchanged", "the same seed gives the same mask",
                    "calls without a seed draw fresh masks"):
        assert tests[passing].passed, (passing, tests[passing].output)
    assert results[0].status == "crashed"


def test_a_train_branch_that_hangs_keeps_the_test_mode_check(slot, make_staged):
    hang = "while dropout_param['mode'] == 'train':\n    pass"
    results = []
    judge([make_staged("hangs_in_train", layers=layers_with_prelude(hang))],
          slot=slot, suite_dir=SUITE, on_result=results.append)
    tests = {t.name: t for t in results[0].tests}
    assert tests["dropout_forward: test mode returns the input unchanged"].passed
    assert results[0].status == "timeout" and results[0].score == 6
