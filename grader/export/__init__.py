"""``grader export``: package the grader for where it runs outside this project.

* ``gradescope``: autograder.zip for the instructor's Gradescope assignment (hidden suites
  and the reference solution inside; never give it to students).
* ``student``: the student edition wheel for ``grader check`` (public checks only).
* ``canvas``, ``moodle``: the gradebook as the LMS's grade-import CSV
  (:mod:`grader.export.upload`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError

PLATFORMS = ("gradescope", "student")


def main(*, platform: str, out: Path, assignment: str | None = None) -> int:
    out = Path(out)
    if platform == "gradescope":
        from .gradescope import build
        count, version = build(out, assignment=assignment)
        print(f"wrote {out} ({count} files, suite {version}): upload it in Gradescope > "
              "Configure Autograder. It holds the hidden tests; do not share it.")
        return 0
    if platform == "student":
        from .student import build as build_student
        if out.exists() and not out.is_dir():
            raise UsageError("--out must be a folder for the wheel, but a file is in the way",
                             path=out)
        wheel = build_student(out, assignment=assignment)
        print(f"wrote {wheel}: students install it with `pip install {wheel.name}` to get "
              "`grader check` (public checks only, no hidden tests or solutions)")
        return 0
    raise UsageError(f"unknown platform {platform!r}: choose one of {', '.join(PLATFORMS)}")
