"""A deadline policy, read from a ``[deadline]`` TOML table.

::

    [deadline]
    due = "2026-10-01T23:59:00"           # local time in `timezone`, or with an offset
    timezone = "America/Los_Angeles"
    grace = "15m"                         # late by at most this much counts as on time
    penalty = { per = "day", percent = 10, cap = 50 }   # or penalty = "zero"
    extensions = "extensions.csv"         # student,due  or  student,hours
    times = "submissions.csv"             # or "canvas", "gradescope", "mtime"

The table may come from a file of its own (``grader run --deadline FILE``) or from an
assignment's manifest: :func:`load_policy` takes the table and the folder its relative
paths are relative to. Every bad value stops the load with one line naming the file and
the field, before any grading starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomllib

from ..errors import InputFileError
from .penalty import Penalty, parse_penalty

TIME_SOURCES = ("canvas", "gradescope", "mtime")  # or the name of a .csv file
KEYS = ("due", "timezone", "grace", "penalty", "extensions", "times", "times_file")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d|days?|h|hours?|m|min|minutes?|s|sec|seconds?)",
                       re.IGNORECASE)
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


class DeadlineError(InputFileError):
    """A deadline policy, an extensions file or a submission-times file holds a bad value."""


@dataclass(frozen=True)
class Policy:
    due: datetime  # in UTC, like every time here (shown to people in `zone`)
    zone: ZoneInfo | timezone  # for showing times to people
    grace: timedelta
    penalty: Penalty
    times: str  # "csv", "canvas", "gradescope" or "mtime"
    times_file: Path | None = None  # the CSV, the Canvas API JSON or submission_metadata.yml
    extensions: dict[str, datetime] = field(default_factory=dict)
    # Read at load: student -> time (a CSV), or Canvas user id -> time ("canvas").
    recorded: dict[str, datetime] = field(default_factory=dict)
    source: str = ""  # where the policy came from, for messages

    def due_for(self, student: str) -> tuple[datetime, bool]:
        """The student's due date, and whether it is an extension."""
        if student in self.extensions:
            return self.extensions[student], True
        return self.due, False

    def local(self, when: datetime) -> str:
        return f"{when.astimezone(self.zone):%Y-%m-%d %H:%M %Z}"


def load_policy_file(path: Path, *, table: str = "deadline") -> Policy:
    """The policy in ``path``'s ``[deadline]`` table."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DeadlineError("deadline policy file does not exist", path=path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise DeadlineError(f"cannot read the deadline policy ({error})", path=path) from None
    except tomllib.TOMLDecodeError as error:
        raise DeadlineError(f"not valid TOML: {error}", path=path) from None
    if not isinstance(data.get(table), dict):
        raise DeadlineError(f"no [{table}] table (expected e.g. [{table}] with due = "
                            '"2026-10-01T23:59:00" and timezone = "America/Los_Angeles")',
                            path=path)
    return load_policy(data[table], path.parent, source=f"{path} [{table}]")


def load_policy(table: dict, folder: Path, *, source: str = "[deadline]") -> Policy:
    """Validate a ``[deadline]`` table; relative file names are relative to ``folder``."""
    from .records import read_extensions, read_times_csv

    def fail(key: str, message: str):
        raise DeadlineError(f"{source} {key}: {message}")

    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        fail(unknown[0], "unknown setting (expected one of " + ", ".join(KEYS) + ")")
    zone = _zone(table.get("timezone"), fail)
    if "due" not in table:
        fail("due", 'missing (expected e.g. due = "2026-10-01T23:59:00")')
    due = parse_when(table["due"], zone, fail=lambda m: fail("due", m))
    if zone is None:
        zone = datetime.fromisoformat(str(table["due"])).tzinfo or timezone.utc
    grace = parse_duration(table.get("grace", "0"), fail=lambda m: fail("grace", m))
    if grace > timedelta(days=7):
        fail("grace", f"{table['grace']!r} is more than 7 days; use an extension instead")
    penalty = parse_penalty(table.get("penalty"), fail=lambda m: fail("penalty", m))
    folder = Path(folder)
    extensions = {}
    if table.get("extensions") not in (None, ""):
        name = _text(table["extensions"], "extensions", fail)
        extensions = read_extensions(folder / name, due=due, zone=zone)
    times, times_file, recorded = _times(table, folder, zone, fail, read_times_csv)
    return Policy(due=due, zone=zone, grace=grace, penalty=penalty, times=times,
                  times_file=times_file, extensions=extensions, recorded=recorded,
                  source=source)


def parse_duration(raw, *, fail) -> timedelta:
    """``"15m"``, ``"2h30m"``, ``"1d"``, ``"90s"``, ``0``: never negative."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        fail(f"{raw!r} is not a duration (expected e.g. \"15m\", \"2h\" or \"1d\")")
    if isinstance(raw, (int, float)):
        if raw != 0:
            fail(f"{raw!r} has no unit (write e.g. \"{raw}m\" or \"{raw}h\")")
        return timedelta(0)
    text = raw.strip()
    if text == "0":
        return timedelta(0)
    parts = list(_DURATION.finditer(text))
    if not parts or _DURATION.sub("", text).strip():
        fail(f"{raw!r} is not a duration (expected e.g. \"15m\", \"2h30m\" or \"1d\")")
    seconds = sum(float(m[1]) * _UNIT_SECONDS[m[2][0].lower()] for m in parts)
    return timedelta(seconds=seconds)


