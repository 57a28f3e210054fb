"""``grader doctor`` on this machine, and on machines it can be made to look like."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from rich.console import Console

from grader import doctor
from grader.doctor import facts
from grader.run import levels, probe


def run_doctor(**kwargs) -> tuple[int, str]:
    out = io.StringIO()
    code = doctor.main(console=Console(file=out, width=200, highlight=False), **kwargs)
    return code, out.getvalue()


@pytest.fixture
def fresh_probes():
    caches = (probe.probe, levels.choose)  # the real ones, whatever a test patches
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def test_on_this_machine_every_available_level_is_tried_live(fresh_probes):
    code, text = run_doctor(grade_reference=False)
    working = [level for level in levels.LEVELS if levels.prerequisite(level) is None]
    assert code == (0 if set(working) & set(levels.ISOLATING) else 1)
    for level in levels.LEVELS:
        assert f"│ {level}" in text
    assert "Python" in text and "numpy" in text and "Landlock" in text and "seccomp" in text
    assert "what each level protects here" in text
    if "process" in working:  # the probe really ran at the process level and found its leaks
        assert "could read a file outside its folder" in text


def test_without_bubblewrap_and_landlock_it_names_the_fixes_and_fails(monkeypatch, fresh_probes):
    monkeypatch.setattr(facts, "bubblewrap", lambda: facts.Fact(
        "bubblewrap", "not installed", False, "sudo apt-get install bubblewrap"))
    monkeypatch.setattr(facts, "landlock", lambda: facts.Fact(
        "Landlock", "not available", False, "add landlock to the lsm= kernel parameter"))
    reasons = {"bwrap": "bwrap is not installed", "landlock": "the kernel has no Landlock"}
    monkeypatch.setattr(levels, "prerequisite", reasons.get)
    code, text = run_doctor(grade_reference=False)
    assert code == 1
    assert "to get bwrap: sudo apt-get install bubblewrap" in text
    assert "to get landlock: add landlock to the lsm= kernel parameter" in text
    assert "No isolating level works here" in text


def test_a_level_whose_probe_escapes_is_reported_as_not_working(monkeypatch, fresh_probes):
    monkeypatch.setattr(levels, "prerequisite", lambda level: None)
    leaky = {"bwrap": probe.Probe("bwrap", True, leaks=("open a network connection",)),
             "landlock": probe.Probe("landlock", False, "landlock_restrict_self: refused"),
             "process": probe.Probe("process", True, leaks=("read a file outside its folder",))}
    monkeypatch.setattr(probe, "probe", leaky.get)
    code, text = run_doctor(grade_reference=False)
    assert code == 1
    assert "a probe submission could open a network connection" in text
    assert "landlock_restrict_self: refused" in text


def test_the_reference_solution_gets_full_marks_at_the_level_auto_picks(fresh_probes):
    best = levels.choose("auto").level
    report = doctor.check_level(best, facts.all_facts(), grade_reference=True)
    assert report.works and report.reference == "100/100", report


def test_the_command_exists_with_help():
    done = subprocess.run([sys.executable, "-m", "grader.cli", "doctor", "--help"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "grader doctor --no-grade" in done.stdout
