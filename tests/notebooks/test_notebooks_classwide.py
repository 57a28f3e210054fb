"""A class's notebooks in one call: staged like the judge stages code, results and one sheet."""

from __future__ import annotations

import json
import shutil

import nbformat
from notebook_test_support import ROOT

from grader.config import Config
from grader.notebooks.classwide import grade_notebooks

FORWARD_CHECK = ("import numpy as np\nfrom cs231n.layers import dropout_forward\n"
                 "np.random.seed(231)\nx = np.random.randn(500, 500) + 10\n"
                 "out, _ = dropout_forward(x, {'mode': 'train', 'p': 0.25})\n"
                 "print('Fraction of train-time output set to zero: ', (out == 0).mean())")


def notebook(folder, *cells):
    nb = nbformat.v4.new_notebook()
    for i, (kind, source, *meta) in enumerate(cells):
        maker = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        nb.cells.append(maker(source, id=f"c{i}", metadata=meta[0] if meta else {}))
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "Dropout.ipynb")


def test_a_class_of_notebooks(tmp_path):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    answer = {"tags": ["inline-answer"], "question": "Inline Question 1"}
    # alice submits a correct layers.py one package level down, as a zip would hold it.
    (subs / "alice" / "cs231n").mkdir(parents=True)
    shutil.copy(ROOT / "solutions" / "cs231n" / "layers.py", subs / "alice" / "cs231n")
    notebook(subs / "alice", ("code", FORWARD_CHECK), ("markdown", "## Inline Question 1:"),
             ("markdown", "The test-time scale is off by 1/p.", answer))
    notebook(subs / "bob", ("code", FORWARD_CHECK))  # no layers.py: the skeleton's stub runs
    (subs / "carol").mkdir()
    (subs / "carol" / "layers.py").write_text("")  # code but no notebook
    notebook(subs / "mallory", ("code", "while True:\n    pass"),
             ("markdown", "## Inline Question 1:\n**Your Answer:** <script>x</script>"))
    config = Config(jobs=2)
    seen = []
    results = grade_notebooks(subs, out, config=config, assignment_dir=ROOT / "assignment",
                              on_result=lambda student, result: seen.append(student),
                              cell_seconds=3)
    assert sorted(results) == sorted(seen) == ["alice", "bob", "mallory"]
    assert results["alice"].ran_to_end
    executed = nbformat.read(out / "alice" / "notebook" / "Dropout.executed.ipynb", as_version=4)
    assert "set to zero:  0.749784" in executed.cells[0].outputs[0]["text"]
    assert results["bob"].error.startswith("NotImplementedError: dropout_forward")
    assert results["mallory"].status == "limit"
    record = json.loads((out / "mallory" / "notebook" / "notebook_result.json").read_text())
    assert record["status"] == "limit" and record["failed_cell"] == 1
    sheet = (out / "inline_answers.html").read_text()
    for student in ("alice", "bob", "carol", "mallory"):
        assert f"<h3>{student}</h3>" in sheet
    assert "The test-time scale is off by 1/p." in sheet
    assert "&lt;script&gt;x&lt;/script&gt;" in sheet and "<script>" not in sheet
