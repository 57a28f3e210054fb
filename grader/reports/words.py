"""Fixed wording shared by the reports: what each status and sandbox level means."""

from __future__ import annotations

import re

from ..results import STATUSES

# Written to the student: what happened and what to do about it.
STATUS_TEXT = {
    "graded": "Your code ran and every test was scored.",
    "missing": "No file that could be graded was found in your submission, so every test "
               "scored zero. Check the file names and where the files are (see the notes).",
    "syntax_error": "Your file does not compile (a syntax error), so no test could run. "
                    "Run `python -m py_compile` on it to see the line.",
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


# --- a result's summary text: which file, and the grader's own notes --------------------

NOTE_PREFIX = "[grader note] "  # worker_notes.NOTE: lines the grader wrote, not the student
OUTPUT_HEADER = "Output printed by your code:"
_IMPORTING = re.compile(r"importing ([\w\-]+\.py)")
_SKIPPED = re.compile(r"^skipped import: (.*?) was (skipped|read as [\w.]+): ([\w.]+) is not "
                      r"available to the grader(.*)$")
_USED = re.compile(r"^used import: ([\w.]+) was used by your code")


def failing_file(result) -> str:
    """The student file whose compile or import failed (e.g. 'layers.py'), or ''."""
    found = _IMPORTING.search(result.output or "")
    return found.group(1) if found else ""


def status_text(result) -> str:
    """The headline for a result: what happened, naming the file, agreeing with the score."""
    status = result.status
    output = result.output or ""
    file = failing_file(result)
    python2 = "is Python 2 code" in output
    # An optional file that failed leaves the other files' checks running (the judge's note).
    optional = bool(file) and f"The checks that use {file} could not run" in output
    if status == "syntax_error" and optional:
        why = "is Python 2 code that Python 3 cannot compile" if python2 else \
            "does not compile (a syntax error)"
        return (f"Your {file} {why}, so the checks that use it could not run; "
                f"{_others_ran(result, file)}. Run `python -m py_compile {file}` to see the "
                "line.")
    if status == "syntax_error" and python2:
        return (f"Your {file or 'file'} is Python 2 code that Python 3 cannot compile, so no "
                "test could run. The grader runs Python 3: the line is named below.")
    if status == "syntax_error" and file:
        return ("Your file does not compile (a syntax error), so no test could run. Run "
                f"`python -m py_compile {file}` to see the line.")
    if status == "syntax_error":
        return STATUS_TEXT[status]
    if status == "import_error" and optional:
        return (f"Importing your {file} failed, so the checks that use it could not run; "
                f"{_others_ran(result, file)}. The reason is given below.")
    if status == "import_error" and "not available to the grader" in output:
        return (f"Importing your {file or 'module'} used a module the grader does not have, "
                "so no test could run. The line is named below: remove that import or its "
                "use.")
    return STATUS_TEXT.get(status, status)


def _others_ran(result, file: str) -> str:
    others = [name for name in result.files if name != file] or ["other files"]
    one = len(others) == 1 and others[0].endswith(".py")
    return (f"your {' and '.join(others)} {'was' if one else 'were'} imported and "
            f"{'its' if one else 'their'} checks ran and are scored below")


JUDGE_NOTE = "Note: "  # how the judge's summary marks a line of its own (judge.py)


def grader_notes(output: str) -> list[str]:
    """Every note the grader left on a result: the judge's "Note:" lines, then the worker's."""
    notes, rest = split_notes(output)
    return [line[len(JUDGE_NOTE):] for line in rest.splitlines()
            if line.startswith(JUDGE_NOTE)] + notes


def split_notes(output: str) -> tuple[list[str], str]:
    """(the grader's notes as sentences, the summary without them).

    The worker writes its notes (imports it skipped, Python warnings raised while the tests
    ran the code) into the output stream, marked: they are taken out of "Output printed by
    your code", which keeps only what the student's code printed (and is left out when that
    is nothing).
    """
    raw: list[str] = []
    kept: list[str] = []
    for line in (output or "").split("\n"):
        at = line.find(NOTE_PREFIX)
        if at < 0:
            kept.append(line)
            continue
        note = line[at + len(NOTE_PREFIX):].strip()
        if note and note not in raw:
            raw.append(note)
        if line[:at].strip():
            kept.append(line[:at])
    text = "\n".join(kept)
    head, sep, printed = text.partition(OUTPUT_HEADER)
    if sep and not printed.strip():
        text = head.rstrip()
    elif sep:
        text = head + sep + "\n" + printed.strip("\n")
    return _sentences(raw), text.rstrip()


def _sentences(raw: list[str]) -> list[str]:
    used = {m.group(1) for m in map(_USED.match, raw) if m}
    notes = []
    for note in raw:
        skipped = _SKIPPED.match(note)
        if skipped:
            where, how, module, rest = skipped.groups()
            if how == "skipped":
                top = module
                effect = ("your code uses it, so the checks that reach it fail: remove the "
                          "import and use numpy" if any(u == top or u.startswith(top + ".")
                                                        or top.startswith(u + ".")
                                                        for u in used)
                          else "your graded functions do not use it, so it cost nothing")
                notes.append(f"{where} was skipped: {module} is not "
                             f"available to the grader{rest.rstrip('.')}; {effect}.")
            else:
                notes.append(f"{where} was {how}: {module} is not "
                             f"available to the grader{rest}")
        elif note.startswith("warning: "):
            notes.append("Python warning (not printed by your code): " + note[9:])
        elif not _USED.match(note):
            notes.append(note)
    return notes


def tidy_output(output: str) -> str:
    """The summary with the grader's notes as "Note:" lines before the printed output."""
    notes, text = split_notes(output)
    if not notes:
        return text
    head, sep, printed = text.partition(OUTPUT_HEADER)
    lines = [head.rstrip(), *(f"Note: {n}" for n in notes)]
    if sep:
        lines.append(sep + printed)
    return "\n".join(line for line in lines if line)


def graded_files(files, absent=()) -> str:
    """Which of the student's files were graded, and what stood in for an absent one."""
    text = ", ".join(files) or "none"
    for name, instead in absent:
        text += f" (no {name} was graded: {instead})"
    return text


ADJUSTMENT_KIND = {"override": "Changed by a TA", "late": "Late penalty"}


def adjustment_text(adjustment) -> str:
    """One line for one recorded adjustment: what changed, from what to what, and why."""
    what = ADJUSTMENT_KIND.get(adjustment.kind, adjustment.kind.capitalize())
    target = f" ({adjustment.target})" if adjustment.target else ""
    who = f" by {adjustment.by}" if adjustment.by and adjustment.kind == "override" else ""
    change = f"{adjustment.before:g} -> {adjustment.after:g}"
    if adjustment.kind == "late" and adjustment.before == adjustment.after:
        # The deadline policy's verdict on a submission it did not penalise (on time, an
        # extension, no time known): a statement, not a change.
        return f"Deadline: {adjustment.reason}".rstrip(". ") + "."
    if adjustment.stale:
        return (f"{what}{target}{who}: {change} not applied, it was decided on a different "
                f"version of the submission: {adjustment.reason}")
    return f"{what}{target}{who}: {change}. {adjustment.reason}".rstrip(". ") + "."


def applied(adjustments) -> list:
    """The adjustments a student sees: the ones that changed the score."""
    return [a for a in adjustments if not a.stale and not _unchanged_late(a)]


def deadline_notes(adjustments) -> list:
    """The deadline policy's lines that changed nothing ("on time", "extension applied")."""
    return [a for a in adjustments if not a.stale and _unchanged_late(a)]


def _unchanged_late(adjustment) -> bool:
    return adjustment.kind == "late" and adjustment.before == adjustment.after
