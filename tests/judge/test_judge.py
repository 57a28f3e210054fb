"""The judge: statuses, student-facing messages, grouping, one result per submission."""

from __future__ import annotations

import re

import pytest
from judge_helpers import (
    REFERENCE_LAYERS,
    REFERENCE_NET,
    SUITE,
    RecordingSlot,
    crash_once,
    memory_limit,
    wall_limit,
)

from grader.run.judge import judge
from grader.suites.plugin import TestInfo  # noqa: F401 - the plugin module must import cleanly


def run(staged, slot=None, suite=SUITE):
    results = []
    judge(staged, slot=slot or RecordingSlot(), suite_dir=suite, on_result=results.append)
    return results


def by_name(result):
    return {t.name: t for t in result.tests}


def failed(result):
    return {t.name: t.output for t in result.tests if not t.passed}


def with_line(text: str, anchor: str, new: str) -> tuple[str, int]:
    """``text`` with ``new`` inserted before the line holding ``anchor``; new's line number."""
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if anchor in line)
    indent = lines[index][:len(lines[index]) - len(lines[index].lstrip())]
    lines.insert(index, indent + new)
    return "\n".join(lines) + "\n", index + 1


def test_reference_gets_full_marks_and_a_graded_status(make_staged):
    staged = [make_staged("alice", fc_net=REFERENCE_NET), make_staged("bob")]
    results = run(staged)
    assert [r.student for r in results] == ["alice", "bob"]
    for result in results:
        assert result.status == "graded"
        assert result.score == result.max_score == 100
        assert all(t.passed and t.output == "" for t in result.tests)
        assert result.sandbox == "recording"
        assert result.content_hash == staged[0 if result.student == "alice" else 1].content_hash
    assert results[0].files == ("layers.py", "fc_net.py") and results[1].files == ("layers.py",)


def test_each_worker_opens_once_and_closes_before_its_result(make_staged):
    slot = RecordingSlot()
    seen = []

    def on_result(result):
        seen.append(list(slot.log))

    judge([make_staged(s) for s in ("a", "b", "c")], slot=slot, suite_dir=SUITE,
          on_result=on_result)
    assert slot.log == [("open", "a"), ("close", "a"), ("open", "b"), ("close", "b"),
                        ("open", "c"), ("close", "c")]
    # a result is handed over as soon as its submission is done, before the next one opens
    assert seen == [slot.log[:2], slot.log[:4], slot.log[:6]]


def test_missing_layers_needs_no_worker(make_staged):
    slot = RecordingSlot()
    result, = run([make_staged("nobody", layers=None)], slot)
    assert slot.log == []
    assert result.status == "missing" and result.score == 0 and result.max_score == 100
    assert len(result.tests) == 19
    assert all(t.score == 0 and "No layers.py was found" in t.output for t in result.tests)


def test_syntax_error_names_the_line_and_no_grader_path(make_staged):
    broken, line = with_line(REFERENCE_LAYERS, "def dropout_forward", "def oops(:")
    result, = run([make_staged("carol", layers=broken)])
    assert result.status == "syntax_error" and result.score == 0
    message = result.tests[0].output
    assert f"line {line}" in message and "layers.py" in message
    assert "/" not in message, message  # neither the staging folder nor the grader's paths


def test_import_error_and_exit_at_import(make_staged):
    raises = "import numpy as np\nimport not_a_module_anywhere\n"
    exits = "raise SystemExit(0)\n"
    results = run([make_staged("dan", layers=raises), make_staged("eve", layers=exits)])
    assert [r.status for r in results] == ["import_error", "import_error"]
    assert "ModuleNotFoundError" in results[0].tests[0].output
    assert "SystemExit" in results[1].tests[0].output
    assert all(r.score == 0 for r in results)


def test_student_exception_becomes_a_located_message(make_staged):
    layers, line = with_line(REFERENCE_LAYERS, 'p, mode = dropout_param["p"], dropout_param',
                             'raise ValueError("bad p")')
    result, = run([make_staged("fay", layers=layers)])
    assert result.status == "graded"
    messages = failed(result)
    zero = messages["dropout_forward: about 1 - p of the train outputs are zero"]
    assert f"dropout_forward raised ValueError: bad p (layers.py line {line})" in zero
    assert "Traceback" not in zero and "/" not in zero.replace("1 - p", "")


@pytest.mark.parametrize(("fault", "status", "named"), [
    (wall_limit, "timeout", "wall time per call (20 s)"),
    (memory_limit, "limit", "memory (2048 MB)"),
])
def test_a_limit_fails_only_the_tests_that_hit_it(make_staged, fault, status, named):
    slot = RecordingSlot(faults={"gus": fault})
    result, = run([make_staged("gus")], slot)
    assert result.status == status
    hit = failed(result)
    assert hit and all(named in message for message in hit.values())
    assert all("dropout_backward" in name or "FullyConnectedNet" in name for name in hit)
    assert by_name(result)["dropout_forward: about 1 - p of the train outputs are zero"].passed
    assert 0 < result.score < 100


def test_a_crash_fails_one_test_and_the_rest_go_on(make_staged):
    slot = RecordingSlot(faults={"hal": crash_once({})})
    result, = run([make_staged("hal")], slot)
    assert result.status == "crashed"
    hit = failed(result)
    assert len(hit) == 1 and "segmentation fault" in next(iter(hit.values()))
    assert result.score == 100 - next(t.max_score for t in result.tests if not t.passed)


