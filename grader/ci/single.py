"""Grade one submission folder through the same machinery as ``grader run``.

``grader ci`` (hidden suite) and ``grader check`` (public suite) both come through here:
discovery and staging from :mod:`grader.run`, one judge process from the local executor
(which retries once if that process dies), a sandbox slot inside it, and the judge's
:class:`SubmissionResult`. Only the class-wide parts (the store, the gradebook) are left
out, because there is no class: one folder in, one result out.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..config import Config
from ..errors import InternalError, UsageError
from ..results import SubmissionResult
from ..run.discover import discover, student_id
from ..run.executors import DEFAULT_JUDGE, DEFAULT_SLOT, GradingSpec, get_executor
from ..run.model import Layout, Submission
from ..run.stage import SupportPackage, prepare


def find_submission(folder: Path, layout: Layout | None = None) -> Submission:
    """The submission held by ``folder``, found by the same rules ``grader run`` applies to
    each student folder (top level, one package level down, one extra folder level in).

    A folder that does not exist is an empty submission, not an error: an autograder must
    still report a verdict for a student who uploaded nothing.
    """
    folder = Path(os.path.abspath(folder))
    student = student_id(folder.name or "submission")
    if not folder.exists():
        return Submission(student, {}, ("the submission folder is empty or missing.",),
                          layout=layout)
    if not folder.is_dir():
        raise UsageError("expected the folder that holds the submitted files", path=folder)
    # Discovery's contract is "one student per subfolder of a class folder"; asking it about
    # the parent keeps every rule (links refused, files checked without reading) in one place.
    found = [s for s in discover(folder.parent, layout=layout) if s.student == student]
    if not found:
        raise UsageError("folders whose names start with '.' or '__' are skipped by the "
                         "grader; rename the folder", path=folder)
    return found[0]


def grade_submission(sub: Submission, *, suite_dir: Path, support: SupportPackage,
                     config: Config, suite: str = "", judge: str | Callable = DEFAULT_JUDGE,
                     slot_factory: str | Callable = DEFAULT_SLOT) -> SubmissionResult:
    """Judge ``sub`` with the tests in ``suite_dir``; always returns exactly one result.

    ``suite`` is the suite's version, mixed into the content hash as ``grader run`` does.
    """
    prepared = prepare(sub, suite=suite)
    scratch = Path(tempfile.mkdtemp(prefix="grader-one-"))
    spec = GradingSpec(config=config, support=support, suite_dir=Path(suite_dir),
                       scratch=scratch, judge=judge, slot_factory=slot_factory)
    executor = get_executor("local", spec, jobs=1)
    try:
        results = list(executor.run([[prepared]]))
    finally:
        executor.close()
        shutil.rmtree(scratch, ignore_errors=True)
    if len(results) != 1:
        raise InternalError(f"the judge returned {len(results)} results for one submission")
    return results[0]
