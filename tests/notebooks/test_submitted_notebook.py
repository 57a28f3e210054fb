"""Submitted notebooks: cells run through a worker session, outputs rebuilt on the trusted side.

These tests drive the runner through an in-process session (only our own fixture code
runs in it); the tests in test_submitted_sandbox.py use the real sandbox.
"""

from __future__ import annotations

import nbformat
import pytest
from notebook_test_support import InProcessSlot

from grader.notebooks import submitted
from grader.run.errors import LimitExceeded

TAG = {"tags": ["inline-answer"], "question": "Inline Question 1"}
pytestmark = pytest.mark.usefixtures("forget_cs231n")


def test_a_notebook_runs_and_its_outputs_figures_and_answers_are_kept(
        notebook_factory, code_root, tmp_path, monkeypatch):
    notebook_factory(
        "alice/Dropout.ipynb",
        ("code", ("%matplotlib inline\n%load_ext autoreload\n!ls /\nimport numpy as np\n"
                 "print('hello from the notebook')")),
        ("code", "x = np.arange(3)\nlen(x)"),
        ("code", ("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\n"
                 "plt.savefig('dropout_accuracy.png')\nplt.show()")),
        ("markdown", "## Inline Question 1:\nWhat happens?"),
        ("markdown", "The scale is wrong at test time.", TAG))
    out = tmp_path / "report"
    result = submitted.process(tmp_path / "alice", InProcessSlot(monkeypatch), out,
                               code_root=code_root)
    assert result.ran_to_end and result.status == "ran" and result.failed_cell is None
    assert result.answers == {"Inline Question 1": "The scale is wrong at test time."}
    assert any("shell command `!ls /`" in note for note in result.notes)
    executed = nbformat.read(result.executed_path, as_version=4)
    first, second, third = (c for c in executed.cells if c.cell_type == "code")
    assert [o.get("text") for o in first.outputs if o.get("name") == "stdout"] == \
        ["hello from the notebook\n"]
    assert second.outputs[-1]["data"]["text/plain"] == "3" and second.execution_count == 2
    assert any("image/png" in o.get("data", {}) for o in third.outputs)
    names = sorted(p.name for p in result.images)
    assert names == ["cell03_figure1.png", "dropout_accuracy.png"]
    assert not (tmp_path / "alice" / "dropout_accuracy.png").exists()
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in result.images)


def test_the_student_stub_stops_the_run_at_its_cell(notebook_factory, code_root, tmp_path,
                                                     monkeypatch):
    notebook_factory(
        "bob/Dropout.ipynb",
        ("code", "from cs231n.layers import dropout_forward"),
        ("markdown", "# Dropout forward pass"),
        ("code", "out, _ = dropout_forward(1.0, {'mode': 'train', 'p': 0.5})"),
        ("code", "print('never runs')"))
    result = submitted.process(tmp_path / "bob" / "Dropout.ipynb", InProcessSlot(monkeypatch),
                               tmp_path / "out", code_root=code_root)
    assert not result.ran_to_end and result.status == "cell_error" and result.failed_cell == 3
    assert result.error == ("NotImplementedError: dropout_forward: implement the training "
                            "forward pass")
    assert "stopped at cell 3" in result.summary()
    executed = nbformat.read(result.executed_path, as_version=4)
    assert executed.cells[2].outputs[-1]["output_type"] == "error"
    assert "<cell 3>" in "\n".join(executed.cells[2].outputs[-1]["traceback"])
    assert executed.cells[3].outputs == []


def test_an_endless_cell_is_stopped_by_the_cell_budget(notebook_factory, code_root, tmp_path,
                                                       monkeypatch):
    notebook_factory("eve/Dropout.ipynb", ("code", ("while True:\n    try:\n        pass\n"
                                                   "    except Exception:\n        pass")))
    result = submitted.process(tmp_path / "eve", InProcessSlot(monkeypatch), tmp_path / "out",
                               code_root=code_root, cell_timeout=1)
    assert result.status == "limit" and result.failed_cell == 1
    assert result.error == "timed out after 1 s (per-cell limit)"


def test_a_sandbox_limit_is_reported_with_its_name(notebook_factory, code_root, tmp_path,
                                                   monkeypatch):
    notebook_factory("mallory/Dropout.ipynb", ("code", "print(1)"), ("code", "boom = 1"))
    slot = InProcessSlot(monkeypatch, fail_with=LimitExceeded("wall time per call (20 s)"))
    result = submitted.process(tmp_path / "mallory", slot, tmp_path / "out", code_root=code_root)
    assert result.status == "limit" and result.failed_cell == 2
    assert result.error == "limit exceeded: wall time per call (20 s)"


def test_outputs_submitted_with_the_notebook_are_discarded(tmp_path, code_root, monkeypatch):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x = 1", id="a", execution_count=7, outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": "<script>forged</script>"})])]
    (tmp_path / "carol").mkdir()
    nbformat.write(nb, tmp_path / "carol" / "Dropout.ipynb")
    result = submitted.process(tmp_path / "carol", InProcessSlot(monkeypatch), tmp_path / "out",
                               code_root=code_root)
    assert result.ran_to_end
    assert "forged" not in result.executed_path.read_text()


def test_no_notebook_and_an_unreadable_one(tmp_path, monkeypatch):
    (tmp_path / "dan").mkdir()
    (tmp_path / "dan" / "Dropout.executed.ipynb").write_text("{}")
    assert submitted.process(tmp_path / "dan", InProcessSlot(monkeypatch), tmp_path / "o") is None
    (tmp_path / "dan" / "Dropout.ipynb").write_text("{ not json")
    result = submitted.process(tmp_path / "dan", InProcessSlot(monkeypatch), tmp_path / "o")
    assert result.status == "unreadable" and not result.ran_to_end
    assert result.error.startswith("not a readable notebook")
