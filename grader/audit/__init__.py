"""``grader audit``: measure the hidden suite against known-wrong and known-correct code."""

from __future__ import annotations

import tempfile
from pathlib import Path


def main(*, jobs: int | None = None, sandbox: str = "auto", require_sandbox: str | None = None,
         out: Path | None = None, assignment: str | None = None,
         suite_dir: Path | None = None, slot_factory=None, console=None) -> int:
    """Grade the catalogue and print the kill matrix.

    Returns 1 when a mutant survives, a correct variant loses points, or a variant could not
    be graded; 0 otherwise. ``suite_dir`` and ``slot_factory`` let a caller audit another
    suite or run the catalogue elsewhere (the defaults are the shipped suite and the sandbox).
    """
    from rich.console import Console

    from .. import course
    from .catalogue import build_all, load, suite_tests
    from .grade import grade_folder
    from .report import Audit, render

    manifest = course.find(course.resolve(assignment))
    if manifest.catalogue is None:
        from ..errors import UsageError
        raise UsageError(f"assignment {manifest.name!r} declares no audit catalogue "
                         f"([audit] catalogue in {manifest.folder / course.MANIFEST})")
    suite_dir = Path(suite_dir) if suite_dir else manifest.suite
    console = console or Console()
    variants = load(manifest.catalogue, manifest.variants)
    with tempfile.TemporaryDirectory(prefix="grader-audit-") as scratch:
        work = Path(out) if out else Path(scratch)
        submissions = work / "submissions"
        build_all(submissions, variants, manifest.layout)
        graded = grade_folder(submissions, out=work / "grades", jobs=jobs, sandbox=sandbox,
                              suite_dir=suite_dir, slot_factory=slot_factory,
                              require_sandbox=require_sandbox, assignment=manifest.name)
    tests = list(suite_tests(suite_dir).values())
    audit = Audit(variants=variants, results=graded.results, tests=tests)
    render(audit, console, isolation=graded.isolation)
    return 0 if audit.ok else 1
