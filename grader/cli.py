"""The ``grader`` command line: a thin shell over each verb's keyword-only ``main()``.

This is the only place where a :class:`GraderError` becomes a printed line and an exit
code. Verb modules are imported lazily so ``grader --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .errors import GraderError

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def sandbox_options(command):
    """--sandbox and --require-sandbox, the same on every verb that runs student code."""
    command = click.option(
        "--require-sandbox", type=click.Choice(["bwrap", "landlock", "process"]), default=None,
        help="Refuse to run below this level instead of falling back (default: "
             "$GRADER_REQUIRE_SANDBOX, else any).")(command)
    return click.option(
        "--sandbox", type=click.Choice(["auto", "bwrap", "landlock", "process"]),
        default="auto", show_default=True,
        help="Isolation level; auto = the strongest that passes a live escape probe here "
             "(`grader doctor` shows them all).")(command)


def assignment_option(command):
    """--assignment, the same on every verb that grades against an assignment's suites."""
    return click.option(
        "--assignment", "assignment", type=str, default=None, metavar="NAME",
        help="The assignment (a folder solutions/assignments/NAME with its manifest); "
             "default $GRADER_ASSIGNMENT, else the course's only one.")(command)


@click.group(context_settings=CONTEXT)
@click.version_option(package_name="grader")
def cli() -> None:
    """Grade a course's assignments and quizzes with sandboxed, unforgeable verdicts.

    \b
    Examples:
      grader run submissions/ --assignment NAME     grade a class into grades/
      grader quiz quizzes/QUIZ answers/ --out quiz_grades
      grader check assignment/cs231n/layers.py  (students) try the public checks
    """


@cli.command(context_settings=CONTEXT)
@click.option("--check", "check_only", is_flag=True,
              help="Do not write; fail if assignment/ differs from a fresh release.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Where to write the skeleton (default: assignment/ of the project).")
@click.option("--assignment", "assignment", type=str, default=None, metavar="NAME",
              help="Release only that assignment's own skeleton into --out (no other "
                   "assignment's TODOs, tests or notebook).")
def release(check_only: bool, out: Path | None, assignment) -> None:
    """Generate the student skeleton assignment/ from solutions/.

    \b
    Examples:
      grader release            regenerate assignment/ (every assignment's TODOs)
      grader release --check    exit 1 if assignment/ has drifted
      grader release --assignment conv --out handout/conv   one assignment's own skeleton
    """
    from .release import main as release_main
    release_main(check=check_only, out=out, assignment=assignment)


@cli.command(context_settings=CONTEXT)
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("grades"),
              show_default=True, help="Output folder for the gradebook and reports.")
@click.option("--jobs", "-j", type=int, default=None,
              help="Submissions graded at once (default: all cores).")
@click.option("--timeout", type=str, default=None,
              help="Wall-time budget per submission in seconds (default 120).")
@click.option("--call-timeout", type=str, default=None,
              help="Wall-time limit of one call into student code in seconds (default 20).")
@click.option("--memory", type=str, default=None, help="Memory limit per worker in MB (default 2048).")
@sandbox_options
@click.option("--force", is_flag=True, help="Regrade submissions already in the store.")
@click.option("--only", type=str, default=None, help="Comma-separated student ids to grade.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local",
              show_default=True, help="Where submissions are graded.")
@click.option("--scheduler", type=str, default=None,
              help="Dask scheduler address (with --executor dask).")
@click.option("--deadline", type=click.Path(path_type=Path), default=None,
              help="TOML file with a [deadline] table: due date, grace, penalty, extensions, "
                   "where submission times come from (see docs/deadlines.md).")
@assignment_option
def run(submissions: Path, out: Path, jobs, timeout, call_timeout, memory, sandbox,
        require_sandbox, force, only, executor, scheduler, deadline, assignment) -> None:
    """Grade every student folder in SUBMISSIONS.

    Each subdirectory is one student (the folder name is the id); LMS bulk downloads of
    flat files (lastfirst_123_456_layers.py) are grouped by student too. Writes
    OUT/gradebook.csv, OUT/<student>/results.json and feedback.md, and OUT/report.html.
    A re-run skips submissions already graded unless --force is given.

    \b
    Examples:
      grader run examples/submissions --assignment NAME
      grader run submissions/ --assignment conv --out grades-conv
      grader run submissions/ --out grades --jobs 2 --timeout 60
      grader run submissions/ --only alice,bob --force
      grader run submissions/ --executor dask --scheduler tcp://10.0.0.5:8786
      grader run examples/submissions --deadline examples/deadline.toml
    """
    from .run import main as run_main
    code = run_main(submissions=submissions, out=out, jobs=jobs, timeout=timeout,
                    call_timeout=call_timeout, memory=memory, sandbox=sandbox,
                    require_sandbox=require_sandbox, force=force, only=only,
                    executor=executor, scheduler=scheduler, deadline=deadline,
                    assignment=assignment)
    sys.exit(code or 0)


