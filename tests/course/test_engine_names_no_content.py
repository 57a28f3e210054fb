"""The engine names no assignment and no quiz: everything about one lives in its folder.

The words are collected from the course itself (each assignment's and quiz's folder name,
the functions its manifest names, its submitted files and its notebook), so a new
assignment is covered without touching this test.
"""

from __future__ import annotations

import re
from pathlib import Path

from grader import course, paths

ENGINE = Path(__file__).resolve().parents[2] / "grader"
# Files of the engine that are not its code or docs: templates render data they are given.
TEXT = (".py", ".md", ".toml", ".sh")


def content_words() -> set[str]:
    words = set()
    for name, assignment in course.assignments().items():
        words.add(name)
        for target in assignment.functions:
            module, _, qualname = target.partition(":")
            words.add(qualname.split(".")[0])
            words.add(module.rsplit(".", 1)[-1])
        for submitted in assignment.files:
            words.add(Path(submitted).stem)
        if assignment.notebook is not None:
            words.add(course.notebook_name(name).removesuffix(".ipynb"))
    for quiz in sorted(p.name for p in (paths.quizzes_dir()).iterdir() if p.is_dir()):
        words.add(quiz)
    # Names a course package file shares with general vocabulary say nothing about one
    # assignment ("layers", "conv" as in the module names of many courses).
    return {w for w in words if w and w not in {"layers", "layer_utils", "conv"}}


def test_the_words_come_from_the_course():
    words = content_words()
    assert {"dropout", "fc_net", "conv_forward_naive", "quiz8"} <= words, words


def test_no_engine_file_names_an_assignment_or_a_quiz():
    pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in sorted(content_words())),
                         re.IGNORECASE)
    found = []
    for path in sorted(ENGINE.rglob("*")):
        if path.suffix in TEXT and "__pycache__" not in path.parts:
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(ENGINE.parent)}:{number}: {line.strip()}")
    assert not found, "\n".join(found[:40]) + f"\n({len(found)} lines)"
