"""The GitHub Actions workflow ``grader release`` puts into the student skeleton.

In a student's repository (GitHub Classroom or any copy of the skeleton) it runs the
public tests and ``grader check`` on every push and puts the public score in the job
summary. It installs the student edition of the grader (``grader export student``), so
nothing secret is ever on that runner: the hidden grading happens on the instructor's
side (docs/ci.md).
"""

from __future__ import annotations

from pathlib import Path

WORKFLOW = ".github/workflows/grader-check.yml"

TEMPLATE = """\
# Public checks of your assignment, on every push.
# Written by `grader release`. It runs the public tests and `grader check` (the public
# checks of the grader, with the grader's messages) and shows your public score in the job
# summary. Your grade also includes hidden tests that run only when the course grades
# your submission.
name: grader check

on:
  push:
  pull_request:
  workflow_dispatch:

permissions:
  contents: read

defaults:
  run:
    shell: bash

jobs:
  check:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    env:
      # The student edition of the grader: the course sets the GRADER_PACKAGE variable (a
      # wheel URL or a package name), or commits grader-*-py3-none-any.whl next to this
      # repository's README.
      GRADER_PACKAGE: ${{ vars.GRADER_PACKAGE }}
      PYTHONDONTWRITEBYTECODE: "1"
    steps:
      - uses: actions/checkout@v4

      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"

      - name: Install numpy, pytest and the grader's public checks
        id: install
        run: |
          python -m pip install --disable-pip-version-check --quiet numpy pytest
          package="${GRADER_PACKAGE:-$(ls grader-*-py3-none-any.whl 2>/dev/null | head -n 1)}"
          if [ -n "$package" ]; then
            python -m pip install --disable-pip-version-check --quiet "$package"
            echo "grader=yes" >> "$GITHUB_OUTPUT"
          else
            echo "::warning::The grader's public checks are not set up for this course" \\
                 "(no GRADER_PACKAGE variable and no grader wheel); only the public tests run."
          fi

      - name: Public tests (pytest tests)
        run: |
          set +e
          python -m pytest tests -q -p no:cacheprovider 2>&1 | tee pytest.log
          code=${PIPESTATUS[0]}
          echo "### Public tests: $(tail -n 1 pytest.log)" >> "$GITHUB_STEP_SUMMARY"
          exit "$code"

      - name: grader check (public checks and score)
        if: ${{ !cancelled() && steps.install.outputs.grader == 'yes' }}
        run: grader check .
"""


def write_workflow(src_root: Path, dest_root: Path) -> list[Path]:
    """Release step: the student workflow, the same bytes on every release.

    Like every release step it leaves an unchanged file untouched (its mtime included).
    """
    path, data = Path(dest_root) / WORKFLOW, TEMPLATE.encode("utf-8")
    if not (path.is_file() and path.read_bytes() == data):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return [path]