@cli.command(context_settings=CONTEXT)
@click.argument("quiz_dir", type=click.Path(path_type=Path))
@click.argument("answers_dir", type=click.Path(path_type=Path), required=False)
@click.option("--out", type=click.Path(path_type=Path), default=Path("quiz_grades"),
              show_default=True, help="Output folder.")
@click.option("--check", "check_answer", nargs=2, type=str, default=None,
              metavar="QID ANSWER", help="Check one answer to one question and explain.")
@click.option("--jobs", "-j", type=int, default=None,
              help="Processes checking math answers (default: all cores).")
@click.option("--timeout", type=str, default=None,
              help="Wall-time budget of one code answer in seconds (default 60).")
@click.option("--call-timeout", type=str, default=None,
              help="Wall-time limit of one call into a code answer in seconds (default 10).")
@click.option("--memory", type=str, default=None,
              help="Memory limit of the code answers' worker in MB (default 2048).")
@sandbox_options
def quiz(quiz_dir: Path, answers_dir: Path | None, out: Path, check_answer, jobs, timeout,
         call_timeout, memory, sandbox, require_sandbox) -> None:
    """Check quiz answers (answers/<student>.md with ## Q1 ... headings) with sympy.

    \b
    Examples:
      grader quiz quizzes/QUIZ answers/ --out quiz_grades
      grader quiz quizzes/QUIZ --check q1 'H = D \\odot Y / p'
    """
    from .quiz import build_config
    from .quiz import main as quiz_main
    config = build_config(out=out, jobs=jobs, timeout=timeout, call_timeout=call_timeout,
                          memory=memory, sandbox=sandbox, require_sandbox=require_sandbox)
    if jobs is None:
        config = config.with_(jobs=0)  # 0: one math worker per core, as many as needed
    sys.exit(quiz_main(quiz_dir=quiz_dir, answers_dir=answers_dir, out=out,
                       check=check_answer, config=config) or 0)


@cli.command(context_settings=CONTEXT)
@click.argument("submissions", type=click.Path(path_type=Path))
@click.option("--out", type=click.Path(path_type=Path), default=Path("similarity"),
              show_default=True, help="Output folder for similarity.html and similarity.csv.")
@click.option("--top", type=int, default=20, show_default=True,
              help="Pairs shown side by side in the HTML report.")
@click.option("--threshold", type=float, default=0.3, show_default=True,
              help="Lowest score (0-1, mean share of shared fingerprints) a pair needs to be "
                   "listed.")
@click.option("--common", type=float, default=0.1, show_default=True,
              help="Ignore code found in more than this fraction of the class (never fewer "
                   "than 3 submissions).")
@click.option("--jobs", "-j", type=int, default=None,
              help="Processes that fingerprint at once (default: all cores).")
@click.option("--skeleton", type=click.Path(path_type=Path), default=None,
              help="Released skeleton whose code never counts (default: assignment/).")
@assignment_option
def similarity(submissions: Path, out: Path, top: int, threshold: float, common: float,
               jobs, skeleton, assignment) -> None:
    """Rank pairs of submissions in SUBMISSIONS by shared code, for a person to review.

    Compares the submitted .py files and the notebook's code cells after normalisation
    (names, numbers and strings abstracted; comments and the skeleton's code removed), by
    winnowed fingerprints. Writes OUT/similarity.html (ranked pairs, matching code side by
    side) and OUT/similarity.csv. It ranks; it never decides that anyone copied. Student
    code is parsed, never run.

    \b
    Examples:
      grader similarity examples/submissions --assignment NAME
      grader similarity submissions/ --out similarity --top 50
      grader similarity submissions/ --threshold 0.5 --common 0.05
    """
    from .similarity import main as similarity_main
    sys.exit(similarity_main(submissions=submissions, out=out, top=top, threshold=threshold,
                             common=common, jobs=jobs, skeleton=skeleton,
                             assignment=assignment) or 0)


@cli.command(context_settings=CONTEXT)
@click.argument("outs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for a course server; the token still guards it).")
@click.option("--port", type=int, default=None, help="Port (default: 8531 or the next free one).")
@click.option("--grader-name", type=str, default=None,
              help="Name recorded with every decision (default: your login name).")
@click.option("--export", "export_only", is_flag=True,
              help="Do not serve: rewrite the reports with the current decisions and exit.")
@click.option("--submissions", type=click.Path(path_type=Path), default=None,
              help="The submissions folder, when the run used --deadline.")
