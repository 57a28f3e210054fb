"""Fixed wording shared by the reports: what each status and sandbox level means."""

from __future__ import annotations

from ..results import STATUSES

# Written to the student: what happened and what to do about it.
STATUS_TEXT = {
    "graded": "Your code ran and every test was scored.",
    "missing": "No file that could be graded was found in your submission, so every test "
               "scored zero. Check the file names and where the files are (see the notes).",
    "syntax_error": "Your file does not compile (a syntax error), so no test could run. "
                    "Run `python -m py_compile layers.py` to see the line.",
    "import_error": "Importing your module failed or stopped the program, so the tests "
                    "could not use it. Make sure importing it runs no experiments, reads no "
                    "files and does not call exit().",
    "timeout": "Your code ran out of time. Look for loops that never end or much slower "
               "code than needed (use numpy operations rather than Python loops).",
    "limit": "Your code went over a resource limit (memory, CPU time, processes, files or "
             "output) and was stopped; the test results say which limit.",
    "crashed": "The process running your code died (for example a crash in native code or "
               "a call to os._exit), so the remaining tests could not run.",
    "internal_error": "The grader itself failed on this submission; this is not your fault "
                      "and it will be graded again.",
}
assert set(STATUS_TEXT) == set(STATUSES)

# Short labels for tables.
STATUS_LABEL = {
    "graded": "graded", "missing": "missing", "syntax_error": "syntax error",
    "import_error": "import error", "timeout": "timed out", "limit": "over a limit",
    "crashed": "crashed", "internal_error": "internal error",
}

# Written to the student: how their code ran. What a level does NOT protect is for the
# instructor's report only (see ReportFacts.sandbox_descriptions).
SANDBOX_TEXT = {
    "bwrap": "bubblewrap sandbox: no network, a private /tmp, its own process namespace, "
             "and a read-only view of only the files your code needs, with limits on time, "
             "memory, CPU, processes, open files and output.",
    "landlock": "Landlock sandbox: a separate process that may read only Python, numpy and "
                "its own folder, write only its own folder and open no network connection, "
                "with limits on time, memory, CPU, processes, open files and output.",
    "process": "process sandbox: a separate process with limits on time, memory, CPU, "
               "processes, open files and output, in its own scratch folder.",
}


def sandbox_text(level: str) -> str:
    return SANDBOX_TEXT.get(level, f"sandbox level {level or 'unknown'}")


def status_label(status: str) -> str:
    return STATUS_LABEL.get(status, status)


def percent(score: float, max_score: float) -> float:
    """Score as a percentage for display; a zero-point result shows as 0 %."""
    return 100.0 * score / max_score if max_score else 0.0
