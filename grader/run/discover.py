"""Find the submissions in a folder: one student per subfolder, or LMS flat files.

Discovery only looks (``lstat``); it never follows a symbolic link and never reads a
file, so a hostile folder cannot make it hang (FIFOs), escape (links pointing outside)
or crash. Whatever is wrong becomes a sentence in ``Submission.problems`` that the
student will read in their feedback.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import replace
from pathlib import Path

from ..errors import UsageError
from .model import Layout, Submission

MAX_FILE_BYTES = 1_000_000  # a layers.py is ~20 kB; anything this big is not source code

# Canvas bulk download: <lastfirst>[_LATE]_<user id>_<submission id>_<original name>.
# Moodle: <Full Name>_<id>_assignsubmission_file_<original name>.
_CANVAS = re.compile(r"^(?P<student>.+?)(?:_late)?_(?P<uid>\d+)_(?P<sid>\d+)_(?P<name>.+)$",
                     re.IGNORECASE)
_MOODLE = re.compile(r"^(?P<student>.+?)_(?P<sid>\d+)_assignsubmission_file_(?P<name>.+)$")
# LMSs rename repeated uploads: layers-1.py, layers (2).py.
_RESUBMITTED = re.compile(r"^(?P<base>.+?)(?:-(?P<n>\d+)| \((?P<p>\d+)\))?\.py$",
                          re.IGNORECASE)


def discover(root: Path, assignment: str = "", *,
             exclude: tuple[Path, ...] = (), layout: Layout | None = None) -> list[Submission]:
    """Every submission under ``root``, sorted by student id, with the files of
    ``assignment`` (its manifest's layout, or ``layout`` when given).

    ``exclude`` names folders inside ``root`` that are not students (the output
    folder when it was put inside the submissions folder).
    """
    if layout is None:
        from .. import course
        layout = course.layout(assignment)
    root = Path(root)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        raise UsageError("submissions folder does not exist", path=root) from None
    except NotADirectoryError:
        raise UsageError("is not a folder (expected one subfolder per student)",
                         path=root) from None
    except PermissionError:
        raise UsageError("cannot read the submissions folder (permission denied)",
                         path=root) from None
    excluded = {os.path.realpath(p) for p in exclude}
    found: dict[str, Submission] = {}
    flat: list[os.DirEntry] = []
    for entry in entries:
        if _ignored(entry.name) or os.path.realpath(entry.path) in excluded:
            continue
        if entry.is_symlink():
            if os.path.isdir(entry.path):
                student = student_id(entry.name)
                found[student] = Submission(student, {}, (
                    ("your submission folder is a symbolic link; it was not followed. "
                    "Submit the files themselves."),))
            else:
                flat.append(entry)  # judged below, where a link is refused with a message
        elif entry.is_dir(follow_symlinks=False):
            student = student_id(entry.name)
            found[student] = _folder_submission(student, Path(entry.path), layout)
        elif entry.is_file(follow_symlinks=False):
            flat.append(entry)
    for student, sub in _flat_submissions(flat, layout).items():
        if student in found:
            old = found[student]
            found[student] = Submission(student, old.files, old.problems + (
                "LMS files named after you were found beside your folder and ignored: "
                + ", ".join(sorted(sub.files)) + ".",))
        else:
            found[student] = sub
    return [replace(found[k], layout=layout) for k in sorted(found)]


def student_id(name: str) -> str:
    """The id for a folder name; names that are not valid UTF-8 keep their bytes visible."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def lms_name_parts(name: str) -> dict[str, str] | None:
    """What an LMS bulk-download file name says: student, lms ("canvas" or "moodle"),
    user (Canvas user id, or ""), late ("1" when Canvas marked it LATE, else ""), or None."""
    canvas = _CANVAS.match(name)
    if canvas:
        late = "_late_" in name[len(canvas["student"]):].lower()[:6]
        return {"student": student_id(canvas["student"]), "lms": "canvas",
                "user": canvas["uid"], "late": "1" if late else ""}
    moodle = _MOODLE.match(name)
    if moodle:
        return {"student": student_id(moodle["student"]), "lms": "moodle", "user": "",
                "late": ""}
    return None


def _ignored(name: str) -> bool:
    return name.startswith((".", "__MACOSX", "__pycache__")) or name in ("Thumbs.db",)


def _folder_submission(student: str, folder: Path, layout: Layout) -> Submission:
    files: dict[str, Path] = {}
    problems: list[str] = []
    base = folder
    if not any(_candidates_exist(folder, path) for path in layout.paths.values()):
        # A zip extracted into its own folder (alice/hw3/cs231n/layers.py): look one level in.
        inner = [e for e in _scan(folder) if not _ignored(e.name)
                 and e.is_dir(follow_symlinks=False)]
        if len(inner) == 1:
            base = Path(inner[0].path)
    for name, package_path in layout.files:
        candidates = [rel for rel in _relative_paths(package_path) if _lexists(base / rel)]
        if not candidates:
            if name in layout.required:
                problems.append(_missing_message(name, package_path, base))
            continue
        refusals = {rel: check_file(base / rel, rel, within=folder) for rel in candidates}
        usable = [rel for rel in candidates if refusals[rel] is None]
        if not usable:
            problems.append(refusals[candidates[0]])
            continue
        files[name] = base / usable[0]
        if len(candidates) > 1:
            problems.append(f"found {' and '.join(candidates)}; graded {usable[0]}.")
    return Submission(student, files, tuple(problems))


def _relative_paths(package_path: str) -> list[str]:
    """Where a student may have put a file, most specific first.

    pkg/sub/mod.py -> that, sub/mod.py, mod.py
    """
    parts = package_path.split("/")
    return ["/".join(parts[i:]) for i in range(len(parts))]


def _candidates_exist(folder: Path, package_path: str) -> bool:
    return any(_lexists(folder / rel) for rel in _relative_paths(package_path))


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)


