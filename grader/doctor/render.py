"""The doctor's report on the terminal: facts, levels, what each protects here, fixes."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from ..run.levels import DESCRIPTIONS, ISOLATING, LEVELS, SUMMARY

# Rows of the matrix: what the escape probe tried (measured here), then what only the
# level's design says (the probe cannot try it without harm).
MEASURED = (
    ("reading the hidden tests and solutions", "read a file outside its folder"),
    ("writing outside its own folder", "write outside its folder"),
    ("network", "open a network connection"),
    ("signalling the grader", "signal the grader"),
    ("SysV shared memory", "keep SysV shared memory"),
    ("memory outside the limit (memfd)", "hold memory outside its limit (memfd)"),
)
BY_DESIGN = (
    ("seeing other processes", ("bwrap",)),
    ("its files counted as memory", ("bwrap",)),
)


def render(console, facts, reports) -> None:
    table = Table(title="this machine", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value")
    for fact in facts:
        table.add_row(fact.name, Text(fact.value, style="" if fact.ok else "yellow"))
    console.print(table)

    levels = Table(title="sandbox levels, strongest first (tried live)", title_justify="left")
    for column in ("level", "works", "what happened", "reference solution", "time"):
        levels.add_column(column)
    for report in reports:
        levels.add_row(report.level, Text("yes" if report.works else "no",
                                          style="green" if report.works else "red"),
                       report.detail, report.reference or "-",
                       f"{report.seconds:.1f} s" if report.seconds else "-")
    console.print(levels)

    working = {r.level for r in reports if r.works}
    matrix = Table(title="what each level protects here", title_justify="left")
    matrix.add_column("protection")
    for level in LEVELS:
        matrix.add_column(level + ("" if level in working else " (n/a)"))
    probed = {r.level: r.leaks for r in reports}
    for what, leak in MEASURED:
        matrix.add_row(what, *(_cell(None if probed[level] is None else leak not in
                                     probed[level]) for level in LEVELS))
    for what, levels_that_do in BY_DESIGN:
        matrix.add_row(what + " (by design)", *(_cell(level in levels_that_do)
                                                for level in LEVELS))
    console.print(matrix)

    best = next((level for level in LEVELS if level in working), None)
    if best is not None:
        console.print(f"`--sandbox auto` uses {best}: {SUMMARY[best]}.", markup=False)
        console.print(DESCRIPTIONS[best], markup=False)
    for report in reports:
        if not report.works and report.fix:
            console.print(Text(f"to get {report.level}: ", style="bold") + Text(report.fix))
    if not working & set(ISOLATING):
        console.print(Text("No isolating level works here: submissions would run without "
                           "isolation. Apply one of the fixes above.", style="bold red"))


def _cell(protected: bool | None) -> Text:
    if protected is None:
        return Text("-")
    return Text("yes", style="green") if protected else Text("no", style="yellow")
