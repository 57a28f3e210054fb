"""``grader run``: discover, prepare, skip what is stored, grade the rest, write reports.

The grading process never imports the hidden suites or student code: it reads the
students' files as bytes, hands them to an executor, commits each verdict to the store
the moment it arrives and renders the reports from the store alone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

from .. import course, paths
from ..adjust import adjusted_all
from ..config import Config, check_sandbox_level, load_deadline, load_limits
from ..errors import ConfigError, InternalError, UsageError
from ..reports import ReportFacts, write_reports
from ..results import SubmissionResult
from ..store import FILENAME, RETRY_STATUSES, Store
from .discover import discover
from .executors import DEFAULT_JUDGE, DEFAULT_SLOT, GradingSpec, get_executor, make_chunks
from .levels import required_level, settle_sandbox
from .scratch import OWNER, scratch_root, sweep_stale_scratch
from .stage import SupportPackage, prepare, suite_version


@dataclass(frozen=True)
class RunSummary:
    out_dir: Path
    results: tuple[SubmissionResult, ...]  # the class's current results, from the store
    graded: int  # graded by this run
    skipped: int  # unchanged since an earlier run
    not_graded: tuple[str, ...] = ()  # students without a current result (interrupted, --only)
    interrupted: bool = False
    reports: dict[str, Path] = field(default_factory=dict)
    elapsed: float = 0.0
    sandbox: str = ""  # the level in force, in words, for the summary


def main(*, submissions: Path, out: Path = Path("grades"), jobs: int | None = None,
         timeout=None, call_timeout=None, memory=None, sandbox: str = "auto",
         require_sandbox: str | None = None, force: bool = False, only: str | None = None, executor: str = "local",
         scheduler: str | None = None, judge: str | Callable = DEFAULT_JUDGE,
         slot_factory: str | Callable = DEFAULT_SLOT, assignment_dir: Path | None = None,
         suite_dir: Path | None = None, progress=None, deadline: Path | None = None,
         assignment: str | None = None) -> int:
    """Grade a class from command-line values; returns the exit code.

    ``judge`` and ``slot_factory`` name what grades a chunk and what isolates it
    ("module:function" or a picklable callable); the defaults are the real ones.
    """
    from .progress import make_progress

    config = build_config(out=out, jobs=jobs, timeout=timeout, call_timeout=call_timeout,
                          memory=memory, sandbox=sandbox, force=force, only=only,
                          executor=executor, scheduler=scheduler,
                          require_sandbox=require_sandbox, deadline=deadline,
                          assignment=assignment, suite_given=suite_dir is not None)
    progress = progress or make_progress()
    summary = grade(submissions=Path(submissions), config=config, progress=progress,
                    judge=judge, slot_factory=slot_factory, assignment_dir=assignment_dir,
                    suite_dir=suite_dir)
    progress.summary(summary)
    if summary.interrupted:
        return 130
    failed = [r.student for r in summary.results if r.status in RETRY_STATUSES]
    if failed:
        raise InternalError(
            f"{len(failed)} submission(s) could not be graded because of an internal error "
            f"({', '.join(failed[:5])}{', ...' if len(failed) > 5 else ''}); details in "
            f"{summary.out_dir / 'logs' / 'judges.log'}; run the same command again to retry "
            "them")
    return 0


def build_config(*, out, jobs, timeout, call_timeout, memory, sandbox, force, only,
                 executor, scheduler, require_sandbox: str | None = None,
                 deadline: Path | None = None, assignment: str | None = None,
                 suite_given: bool = False) -> Config:
    limits = load_limits({"submission_timeout": timeout, "call_timeout": call_timeout,
                          "memory_mb": memory})
    if jobs is not None and int(jobs) < 1:
        raise ConfigError(f"invalid jobs {jobs!r} from --jobs: must be at least 1")
    names = ()
    if only is not None:
        names = tuple(dict.fromkeys(n.strip() for n in str(only).split(",") if n.strip()))
        if not names:
            raise UsageError("--only names no student (expected e.g. --only alice,bob)")
    config = Config(limits=limits, sandbox=check_sandbox_level(sandbox), out_dir=Path(out),
                    force=bool(force), only=names, executor=executor, scheduler=scheduler,
                    require_sandbox=required_level(require_sandbox),
                    deadline=load_deadline(deadline),
                    assignment=course.resolve(assignment, suite_given=suite_given))
    return config.with_(jobs=int(jobs)) if jobs is not None else config


def grade(*, submissions: Path, config: Config, progress, judge=DEFAULT_JUDGE,
          slot_factory=DEFAULT_SLOT, assignment_dir: Path | None = None,
          suite_dir: Path | None = None) -> RunSummary:
    started = time.monotonic()
    out = Path(config.out_dir)
    if (submissions / "layers.py").is_file() or (submissions / "cs231n" / "layers.py").is_file():
        raise UsageError("this looks like one student's folder (it holds layers.py): point "
                         "at the folder that holds one subfolder per student", path=submissions)
    subs = discover(submissions, config.assignment, exclude=(out,))
    if not subs:
        raise UsageError("no submissions found: expected one subfolder per student or LMS "
                         "files like smithjane_123_456_layers.py", path=submissions)
    chosen = _select(subs, config.only)
    config, isolation = settle_sandbox(config, slot_factory, progress)
    _output_folder(out)  # only now: a mistyped command must not leave an empty folder behind

    assignment_dir = Path(assignment_dir or paths.assignment_dir())
    suite_dir = Path(suite_dir or course.find(config.assignment).suite)
    support = SupportPackage.load(assignment_dir)
    version = suite_version(suite_dir, paths.solutions_dir() / "cs231n", assignment_dir / "cs231n")
    prepared = [prepare(sub, suite=version) for sub in subs]

    sweep_stale_scratch(Path(scratch_root() or tempfile.gettempdir()))
    scratch = Path(tempfile.mkdtemp(prefix="grader-run-", dir=scratch_root()))
    (scratch / OWNER).write_text(str(os.getpid()))
    spec = GradingSpec(config=config, support=support, suite_dir=suite_dir, scratch=scratch,
                       judge=judge, slot_factory=slot_factory)
    executor = get_executor(config.executor, spec, jobs=config.jobs, scheduler=config.scheduler)
    interrupted = False
    graded = 0
    with Store(out / FILENAME) as store:
        stored = store.statuses()
        todo = [p for p in prepared if p.student in chosen and (
            config.force or stored.get((p.student, p.content_hash), RETRY_STATUSES[0])
            in RETRY_STATUSES)]
        progress.start(total=len(todo), skipped=len(chosen) - len(todo))
        try:
            for result in executor.run(make_chunks(todo, config.jobs)):
                store.put(result)
                graded += 1
                progress.advance(result)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            executor.close()
            progress.stop()
            _keep_logs(scratch, out / "logs")
            shutil.rmtree(scratch, ignore_errors=True)
        results = store.results_for((p.student, p.content_hash) for p in prepared)
        graded_now = {p.student for p in todo}
    have = {r.student for r in results}
    summary = RunSummary(
        out_dir=out, results=tuple(results), graded=graded, sandbox=isolation,
        skipped=len(chosen) - len(todo), interrupted=interrupted,
        not_graded=tuple(p.student for p in prepared if p.student not in have))
    if not interrupted:
        notebooks = _run_notebooks(submissions, out, config, assignment_dir, slot_factory,
                                   graded_now, progress, [r.student for r in results])
        facts = ReportFacts(notebooks=notebooks, sandbox=config.sandbox, limits=config.limits,
                            suite_version=version, assignment=config.assignment,
                            sandbox_descriptions=_sandbox_descriptions(results))
        results = adjusted_all(results, adjustment_sources(
            out, config, submissions=submissions, students=[p.student for p in prepared],
            notify=progress.note))
        summary = _with(summary, results=tuple(results),
                        reports=write_reports(results, out_dir=out, facts=facts))
    return _with(summary, elapsed=time.monotonic() - started)


def adjustment_sources(out: Path, config, *, submissions: Path | None = None,
                       students: list[str] | None = None, notify=None) -> list:
    """What may change a graded score before the reports, in the order it applies."""
    # First: the TAs' overrides (grader review), kept across regrades in the store.
    from ..review.overrides import OverrideSource
    sources: list = [OverrideSource(out)]
    if config.deadline is not None and submissions is not None:
        # Last: a late penalty applies to the score a TA decided the work deserves.
        from ..deadlines import build_source
        sources.append(build_source(config.deadline, Path(submissions), notify=notify,
                                    students=students))
    return sources


def _run_notebooks(submissions, out, config, assignment_dir, slot_factory, students,
                   progress, everyone) -> dict[str, str]:
    """Execute submitted notebooks in the sandbox and write the TA's inline-answer sheet.

    Only students graded by this run have their notebook executed again; the sheet is
    written only when the class submitted notebooks at all. Returns student -> one line
    on how their notebook ran, for the feedback.
    """
    from ..notebooks.classwide import grade_notebooks, recorded_summaries
    from ..notebooks.submitted import find_notebook
    from .discover import student_id

    name = course.notebook_name(config.assignment)
    with_notebook = [f for f in submissions.iterdir()
                     if f.is_dir() and not f.is_symlink() and find_notebook(f, name)]
    if not with_notebook:
        return {}
    pending = sum(1 for f in with_notebook if student_id(f.name) in students)
    factory = None if slot_factory == DEFAULT_SLOT else slot_factory
    if isinstance(factory, str):
        from .executors import resolve
        factory = resolve(factory)
    if pending:
        progress.note(f"running {pending} submitted notebook{'s' * (pending != 1)} in the "
                      "sandbox (each trains two small nets: tens of seconds)")

    def report(student, result) -> None:
        progress.note(f"notebook of {student}: {result.summary()}")

    grade_notebooks(submissions, out, config=config, assignment_dir=assignment_dir,
                    slot_factory=factory, students=students, on_result=report)
    return recorded_summaries(out, everyone)


def _keep_logs(scratch: Path, dest: Path) -> None:
    """Judge processes' logs (internal errors, grader warnings) outlive the scratch folder."""
    logs = [p for p in sorted(scratch.glob("judge-*.log")) if p.stat().st_size]
    if logs:
        dest.mkdir(exist_ok=True)
        with open(dest / "judges.log", "a", encoding="utf-8", errors="replace") as handle:
            handle.write(f"==== grader run at {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
            handle.writelines(f"---- {log.name}\n" + log.read_text(errors="replace") for log in logs)


def _sandbox_descriptions(results) -> dict[str, str]:
    """The sandbox's own account of each level used, for the instructor's report."""
    try:
        from .levels import describe_level
    except ImportError:
        return {}
    descriptions = {}
    for level in {r.sandbox for r in results if r.sandbox}:
        try:
            descriptions[level] = describe_level(level)
        except KeyError:  # a level the sandbox does not describe (a test double's)
            pass
    return descriptions


def _with(summary: RunSummary, **changes) -> RunSummary:
    from dataclasses import replace
    return replace(summary, **changes)


def _output_folder(out: Path) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError("--out must be a folder, but a file is in the way", path=out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create the output folder ({error.strerror})", path=out) from None
    return out


def _select(subs, only: tuple[str, ...]) -> set[str]:
    """The students to consider: everyone, or those named by --only (all of which must exist)."""
    students = [s.student for s in subs]
    if not only:
        return set(students)
    by_form = {unicodedata.normalize("NFC", s): s for s in students}
    chosen, unknown = set(), []
    for name in only:
        match = by_form.get(unicodedata.normalize("NFC", name))
        if match is None:
            unknown.append(name)
        else:
            chosen.add(match)
    if unknown:
        hints = [f"{n!r} (did you mean {m[0]!r}?)" if (m := get_close_matches(n, students, 1))
                 else repr(n) for n in unknown]
        raise UsageError("--only names students with no submission: " + ", ".join(hints))
    return chosen
