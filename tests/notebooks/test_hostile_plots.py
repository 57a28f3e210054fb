"""Hostile figure records: every size that makes drawing costly is bounded before replay,
and the replay of one notebook's figures runs in a child process with a time budget.

Before these bounds, ``hist(bins=100000)`` took 2 to 5 minutes of grader time and 20,000
ticks 104 to 133 s (measured on a 2-core machine). The times below are printed; the
asserts only bound them generously.
"""

from __future__ import annotations

import os
import time

import pytest
from notebook_test_support import ROOT  # noqa: F401 - puts the test folder on sys.path

from grader.notebooks import plotcheck, replaybox
from grader.notebooks.replay import render
from grader.notebooks.replaybox import Replayer

PNG = b"\x89PNG\r\n\x1a\n"
# What the solution notebook records for its accuracy plot (run it to see), cut to one axes.
DROPOUT = {"size": [15.0, 15.0], "title": None, "saved": ["dropout_accuracy.png"], "axes": [
    {"grid": [3, 1, 1], "calls": [
        ["plot", [[0.324, 0.724, 0.902, 0.96] + [1.0] * 22, "o"], {"label": "1.00 dropout"}],
        ["plot", [[0.25, 0.602, 0.8, 0.89] + [1.0] * 22, "o"], {"label": "0.25 dropout"}],
        ["set_title", ["Train accuracy"], {}], ["set_xlabel", ["Epoch"], {}],
        ["set_ylabel", ["Accuracy"], {}], ["legend", [], {"ncol": 2, "loc": "lower right"}]]}]}


def one(*calls, **figure) -> dict:
    return {"axes": [{"grid": [1, 1, 1], "calls": [list(c) for c in calls]}], **figure}


def drawn(record, expect_note: str | None):
    """Render beside the control: the control's picture and notes never change."""
    started = time.monotonic()
    png, notes = render(record)
    seconds = time.monotonic() - started
    print(f"{expect_note or 'control'}: {seconds:.2f} s, notes {notes}")
    assert seconds < 30
    control, control_notes = render(DROPOUT)
    assert control.startswith(PNG) and control_notes == []
    if expect_note is not None:
        assert any(expect_note in n for n in notes), notes
    return png, notes


