"""Answer files: ``answers/<student>.md`` split into ``## Q1`` ... sections.

Reading is lenient about what students do to markdown (``## Question 2``, ``### Q3:``,
Windows line ends, a stray BOM, bytes that are not UTF-8) because a student's file must
never stop the class from being graded; only a missing or empty answers folder is an
error, and it names the folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputFileError, UsageError

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*(?:Q|Question|Problem)\s*\.?\s*(\d+)\b.*$",
                      re.IGNORECASE | re.MULTILINE)
_FENCE = re.compile(r"^\s*(```|~~~)[^\n]*\n(.*?)^\s*\1\s*$", re.MULTILINE | re.DOTALL)
_SKIP = {"readme.md"}


@dataclass(frozen=True)
class Section:
    """The text a student wrote under one question heading."""

    qid: str  # "q1"
    text: str  # without the heading line
    line: int  # 1-based line of the heading in the file

    @property
    def code_blocks(self) -> tuple[str, ...]:
        return tuple(m.group(2) for m in _FENCE.finditer(self.text))

    @property
    def is_blank(self) -> bool:
        return not self.text.strip()


@dataclass(frozen=True)
class AnswerFile:
    student: str
    path: Path | None
    sections: dict[str, Section]

    def section(self, qid: str) -> Section | None:
        return self.sections.get(qid)


def split_sections(text: str) -> dict[str, Section]:
    """Sections by question id; text under a repeated heading is appended."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    heads = list(_HEADING.finditer(text))
    sections: dict[str, Section] = {}
    for n, head in enumerate(heads):
        qid = f"q{int(head.group(1))}"
        end = heads[n + 1].start() if n + 1 < len(heads) else len(text)
        body = text[head.end():end].strip("\n")
        line = text.count("\n", 0, head.start()) + 1
        if qid in sections:
            previous = sections[qid]
            sections[qid] = Section(qid, previous.text + "\n\n" + body, previous.line)
        else:
            sections[qid] = Section(qid, body, line)
    return sections


def parse_answer(text: str, *, student: str, path: Path | None = None) -> AnswerFile:
    return AnswerFile(student, path, split_sections(text))


def read_answer(path: Path) -> AnswerFile:
    # errors="replace": a student's Latin-1 file still gets graded; the odd byte shows
    # up as U+FFFD in the reading instead of stopping the run.
    text = path.read_bytes().decode("utf-8", errors="replace")
    return parse_answer(text, student=path.stem, path=path)


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
