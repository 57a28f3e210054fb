"""Notebooks: build the course's notebooks, run them headless, collect inline answers.

Public entry points (see docs/notebooks.md):

- :func:`main` - ``grader notebook run``: execute notebooks headless, name the failing cell.
- :func:`grader.notebooks.build.write_notebooks` - the release step that writes
  ``assignment/<Name>.ipynb`` and ``solutions/<Name>.ipynb`` from ``solutions/notebook/``.
- :func:`grader.notebooks.answers.extract_answers` - inline answers of a notebook file.
- :func:`grader.notebooks.review.write_review_sheet` - the TA sheet of every answer.
- :func:`grader.notebooks.submitted.process` - run a submitted notebook in the sandbox.
- :func:`grader.notebooks.intake.load` / :func:`~grader.notebooks.intake.locate` - find and
  read a student's notebook as hostile input (bounded, never through a link).
"""

from __future__ import annotations

from pathlib import Path


def main(*, notebooks: list[Path], timeout: float, out: Path | None = None) -> int:
    # Imported here so that `import grader.notebooks` does not pull in nbconvert.
    from .execute import main as run_main
    return run_main(notebooks=notebooks, timeout=timeout, out=out)


def write_review_sheet(answers, out_dir, **kwargs):
    from .review import write_review_sheet as write
    return write(answers, out_dir, **kwargs)
