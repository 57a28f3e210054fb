"""Writing report files: atomic replacement and safe per-student folder names."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

# Names the output folder uses itself (every file or folder a run writes at its top, and
# SQLite's companions of the store); a student called "report.html" gets another folder.
RESERVED = {"gradebook.csv", "report.html", "folders.csv", "logs", "inline_answers.html",
            "inline_answers.md", "review.md", "quiz_gradebook.csv", "inline_grades.csv",
            "quiz_results.json"}
RESERVED_PREFIXES = ("grades.sqlite", "review.sqlite")
_UNSAFE = re.compile(r'[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff'
                     r'\ud800-\udfff/\\:*?"<>|]')
_MAX_BYTES = 120  # well under every filesystem's 255-byte name limit, with room for a suffix
_WINDOWS = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
            *(f"lpt{i}" for i in range(1, 10))}


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write ``path`` so that readers see the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp's 0600 would hide the file from a TA group
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def folder_names(students: list[str], *, reserved: frozenset[str] = frozenset()
                 ) -> dict[str, str]:
    """A distinct, safe folder name for every student id.

    Unicode letters are kept; separators, control characters, leading dots and names
    the output folder uses are replaced, and a short hash of the id is appended whenever
    a name had to change or two names would be the same folder on a case-insensitive
    filesystem, so the mapping stays one-to-one.
    """
    cleaned = {s: _clean(s, reserved) for s in students}
    seen: dict[str, int] = {}
    for name in cleaned.values():
        key = unicodedata.normalize("NFC", name).casefold()
        seen[key] = seen.get(key, 0) + 1
    names = {}
    for student, name in cleaned.items():
        key = unicodedata.normalize("NFC", name).casefold()
        if name != student or seen[key] > 1:
            digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
            name = f"{name}-{digest}"
        names[student] = name
    return names


def _clean(student: str, reserved: frozenset[str] = frozenset()) -> str:
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", student)).strip(" ")
    name = name.lstrip(".") or "_"
    if name[0] in "=+-@":  # a folder name that folders.csv would have to quote
        name = "_" + name
    if (name.lower() in RESERVED | reserved or name.lower().startswith(RESERVED_PREFIXES)
            or name.split(".")[0].lower() in _WINDOWS):
        name = "_" + name
    name = name.rstrip(". ") or "_"  # Windows drops trailing dots and spaces
    raw = name.encode("utf-8", "surrogatepass")
    if len(raw) > _MAX_BYTES:
        name = raw[:_MAX_BYTES].decode("utf-8", "ignore")
    return name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
