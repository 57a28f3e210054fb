"""The table printed at the end of ``grader run``: counts by status, scores, slowest, where."""

from __future__ import annotations

import statistics
from collections import Counter

from rich.table import Table
from rich.text import Text

from ..results import STATUSES, SubmissionResult
from .words import status_label


def display(text: str) -> Text:
    """A student id made harmless for a terminal: no markup, no escape sequences."""
    return Text("".join(c if c.isprintable() else repr(c)[1:-1] for c in str(text)))


def table(results: list[SubmissionResult], *, graded: int, skipped: int,
          not_graded: tuple[str, ...] = (), reports: dict | None = None,
          elapsed: float = 0.0, sandbox: str = "") -> Table:
    out = Table(title="grader run", show_header=False, title_justify="left")
    out.add_column("what", style="bold")
    out.add_column("value")
    out.add_row("submissions", f"{len(results)} with a result: {graded} graded now, "
                f"{skipped} unchanged")
    if elapsed:
        out.add_row("time", f"{elapsed:.1f} s")
    if sandbox:
        isolated = "NOT" not in sandbox
        out.add_row("sandbox", Text(sandbox, style="" if isolated else "bold yellow"))
    counts = Counter(r.status for r in results)
    for status in [s for s in STATUSES if counts[s]] + sorted(set(counts) - set(STATUSES)):
        style = "green" if status == "graded" else "red" if status == "internal_error" else "yellow"
        out.add_row(Text("  " + status_label(status), style=style), str(counts[status]))
    if results:
        percents = [100.0 * r.score / r.max_score if r.max_score else 0.0 for r in results]
        out.add_row("mean score", f"{statistics.mean(percents):.1f} % "
                    f"(median {statistics.median(percents):.1f} %)")
        slow = max(results, key=lambda r: r.execution_time)
        out.add_row("slowest", display(slow.student).append(f"  {slow.execution_time:.1f} s"))
    if not_graded:
        names = ", ".join(not_graded[:5]) + (", ..." if len(not_graded) > 5 else "")
        out.add_row(Text("no result yet", style="yellow"),
                    display(f"{len(not_graded)}: {names}"))
    labels = {"gradebook": "gradebook", "report": "report", "folders": "student folders",
              "students": "per student"}
    for name, path in (reports or {}).items():
        shown = f"{path}/<student>/feedback.md, results.json" if name == "students" else str(path)
        out.add_row(labels.get(name, name), display(shown))
    return out


GRADEBOOK_ROWS = 40  # beyond this the terminal table stops being readable; the CSV has all


def gradebook(results: list[SubmissionResult]) -> Table | None:
    """The class's gradebook as a terminal table, for classes small enough to read there."""
    if not results or len(results) > GRADEBOOK_ROWS:
        return None
    out = Table(title="gradebook", title_justify="left")
    out.add_column("student")
    out.add_column("score", justify="right")
    out.add_column("status")
    out.add_column("checks passed", justify="right")
    for result in sorted(results, key=lambda r: r.student):
        passed = sum(t.passed for t in result.tests)
        style = "green" if result.status == "graded" else "yellow"
        out.add_row(display(result.student), f"{result.score:g}/{result.max_score:g}",
                    Text(status_label(result.status), style=style),
                    f"{passed}/{len(result.tests)}")
    return out
