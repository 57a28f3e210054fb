"""What ``grader similarity`` shows while it works: a bar on a terminal, a line per step
elsewhere (logs keep no control sequences), and the top of the ranking at the end."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..reports.summary import display

SHOWN = 10  # pairs printed on the terminal; the report has the rest


class Steps:
    def __init__(self, console: Console) -> None:
        self.console = console

    @contextmanager
    def bar(self, what: str, *, total: int):
        self._say(f"{what} {total} submission{'s' * (total != 1)}")
        if not self.console.is_terminal or total < 2:
            yield lambda: None
            return
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                       TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
                       console=self.console, transient=True)
        task = bar.add_task(what, total=total)
        with bar:
            yield lambda: bar.update(task, advance=1)

    def summary(self, report, out) -> None:
        pairs = report.pairs[:SHOWN]
        if pairs:
            table = Table(title="most similar pairs (for a person to look at, not a verdict)",
                          title_justify="left")
            for name, justify in (("#", "right"), ("student A", "left"), ("student B", "left"),
                                  ("score", "right"), ("A in B", "right"),
                                  ("B in A", "right"), ("lines A/B", "right")):
                table.add_column(name, justify=justify)
            for p in pairs:
                table.add_row(str(p.rank), display(p.student_a), display(p.student_b),
                              f"{p.pair.score:.0%}", f"{p.pair.share_a:.0%}",
                              f"{p.pair.share_b:.0%}",
                              f"{p.detail.lines_a}/{p.detail.lines_b}")
            self.console.print(table)
        listed = len(report.pairs)
        self._say(f"{report.submissions} submissions compared in {report.elapsed:.1f} s; "
                  f"{listed} pair{'s' * (listed != 1)} at or above {report.threshold:.0%} "
                  f"similarity. Wrote {out / 'similarity.html'} and {out / 'similarity.csv'}.")

    def _say(self, line: str) -> None:
        self.console.print(display(line), soft_wrap=True, highlight=False)
