"""grader run end to end with the scripted judge: skipping, forcing, retries, interruption."""

from __future__ import annotations

import json

import pytest
from classbuilder import make_class

from grader.errors import ConfigError, GraderError, InternalError, UsageError
from grader.store import FILENAME, Store


def stored(out):
    with Store(out / FILENAME) as store:
        return {r.student: r for r in store.latest()}, store.count()


def test_grades_a_class_and_writes_every_report(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {f"s{i}": f"# fake: pass={i % 4}\n" for i in range(7)})
    code, rec = run_class(subs)
    assert code == 0
    out = tmp_path / "grades"
    results, count = stored(out)
    assert count == 7 and sorted(results) == [f"s{i}" for i in range(7)]
    assert results["s3"].score == 10 and results["s1"].score == 4
    assert results["s0"].sandbox == "process"  # filled in from the slot's level
    for name in ("gradebook.csv", "report.html", "folders.csv"):
        assert (out / name).is_file()
    for i in range(7):
        data = json.loads((out / f"s{i}" / "results.json").read_text())
        assert data["score"] == results[f"s{i}"].score
        assert (out / f"s{i}" / "feedback.md").is_file()
    assert "[7/7]" in rec.text


def test_rerun_skips_unchanged_and_regrades_changed(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": "# fake: pass=1\n", "bob": "# fake: pass=2\n"})
    run_class(subs)
    code, rec = run_class(subs)
    assert code == 0 and rec.results == [] and "2 unchanged" in rec.text
    (subs / "bob" / "layers.py").write_text("# fake: pass=3\n")
    code, rec = run_class(subs)
    assert [r.student for r in rec.results] == ["bob"]
    results, count = stored(tmp_path / "grades")
    assert results["bob"].score == 10 and count == 3  # the old bob row is history


def test_force_regrades_everything(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": "", "bob": ""})
    run_class(subs)
    _, rec = run_class(subs, force=True)
    assert sorted(r.student for r in rec.results) == ["alice", "bob"]
    assert stored(tmp_path / "grades")[1] == 2


def test_only_limits_grading_but_reports_cover_the_class(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": "", "bob": "", "carol": ""})
    run_class(subs)
    _, rec = run_class(subs, only="alice, carol", force=True)
    assert sorted(r.student for r in rec.results) == ["alice", "carol"]
    gradebook = (tmp_path / "grades" / "gradebook.csv").read_text().splitlines()
    assert [line.split(",")[0] for line in gradebook[1:]] == ["alice", "bob", "carol"]


def test_only_with_an_unknown_student_is_an_error_with_a_suggestion(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": "", "bob": ""})
    with pytest.raises(UsageError, match=r"'alcie' \(did you mean 'alice'\?\)"):
        run_class(subs, only="alcie,bob")
    with pytest.raises(UsageError, match="names no student"):
        run_class(subs, only=" , ")


def test_missing_layers_py_is_still_a_verdict(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": ""})
    (subs / "bob").mkdir()
    (subs / "bob" / "notes.txt").write_text("forgot it")
    code, _ = run_class(subs)
    results, _ = stored(tmp_path / "grades")
    assert code == 0 and results["bob"].status == "missing"
    assert "no layers.py found" in results["bob"].output


def test_discovery_problems_reach_the_student(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": ""})
    (subs / "alice" / "layers.py").write_bytes(b"# r\xe9sum\xe9\n")
    run_class(subs)
    results, _ = stored(tmp_path / "grades")
    assert "Latin-1" in results["alice"].output
    assert "Latin-1" in (tmp_path / "grades" / "alice" / "feedback.md").read_text()


def test_a_judge_process_that_dies_every_time_costs_only_its_submission(tmp_path, run_class):
    students = {f"s{i}": "# fake: sleep=0.01\n" for i in range(10)}
    students["s4"] = "# fake: die\n"
    subs = make_class(tmp_path / "subs", students)
    with pytest.raises(InternalError, match="1 submission"):
        run_class(subs)
    results, count = stored(tmp_path / "grades")
    assert count == 10
    assert results["s4"].status == "internal_error" and "died" in results["s4"].output
    assert all(r.status == "graded" for name, r in results.items() if name != "s4")


def test_a_judge_process_that_dies_once_is_retried(tmp_path, run_class):
    flag = tmp_path / "died-once"
    students = {f"s{i}": "" for i in range(6)}
    students["s2"] = f"# fake: die-once {flag}\n"
    subs = make_class(tmp_path / "subs", students)
    code, _ = run_class(subs)
    results, count = stored(tmp_path / "grades")
    assert flag.exists() and code == 0 and count == 6
    assert all(r.status == "graded" for r in results.values())


@pytest.mark.parametrize("directive, words", [("raise", "judge raised RuntimeError"),
                                               ("skip", "no result")])
def test_judge_failures_become_internal_errors_then_regrade(tmp_path, run_class,
                                                            directive, words):
    subs = make_class(tmp_path / "subs", {"alice": "", "bob": f"# fake: {directive}\n"})
    with pytest.raises(InternalError, match="bob"):
        run_class(subs)
    results, _ = stored(tmp_path / "grades")
    assert results["bob"].status == "internal_error" and words in results["bob"].output
    assert results["alice"].status == "graded"
    if directive == "raise":  # the judge's traceback is kept for the instructor only
        assert "RuntimeError: judge bug" in (tmp_path / "grades/logs/judges.log").read_text()
        assert "judge bug" not in results["bob"].output
    (subs / "bob" / "layers.py").write_text("x = 1\n")  # fixed grader: the next run retries bob
    code, rec = run_class(subs)
    assert code == 0 and [r.student for r in rec.results] == ["bob"]


def test_internal_errors_are_retried_even_when_unchanged(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"bob": "# fake: raise\n"})
    with pytest.raises(InternalError):
        run_class(subs)
    with pytest.raises(InternalError):
        run_class(subs)
    with Store(tmp_path / "grades" / FILENAME) as store:
        assert store.count() == 1


def test_ctrl_c_keeps_what_is_stored_and_says_how_to_resume(tmp_path, run_class, monkeypatch):
    import classbuilder
    subs = make_class(tmp_path / "subs", {f"s{i:02d}": "# fake: sleep=0.02\n" for i in range(12)})
    real = classbuilder.Recorder.advance

    def interrupt_after_three(self, result):
        real(self, result)
        if len(self.results) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(classbuilder.Recorder, "advance", interrupt_after_three)
    code, rec = run_class(subs)
    assert code == 130
    assert "run the same command again to grade the 9 remaining" in rec.text
    assert stored(tmp_path / "grades")[1] == 3
    assert not (tmp_path / "grades" / "gradebook.csv").exists()
    monkeypatch.setattr(classbuilder.Recorder, "advance", real)
    code, rec = run_class(subs)
    assert code == 0 and len(rec.results) == 9 and stored(tmp_path / "grades")[1] == 12


def test_sandbox_unavailable_is_a_one_line_error(tmp_path, run_class):
    import fakejudge
    subs = make_class(tmp_path / "subs", {"alice": ""})
    with pytest.raises(GraderError, match="bwrap is not installed") as info:
        run_class(subs, slot_factory=fakejudge.UnavailableSlot)
    assert info.value.exit_code == 2


def test_output_folder_inside_submissions_is_not_a_student(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": ""})
    run_class(subs, out=subs / "grades")
    code, rec = run_class(subs, out=subs / "grades")
    assert code == 0 and "1 unchanged" in rec.text


@pytest.mark.parametrize("options, error, words", [
    ({"memory": "lots"}, ConfigError, "--memory"),
    ({"timeout": "-1"}, ConfigError, "--timeout"),
    ({"jobs": 0}, ConfigError, "--jobs"),
    ({"sandbox": "docker"}, ConfigError, "--sandbox"),
    ({"executor": "spark"}, UsageError, "--executor"),
])
def test_bad_options_name_the_flag(tmp_path, run_class, options, error, words):
    subs = make_class(tmp_path / "subs", {"alice": ""})
    with pytest.raises(error, match=words):
        run_class(subs, **options)


def test_bad_submission_folders(tmp_path, run_class):
    with pytest.raises(UsageError, match="does not exist"):
        run_class(tmp_path / "nope")
    assert not (tmp_path / "grades").exists()  # a mistyped command leaves nothing behind
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no submissions found"):
        run_class(tmp_path / "empty")
    (tmp_path / "one" / "cs").mkdir(parents=True)
    (tmp_path / "one" / "layers.py").write_text("")
    with pytest.raises(UsageError, match="one student's folder"):
        run_class(tmp_path / "one")
    (tmp_path / "packaged" / "cs231n").mkdir(parents=True)  # the package layout, too
    (tmp_path / "packaged" / "cs231n" / "layers.py").write_text("")
    with pytest.raises(UsageError, match="one student's folder"):
        run_class(tmp_path / "packaged")
    (tmp_path / "file").write_text("")
    with pytest.raises(UsageError, match="not a folder"):
        run_class(tmp_path / "file")


def test_out_that_is_a_file_is_an_error(tmp_path, run_class):
    subs = make_class(tmp_path / "subs", {"alice": ""})
    (tmp_path / "taken").write_text("")
    with pytest.raises(UsageError, match="--out must be a folder"):
        run_class(subs, out=tmp_path / "taken")


def test_dask_without_dask_is_a_clear_error(tmp_path, run_class, monkeypatch):
    import sys
    subs = make_class(tmp_path / "subs", {"alice": ""})
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # import fails
    with pytest.raises(UsageError, match="pip install 'grader\\[dask\\]'"):
        run_class(subs, executor="dask")
