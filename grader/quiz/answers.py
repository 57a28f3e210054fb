"""Answer files: ``answers/<student>.md`` split into ``## Q1`` ... sections.

Reading is lenient about what students do to markdown (``## Question 2``, ``### Q3:``,
Windows line ends, a stray BOM, bytes that are not UTF-8) because a student's file must
never stop the class from being graded; only a missing or empty answers folder is an
error, and it names the folder. A file over ``bounds.MAX_FILE_BYTES`` is not read past
that size: all its answers go to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError, UsageError
from .blocks import fenced_blocks
from .bounds import MAX_FILE_BYTES

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?:Q|Question|Problem)\s*\.?\s*(\d+)\b.*$",
                      re.IGNORECASE | re.MULTILINE)
_SKIP = {"readme.md"}


@dataclass(frozen=True)
class Section:
    """The text a student wrote under one question heading."""

    qid: str  # "q1"
    text: str  # without the heading line
    line: int  # 1-based line of the heading in the file

    @property
    def code_blocks(self) -> tuple[str, ...]:
        return tuple(body for _, _, body in fenced_blocks(self.text))

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class AnswerFile:
    student: str
    path: Path | None
    sections: dict[str, Section]
    problem: str = ""  # why the file as a whole cannot be checked (too large)

    def section(self, qid: str) -> Section | None:
        return self.sections.get(qid)


# A short answer that says there is no answer ("n/a", "idk", "?", "不知道").
_NOTHING = re.compile(r"^\W*(?:n/?a|none|idk|i don'?t know|no idea|skip(?:ped)?|todo|tbd|"
                      r"\?+|-+|不会|不知道)\W*$", re.IGNORECASE)


def no_answer(section: Section | None) -> bool:
    """True when ``section`` is absent, blank, or only says that there is no answer."""
    return section is None or section.is_blank or (
        len(section.text) < 200 and bool(_NOTHING.match(section.text.strip())))


def question_id(digits: str) -> str:
    """``007`` -> ``q7`` without ``int()``, which refuses 4,300 digits and more; a number
    too long to be a question gives an id no question has."""
    digits = digits.lstrip("0") or "0"
    if len(digits) > 6:
        return f"q{digits[:6]}..."
    return f"q{int(digits)}"


def split_sections(text: str) -> dict[str, Section]:
    """Sections by question id; text under a repeated heading is appended. Linear in
    the text, however many headings it repeats."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    heads = list(_HEADING.finditer(text))
    bodies: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    line, counted = 1, 0
    for n, head in enumerate(heads):
        qid = question_id(head.group(1))
        end = heads[n + 1].start() if n + 1 < len(heads) else len(text)
        line += text.count("\n", counted, head.start())
        counted = head.start()
        bodies.setdefault(qid, []).append(text[head.end():end].strip("\n"))
        lines.setdefault(qid, line)
    return {qid: Section(qid, "\n\n".join(parts), lines[qid]) for qid, parts in bodies.items()}


def parse_answer(text: str, *, student: str, path: Path | None = None) -> AnswerFile:
    return AnswerFile(student, path, split_sections(text))


def read_answer(path: Path, student: str | None = None) -> AnswerFile:
    """The answer file at ``path``; ``student`` defaults to the file name's stem."""
    student = path.stem if student is None else student
    with path.open("rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        size = path.stat().st_size
        return AnswerFile(student, path, {}, problem=f"an answer file of {size:,} bytes; "
                                                     f"at most {MAX_FILE_BYTES:,} are read")
    # errors="replace": a student's Latin-1 file still gets graded; the odd byte shows
    # up as U+FFFD in the reading instead of stopping the run.
    return parse_answer(data.decode("utf-8", errors="replace"), student=student, path=path)


def answer_paths(answers_dir: Path) -> list[Path]:
    """The answer files of a class, sorted by student id."""
    if not answers_dir.exists():
        raise UsageError(f"answers folder {answers_dir} does not exist")
    if not answers_dir.is_dir():
        raise UsageError(f"{answers_dir} is not a folder of <student>.md answer files")
    paths = sorted(p for p in answers_dir.iterdir()
                   if p.suffix.lower() == ".md" and p.is_file()
                   and not p.name.startswith((".", "_")) and p.name.lower() not in _SKIP)
    if not paths:
        raise InputFileError("no <student>.md answer files in this folder", path=answers_dir)
    return paths