def test_a_grader_failure_costs_only_that_submission(make_staged):
    slot = RecordingSlot(broken={"ivy"})
    results = run([make_staged("ivy"), make_staged("jon")], slot)
    assert [r.status for r in results] == ["internal_error", "graded"]
    assert "regraded" in results[0].tests[0].output and results[1].score == 100


def test_fc_net_that_does_not_import_costs_only_the_net_tests(make_staged):
    net = REFERENCE_NET.replace("class FullyConnectedNet(object):", "class FullyConnectedNet(:")
    result, = run([make_staged("kim", fc_net=net)])
    assert result.status == "syntax_error"
    lost = failed(result)
    assert lost and all(name.startswith("FullyConnectedNet") for name in lost)
    assert all("fc_net.py" in message for message in lost.values())
    assert result.score == 75  # every layer test, no net test


def test_on_result_failure_does_not_cost_the_others(make_staged):
    got = []

    def on_result(result):
        got.append(result.student)
        if result.student == "lee":
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        judge([make_staged("lee"), make_staged("max")], slot=RecordingSlot(), suite_dir=SUITE,
              on_result=on_result)
    assert got == ["lee", "max"]


def test_pytest_runs_silently_and_leaves_nothing_behind(make_staged, capfd, tmp_path,
                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    run([make_staged("ned", layers="raise ValueError('at import')\n"), make_staged("oli")])
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    assert not list(tmp_path.glob(".pytest_cache")) and not list(SUITE.glob(".pytest_cache"))


def test_messages_come_from_assertions_never_from_test_source(make_staged, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_messages.py").write_text(
        "import pytest\n"
        "\n"
        "@pytest.mark.points(2)\n"
        "def test_with_message(student):\n"
        "    '''worded'''\n"
        "    secret = 41\n"
        "    assert secret == 42, 'the answer should be 42'\n"
        "\n"
        "@pytest.mark.points(1)\n"
        "def test_bare(student):\n"
        "    '''bare'''\n"
        "    secret = 41\n"
        "    assert secret == 42\n")
    result, = run([make_staged("pat")], suite=suite)
    outputs = {t.name: t.output for t in result.tests}
    assert outputs == {"worded": "the answer should be 42", "bare": "this check failed"}
    assert result.max_score == 3 and result.status == "graded"


def test_a_broken_suite_gives_every_submission_an_internal_error(make_staged, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_broken.py").write_text("def test_x(student:\n")
    results = run([make_staged("quinn"), make_staged("ray")], suite=suite)
    assert [r.status for r in results] == ["internal_error", "internal_error"]
    assert all("broken" in r.output for r in results)


def test_a_test_without_points_is_a_suite_problem(make_staged, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_unmarked.py").write_text("def test_x(student):\n    pass\n")
    result, = run([make_staged("sam")], suite=suite)
    assert result.status == "internal_error"
    assert re.search(r"test_x has no @pytest.mark.points", result.output)


def test_a_suite_bug_is_an_internal_error_not_a_failed_check(make_staged, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_bug.py").write_text(
        "import pytest\n"
        "@pytest.mark.points(1)\n"
        "def test_bug(student):\n"
        "    '''buggy'''\n"
        "    return {}['no such key']\n")
    result, = run([make_staged("tom")], suite=suite)
    assert result.status == "internal_error"
    assert result.tests[0].status == "error" and "regraded" in result.tests[0].output
    assert "KeyError" not in result.tests[0].output


def test_empty_batch_does_nothing():
    assert run([]) == []


def test_tests_needing_other_fixtures_or_marked_skip_run_through_pytest(make_staged, tmp_path):
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_kinds.py").write_text(
        "import pytest\n"
        "\n"
        "@pytest.fixture\n"
        "def numbers(student):\n"
        "    yield [1, 2]\n"
        "    numbers.torn_down = True\n"
        "\n"
        "@pytest.mark.points(1)\n"
        "def test_plain(student, ref):\n"
        "    '''plain'''\n"
        "    assert ref.__name__ == 'cs231n' and student.files == ('layers.py',)\n"
        "\n"
        "@pytest.mark.points(2)\n"
        "def test_own_fixture(numbers, tmp_path):\n"
        "    '''own fixture'''\n"
        "    assert numbers == [1, 2] and tmp_path.is_dir(), 'numbers differ'\n"
        "\n"
        "@pytest.mark.points(3)\n"
        "def test_teardown_ran(student):\n"
        "    '''teardown ran'''\n"
        "    assert getattr(numbers, 'torn_down', False), 'no teardown'\n"
        "\n"
        "@pytest.mark.points(4)\n"
        "@pytest.mark.skip(reason='not this term')\n"
        "def test_skipped(student):\n"
        "    '''skipped'''\n"
        "\n"
        "@pytest.mark.points(5)\n"
        "def test_fails(student):\n"
        "    '''fails'''\n"
        "    pytest.fail('a worded failure')\n")
    result, = run([make_staged("uma")], suite=suite)
    outcome = {t.name: (t.status, t.output) for t in result.tests}
    assert outcome == {"plain": ("passed", ""), "own fixture": ("passed", ""),
                       "teardown ran": ("passed", ""),
                       "skipped": ("failed", "this check did not run"),
                       "fails": ("failed", "a worded failure")}
    assert result.score == 6 and result.status == "graded"
