"""Hostile notebook files, read on the trusted side: sizes, depth, counts, metadata,
attachments, headings and answers are bounded before or while they are parsed.

Every hostile notebook sits beside the control notebook (notebook_test_support), whose
answers must come out unchanged. Timings are printed and only bounded generously: each
pattern below took tens of seconds (or minutes) before it was made linear.
"""

from __future__ import annotations

import json
import time

import pytest
from notebook_test_support import CONTROL_ANSWER, TAG1, cell, control_cells, write_raw

from grader.errors import InputFileError
from grader.notebooks import answers, convert, intake, review
from grader.notebooks.answers import MAX_ANSWER_CHARS, MAX_QUESTIONS, extract_answers

CONTROL = {"Inline Question 1": CONTROL_ANSWER}


@pytest.fixture
def control(tmp_path):
    path = write_raw(tmp_path / "control" / "Dropout.ipynb")
    yield path
    assert extract_answers(path) == CONTROL  # the control is read the same after each attack


def timed(what: str, function, *args):
    started = time.monotonic()
    value = function(*args)
    seconds = time.monotonic() - started
    print(f"{what}: {seconds:.3f} s")
    assert seconds < 5, f"{what} took {seconds:.1f} s"
    return value


def test_a_question_number_of_thousands_of_digits_is_no_question(tmp_path, control):
    path = write_raw(tmp_path / "h" / "Dropout.ipynb", [
        *control_cells(), cell("markdown", "## Inline Question " + "9" * 5000),
        cell("markdown", "not an answer to question 1"),
        cell("markdown", "x", metadata={"tags": ["inline-answer"],
                                        "question": "Inline Question " + "7" * 5000})])
    assert timed("5000-digit heading", extract_answers, path) == CONTROL
    untagged = write_raw(tmp_path / "u" / "Dropout.ipynb", [
        cell("markdown", "## Inline Question 1"), cell("markdown", "mine"),
        cell("markdown", "**Inline Question " + "1" * 4000 + "**"), cell("markdown", "not mine")])
    assert extract_answers(untagged) == {"Inline Question 1": "mine"}


def test_no_more_than_the_bounded_number_of_questions(tmp_path, control):
    cells = [cell("markdown", f"## Inline Question {n}\n\nanswer {n}") for n in range(999, 0, -1)]
    found = timed("999 questions", extract_answers, write_raw(tmp_path / "h" / "Dropout.ipynb",
                                                              cells))
    assert list(found) == [f"Inline Question {n}" for n in range(1, MAX_QUESTIONS + 1)]


def test_long_answers_are_cut_without_reading_them_all(tmp_path, control):
    cells = [*control_cells(), cell("markdown", "## Inline Question 2")]
    cells += [cell("markdown", "word " * 30_000) for _ in range(25)]
    found = timed("25 answer cells of 150k characters",
                  extract_answers, write_raw(tmp_path / "h" / "Dropout.ipynb", cells))
    assert found["Inline Question 1"] == CONTROL_ANSWER
    assert len(found["Inline Question 2"]) < MAX_ANSWER_CHARS + 100
    assert found["Inline Question 2"].endswith("[... answer truncated by the grader]")


@pytest.mark.parametrize("text", [
    "#" + " " * 1500 + "x",  # heading pattern: cubic before
    " " * 1500 + "Inline",
    "## Inline Question 1\n" + "answer" + " " * 50_000,  # inline prompt
])
def test_headings_with_long_runs_of_spaces_are_read_in_linear_time(tmp_path, control, text):
    path = write_raw(tmp_path / "h" / "Dropout.ipynb", [cell("markdown", text),
                                                       cell("markdown", "x")])
    timed("heading", extract_answers, path)


def test_answer_prompts_code_lines_and_fences_are_linear():
    assert timed("answer prompt", answers.clean_answer, "#" + " " * 19_000 + "x").endswith("x")
    assert timed("answer prompt", answers.clean_answer, "## Answer:" + " " * 19_000 + "w") == "w"
    assert answers.clean_answer("**Your Answer:** it scales") == "it scales"
    source, notes = timed("capture pattern", convert.to_python, " " * 40_000 + "x")
    assert notes == [] and source.endswith("x")
    html = timed("fence pattern", review.render_markdown, "`" * 60_000)
    assert html.startswith("<p>")
    source, notes = convert.to_python("\n".join(["!ls"] * 500))
    assert len(notes) == convert.MAX_CELL_NOTES + 1 and "490 more" in notes[-1]


def test_files_too_large_too_deep_or_not_notebooks_are_refused(tmp_path, control):
    big = tmp_path / "big" / "Dropout.ipynb"
    big.parent.mkdir()
    with open(big, "wb") as handle:  # sparse: the size is refused before anything is read
        handle.truncate(intake.MAX_NOTEBOOK_BYTES + 1)
    deep = tmp_path / "deep.ipynb"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    deep_cells = tmp_path / "deep_cells.ipynb"
    deep_cells.write_text('{"nbformat": 4, "cells": ' + "[" * 50_000 + "]" * 50_000 + "}")
    fifo = tmp_path / "fifo.ipynb"
    import os
    os.mkfifo(fifo)
    expected = {big: "the limit is 50 MB", deep: "nested too deeply",
                deep_cells: "nested too deeply", fifo: "not a regular file",
                write_raw(tmp_path / "list.ipynb", cells={"a": 1}): "no list of cells"}
    for path, message in expected.items():
        with pytest.raises(InputFileError, match=message):
            timed(path.name, intake.load, path)


