"""What ``grader run`` shows while it works: a progress bar on a terminal, one line per
submission elsewhere (CI logs keep every line), and a summary table at the end."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from ..reports.summary import display, gradebook, table
from ..reports.words import status_label
from ..results import SubmissionResult
from ..store import FILENAME


class PlainProgress:
    """One line per graded submission; safe for logs (no control sequences)."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console()
        self.total = 0
        self.done = 0

    def start(self, *, total: int, skipped: int) -> None:
        self.total, self.done = total, 0
        if not total:
            line = (f"nothing to grade: all {skipped} submissions are unchanged since an "
                    "earlier run (--force regrades them)" if skipped else "nothing to grade")
        else:
            line = f"grading {total} submission{'s' * (total != 1)}"
            if skipped:
                line += f" ({skipped} unchanged since an earlier run, not regraded)"
        self.console.print(line, soft_wrap=True, highlight=False, markup=False)

    def advance(self, result: SubmissionResult) -> None:
        self.done += 1
        self.console.print(self._line(result), soft_wrap=True, highlight=False)

    def _line(self, result: SubmissionResult) -> Text:
        width = len(str(self.total))
        return (Text(f"[{self.done:>{width}}/{self.total}] ") + display(result.student)
                + Text(f"  {status_label(result.status)}  {result.score:g}/{result.max_score:g}"
                       f"  {result.execution_time:.1f} s"))

    def stop(self) -> None:
        pass

    def note(self, line: str) -> None:
        """A line about work outside the per-submission loop (safe from any thread)."""
        self.console.print(display(line), soft_wrap=True, highlight=False)

    def summary(self, summary) -> None:
        book = gradebook(list(summary.results))
        if book is not None and not summary.interrupted:
            self.console.print(book)
        self.console.print(table(list(summary.results), graded=summary.graded,
                                 skipped=summary.skipped, not_graded=summary.not_graded,
                                 reports=summary.reports, elapsed=summary.elapsed,
                                 sandbox=summary.sandbox))
        if summary.interrupted:
            left = len(summary.not_graded)
            self.console.print(
                f"Interrupted. Every finished result is kept in {summary.out_dir / FILENAME}; "
                f"run the same command again to grade the {left} remaining "
                f"submission{'s' * (left != 1)}.", soft_wrap=True, markup=False,
                highlight=False)


class BarProgress(PlainProgress):
    """A live bar with ETA for a terminal; results scroll above it only when they failed."""

    def start(self, *, total: int, skipped: int) -> None:
        super().start(total=total, skipped=skipped)
        if not total:
            return
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                             TimeRemainingColumn(), console=self.console, transient=False)
        self._task = self._bar.add_task("grading", total=total)
        self._bar.start()

    def advance(self, result: SubmissionResult) -> None:
        self.done += 1
        if result.status != "graded":  # a bar shows progress; only trouble deserves a line
            self._bar.console.print(self._line(result), soft_wrap=True, highlight=False)
        self._bar.update(self._task, advance=1)

    def stop(self) -> None:
        bar = getattr(self, "_bar", None)
        if bar is not None:
            bar.stop()


def make_progress(console: Console | None = None) -> PlainProgress:
    console = console or Console()
    return BarProgress(console) if console.is_terminal else PlainProgress(console)
