"""The audit's verdict: which test caught which mutant, and what got through."""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.table import Table

from ..results import SubmissionResult
from .catalogue import Variant


@dataclass(frozen=True)
class Audit:
    variants: list[Variant]
    results: dict[str, SubmissionResult]
    tests: list[str]  # test names in suite order, as students see them

    def lost(self, name: str) -> set[str]:
        """Names of the tests in which this variant lost points."""
        result = self.results.get(name)
        if result is None:
            return set()
        return {t.name for t in result.tests if t.score < t.max_score}

    def graded(self, name: str) -> bool:
        result = self.results.get(name)
        return result is not None and result.status == "graded"

    @property
    def mutants(self) -> list[Variant]:
        return [v for v in self.variants if v.kind == "mutant"]

    @property
    def correct(self) -> list[Variant]:
        return [v for v in self.variants if v.kind == "correct"]

    @property
    def not_graded(self) -> list[Variant]:
        return [v for v in self.variants if not self.graded(v.name)]

    @property
    def survivors(self) -> list[Variant]:
        return [v for v in self.mutants if self.graded(v.name) and not self.lost(v.name)]

    @property
    def underscored(self) -> list[Variant]:
        return [v for v in self.correct if self.graded(v.name) and self.lost(v.name)]

    @property
    def ok(self) -> bool:
        return not (self.survivors or self.underscored or self.not_graded)


def render(audit: Audit, console: Console, *, isolation: str = "") -> None:
    columns = list(audit.tests)
    # One character per test, numbered top to bottom ("1" over "0" is test 10): the matrix
    # then fits an 80-column CI log.
    table = Table(title="Kill matrix (x: the mutant lost points in that test)", box=box.SIMPLE,
                  padding=(0, 0), pad_edge=False, title_justify="left")
    table.add_column("mutant", no_wrap=True)
    for number, _ in enumerate(columns, 1):
        table.add_column("\n".join(f"{number:>2}"), justify="center", no_wrap=True, width=1)
    table.add_column("\nscore", justify="right", no_wrap=True)
    for variant in audit.mutants:
        lost = audit.lost(variant.name)
        result = audit.results.get(variant.name)
        score = f"{result.score:g}" if result else "-"
        cells = ["x" if name in lost else "." for name in columns]
        table.add_row(variant.name, *cells, score)
    console.print(table)
    for number, name in enumerate(columns, 1):
        console.print(f"  {number:>2}  {name}", highlight=False, markup=False, soft_wrap=True)

    console.print()
    for variant in audit.correct:
        result = audit.results.get(variant.name)
        score = f"{result.score:g}/{result.max_score:g}" if result else "not graded"
        console.print(f"correct variant {variant.name}: {score}", highlight=False, markup=False)
    if isolation:
        console.print(f"graded through the pipeline, {isolation}", highlight=False, markup=False,
                      soft_wrap=True)
    console.print()
    for variant in audit.survivors:
        console.print(f"SURVIVED: mutant {variant.name} ({variant.mistake}) got full marks",
                      highlight=False, markup=False)
    for variant in audit.underscored:
        lost = ", ".join(sorted(audit.lost(variant.name)))
        console.print(f"BELOW FULL MARKS: correct variant {variant.name} ({variant.mistake}) "
                      f"lost points in: {lost}", highlight=False, markup=False)
    for variant in audit.not_graded:
        result = audit.results.get(variant.name)
        why = f"status {result.status}" if result else "no result"
        console.print(f"NOT GRADED: {variant.name} ({why})", highlight=False, markup=False)
    mutants, killed = len(audit.mutants), len(audit.mutants) - len(audit.survivors)
    console.print(f"{killed}/{mutants} mutants killed; "
                  f"{len(audit.correct) - len(audit.underscored)}/{len(audit.correct)} correct "
                  "variants at full marks", highlight=False, markup=False)