def test_cell_counts_and_source_sizes_are_bounded(tmp_path, control):
    many = write_raw(tmp_path / "many.ipynb", [cell("markdown", "x")] * (intake.MAX_CELLS + 1))
    long = write_raw(tmp_path / "long.ipynb", [cell("code", "x" * (intake.MAX_CELL_CHARS + 1))])
    lines = write_raw(tmp_path / "lines.ipynb", [cell("code", ["\n"] * (intake.MAX_CELL_CHARS + 1))])
    total = write_raw(tmp_path / "total.ipynb",
                      [cell("markdown", "y" * intake.MAX_CELL_CHARS)] * 21)
    for path, message in {many: "1,001 cells; the limit is 1,000", long: "the limit is 200,000",
                          lines: "more than 200,000", total: "more than 4,000,000"}.items():
        with pytest.raises(InputFileError, match=message):
            timed(path.name, intake.load, path)
    fine = write_raw(tmp_path / "fine.ipynb",
                     control_cells() + [cell("markdown", "z")] * (intake.MAX_CELLS - 3))
    assert extract_answers(fine) == CONTROL


def test_outputs_metadata_and_kernel_names_are_not_kept(tmp_path, control):
    flood = {"output_type": "stream", "name": "stdout", "text": ["x" * 1000] * 20_000}
    deep = {"a": None}
    for _ in range(900):
        deep = {"a": deep}
    cells = control_cells()
    cells[0] = cell("code", "print(1)", outputs=[flood] * 2, execution_count=99,
                    metadata={"jupyter": {"source_hidden": True}, "deep": deep})
    cells[2]["metadata"] = {**TAG1, "tags": ["inline-answer", 5, "t" * 5000] + ["x"] * 100,
                            "question": "Inline Question 1" + " " * 5000, "collapsed": True}
    cells.append(cell("weird", "?"))
    cells.append("not a cell")
    cells.append(cell("markdown", "dup id", id="same"))
    cells.append(cell("markdown", "dup id", id="same"))
    path = write_raw(tmp_path / "h" / "Dropout.ipynb", cells, metadata={
        "kernelspec": {"name": "../../../evil", "display_name": "<b>x</b>"}, "deep": deep})
    nb, notes = timed("outputs and metadata", intake.load, path)
    assert nb.metadata.kernelspec.name == "python3" and "deep" not in nb.metadata
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
    assert nb.cells[0].metadata == {}
    assert set(nb.cells[2].metadata) == {"tags", "question"}
    assert nb.cells[2].metadata.tags == ["inline-answer", "t" * intake.MAX_TAG_CHARS, "x"]
    assert all(len(t) <= intake.MAX_TAG_CHARS for t in nb.cells[2].metadata.tags)
    assert notes == ["cell 4: a cell of unknown type was dropped"]
    assert len({c.id for c in nb.cells}) == len(nb.cells) == 5
    assert answers.answers_from_notebook(nb) == CONTROL


def test_attachments_are_bounded_images(tmp_path, control):
    png = "iVBORw0KGgo="
    cells = control_cells() + [cell("markdown", "![a](attachment:a.png)", attachments={
        "a.png": {"image/png": png},
        "b.html": {"text/html": "<script>x</script>"},
        "c.png": {"image/png": "A" * (intake.MAX_ATTACHMENT_CHARS + 4)},
        "d.png": {"image/png": "not base64 !"},
        "e.png": {"image/png": {"deep": [1]}},
    })]
    nb, notes = timed("attachments", intake.load, write_raw(tmp_path / "h" / "Dropout.ipynb",
                                                             cells))
    assert nb.cells[3].attachments == {"a.png": {"image/png": png}}
    assert len(notes) == 4 and any("too large" in n for n in notes)
    assert answers.answers_from_notebook(nb) == CONTROL
    many = [cell("markdown", "m", attachments={"a.png": {"image/png": "A" * 2**20}})] * 12
    nb, notes = intake.load(write_raw(tmp_path / "many.ipynb", many))
    kept = sum(len(c.get("attachments", {})) for c in nb.cells)
    assert kept * 2**20 <= intake.MAX_ATTACHMENTS_CHARS and len(notes) == 12 - kept


def test_an_old_format_notebook_still_gives_its_answers(tmp_path, control):
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": "print(1)", "outputs": [], "language": "python"},
        {"cell_type": "heading", "level": 2, "source": "Inline Question 1:"},
        {"cell_type": "markdown", "source": ["**Your Answer:** ", "it scales"]}]}]}
    path = tmp_path / "v3.ipynb"
    path.write_text(json.dumps(v3))
    assert extract_answers(path) == {"Inline Question 1": "it scales"}
