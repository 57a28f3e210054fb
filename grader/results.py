"""Results as plain data. Computed by the judge, stored by the store, rendered by reports.

Nothing here renders or computes a verdict; these classes only carry it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

# Gradescope visibilities (https://gradescope-autograders.readthedocs.io).
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")

# Submission statuses, in the order a report lists them.
STATUSES = (
    "graded",          # the suite ran; the score is what the tests earned
    "missing",         # no submission file was found
    "syntax_error",    # the student's module does not compile
    "import_error",    # the module compiled but importing it failed or exited
    "timeout",         # the submission's wall-time budget ran out
    "limit",           # another resource limit stopped the worker (memory, CPU, ...)
    "crashed",         # the worker died (segfault, os._exit) outside a limit
    "internal_error",  # the grader itself failed; the submission should be regraded
)


@dataclass(frozen=True)
class TestResult:
    name: str  # stable test id shown to students, e.g. "relu_forward: keeps the shape"
    score: float
    max_score: float
    output: str  # student-facing message: empty when passed, the reason when failed
    visibility: str = "visible"
    status: str = "passed"  # passed | failed | error
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass(frozen=True)
class Adjustment:
    """A change to the graded score made after grading: a TA's override, a late penalty.

    The judge's verdict stays in ``SubmissionResult.tests``/``score`` as graded; an
    adjustment records what changed, from what to what, by whom and why, so every report
    can show the student both. ``target`` is a test's name, or "" for the total.
    """

    kind: str  # "override" | "late"
    target: str
    before: float
    after: float
    reason: str
    by: str = ""
    at: float = 0.0  # seconds since the epoch
    stale: bool = False  # decided on other content: shown for a TA to confirm, not applied
    # kind "late" only: seconds past the student's due date (their extension's when they
    # have one); 0 when on time, None when no submission time is known.
    late_seconds: float | None = None


@dataclass(frozen=True)
class SubmissionResult:
    student: str
    status: str
    score: float
    max_score: float
    tests: tuple[TestResult, ...] = ()
    execution_time: float = 0.0
    sandbox: str = ""  # sandbox level actually used: "bwrap" or "process"
    content_hash: str = ""  # hash of the submission's files and the suite
    output: str = ""  # one-paragraph summary for the student (what happened overall)
    files: tuple[str, ...] = field(default_factory=tuple)  # submitted files found
    # (optional file not graded, what the grader used in its place), from the manifest
    absent: tuple[tuple[str, str], ...] = ()
    # After grading (grader.adjust): what changed the score, and the score as graded.
    adjustments: tuple[Adjustment, ...] = ()
    raw_score: float | None = None  # None when no adjustment was applied

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SubmissionResult:
        tests = tuple(TestResult(**t) for t in data.get("tests", ()))
        adjustments = tuple(Adjustment(**a) for a in data.get("adjustments", ()))
        fields = {k: v for k, v in data.items() if k not in ("tests", "adjustments")}
        if "files" in fields:
            fields["files"] = tuple(fields["files"])
        if "absent" in fields:
            fields["absent"] = tuple(tuple(pair) for pair in fields["absent"])
        return cls(tests=tests, adjustments=adjustments, **fields)
