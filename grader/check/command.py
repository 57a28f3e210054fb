"""``grader check``: a student runs the public checks on their own work before submitting.

Only the assignment's public checks run, never a hidden suite: this command must work, and
say the same things, from the student edition of the grader, which has no hidden tests and
no reference solution to read (see docs/ci.md). The student's code still runs in the
sandbox and through the judge, exactly as when it is graded, so a message seen here is the
message the grader would give for the same mistake.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from rich.console import Console

from ..ci.single import find_submission, grade_submission
from ..config import Config, check_sandbox_level, load_limits
from ..errors import UsageError
from ..run import levels
from ..run.executors import DEFAULT_JUDGE, DEFAULT_SLOT
from ..run.model import Layout
from ..run.stage import SupportPackage
from ..suites import NOT_SUBMITTED
from . import show


def main(*, path: Path = Path("."), sandbox: str = "auto", require_sandbox: str | None = None,
         console: Console | None = None, judge: str | Callable = DEFAULT_JUDGE,
         slot_factory: str | Callable = DEFAULT_SLOT, assignment: str | None = None) -> int:
    """Check the assignment at ``path``; 0 when every public check passes, else 1.

    The public checks are the assignment's (``assignment``, else GRADER_ASSIGNMENT, else
    the course's only one: in the student edition, the one it was built for).
    """
    manifest = _assignment(assignment)
    root = find_assignment(Path(path), manifest.layout)
    console = console or Console(highlight=False)
    config = Config(limits=load_limits(), sandbox=check_sandbox_level(sandbox), jobs=1,
                    require_sandbox=levels.required_level(require_sandbox))
    config, isolation = levels.settle_sandbox(config, slot_factory, _Lines(console))
    result = grade_submission(find_submission(root, manifest.layout),
                              suite_dir=manifest.public,
                              support=SupportPackage.load(root), config=config,
                              judge=judge, slot_factory=slot_factory)
    result, not_run = without_unsubmitted(result)
    todos = remaining_todos(root, manifest.layout, manifest.release_functions)
    show.terminal(result, todos, root=root, console=console, not_run=not_run)
    if isolation:
        console.print(f"Your code ran in the sandbox: {isolation}.", markup=False)
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        show.append_job_summary(Path(summary), result, todos)
    passed = result.status == "graded" and all(t.passed for t in result.tests)
    return 0 if passed else 1


def _assignment(assignment: str | None):
    from .. import course
    manifest = course.find(course.resolve(assignment))
    if manifest.public is None:
        raise UsageError(f"assignment {manifest.name!r} declares no public checks "
                         f"([grading] public in {manifest.folder / course.MANIFEST})")
    return manifest


class _Lines:
    """Where the sandbox's banner and warning go: plain lines on the student's terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def note(self, line: str) -> None:
        self.console.print(line, markup=False, soft_wrap=True)


def without_unsubmitted(result) -> tuple[object, list]:
    """(the result without the checks that need a file not submitted, those checks).

    The grader grades such a submission by the assignment's own rule (for instance with a
    reference implementation standing in for the missing file); the public checks cannot, so
    they leave those checks out instead of failing them: the same files then pass here
    exactly when the grader gives them full marks.
    """
    if result.status != "graded":
        return result, []
    skipped = [t for t in result.tests if not t.passed and NOT_SUBMITTED in t.output]
    if not skipped:
        return result, []
    tests = tuple(t for t in result.tests if t not in skipped)
    return replace(result, tests=tests, score=sum(t.score for t in tests),
                   max_score=sum(t.max_score for t in tests)), skipped


def find_assignment(path: Path, layout: Layout) -> Path:
    """The folder holding the course package that ``path`` is in or points at: the one
    where the assignment's first required file is at its place in the package."""
    if not path.exists():
        raise UsageError("no such file or folder", path=path)
    names = layout.names
    anchor = layout.paths[(layout.required or names)[0]]
    package = anchor.split("/")[0]
    start = path.resolve()
    if start.is_file():
        if start.name not in names:
            listed = ", ".join(names[:-1]) + (" or " if len(names) > 1 else "") + names[-1]
            raise UsageError(f"expected your {listed}, or your assignment folder", path=path)
        start = start.parent
    for folder in [start, *start.parents][:anchor.count("/") + 2]:
        if (folder / anchor).is_file():
            return folder
    raise UsageError(f"no {anchor} in this folder or above it: run grader check in your "
                     f"assignment folder (the one that holds {package}/)", path=path)


def remaining_todos(root: Path, layout: Layout,
                    functions: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """(file, message) of every TODO stub still raising NotImplementedError in the student's
    files, only those of ``functions`` when given (the other assignments of the course share
    the files). The files are parsed, never run: this is the trusted side."""
    found = []
    for package_path in layout.paths.values():
        file = root / package_path
        try:
            tree = ast.parse(file.read_bytes(), filename=package_path)
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # missing or broken files are reported by the checks themselves
        stubs = sorted((node.lineno, _stub_message(node)) for node in ast.walk(tree)
                       if isinstance(node, ast.Raise))
        found += [(package_path, message) for _, message in stubs if message and (
            not functions or message.split(":")[0] in functions)]
    return found


def _stub_message(node) -> str | None:
    if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
        return None
    call = node.exc
    if not (isinstance(call.func, ast.Name) and call.func.id == "NotImplementedError"):
        return None
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value,
                                                                           str):
        text = " ".join(call.args[0].value.split())
        return text.split(" (your TODO in ")[0]
    return "a function still raises NotImplementedError"
