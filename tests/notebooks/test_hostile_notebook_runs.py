"""Hostile submitted notebooks through :func:`submitted.process`: links, output floods,
figure floods and costly plots. The cells run through an in-process session (only this
file's fixture code runs in it; test_hostile_notebook_class.py uses the real sandbox), and a
control notebook beside each attack must give the same result as always.
"""

from __future__ import annotations

import time

import nbformat
import pytest
from notebook_test_support import CONTROL_ANSWER, TAG1, InProcessSlot, cell, write_raw

from grader.errors import InputFileError
from grader.notebooks import convert, intake, plotcheck, submitted
from grader.notebooks.answers import extract_answers

pytestmark = pytest.mark.usefixtures("forget_cs231n")
PLOT = "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"


def control(folder):
    return write_raw(folder / "Dropout.ipynb", [
        cell("code", "print('control ran')"), cell("code", PLOT),
        cell("markdown", "## Inline Question 1"), cell("markdown", CONTROL_ANSWER, metadata=TAG1)])


def check_control(tmp_path, monkeypatch, code_root):
    result = submitted.process(control(tmp_path / "control"), InProcessSlot(monkeypatch),
                               tmp_path / "control_out", code_root=code_root)
    assert result.status == "ran" and result.notes == ()
    assert result.answers == {"Inline Question 1": CONTROL_ANSWER}
    assert [p.name for p in result.images] == ["cell02_figure1.png"]
    executed = nbformat.read(result.executed_path, as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "control ran\n"


def run(tmp_path, monkeypatch, code_root, name, *sources):
    folder = tmp_path / name
    write_raw(folder / "Dropout.ipynb", [cell("code", s) for s in sources])
    started = time.monotonic()
    result = submitted.process(folder, InProcessSlot(monkeypatch), tmp_path / f"{name}_out",
                               code_root=code_root)
    print(f"{name}: {time.monotonic() - started:.1f} s, notes {list(result.notes)[:3]}")
    return result


@pytest.mark.parametrize("make", ["friend", "solutions", "file", "nested", "folder"])
def test_links_are_never_followed_and_are_the_students_problem(tmp_path, make):
    bob = control(tmp_path / "bob")
    solutions = write_raw(tmp_path / "solutions" / "Dropout.ipynb", [
        cell("markdown", "## Inline Question 1"), cell("markdown", "MODEL ANSWER", metadata=TAG1)])
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    if make == "friend":
        (mallory / "friend").symlink_to(bob.parent, target_is_directory=True)
    elif make == "solutions":
        (mallory / "solutions").symlink_to(solutions.parent, target_is_directory=True)
    elif make == "file":
        (mallory / "Dropout.ipynb").symlink_to(bob)
    elif make == "nested":
        (mallory / "hw").mkdir()
        (mallory / "hw" / "Dropout.ipynb").symlink_to(solutions)
    else:  # the student folder itself
        mallory.rmdir()
        mallory.symlink_to(bob.parent, target_is_directory=True)
    assert intake.locate(mallory).path is None
    assert submitted.find_notebook(mallory) is not None  # so that the problem is reported
    result = submitted.process(mallory, None, tmp_path / "out")
    assert result.status == "unreadable" and "symbolic link" in result.error
    assert result.answers == {} and result.executed_path is None
    assert not (tmp_path / "out" / "Dropout.executed.ipynb").exists()
    if make == "file":
        with pytest.raises(InputFileError, match="symbolic link"):
            intake.load(mallory / "Dropout.ipynb")
    with pytest.raises(InputFileError, match="not a regular file|symbolic link"):
        intake.load(mallory)
    assert extract_answers(bob) == {"Inline Question 1": CONTROL_ANSWER}  # the control


def test_a_link_beside_a_real_notebook_is_ignored_with_a_note(tmp_path, monkeypatch, code_root):
    bob = control(tmp_path / "bob")
    mallory = tmp_path / "mallory"
    write_raw(mallory / "Dropout.ipynb", [cell("markdown", "## Inline Question 1"),
                                          cell("markdown", "my own words", metadata=TAG1)])
    (mallory / "friend").symlink_to(bob.parent, target_is_directory=True)
    (mallory / "sub").mkdir()
    (mallory / "sub" / "x.ipynb").symlink_to(bob)
    result = submitted.process(mallory, InProcessSlot(monkeypatch), tmp_path / "out",
                               code_root=code_root)
    assert result.status == "ran" and result.answers == {"Inline Question 1": "my own words"}
    assert [n[:18] for n in result.notes] == ["ignored: `friend` ", "ignored: `sub/x.ip"]
    check_control(tmp_path, monkeypatch, code_root)


def test_a_linked_package_folder_is_not_copied_into_the_run(tmp_path):
    other = tmp_path / "bob" / "cs231n"
    other.mkdir(parents=True)
    (other / "layers.py").write_text("STOLEN = True\n")
    mallory = tmp_path / "mallory"
    mallory.mkdir()
    (mallory / "cs231n").symlink_to(other, target_is_directory=True)
    (mallory / "fc_net.py").symlink_to(other / "layers.py")
    scratch = tmp_path / "scratch"
    submitted._prepare(scratch, None, mallory)
    for path in scratch.rglob("*.py"):
        assert "STOLEN" not in path.read_text()
    code = tmp_path / "code"
    (code / "cs231n").mkdir(parents=True)
    (code / "cs231n" / "layers.py").write_text("OK = 1\n")
    (code / "cs231n" / "peek").symlink_to(other, target_is_directory=True)
    submitted._prepare(tmp_path / "scratch2", code, mallory)
    assert sorted(p.name for p in (tmp_path / "scratch2" / "cs231n").iterdir()) == ["layers.py"]


def test_output_floods_are_bounded_per_notebook(tmp_path, monkeypatch, code_root):
    result = run(tmp_path, monkeypatch, code_root, "flood",
                 *["print('x' * 10**6)\n'y' * 10**6"] * 30, *["!ls"] * 100)
    assert result.status == "ran"
    executed = nbformat.read(result.executed_path, as_version=4)
    text = sum(len(o.get("text", "")) + len(o.get("data", {}).get("text/plain", ""))
               for c in executed.cells for o in c.outputs)
    assert text < convert.MAX_TEXT_CHARS + 100_000
    assert "output cut" in executed.cells[20].outputs[0]["text"]
    assert len(result.notes) <= 51 and result.notes[-1].startswith("... more notes")
    check_control(tmp_path, monkeypatch, code_root)


def test_figure_floods_are_bounded_per_cell_and_per_notebook(tmp_path, monkeypatch, code_root):
    many = "import matplotlib.pyplot as plt\nfor i in range(30):\n    plt.figure()\n    plt.plot([i])"
    result = run(tmp_path, monkeypatch, code_root, "figures", many, *[PLOT] * 15)
    assert result.status == "ran"
    assert len(result.images) == plotcheck.MAX_FIGURES
    assert [p.name for p in result.images[:5]] == [
        *(f"cell01_figure{k}.png" for k in range(1, 5)), "cell02_figure1.png"]
    assert any("drew 30 figures; only the first 4" in n for n in result.notes)
    assert any("more than 12 figures" in n for n in result.notes)
    check_control(tmp_path, monkeypatch, code_root)


def test_costly_plots_are_skipped_with_a_note_in_bounded_time(tmp_path, monkeypatch, code_root):
    result = run(tmp_path, monkeypatch, code_root, "costly",
                 "import numpy as np\nimport matplotlib.pyplot as plt\n"
                 "plt.hist(np.random.rand(1000), bins=100000)\nplt.show()",
                 "import matplotlib.pyplot as plt\nplt.plot([1, 2])\n"
                 "plt.gca().set_xticks(list(range(20000)))\nplt.show()",
                 "import matplotlib.pyplot as plt\nplt.title('x' * 10**5)\n"
                 "plt.imshow([[0.5] * 2000] * 2000)\nplt.plot([1], lw=1e9)\nplt.show()")
    assert result.status == "ran" and result.seconds < 120
    notes = "\n".join(result.notes)
    for expected in ("bins=100000 is outside", "20,000 ticks (the limit is 50)",
                     "imshow(): an image that is not rows of pixels",
                     "lw=1000000000.0 is outside"):
        assert expected in notes
    assert len(result.images) == 3  # each figure is still drawn, without the costly call
    executed = nbformat.read(result.executed_path, as_version=4)
    assert "[grader] figure 1: hist(): bins=100000" in executed.cells[0].outputs[0]["text"]
    check_control(tmp_path, monkeypatch, code_root)


def test_a_link_that_cannot_be_a_notebook_is_left_to_discovery(tmp_path):
    bob = control(tmp_path / "bob")
    carol = tmp_path / "carol"
    carol.mkdir()
    (carol / "layers.py").symlink_to(bob)  # discovery reports it with the code
    assert intake.locate(carol) == intake.Located(None, ())
    assert submitted.find_notebook(carol) is None


def test_a_student_folder_named_like_a_notebook_is_a_folder(tmp_path, monkeypatch, code_root):
    folder = tmp_path / "eve.ipynb"
    control(folder)
    result = submitted.process(folder, InProcessSlot(monkeypatch), tmp_path / "out",
                               code_root=code_root)
    assert result.status == "ran" and result.answers == {"Inline Question 1": CONTROL_ANSWER}
