"""Output folders the review app and the export read: what ``grader run`` and ``grader
quiz`` left there, recognised by their files, read as data only.

A run folder has ``grades.sqlite`` (every result) and ``folders.csv`` (the class of the
last run: each student's folder); a quiz folder has ``quiz_results.json``. Anything else
is refused with one line naming the folder.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..results import SubmissionResult
from ..store import FILENAME, Store
from . import quizdata
from .decisions import DecisionStore


@dataclass
class RunFolder:
    """A ``grader run`` output folder."""

    out: Path
    kind: str = "run"
    folders: dict[str, str] = field(default_factory=dict)  # student -> folder name

    @property
    def decisions(self) -> DecisionStore:
        return DecisionStore(self.out / FILENAME)

    def results(self) -> dict[str, SubmissionResult]:
        """The stored result of every student of the last run (as graded, no changes)."""
        with Store(self.out / FILENAME) as store:
            latest = {r.student: r for r in store.latest()}
        return {s: latest[s] for s in self.folders if s in latest}

    def notebook(self, student: str) -> dict:
        """What the last run recorded about the student's notebook ({} when none)."""
        path = self.out / self.folders.get(student, "\0") / "notebook" / "notebook_result.json"
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def inline_answers(self) -> dict[str, dict[str, str]]:
        """student -> {inline question -> answer}, for the students who handed in a notebook."""
        out = {}
        for student in self.folders:
            answers = self.notebook(student).get("answers")
            if isinstance(answers, dict):
                out[student] = {str(k): str(v) for k, v in answers.items()}
        return out


@dataclass
class QuizFolder:
    """A ``grader quiz`` output folder."""

    out: Path
    kind: str = "quiz"
    data: dict = field(default_factory=dict)

    @property
    def decisions(self) -> DecisionStore:
        return quizdata.store(self.out)

    @property
    def title(self) -> str:
        return str(self.data.get("title", "Quiz"))

    def questions(self) -> list[dict]:
        return list(self.data.get("questions", []))

    def results(self) -> list:
        return quizdata.results_of(self.data)

    def reload(self) -> None:
        self.data = quizdata.load(self.out)


def open_folder(out: Path) -> RunFolder | QuizFolder:
    """The output folder at ``out``, or a one-line :class:`UsageError` saying why not."""
    out = Path(out)
    if not out.is_dir():
        raise UsageError("no such output folder", path=out)
    if (out / quizdata.RESULTS).is_file():
        return QuizFolder(out, data=quizdata.load(out))
    if (out / FILENAME).is_file():
        if not (out / "folders.csv").is_file():
            raise UsageError("this run has no reports yet (no folders.csv); finish it with "
                             "`grader run` first", path=out)
        return RunFolder(out, folders=_students(out))
    if (out / "quiz_gradebook.csv").is_file():
        raise UsageError("this quiz folder has no quiz_results.json; run `grader quiz` again "
                         "with this --out to make it reviewable", path=out)
    raise UsageError("not an output folder of `grader run` (no grades.sqlite) or `grader "
                     "quiz` (no quiz_results.json)", path=out)


def _students(out: Path) -> dict[str, str]:
    """student -> folder of the last run's class. folders.csv quotes ids a spreadsheet
    would run, so each id is read back exactly from the grader's own results.json."""
    found = {}
    with open(out / "folders.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if len(row) < 2:
            continue
        cell, folder = row[0], row[1]
        try:
            data = json.loads((out / folder / "results.json").read_text(encoding="utf-8"))
            student = str(data["extra_data"]["student"])
        except (OSError, ValueError, KeyError, TypeError):
            student = cell
        found[student] = folder
    return found
