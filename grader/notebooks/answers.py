"""Find the inline answers in a notebook: tagged answer cells first, headings as a fallback.

Released notebooks tag each answer cell (``tags: ["inline-answer"]``, ``question: ...``), so
a student may rewrite the prompt freely. Notebooks that lost the tags (copied cells, other
editors, older releases) are read by their headings: the answer to "Inline Question N" is
the markdown after its prompt, up to the next code cell or heading. A notebook is
untrusted input: it is read through :mod:`intake` (bounded before it is parsed), question
numbers have at most three digits, at most ``MAX_QUESTIONS`` labels are kept, every answer
is bounded in size, and each pattern runs in linear time on a bounded prefix of the text.
"""

from __future__ import annotations

import re
from pathlib import Path

from .intake import MAX_NOTEBOOK_BYTES, load  # noqa: F401 - MAX_NOTEBOOK_BYTES is re-exported
from .source import ANSWER_PROMPT, ANSWER_TAG

MAX_ANSWER_CHARS = 20_000
MAX_QUESTIONS = 20  # labels kept per notebook (a notebook asks a few)
_HEAD = 300  # characters a heading or an answer prompt is looked for in
# Every repeat below is followed by something it cannot match, so no pattern backtracks
# over a long run of spaces: they stay linear on any text.
_QUESTION = re.compile(r"^\s*(?:#+\s*)?(?:\*+\s*)?Inline\s+Question\s*([0-9]+)", re.IGNORECASE)
MAX_DIGITS = 3  # "Inline Question 1234" is no question of ours (and int() refuses 5,000 digits)
# Prompts left in front of an answer: our "*Your answer:*", CS231n's LaTeX prompt, "## Answer:".
# The colon is required so that an answer beginning "Answer is ..." keeps its words.
_PROMPT = re.compile(
    r"^#*[\s*_]*(?:\$\\color\{\w+\}\{\\textit[\s*_]*)?(?:your\s+)?answer[\s*_]*:"
    r"[\s*_]*(?:\}\$[*_]*)?", re.IGNORECASE)
# The same prompt anywhere in a cell that also holds the question.
_INLINE_PROMPT = re.compile(r"(?im)^[^\n]*?\banswer[\s*_]*:[\s*_]*(?:\}\$[*_]*)?")


def question_label(number: int | str) -> str:
    return f"Inline Question {int(number)}"


def clean_answer(text: str) -> str:
    """The student's words without the prompt; "" when the cell was left as released."""
    text = str(text)
    cut = len(text) > MAX_ANSWER_CHARS + _HEAD
    text = text[:MAX_ANSWER_CHARS + _HEAD].replace("\r\n", "\n").strip()
    if text.startswith(ANSWER_PROMPT):
        text = text[len(ANSWER_PROMPT):]
    elif prompt := _PROMPT.match(text[:_HEAD]):
        text = text[prompt.end():]
    text = text.strip()
    if cut or len(text) > MAX_ANSWER_CHARS:
        text = text[:MAX_ANSWER_CHARS] + "\n\n[... answer truncated by the grader]"
    return text


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _meta(cell) -> dict:
    meta = cell.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _tags(cell) -> list:
    tags = _meta(cell).get("tags", [])
    return tags if isinstance(tags, list) else []


def _tagged(cells) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for cell in cells:
        if ANSWER_TAG in _tags(cell) and cell.get("cell_type") == "markdown":
            question = _meta(cell).get("question")
            match = _QUESTION.match(str(question or "")[:_HEAD])
            if match and len(match.group(1)) <= MAX_DIGITS:
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
        match = _QUESTION.match(text[:_HEAD])
        if match and len(match.group(1)) > MAX_DIGITS:
            current = None  # a question heading, but not one we ask: it ends the answer
            continue
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
    labels = sorted(set(tagged) | set(headed), key=lambda q: int(q.split()[-1]))
    for question in labels[:MAX_QUESTIONS]:
        texts = tagged.get(question) or headed.get(question, [])
        parts, size = [], 0
        for text in texts:  # stop once the answer is over its bound: the rest would be cut
            parts.append(clean_answer(text))
            size += len(parts[-1]) + 2
            if size > MAX_ANSWER_CHARS:
                break
        answers[question] = clean_answer("\n\n".join(parts))
    return answers


def read_notebook(path: Path):
    """Parse an untrusted .ipynb through :func:`intake.load`, refusing links, huge, deep or
    non-JSON files with a clear message (InputFileError)."""
    return load(Path(path))[0]


def extract_answers(path: Path) -> dict[str, str]:
    """Inline answers of the notebook at ``path``: {"Inline Question 1": "...", ...}."""
    return answers_from_notebook(read_notebook(path))