@click.option("--deadline", type=click.Path(path_type=Path), default=None,
              help="The run's --deadline file, so late penalties stay in the reports.")
def review(outs, host: str, port, grader_name, export_only: bool, submissions,
           deadline) -> None:
    """Grade by hand and override scores in the browser (OUT folders of run or quiz).

    Prints an address with a secret token; decisions are stored in each OUT folder with
    who, when and why, and survive `grader run --force` and `grader quiz` re-runs.

    \b
    Examples:
      grader review grades quiz_grades
      grader review grades --grader-name "Ada L." --host 0.0.0.0 --port 8531
      grader review grades quiz_grades --export
    """
    from .review import main as review_main
    sys.exit(review_main(outs=list(outs), host=host, port=port, grader_name=grader_name,
                         export=export_only, submissions=submissions,
                         deadline=deadline) or 0)


@cli.group(context_settings=CONTEXT)
def notebook() -> None:
    """Build and execute notebooks headless."""


@notebook.command("run", context_settings=CONTEXT)
@click.argument("notebooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--timeout", type=float, default=600, show_default=True,
              help="Seconds allowed per cell.")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Folder for the executed copies (default: beside each notebook).")
def notebook_run(notebooks, timeout: float, out: Path | None) -> None:
    """Execute NOTEBOOKS headless and save executed copies.

    \b
    Examples:
      grader notebook run solutions/NOTEBOOK.ipynb --out executed/
      grader notebook run assignment/NOTEBOOK.ipynb --timeout 120
    """
    from .notebooks import main as notebook_main
    sys.exit(notebook_main(notebooks=list(notebooks), timeout=timeout, out=out) or 0)


@cli.command(context_settings=CONTEXT)
@click.option("--jobs", "-j", type=int, default=None, help="Parallel graders (default: all cores).")
@sandbox_options
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Keep the audit's grading output here (default: a temporary folder).")
@assignment_option
def audit(jobs, sandbox, require_sandbox, out, assignment) -> None:
    """Grade the catalogue of known-wrong and known-correct implementations.

    Prints which test caught which mutant; exits 1 if a mutant survives or a correct
    variant loses points.

    \b
    Example:
      grader audit --jobs 2
      grader audit --assignment conv
    """
    from .audit import main as audit_main
    sys.exit(audit_main(jobs=jobs, sandbox=sandbox, require_sandbox=require_sandbox,
                        out=out, assignment=assignment) or 0)


@cli.command(context_settings=CONTEXT)
@click.option("--submission", type=click.Path(path_type=Path),
              default=Path("/autograder/submission"), show_default=True)
@click.option("--results", type=click.Path(path_type=Path),
              default=Path("/autograder/results/results.json"), show_default=True)
@click.option("--fail-under", type=float, default=None,
              help="Exit 1 when the score is below this (for CI pipelines).")
@sandbox_options
@assignment_option
def ci(submission: Path, results: Path, fail_under, sandbox, require_sandbox,
       assignment) -> None:
    """Grade one submission the way an autograder container does (Gradescope results.json).

    \b
    Examples:
      grader ci                                 (inside a Gradescope container)
      grader ci --submission . --results results.json --fail-under 50
    """
    from .ci import main as ci_main
    sys.exit(ci_main(submission=submission, results=results, fail_under=fail_under,
                     sandbox=sandbox, require_sandbox=require_sandbox,
                     assignment=assignment) or 0)


@cli.command(context_settings=CONTEXT)
@click.argument("path", type=click.Path(path_type=Path), default=Path("."), required=False)
@sandbox_options
@click.option("--assignment", "assignment", type=str, default=None, metavar="NAME",
              help="Run that assignment's public checks (default: $GRADER_ASSIGNMENT, else the "
                   "course's only one; the student edition has one).")
def check(path: Path, sandbox, require_sandbox, assignment) -> None:
    """Run the public checks on your files before you submit.

    PATH is one of your files, or the folder that holds them (default: the current folder).

    \b
    Examples:
      grader check
      grader check cs231n/layers.py
    """
    from .check import main as check_main
    sys.exit(check_main(path=path, sandbox=sandbox, require_sandbox=require_sandbox,
                        assignment=assignment) or 0)


@cli.command(context_settings=CONTEXT)
@click.option("--no-grade", is_flag=True,
              help="Skip grading the reference solution at each level (faster).")
def doctor(no_grade: bool) -> None:
    """Check which sandbox levels work on this machine, live, and how to get the others.

    Reads the Python build and the kernel's features, starts each level and lets a
    probe submission try to read a planted file, connect, write outside its folder and
    signal the grader, then grades the reference solution under it. Exits 1 when no
    isolating level (bwrap or landlock) works.

    \b
    Examples:
      grader doctor
      grader doctor --no-grade
    """
    from .doctor import main as doctor_main
    sys.exit(doctor_main(grade_reference=not no_grade) or 0)


