"""What an LMS download says about who submitted when.

* **Canvas** "Download Submissions" names each file
  ``<lastfirst>[_LATE]_<user id>_<attachment id>_<original name>``: a user id and a LATE
  flag (late by Canvas's own due date), but no time. The times come from Canvas's
  submissions API (``GET /api/v1/courses/:course/assignments/:assignment/submissions``,
  saved as JSON: a list of objects with ``user_id`` and ``submitted_at``), joined on the
  user id.
* **Gradescope** "Export Submissions" holds ``submission_metadata.yml``: one top-level
  key per submission folder (``submission_123456789``) with ``:submitters:`` (``:name:``,
  ``:sid:``, ``:email:``) and ``:created_at:`` (``2026-04-26 17:34:00.861687000 Z`` or with
  an offset such as ``-07:00``).
* **File modification times**: what the disk says; unzipping, copying or a student's own
  ``touch`` changes them, so they are used only when asked for, with a warning.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .policy import DeadlineError

MAX_METADATA_BYTES = 200 * 2**20  # Gradescope exports with full results can be large
_TOP = re.compile(r"^([^\s#:'\"-][^:]*):\s*$")
_FIELD = re.compile(r"^  :(created_at|submitters):\s*(.*?)\s*$")
_SUBMITTER = re.compile(r"^  (?:- |  ):(name|sid|email):\s*(.*?)\s*$")
_RUBY_TIME = re.compile(r"^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?\s*"
                        r"(Z|[+-]\d\d:?\d\d)?$")


@dataclass
class GradescopeSubmission:
    created_at: datetime | None = None
    submitters: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class CanvasFile:
    user: str  # Canvas user id
    late: bool  # Canvas marked the upload LATE


def canvas_files(submissions: Path) -> dict[str, CanvasFile]:
    """student -> what their Canvas file names say (students with Canvas files only)."""
    from ..run.discover import lms_name_parts

    found: dict[str, CanvasFile] = {}
    try:
        names = sorted(e.name for e in os.scandir(submissions) if not e.is_dir())
    except OSError:
        return {}
    for name in names:
        parts = lms_name_parts(name)
        if parts and parts["lms"] == "canvas":
            old = found.get(parts["student"])
            found[parts["student"]] = CanvasFile(
                parts["user"], bool(parts["late"]) or bool(old and old.late))
    return found


def read_canvas_api(path: Path) -> dict[str, datetime]:
    """Canvas user id -> submitted_at, from the submissions API's JSON."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeadlineError(
            'times = "canvas" needs the submission times from Canvas\'s submissions API '
            "saved as this JSON file (Canvas's download names carry no time)",
            path=path) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DeadlineError(f"cannot read the Canvas submissions JSON ({error})",
                            path=path) from None
    if isinstance(data, dict) and isinstance(data.get("submissions"), list):
        data = data["submissions"]
    if not isinstance(data, list):
        raise DeadlineError("expected a JSON list of submissions (user_id, submitted_at)",
                            path=path)
    times: dict[str, datetime] = {}
    for index, item in enumerate(data):
        if not isinstance(item, dict) or "user_id" not in item:
            raise DeadlineError(f"entry {index}: expected an object with user_id and "
                                "submitted_at", path=path)
        raw = item.get("submitted_at")
        if raw in (None, ""):
            continue  # never submitted
        when = _iso(raw)
        if when is None:
            raise DeadlineError(f"entry {index}: submitted_at {raw!r} is not an ISO 8601 "
                                "time with a zone", path=path)
        times[str(item["user_id"])] = when
    return times


def read_gradescope_metadata(path: Path) -> dict[str, GradescopeSubmission]:
    """Submission folder -> its time and submitters.

    Read line by line rather than with a YAML library: only three fields at fixed
    indentation are needed, and real exports carry Ruby-dumped results that strict YAML
    parsers reject.
    """
    try:
        if Path(path).stat().st_size > MAX_METADATA_BYTES:
            raise DeadlineError("larger than 200 MB; is it really submission_metadata.yml?",
                                path=path)
        lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        raise DeadlineError('times = "gradescope" needs the submission_metadata.yml of '
                            "Gradescope's export", path=path) from None
    except OSError as error:
        raise DeadlineError(f"cannot read it ({error.strerror})", path=path) from None
    found: dict[str, GradescopeSubmission] = {}
    current: GradescopeSubmission | None = None
    section = ""
    for number, line in enumerate(lines, 1):
        top = _TOP.match(line)
        if top:
            current = found.setdefault(top[1].strip().strip("'\""), GradescopeSubmission())
            section = ""
            continue
        if current is None or not line.startswith("  "):
            continue
        if line.startswith("  :"):
            match = _FIELD.match(line)
            section = match[1] if match else ""
            if match and match[1] == "created_at":
                current.created_at = _ruby_time(match[2])
                if current.created_at is None:
                    raise DeadlineError(f"line {number}: :created_at: {match[2]!r} is not "
                                        "a time", path=path)
            continue
        submitter = _SUBMITTER.match(line)
        if section == "submitters" and submitter:
            if line.startswith("  - ") or not current.submitters:
                current.submitters.append({})
            current.submitters[-1][submitter[1]] = submitter[2].strip("'\"")
    return {k: v for k, v in found.items() if v.created_at or v.submitters}


def file_mtimes(submissions: Path, assignment: str = "") -> dict[str, datetime]:
    """student -> the newest modification time among the files that were graded."""
    from ..run.discover import discover

    times = {}
    for sub in discover(submissions, assignment):
        stamps = []
        for path in sub.files.values():
            try:
                stamps.append(os.lstat(path).st_mtime)
            except OSError:
                pass
        if stamps:
            times[sub.student] = datetime.fromtimestamp(max(stamps), tz=timezone.utc)
    return times


def _iso(raw) -> datetime | None:
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    text = text[:-1] + "+00:00" if text[-1:] in "Zz" else text
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.astimezone(timezone.utc) if when.tzinfo else None


def _ruby_time(raw: str) -> datetime | None:
    match = _RUBY_TIME.match(raw.strip().strip("'\""))
    if not match:
        return None
    fraction = (match[3] or "0")[:6].ljust(6, "0")
    offset = match[4] or "Z"
    offset = "+00:00" if offset == "Z" else offset[:3] + ":" + offset[-2:]
    return _iso(f"{match[1]}T{match[2]}.{fraction}{offset}")