HOSTILE = {
    "bins": (one(["hist", [[0.1] * 1000], {"bins": 100_000}]), "bins=100000 is outside"),
    "bin edges": (one(["hist", [[0.1] * 10], {"bins": list(range(5000))}]), "5,000 bin edges"),
    "string bins": (one(["hist", [[0.1, 1e12]], {"bins": "fd"}]), "bins='fd' is outside"),
    "ticks": (one(["plot", [[1, 2]], {}], ["set_xticks", [list(range(20_000))], {}]),
              "20,000 ticks (the limit is 50)"),
    "tick labels": (one(["set_yticks", [[1], ["a"] * 100], {}]), "100 ticks"),
    "points per call": (one(["plot", [[0.0] * 60_000], {}]), "more than 50,000 values"),
    "points per figure": (one(*[["plot", [[0.0] * 49_000], {}]] * 8), "too many points"),
    "calls per axes": (one(*[["plot", [[1, 2]], {}]] * 500), "only the first 40 were drawn"),
    "axes": ({"axes": [{"grid": [8, 8, i], "calls": []} for i in range(1, 65)]},
             "64 subplots; only the first 16"),
    "long text": (one(["set_title", ["x" * 10_000], {}]), "a text of 10,000 characters"),
    "long label": (one(["plot", [[1]], {"label": "y" * 5000}]), "label=str of 5,000"),
    "image": (one(["imshow", [[[0.5] * 600] * 600], {}]), "600 x 600 pixels"),
    "ragged deep image": (one(["imshow", [[[[[1]]]]], {}]), "not numbers or text"),
    "line width": (one(["plot", [[1, 2]], {"lw": 1e6}]), "lw=1000000.0 is outside"),
    "marker size": (one(["plot", [[1, 2]], {"ms": 1e4, "marker": "o"}]), "ms=10000.0"),
    "mathtext marker": (one(["plot", [[1, 2]], {"marker": "$\\sqrt{x}$"}]), "marker='$"),
    "scatter sizes": (one(["scatter", [[1], [2]], {"s": [1e9]}]), "s=list of 1"),
    "font size": (one(["text", [0.5, 0.5, "W"], {"fontsize": 1e5}]), "fontsize=100000.0"),
    "legend columns": (one(["legend", [], {"ncol": 10**6}]), "ncol=1000000"),
    "log base": (one(["set_xscale", ["log"], {"base": 1.0000001}]), "base=1.0000001"),
    "scale": (one(["set_xscale", ["function"], {}]), "scale must be one of"),
    "figure size": (one(["plot", [[1]], {}], size=[1e4, 1e4]), "outside 1 to 20 inches"),
    "objects": (one(["plot", [{"unsupported": "<object>"}], {}]), "not numbers or text"),
    "huge int": (one(["plot", [[10**30]], {}]), "not numbers or text"),
    "not a call": (one(["savefig", ["/tmp/x"], {}], "junk", [["plot"], [], {}]), "not understood"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_a_record_over_a_bound_is_skipped_with_a_note(case):
    record, note = HOSTILE[case]
    png, _ = drawn(record, note)
    assert png.startswith(PNG)  # the rest of the figure is still drawn


def test_what_passes_the_check_is_the_record_itself():
    clean, notes, points = plotcheck.check_figure(DROPOUT)
    assert clean == DROPOUT and notes == [] and 0 < points < 200
    assert plotcheck.check_figure("junk") == (None, ["a figure could not be read"], 0)


def test_the_replay_child_draws_within_its_budget_and_is_killed_past_it(monkeypatch):
    with Replayer() as replayer:
        for case in ("bins", "ticks"):
            started = time.monotonic()
            png, notes = replayer.render(HOSTILE[case][0])
            print(f"{case} through the child: {time.monotonic() - started:.2f} s")
            assert png.startswith(PNG) and time.monotonic() - started < 60
        png, notes = replayer.render(DROPOUT)
        assert png.startswith(PNG) and notes == []
        print(f"figure timings: {[round(t, 2) for t in replayer.timings]}")
    children = []
    start = Replayer._start
    monkeypatch.setattr(Replayer, "_start", lambda self: children.append(start(self)) or
                        children[-1])
    with Replayer(figure_seconds=0.01) as slow:  # no figure can be drawn that fast
        png, notes = slow.render(DROPOUT)
        assert png is None
        assert notes == ["the figure was not drawn: drawing it took longer than 0.01 s"]
        assert children[0].returncode == -9  # killed and reaped
    with Replayer(seconds=0.01, figure_seconds=5) as spent:
        spent.render(DROPOUT)
        png, notes = spent.render(DROPOUT)
        assert png is None and "used up" in notes[-1]


def test_a_drawing_process_that_dies_or_draws_too_much_is_a_note(monkeypatch):
    with Replayer() as replayer:
        assert replayer.render(DROPOUT)[0].startswith(PNG)
        os.kill(replayer._child.pid, 9)
        png, notes = replayer.render(DROPOUT)
        assert png is None and "the drawing process ended" in notes[-1]
        assert replayer.render(DROPOUT)[0].startswith(PNG)  # a fresh child takes over
    monkeypatch.setattr(replaybox, "MAX_PNG_BYTES", 1000)
    with Replayer() as replayer:
        png, notes = replayer.render(DROPOUT)
        assert png is None and notes[-1].startswith("the drawn figure is 0.0 MB; the limit")
    with Replayer() as replayer:
        for _ in range(plotcheck.MAX_FIGURES):
            replayer.figures += 1
        message = "the notebook drew more than 12 figures; the rest were not drawn"
        assert replayer.render(DROPOUT) == (None, [message])
