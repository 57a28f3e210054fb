"""The corpus format both quizzes' corpus tests read: ``q*.toml`` files of ``[[case]]``
tables (answer, expected verdict, and the form or mistake it must be named as)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import tomllib


@dataclass(frozen=True)
class Case:
    name: str
    qid: str
    answer: str
    expect: str
    form: str = ""
    tag: str = ""


def toml_cases(path: Path) -> list[Case]:
    """The cases of one ``q*.toml`` file, named ``<stem>[n]``."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return [Case(f"{path.stem}[{n}]", path.stem, case["answer"], case["expect"],
                 case.get("form", ""), case.get("tag", ""))
            for n, case in enumerate(data["case"])]