@cli.group(context_settings=CONTEXT)
def export() -> None:
    """Package the autograder for a learning platform, or its grades for an LMS."""


@export.command("gradescope", context_settings=CONTEXT)
@click.option("--out", type=click.Path(path_type=Path), default=Path("autograder.zip"),
              show_default=True)
@assignment_option
def export_gradescope(out: Path, assignment) -> None:
    """Build the autograder.zip an instructor uploads to Gradescope (one per assignment).

    \b
    Examples:
      grader export gradescope --out autograder.zip
      grader export gradescope --assignment conv --out conv-autograder.zip
    """
    from .export import main as export_main
    sys.exit(export_main(platform="gradescope", out=out, assignment=assignment) or 0)


@export.command("student", context_settings=CONTEXT)
@click.option("--out", type=click.Path(path_type=Path), default=Path("dist"),
              show_default=True, help="Folder for the wheel.")
@assignment_option
def export_student(out: Path, assignment) -> None:
    """Build the student edition wheel: `grader check` with one assignment's public checks.

    It holds no hidden test and no solution; students (or their CI) pip install it.

    \b
    Examples:
      grader export student --out dist
      grader export student --assignment conv --out dist-conv
    """
    from .export import main as export_main
    sys.exit(export_main(platform="student", out=out, assignment=assignment) or 0)


def upload_options(command):
    """The options `export canvas` and `export moodle` share."""
    for option in reversed([
        click.argument("grades", type=click.Path(path_type=Path), default=Path("grades"),
                       required=False),
        click.option("--roster", type=click.Path(path_type=Path), required=True,
                     help="The gradebook exported from the LMS (the class list to match)."),
        click.option("--column", type=str, default=None,
                     help="Grade column name (default: the roster's column for this "
                          "assignment)."),
        click.option("--submissions", type=click.Path(path_type=Path), default=None,
                     help="The graded folder: LMS ids in its file names and Gradescope "
                          "metadata help matching."),
        click.option("--missing", type=click.Choice(["blank", "zero"]), default="blank",
                     show_default=True, help="What roster students without a grade get."),
        click.option("--output", type=click.Path(path_type=Path), default=None,
                     help="Import file to write (default: GRADES/<lms>_import.csv)."),
    ]):
        command = option(command)
    return command


@export.command("canvas", context_settings=CONTEXT)
@upload_options
def export_canvas(grades, roster, column, submissions, missing, output) -> None:
    """Write GRADES/gradebook.csv as a Canvas gradebook import file.

    ROSTER is the course's gradebook exported from Canvas (Grades > Export); the file
    written keeps its Student, ID, SIS User ID, SIS Login ID and Section columns and adds
    one assignment column. Students not found in the roster are listed, never dropped.

    \b
    Example:
      grader export canvas grades --roster examples/roster_canvas.csv
    """
    from .export.upload import main as upload_main
    sys.exit(upload_main(lms="canvas", grades_dir=grades, roster=roster, column=column,
                         submissions=submissions, missing=missing, output=output) or 0)


@export.command("moodle", context_settings=CONTEXT)
@upload_options
def export_moodle(grades, roster, column, submissions, missing, output) -> None:
    """Write GRADES/gradebook.csv as a Moodle grade import file (CSV).

    ROSTER is Moodle's grade export (Grades > Export > Plain text file); the file written
    keeps its name, ID number, username and email columns and adds one grade column.
    Students not found in the roster are listed, never dropped.

    \b
    Example:
      grader export moodle grades --roster moodle_grades.csv
    """
    from .export.upload import main as upload_main
    sys.exit(upload_main(lms="moodle", grades_dir=grades, roster=roster, column=column,
                         submissions=submissions, missing=missing, output=output) or 0)


def main(argv: list[str] | None = None) -> None:
    try:
        cli.main(args=argv, prog_name="grader", standalone_mode=False)
    except GraderError as error:
        click.echo(f"grader: error: {error}", err=True)
        sys.exit(error.exit_code)
    except click.exceptions.Abort:
        click.echo("grader: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("grader: interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - a bug of ours: one line, the rest in a file
        click.echo(f"grader: internal error: {type(error).__name__}: "
                   f"{' '.join(str(error).split())[:300]} (a bug in the grader; the details "
                   f"are in {_crash_log()})", err=True)
        sys.exit(3)


def _crash_log() -> str:
    """Write the current traceback where the user can send it to the maintainers."""
    import tempfile
    import traceback
    fd, path = tempfile.mkstemp(prefix="grader-crash-", suffix=".log")
    with open(fd, "w") as handle:
        handle.write(traceback.format_exc())
    return path


if __name__ == "__main__":
    main()
