"""The Dropout notebook build: deterministic bytes, and the student copy carries no answers."""

from __future__ import annotations

import json

import pytest
from notebook_test_support import ROOT, SOURCE

from grader.errors import InputFileError
from grader.notebooks.build import build_notebook, dumps, render, write_notebooks
from grader.notebooks.source import ANSWER_PROMPT, ANSWER_TAG, load_source


@pytest.fixture(scope="module")
def source():
    return load_source(SOURCE)


@pytest.fixture(scope="module")
def student(source):
    return json.loads(dumps(build_notebook(source, "student")))


@pytest.fixture(scope="module")
def solution(source):
    return json.loads(dumps(build_notebook(source, "solution")))


def test_two_builds_are_byte_identical():
    assert render(SOURCE) == render(SOURCE)


def _project(tmp_path):
    src = tmp_path / "solutions"
    (src / "notebook").mkdir(parents=True)
    (src / "notebook" / "Dropout.toml").write_bytes(SOURCE.read_bytes())
    return src


def test_release_step_rewrites_nothing_on_a_second_run(tmp_path):
    src = _project(tmp_path)
    first = write_notebooks(src, tmp_path / "assignment")
    assert first == [tmp_path / "assignment" / "Dropout.ipynb"]
    written = first + [src / "Dropout.ipynb"]
    stamps = [(p.read_bytes(), p.stat().st_mtime_ns) for p in written]
    assert write_notebooks(src, tmp_path / "assignment") == first
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in written] == stamps


def test_only_a_release_into_the_project_refreshes_the_solution_notebook(tmp_path):
    src = _project(tmp_path)
    write_notebooks(src, tmp_path / "elsewhere")  # --check and --out release elsewhere
    assert not (src / "Dropout.ipynb").exists()
    write_notebooks(src, tmp_path / "assignment")
    assert (src / "Dropout.ipynb").read_text() == render(SOURCE)["solution"][1]


def test_the_release_runs_the_notebook_step(tmp_path):
    from grader.release.steps import STEPS
    assert write_notebooks in STEPS


def test_committed_notebooks_match_a_fresh_build():
    built = render(SOURCE)
    committed = (ROOT / "solutions" / "Dropout.ipynb").read_text(encoding="utf-8")
    assert committed == built["solution"][1]
    released = ROOT / "assignment" / "Dropout.ipynb"
    if released.exists():
        assert released.read_text(encoding="utf-8") == built["student"][1]


def test_student_notebook_has_no_model_answers_and_no_outputs(source, student):
    text = json.dumps(student)
    for cell in source.cells:
        for paragraph in cell.solution.split("\n\n"):
            body = paragraph.replace(ANSWER_PROMPT, "").strip()
            if body:
                assert json.dumps(body[:60])[1:-1] not in text
    for cell in student["cells"]:
        assert cell.get("outputs", []) == []
        assert cell.get("execution_count") is None
    answers = [c for c in student["cells"] if ANSWER_TAG in c["metadata"].get("tags", [])]
    assert ["".join(c["source"]) for c in answers] == [ANSWER_PROMPT] * 3


def test_solution_notebook_holds_the_model_answers(solution):
    answers = {c["metadata"]["question"]: "".join(c["source"]) for c in solution["cells"]
               if ANSWER_TAG in c["metadata"].get("tags", [])}
    assert list(answers) == [f"Inline Question {n}" for n in (1, 2, 3)]
    assert "vanilla dropout" in answers["Inline Question 1"]
    assert "Increase `p`" in answers["Inline Question 3"]
    assert all(c.get("outputs", []) == [] for c in solution["cells"])


def test_both_versions_share_code_and_cell_ids(student, solution):
    assert [c["id"] for c in student["cells"]] == [c["id"] for c in solution["cells"]]
    assert len({c["id"] for c in student["cells"]}) == len(student["cells"])
    code = [c["source"] for c in student["cells"] if c["cell_type"] == "code"]
    assert code == [c["source"] for c in solution["cells"] if c["cell_type"] == "code"]


def test_notebook_follows_the_exercise(student):
    code = ["".join(c["source"]) for c in student["cells"] if c["cell_type"] == "code"]
    joined = "\n".join(code)
    for needle in ("np.random.seed(231)", "for p in [0.25, 0.4, 0.7]:", "dropout_backward(dout",
                   "for dropout in [1, 0.75, 0.5]:", "dropout_choices = [1, 0.25]",
                   "num_epochs=25, batch_size=100", "'learning_rate': 5e-4",
                   "print_every=100", "plt.savefig('dropout_accuracy.png')",
                   "%load_ext autoreload", "get_CIFAR10_data()"):
        assert needle in joined, needle
    assert "BEGIN SOLUTION" not in joined
    assert student["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("toml, message", [
    ('name = "Dropout"\n[[cells]]\nkind = "banana"\nsource = "x"\n', "kind must be one of"),
    ('name = "Dropout"\n[[cells]]\nkind = "answer"\nquestion = "Inline Question 1"\n',
     "comes before its question"),
    ('name = "Drop out"\n[[cells]]\nkind = "code"\nsource = "x"\n', "plain file stem"),
    ('name = "Dropout"\n[[cells]]\nkind = "code"\nsource = "x"\ncolour = 1\n', "unknown key"),
    ('name = "Dropout"\ncells = [', "not valid TOML"),
])
def test_a_broken_source_is_reported_with_its_file(tmp_path, toml, message):
    path = tmp_path / "Dropout.toml"
    path.write_text(toml)
    with pytest.raises(InputFileError, match=message) as caught:
        load_source(path)
    assert str(path) in str(caught.value)


def test_solutions_without_a_notebook_source_release_no_notebook(tmp_path):
    (tmp_path / "solutions").mkdir()
    assert write_notebooks(tmp_path / "solutions", tmp_path / "assignment") == []
