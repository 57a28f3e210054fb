"""`grader notebook run`: headless execution, and a failing cell named in one line."""

from __future__ import annotations

import shutil
import sys

import nbformat
import pytest
from notebook_test_support import ROOT

from grader.cli import main as cli_main
from grader.notebooks.execute import run_notebook

PNG = b"\x89PNG\r\n\x1a\n"


def grader(*args) -> int:
    with pytest.raises(SystemExit) as stopped:
        cli_main(list(args))
    return stopped.value.code


def test_a_failing_cell_is_named_with_its_error(notebook_factory, capsys, tmp_path):
    path = notebook_factory("broken.ipynb",
                            ("code", "x = 1\nprint('fine')"),
                            ("markdown", "text"),
                            ("code", "# the third cell\nraise ValueError('bad\\nthing')"),
                            ("code", "print('never runs')"))
    assert grader("notebook", "run", str(path), "--timeout", "60") == 1
    out, err = capsys.readouterr()
    assert "cell 3 ('# the third cell') failed: ValueError: bad thing" in out
    assert "Traceback" not in out + err
    executed = nbformat.read(tmp_path / "broken.executed.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "fine\n"
    assert executed.cells[3].outputs == []


def test_a_cell_that_never_ends_is_stopped_at_the_limit(notebook_factory, tmp_path):
    path = notebook_factory("loop.ipynb", ("code", "while True:\n    pass"))
    outcome = run_notebook(path, timeout=2, out=tmp_path / "out")
    assert not outcome.ok and outcome.cell == 1 and outcome.first_line == "while True:"
    assert "timed out after 2 s" in outcome.error and "--timeout" in outcome.error
    assert outcome.seconds < 30
    assert (tmp_path / "out" / "loop.executed.ipynb").is_file()


def test_the_kernel_runs_in_the_notebook_folder_without_a_display(notebook_factory, tmp_path):
    path = notebook_factory(
        "sub/where.ipynb",
        ("code", ("import os, matplotlib\nprint(os.getcwd())\nprint(matplotlib.get_backend())\n"
                 "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")))
    outcome = run_notebook(path, timeout=60)
    assert outcome.ok, outcome.describe()
    outputs = nbformat.read(outcome.executed, as_version=4).cells[0].outputs
    cwd, backend = outputs[0]["text"].split()
    assert cwd == str(tmp_path / "sub") and "inline" in backend
    assert any("image/png" in o.get("data", {}) for o in outputs)


def test_bad_input_is_one_line(tmp_path, capsys):
    assert grader("notebook", "run", str(tmp_path / "missing.ipynb")) == 2
    assert capsys.readouterr().err.strip() == \
        f"grader: error: {tmp_path / 'missing.ipynb'}: notebook not found"
    junk = tmp_path / "junk.ipynb"
    junk.write_text("not json")
    assert grader("notebook", "run", str(junk)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"grader: error: {junk}: not a readable notebook")
    assert err.count("\n") == 1


def test_the_solution_notebook_runs_to_the_end(tmp_path, capsys):
    # A copy, so the figure the notebook saves does not land in solutions/.
    shutil.copytree(ROOT / "solutions" / "cs231n", tmp_path / "cs231n",
                    ignore=shutil.ignore_patterns("__pycache__", "datasets"))
    shutil.copy(ROOT / "solutions" / "Dropout.ipynb", tmp_path)
    assert grader("notebook", "run", str(tmp_path / "Dropout.ipynb"), "--timeout", "300",
                  "--out", str(tmp_path / "executed")) == 0
    assert "ran to the end" in capsys.readouterr().out
    nb = nbformat.read(tmp_path / "executed" / "Dropout.executed.ipynb", as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    # The numbers published with the exercise (seed 231), reproduced exactly.
    assert "Mean of train-time output:  10.014059116977283" in text
    assert "Fraction of train-time output set to zero:  0.749784" in text
    assert "Fraction of train-time output set to zero:  0.600796" in text
    assert "Fraction of test-time output set to zero:  0.0" in text
    assert "Initial loss:  2.3004790897684924" in text
    assert "dx relative error:  5.44560814873387e-11" in text
    assert "SYNTHETIC" in text  # offline the notebook says its data are not CIFAR-10
    assert text.count("(Epoch 25 / 25)") == 2
    assert (tmp_path / "dropout_accuracy.png").read_bytes().startswith(PNG)
    assert any("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code"
               for o in c.outputs)


def test_the_student_notebook_stops_at_the_first_todo(tmp_path, capsys):
    shutil.copytree(ROOT / "assignment", tmp_path / "assignment",
                    ignore=shutil.ignore_patterns("__pycache__"))
    notebook = tmp_path / "assignment" / "Dropout.ipynb"
    assert grader("notebook", "run", str(notebook), "--timeout", "120") == 1
    out, err = capsys.readouterr()
    line = out.strip()
    assert "\n" not in line and "Traceback" not in out + err
    # Cell 5 is the forward check: set-up and data loading ran, the stub stopped it.
    assert line.startswith(f"{notebook}: cell 5 ('np.random.seed(231)') failed: "
                           "NotImplementedError: dropout_forward: Implement training phase")
    assert "(your TODO in cs231n/layers.py)" in line
    executed = nbformat.read(notebook.with_name("Dropout.executed.ipynb"), as_version=4)
    assert "SYNTHETIC" in executed.cells[2].outputs[0]["text"]


def test_a_broken_python3_kernelspec_is_not_used(notebook_factory, tmp_path, monkeypatch):
    # A user's "python3" kernel spec may name another interpreter, or one that is gone.
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        '{"argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],'
        ' "display_name": "Python 3", "language": "python"}')
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    path = notebook_factory("k.ipynb", ("code", "import sys\nprint(sys.executable)"))
    outcome = run_notebook(path, timeout=60)
    assert outcome.ok, outcome.describe()
    printed = nbformat.read(outcome.executed, as_version=4).cells[0].outputs[0]["text"].strip()
    assert printed == sys.executable