def parse_when(raw, zone, *, fail) -> datetime:
    """An ISO 8601 date and time; without an offset it is local time in ``zone``.

    Returned in UTC: Python subtracts two datetimes that share a tzinfo by their wall
    clocks, which across a daylight-saving change is an hour off.
    """
    if isinstance(raw, datetime):
        when = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if text[-1:] in "Zz" and text:
            text = text[:-1] + "+00:00"
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            fail(f"{raw!r} is not a date and time (expected ISO 8601, e.g. "
                 "2026-10-01T23:59:00 or 2026-10-01T23:59:00-07:00)")
    else:
        fail(f"{raw!r} is not a date and time (expected e.g. \"2026-10-01T23:59:00\")")
    if when.tzinfo is not None:
        return when.astimezone(timezone.utc)
    if zone is None:
        fail(f"{raw!r} has no UTC offset and no timezone is set (add timezone = "
             '"America/Los_Angeles" or an offset like -07:00)')
    local = when.replace(tzinfo=zone)
    # A wall-clock time skipped when clocks go forward does not exist: refuse to guess.
    if local.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != when:
        fail(f"{raw!r} does not exist in {zone} (the clocks skip that hour)")
    return local.astimezone(timezone.utc)


def _zone(raw, fail):
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw.strip():
        fail("timezone", f"{raw!r} is not a time zone name (expected e.g. "
             '"America/Los_Angeles" or "UTC")')
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError):
        fail("timezone", f"unknown time zone {raw!r} (expected an IANA name such as "
             '"America/Los_Angeles", "Europe/Berlin" or "UTC")')


def _text(raw, key, fail) -> str:
    if not isinstance(raw, str) or not raw.strip():
        fail(key, f"{raw!r} is not a file name")
    return raw.strip()


def _times(table, folder, zone, fail, read_times_csv):
    raw = table.get("times")
    if raw is None:
        fail("times", 'missing: say where submission times come from: a CSV file '
             '(times = "submissions.csv"), "canvas", "gradescope", or "mtime"')
    name = _text(raw, "times", fail)
    given = table.get("times_file")
    times_file = folder / _text(given, "times_file", fail) if given is not None else None
    if name.lower().endswith(".csv"):
        if given is not None:
            fail("times_file", "only for times = \"canvas\" or \"gradescope\"; the CSV is "
                 "named by times itself")
        path = folder / name
        return "csv", path, read_times_csv(path, zone=zone)
    if name not in TIME_SOURCES:
        fail("times", f"{name!r} is not a time source (expected a .csv file name, "
             + ", ".join(f'"{s}"' for s in TIME_SOURCES) + ")")
    if name == "canvas":
        from .lms import read_canvas_api
        # Canvas's download names carry no time: the times come from its submissions API.
        times_file = times_file or folder / "canvas_submissions.json"
        return "canvas", times_file, read_canvas_api(times_file)
    if name == "mtime" and given is not None:
        fail("times_file", 'not used with times = "mtime"')
    return name, times_file, {}
