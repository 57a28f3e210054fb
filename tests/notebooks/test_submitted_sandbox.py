"""Submitted notebooks in the real sandbox: they run, they stop at limits, they see nothing else."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from notebook_test_support import ROOT

from grader.config import Limits
from grader.notebooks.submitted import notebook_limits, process
from grader.run.sandbox import SandboxSlot

ASSIGNMENT, SOLUTIONS = ROOT / "assignment", ROOT / "solutions"


@pytest.fixture(scope="module")
def slot(tmp_path_factory):
    with SandboxSlot(level="auto", limits=notebook_limits(Limits()),
                     workdir=tmp_path_factory.mktemp("slot")) as slot:
        yield slot


def outputs_text(result) -> str:
    nb = nbformat.read(result.executed_path, as_version=4)
    return "".join(o.get("text", "") + o.get("evalue", "") for c in nb.cells
                   if c.cell_type == "code" for o in c.outputs)


def test_the_released_notebook_stops_at_the_students_stub(slot, tmp_path):
    student = tmp_path / "bob"
    student.mkdir()
    (student / "Dropout.ipynb").write_bytes((ASSIGNMENT / "Dropout.ipynb").read_bytes())
    result = process(student, slot, tmp_path / "report", code_root=ASSIGNMENT)
    assert result.status == "cell_error" and result.failed_cell == 5
    assert result.error.startswith("NotImplementedError: dropout_forward: Implement training")
    assert result.answers == {f"Inline Question {n}": "" for n in (1, 2, 3)}
    assert "SYNTHETIC" in outputs_text(result)


def test_a_complete_submission_runs_to_the_end_with_its_plot(slot, tmp_path):
    student = tmp_path / "alice"
    student.mkdir()
    (student / "Dropout.ipynb").write_bytes((SOLUTIONS / "Dropout.ipynb").read_bytes())
    result = process(student, slot, tmp_path / "report", code_root=SOLUTIONS)
    assert result.ran_to_end, result.summary()
    text = outputs_text(result)
    assert "Mean of train-time output:  10.014059116977283" in text
    assert text.count("(Epoch 25 / 25)") == 2
    assert sorted(p.name for p in result.images) == ["cell14_figure1.png", "dropout_accuracy.png"]
    assert (tmp_path / "report" / "notebook_images" / "dropout_accuracy.png").read_bytes() \
        .startswith(b"\x89PNG")
    assert "vanilla dropout" in result.answers["Inline Question 1"]


def hostile(tmp_path, name: str, *sources: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s, id=f"c{i}") for i, s in enumerate(sources)]
    nbformat.write(nb, folder / "Dropout.ipynb")
    return folder


def test_an_endless_notebook_is_killed_at_the_call_limit(tmp_path):
    # The cell silences the runner's own alarm, so only the sandbox can stop it.
    folder = hostile(tmp_path, "eve", "print('started')",
                     "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                     "while True:\n    pass", "print('never')")
    with SandboxSlot(level="auto", limits=Limits(call_timeout=3, submission_timeout=30),
                     workdir=tmp_path / "slot") as small:
        result = process(folder, small, tmp_path / "report", code_root=ASSIGNMENT,
                         cell_timeout=10)
    assert result.status == "limit" and result.failed_cell == 2
    assert "wall time per call (3 s)" in result.error
    assert result.seconds < 20


def test_files_outside_the_notebook_folder_are_out_of_reach(slot, tmp_path):
    other = tmp_path / "other_student"
    other.mkdir()
    (other / "layers.py").write_text("SECRET = 'other student code'\n")
    probe = ("import os\nfor path in {paths!r}:\n"
             "    try:\n        print(path, 'READ', open(path).read()[:40])\n"
             "    except OSError as error:\n        print(path, 'BLOCKED', type(error).__name__)")
    paths = ["../other_student/layers.py", "../../other_student/layers.py",
             str(other / "layers.py")]
    if slot.level in ("bwrap", "landlock"):
        paths += ["/etc/passwd", str(SOLUTIONS / "cs231n" / "layers.py")]
    folder = hostile(tmp_path, "mallory", probe.format(paths=paths), "print(os.listdir('..'))")
    result = process(folder, slot, tmp_path / "report", code_root=ASSIGNMENT)
    assert result.ran_to_end, result.summary()
    text = outputs_text(result)
    assert "READ" not in text and text.count("BLOCKED") == len(paths)
    assert "other_student" not in text.split("BLOCKED")[-1]  # listing '..' shows no one else


def test_exiting_or_crashing_the_worker_is_reported(slot, tmp_path):
    folder = hostile(tmp_path, "trent", "import sys\nsys.exit(0)")
    result = process(folder, slot, tmp_path / "r1", code_root=ASSIGNMENT)
    assert result.status == "cell_error" and result.error.startswith("SystemExit")
    folder = hostile(tmp_path, "oscar", "print(1)", "import os\nos._exit(0)")
    result = process(folder, slot, tmp_path / "r2", code_root=ASSIGNMENT)
    assert result.status == "crashed" and result.failed_cell == 2
    assert "crashed" in result.error
