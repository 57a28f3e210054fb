"""Reports: stored results in, files out. Nothing here decides a verdict.

``write_reports`` writes the contract files of ``grader run``:
OUT/gradebook.csv, OUT/<student>/results.json, OUT/<student>/feedback.md, OUT/report.html,
and OUT/folders.csv mapping each student id to its (sanitised) folder name.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Limits
from ..results import SubmissionResult
from . import feedback_md, gradebook, html, results_json
from .files import atomic_write, folder_names
from .safe_text import csv_cell


@dataclass(frozen=True)
class ReportFacts:
    """What the reports say about the run itself (not about any submission)."""

    sandbox: str = "auto"  # level requested; each result says the level actually used
    limits: Limits | None = None
    suite_version: str = ""
    assignment: str = ""
    # level -> what it protects and what it does not, in the sandbox's own words
    sandbox_descriptions: dict[str, str] = field(default_factory=dict)
    # student -> how their submitted notebook ran (only students who submitted one)
    notebooks: dict[str, str] = field(default_factory=dict)


def write_reports(results: list[SubmissionResult], *, out_dir: Path,
                  facts: ReportFacts | None = None) -> dict[str, Path]:
    facts = facts or ReportFacts()
    out_dir = Path(out_dir)
    results = sorted(results, key=lambda r: r.student)
    folders = folder_names([r.student for r in results])
    for result in results:
        folder = out_dir / folders[result.student]
        results_json.write(result, folder)
        feedback_md.write(result, folder, notebook=facts.notebooks.get(result.student))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "folder"])
    writer.writerows([csv_cell(s), csv_cell(f)] for s, f in folders.items())
    atomic_write(out_dir / "folders.csv", buffer.getvalue())
    return {
        "gradebook": gradebook.write(results, out_dir),
        "report": html.write(results, out_dir, folders=folders, facts=facts),
        "folders": out_dir / "folders.csv",
        "students": out_dir,
    }
