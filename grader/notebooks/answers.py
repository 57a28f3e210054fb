"""Find the inline answers in a notebook: tagged answer cells first, headings as a fallback.

Released notebooks tag each answer cell (``tags: ["inline-answer"]``, ``question: ...``), so
a student may rewrite the prompt freely. Notebooks that lost the tags (copied cells, other
editors, older releases) are read by their headings: the answer to "Inline Question N" is
the markdown after its prompt, up to the next code cell or heading. A notebook is
untrusted input; only its text is read, and each answer is bounded in size.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from ..errors import InputFileError
from .source import ANSWER_PROMPT, ANSWER_TAG

MAX_ANSWER_CHARS = 20_000
MAX_NOTEBOOK_BYTES = 50 * 2**20
_QUESTION = re.compile(r"^\s*#*\s*\**\s*Inline\s+Question\s*(\d+)\s*:?", re.IGNORECASE)
# Prompts left in front of an answer: our "*Your answer:*", CS231n's LaTeX prompt, "## Answer:".
# The colon is required so that an answer beginning "Answer is ..." keeps its words.
_PROMPT = re.compile(
    r"^\s*(?:#+\s*)?(?:\$\\color\{\w+\}\{\\textit\s*)?[*_]*\s*(?:your\s+)?answer\s*[*_]*\s*:"
    r"[*_]*\s*(?:\}\$)?[*_]*", re.IGNORECASE)
# The same prompt anywhere in a cell that also holds the question.
_INLINE_PROMPT = re.compile(
    r"(?im)^[^\n]*?\banswer\s*[*_]*\s*:[*_]*\s*(?:\}\$)?[*_]*")


def question_label(number: int | str) -> str:
    return f"Inline Question {int(number)}"


def clean_answer(text: str) -> str:
    """The student's words without the prompt; "" when the cell was left as released."""
    text = str(text).replace("\r\n", "\n").strip()
    if text.startswith(ANSWER_PROMPT):
        text = text[len(ANSWER_PROMPT):]
    else:
        text = _PROMPT.sub("", text, count=1)
    text = text.strip()
    if len(text) > MAX_ANSWER_CHARS:
        text = text[:MAX_ANSWER_CHARS] + "\n\n[... answer truncated by the grader]"
    return text


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _tags(cell) -> list:
    tags = cell.get("metadata", {}).get("tags", [])
    return tags if isinstance(tags, list) else []


def _tagged(cells) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for cell in cells:
        if ANSWER_TAG in _tags(cell) and cell.get("cell_type") == "markdown":
            question = cell.get("metadata", {}).get("question")
            match = _QUESTION.match(str(question or ""))
            if match:
                found.setdefault(question_label(match.group(1)), []).append(_source(cell))
    return found


def _by_heading(cells) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    current = None
    for cell in cells:
        text = _source(cell)
        if cell.get("cell_type") != "markdown":
            current = None
            continue
        match = _QUESTION.match(text)
        if match:
            current = question_label(match.group(1))
            # CS231n sometimes puts the prompt and "**Your Answer:**" in one cell.
            prompt = _INLINE_PROMPT.search(text, match.end())
            found.setdefault(current, [])
            if prompt:
                found[current].append(text[prompt.end():])
            continue
        if current is not None:
            if re.match(r"^\s*#\s", text):  # a new top-level section ends the answer
                current = None
                continue
            found[current].append(text)
    return found


def answers_from_notebook(nb) -> dict[str, str]:
    """Question label -> cleaned answer text ("" when unanswered)."""
    cells = [c for c in nb.get("cells", []) if isinstance(c, dict)]
    tagged = _tagged(cells)
    headed = _by_heading(cells)
    answers = {}
    for question in sorted(set(tagged) | set(headed), key=lambda q: int(q.split()[-1])):
        texts = tagged.get(question) or headed.get(question, [])
        answers[question] = clean_answer("\n\n".join(clean_answer(t) for t in texts))
    return answers


def read_notebook(path: Path):
    """Parse an untrusted .ipynb, refusing huge or non-JSON files with a clear message."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise InputFileError("notebook not found", path=path) from None
    if size > MAX_NOTEBOOK_BYTES:
        raise InputFileError(f"notebook is {size // 2**20} MB; the limit is "
                             f"{MAX_NOTEBOOK_BYTES // 2**20} MB", path=path)
    try:
        return nbformat.reads(path.read_text(encoding="utf-8", errors="replace"), as_version=4)
    except Exception as error:  # noqa: BLE001 - nbformat raises many unrelated types for bad input
        first = (str(error).splitlines() or [type(error).__name__])[0][:200]
        raise InputFileError(f"not a readable notebook: {first}", path=path) from None


def extract_answers(path: Path) -> dict[str, str]:
    """Inline answers of the notebook at ``path``: {"Inline Question 1": "...", ...}."""
    return answers_from_notebook(read_notebook(path))
