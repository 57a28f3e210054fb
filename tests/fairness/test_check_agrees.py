"""Item 7: `grader check` and `grader ci`/`grader run` agree on the same files, and both
say which files they graded. An fc_net.py still exactly as released is not submitted work:
the grader uses its reference net around the student's layers, as the README promises."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from fairness_cases import LAYERS, SKELETON_FC_NET
from rich.console import Console

from grader import paths
from grader.check import main as check


def assignment(tmp_path: Path) -> Path:
    folder = tmp_path / "assignment"
    shutil.copytree(paths.assignment_dir() / "cs231n", folder / "cs231n",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (folder / "cs231n" / "layers.py").write_text(LAYERS, encoding="utf-8")
    return folder


def test_correct_layers_with_the_untouched_net_pass_check_and_score_full_in_ci(
        tmp_path, grade, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    buffer = io.StringIO()
    code = check(path=assignment(tmp_path), console=Console(file=buffer, width=200,
                                                           color_system=None))
    out = buffer.getvalue()
    assert code == 0, out
    assert "Files graded: layers.py (no fc_net.py was graded" in out
    assert " FAIL " not in out and "Not run (" in out
    got, total = out.split("Score: ")[1].split(" points")[0].split("/")
    assert got == total

    result, feedback = grade(layers=LAYERS, fc_net=SKELETON_FC_NET)
    assert (result.status, result.score, result.files) == ("graded", 100, ("layers.py",))
    assert "fc_net.py is still the released skeleton" in feedback
    assert "Files graded: layers.py (no fc_net.py was graded" in feedback
    alone, _ = grade("alone", layers=LAYERS)
    assert alone.score == result.score


def test_a_started_net_is_graded_as_the_students(grade):
    started = SKELETON_FC_NET.replace("raise NotImplementedError(", "pass  # (", 1)
    result, feedback = grade(layers=LAYERS, fc_net=started)
    assert "fc_net.py" in result.files
    assert "released skeleton" not in feedback


def test_check_names_a_skipped_import(tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    folder = assignment(tmp_path)
    (folder / "cs231n" / "layers.py").write_text("import torch\n" + LAYERS, encoding="utf-8")
    buffer = io.StringIO()
    code = check(path=folder, console=Console(file=buffer, width=300, color_system=None))
    out = buffer.getvalue()
    assert code == 0, out
    assert "Note: layers.py line 1: `import torch` was skipped: torch is not available" in out


def test_ci_prints_the_files_it_graded_and_writes_notes_as_notes(tmp_path, capsys):
    import json

    from grader.ci import main as ci

    folder = tmp_path / "sub"
    folder.mkdir()
    (folder / "layers.py").write_text("import torch\n" + LAYERS, encoding="utf-8")
    (folder / "fc_net.py").write_text(SKELETON_FC_NET, encoding="utf-8")
    results = tmp_path / "results.json"
    assert ci(submission=folder, results=results) == 0
    printed = capsys.readouterr().out
    assert "grader ci: files graded: layers.py (no fc_net.py was graded" in printed
    data = json.loads(results.read_text(encoding="utf-8"))
    assert data["score"] == 100
    assert "[grader note]" not in data["output"]
    assert "Note: layers.py line 1: `import torch` was skipped" in data["output"]
    assert "Note: fc_net.py is still the released skeleton" in data["output"]
