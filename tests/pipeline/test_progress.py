"""Progress output: a bar on a terminal, plain lines in logs, and ids that cannot fool either."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console

from grader.results import SubmissionResult
from grader.run.pipeline import RunSummary
from grader.run.progress import BarProgress, PlainProgress, make_progress


def console(terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=120), buffer


def test_a_terminal_gets_a_bar_and_a_log_gets_lines():
    assert isinstance(make_progress(console(True)[0]), BarProgress)
    progress = make_progress(console(False)[0])
    assert type(progress) is PlainProgress


def test_plain_lines_show_hostile_ids_inert():
    out, buffer = console(False)
    progress = PlainProgress(out)
    progress.start(total=2, skipped=0)
    progress.advance(SubmissionResult("\x1b[2J[bold red]evil[/]", "graded", 1.0, 2.0))
    progress.advance(SubmissionResult("ok", "timeout", 0.0, 2.0, execution_time=3.0))
    text = buffer.getvalue()
    assert "\x1b" not in text  # no terminal escape reaches the log
    assert "\\x1b[2J[bold red]evil[/]" in text  # markup shown literally
    assert "[2/2] ok  timed out  0/2  3.0 s" in text


def test_the_bar_runs_and_the_summary_tells_how_to_resume():
    out, buffer = console(True)
    progress = BarProgress(out)
    progress.start(total=2, skipped=1)
    progress.advance(SubmissionResult("a", "graded", 1.0, 2.0))
    progress.advance(SubmissionResult("b", "crashed", 0.0, 2.0))
    progress.stop()
    progress.summary(RunSummary(out_dir=Path("grades"),
                                results=(SubmissionResult("a", "graded", 1.0, 2.0),),
                                graded=1, skipped=1, not_graded=("b", "c"), interrupted=True))
    text = buffer.getvalue()
    assert "crashed" in text and "2/2" in text
    assert "run the same command again to grade the 2 remaining" in text
