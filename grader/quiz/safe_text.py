"""Student-controlled strings of the quiz on their way out.

* :func:`student_ids`: one printable, distinct id per answer file;
* :func:`folder_names`: one safe, distinct folder per id, by the rules of ``grader
  run``'s folders (:mod:`grader.reports.files`) with the quiz's own file names reserved;
* :func:`scrub_paths`: host paths in messages (the interpreter, the sandbox's layout,
  temporary folders) replaced by placeholders.

``printable`` and ``csv_cell`` are :mod:`grader.reports.safe_text`'s, shared by every report.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

from ..reports import files
from ..reports.safe_text import csv_cell, printable  # noqa: F401 - the quiz's reports use them

# Names the quiz's output folder uses itself (the run's are reserved by grader.reports).
RESERVED = frozenset({"quiz_gradebook.csv", "review.md", "folders.csv",
                      "quiz_results.json", "review.sqlite"})


def student_ids(paths: list[Path]) -> list[str]:
    """A printable id per answer file (its name without ``.md``), distinct across the
    class: two files whose names print the same (``a.md`` and ``a.MD``, names that
    differ only in control characters) get a short hash of the file name appended."""
    ids = [printable(os.fsdecode(p.name)[:-len(p.suffix)] if p.suffix else p.name,
                     multiline=False) for p in paths]
    seen: dict[str, int] = {}
    for sid in ids:
        seen[sid] = seen.get(sid, 0) + 1
    return [f"{sid}~{_digest(os.fsencode(p.name))}" if seen[sid] > 1 else sid
            for sid, p in zip(ids, paths)]


def folder_names(students: list[str]) -> dict[str, str]:
    """A distinct, safe folder name per student id, by the rules of ``grader run``'s
    folders, with the quiz's own file names reserved too."""
    return files.folder_names(students, reserved=RESERVED)


def _digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:8]


@lru_cache(maxsize=1)
def _host_prefixes() -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    python = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
              os.path.dirname(sys.executable), os.path.dirname(os.path.realpath(sys.executable))}
    for path in python:
        found[path] = "<python>"
    found[str(Path(__file__).resolve().parents[2])] = "<grader>"
    found[tempfile.gettempdir()] = "<tmp>"
    found[os.path.expanduser("~")] = "~"
    real = {os.path.realpath(p): label for p, label in found.items()}
    found.update(real)
    usable = [(p.rstrip("/"), label) for p, label in found.items() if len(p.rstrip("/")) > 3]
    return tuple(sorted(usable, key=lambda item: -len(item[0])))


_SANDBOX = re.compile(r"/sandbox(?:/scratch/[^/\s'\"]+)?")
_ABSOLUTE = re.compile(r"(?<![\w.<>~/])/(?:[\w.+-]+/)+([\w.+-]*)")


def scrub_paths(text: str) -> str:
    """Host paths in a message replaced: the interpreter's and the grader's folders,
    temporary folders and home by placeholders, the sandbox's scratch by ``<sandbox>``,
    any other absolute path by its last part."""
    if "/" not in text:
        return text
    for prefix, label in _host_prefixes():
        text = text.replace(prefix, label)
    text = _SANDBOX.sub("<sandbox>", text)
    return _ABSOLUTE.sub(lambda m: ".../" + m.group(1), text)