def _scan(folder: Path) -> list[os.DirEntry]:
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return []


def _missing_message(name: str, package_path: str, base: Path) -> str:
    where = " or ".join(_relative_paths(package_path)[::-1])
    message = f"no {name} found (looked for {where})."
    others = sorted(e.name for e in _scan(base) if e.name.endswith(".py"))
    if others:
        message += " Your submission holds: " + ", ".join(others[:10]) + "."
    return message


def check_file(path: Path, shown: str, *, within: Path | None = None) -> str | None:
    """Why ``path`` cannot be graded, or None. Looks with lstat only, never follows links.

    Every folder between ``within`` and the file is checked too, so a linked
    ``cs231n/`` folder cannot lead outside the submission.
    """
    if within is not None:
        walk = Path(within)
        for part in path.relative_to(within).parts[:-1]:
            walk = walk / part
            if walk.is_symlink():
                return (f"{shown}: the folder {part}/ is a symbolic link; it was not "
                        "followed. Submit the files themselves.")
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return f"{shown} is missing."
    except OSError as error:
        return f"{shown} could not be read ({error.strerror})."
    if stat.S_ISLNK(info.st_mode):
        return f"{shown} is a symbolic link; it was not followed. Submit the file itself."
    if stat.S_ISDIR(info.st_mode):
        return f"{shown} is a folder, not a file."
    if not stat.S_ISREG(info.st_mode):
        return f"{shown} is not a regular file."
    if info.st_size == 0:
        return f"{shown} is empty."
    if info.st_size > MAX_FILE_BYTES:
        return (f"{shown} is {info.st_size / 1e6:.1f} MB; the limit is "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB, so it was not graded.")
    if not os.access(path, os.R_OK):
        return f"{shown} could not be read (permission denied)."
    return None


def _flat_submissions(entries: list[os.DirEntry], layout: Layout) -> dict[str, Submission]:
    """Group LMS bulk-download files by student; the newest copy of each file wins."""
    picks: dict[str, dict[str, tuple[tuple[int, int], str, Path]]] = {}
    for entry in entries:
        match = _CANVAS.match(entry.name) or _MOODLE.match(entry.name)
        if not match:
            continue
        original = _RESUBMITTED.match(match["name"])
        if not original:
            continue
        name = original["base"].lower() + ".py"
        if name not in layout.paths:
            continue
        copy = int(original["n"] or original["p"] or 0)
        order = (int(match["sid"]), copy)
        student = student_id(match["student"])
        current = picks.setdefault(student, {}).get(name)
        if current is None or order > current[0]:
            picks[student][name] = (order, entry.name, Path(entry.path))
    subs = {}
    for student, chosen in picks.items():
        files: dict[str, Path] = {}
        problems: list[str] = []
        for name, (_, shown, path) in sorted(chosen.items()):
            problem = check_file(path, shown)
            if problem:
                problems.append(problem)
            else:
                files[name] = path
        for name in layout.required:
            if name not in chosen:
                problems.append(f"no {name} among your uploaded files.")
        subs[student] = Submission(student, files, tuple(problems))
    return subs
