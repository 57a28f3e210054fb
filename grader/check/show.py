"""What ``grader check`` prints, and the Markdown it adds to a GitHub Actions job summary.

Everything shown comes from the public checks' result and the student's own files; the
hidden suite is mentioned in one fixed sentence and nothing else, since it is not here.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from ..reports.feedback_md import inline
from ..reports.summary import display
from ..reports.words import graded_files, grader_notes, split_notes, status_text
from ..results import SubmissionResult

HIDDEN = ("Hidden tests: the grader also runs tests that are not shown here (more inputs and "
          "edge cases, and your net compared with the reference solution). They count "
          "toward your grade, so passing every public check is necessary, not sufficient.")


def _score(result: SubmissionResult) -> str:
    passed = sum(t.passed for t in result.tests)
    return (f"{result.score:g}/{result.max_score:g} points on the public checks "
            f"({passed} of {len(result.tests)} passed)")


def _problem(result: SubmissionResult) -> list[str]:
    """Why no check could run at all (nothing found, a syntax error, an exit at import)."""
    if result.status == "graded":  # the scores say it all, but not what the grader noted
        return [f"Note: {note}" for note in grader_notes(result.output)]
    notes, output = split_notes(result.output)
    details = output.splitlines()[1:]  # the first line repeats the score
    return [status_text(result), *details, *(f"Note: {note}" for note in notes)]


def terminal(result: SubmissionResult, todos: list[tuple[str, str]], *, root: Path,
             console: Console, not_run: list = ()) -> None:
    def say(text, **style):
        console.print(text, soft_wrap=True, **style)

    say(Text(f"Public checks of {root}", style="bold"))
    say(display(f"Files graded: {graded_files(result.files, result.absent)}"))
    for line in _problem(result):
        say(display(line), style="yellow")
    if todos:
        say(Text("Still to implement (TODO stubs in your files):", style="bold"))
        for file, message in todos:
            say(display(f"  - {file}: {message}"))
    for test in result.tests:
        mark = Text(" PASS ", style="green") if test.passed else Text(" FAIL ", style="red")
        say(mark + display(f" {test.score:g}/{test.max_score:g}  {test.name}"))
        if not test.passed and test.output and test.output not in result.output:
            # A reason shared by every check (an import that failed) was printed once above.
            say(display("        " + fix(test.output, todos)), style="dim")
    if not_run:
        say(display(f"Not run ({len(not_run)} checks): {not_run[0].output}"))
    say(Text("Score: " + _score(result), style="bold"))
    say(Text(HIDDEN))


def fix(output: str, todos: list) -> str:
    """A failure's message on one line; a listed stub is pointed at, not quoted again."""
    if todos and "raised NotImplementedError" in output:
        return "stopped at a TODO stub that is still to implement (listed above)"
    return " ".join(output.split())


def job_summary(result: SubmissionResult, todos: list[tuple[str, str]]) -> str:
    lines = [f"### grader check: {_score(result)}", ""]
    lines += [inline(line) + "  " for line in _problem(result)]
    if result.tests:
        lines += ["| | check | points | what to fix |", "| --- | --- | --- | --- |"]
        for test in result.tests:
            mark = "✅" if test.passed else "❌"
            lines.append(f"| {mark} | {inline(test.name)} | {test.score:g}/{test.max_score:g} "
                         f"| {'' if test.passed else inline(fix(test.output, todos))} |")
        lines.append("")
    if todos:
        lines += ["**Still to implement:**", ""]
        lines += [f"- `{file}`: {inline(message)}" for file, message in todos]
        lines.append("")
    lines += [f"_{HIDDEN}_", ""]
    return "\n".join(lines)


def append_job_summary(path: Path, result: SubmissionResult,
                       todos: list[tuple[str, str]]) -> None:
    # GitHub collects every step's summary from one file per step; appending keeps others'.
    try:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(job_summary(result, todos) + "\n")
    except OSError:
        pass  # a summary is a convenience; the printed report above is the answer
