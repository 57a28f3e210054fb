"""Solution regions in the reference code, and the student TODO that replaces each.

A region is written in ``solutions/`` as::

        # BEGIN SOLUTION: <what the student must do, one line>
        <reference code>
        # END SOLUTION

and released as the CS231n TODO banner: a ``#`` box holding the TODO text, the
``START OF YOUR CODE`` line, a stub that raises ``NotImplementedError`` with a
message naming the function and the TODO, the ``END OF YOUR CODE`` line and box.
The banner takes its indentation from the BEGIN line. Regions cannot nest, and
any malformed marker is an :class:`InputFileError` naming ``file:line``, because
a marker silently left in place would ship the reference answer to students.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from ..errors import InputFileError

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION:(?P<todo>.*?)\s*$")
END = re.compile(r"^[ \t]*# END SOLUTION\s*$")
# Anything that looks like a marker, so that typos are caught rather than copied.
LOOSE = re.compile(r"^\s*#\s*(BEGIN|END)[\s_-]*SOL", re.IGNORECASE)

START_LINE = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
END_LINE = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
RIGHT_EDGE = 79  # the banner box ends at this column, as in the CS231n files
MIN_BOX = 40


@dataclass(frozen=True)
class Region:
    """One solution region; line numbers are 1-based and include the markers."""

    begin: int
    end: int
    indent: str
    todo: str


def find_regions(text: str, *, label: str) -> list[Region]:
    """Parse and validate every region of ``text``; ``label`` names the file in errors."""
    regions: list[Region] = []
    open_at: int | None = None
    indent = todo = ""
    for number, line in enumerate(text.splitlines(), start=1):
        begin, end = BEGIN.match(line), END.match(line)
        if begin:
            if open_at is not None:
                _fail(label, number, f"BEGIN SOLUTION inside the region opened on line "
                      f"{open_at}; regions cannot nest, close it with '# END SOLUTION' first")
            if not begin["todo"].strip():
                _fail(label, number, "BEGIN SOLUTION needs the student's TODO after the "
                      "colon: '# BEGIN SOLUTION: <what to implement>'")
            open_at, indent, todo = number, begin["indent"], begin["todo"].strip()
        elif end:
            if open_at is None:
                _fail(label, number, "END SOLUTION without a BEGIN SOLUTION before it")
            regions.append(Region(open_at, number, indent, todo))
            open_at = None
        elif LOOSE.match(line):
            _fail(label, number, "malformed solution marker; write '# BEGIN SOLUTION: "
                  "<TODO text>' or '# END SOLUTION' exactly")
        elif open_at is not None and line.strip() and not line.startswith(indent):
            _fail(label, number, f"line is indented less than the BEGIN SOLUTION on line "
                  f"{open_at}, so the region would cut a block in two")
    if open_at is not None:
        _fail(label, open_at, "BEGIN SOLUTION is never closed by '# END SOLUTION'")
    return regions


def stub_regions(text: str, *, label: str, module: str) -> str:
    """``text`` with every region replaced by its TODO banner and stub.

    ``module`` is the path students see in messages, e.g. ``cs231n/layers.py``.
    Raises :class:`InputFileError` for bad markers or a result that does not compile.
    """
    regions = find_regions(text, label=label)
    if not regions:
        return text
    names = function_names(text, label=label)
    lines = text.splitlines(keepends=True)
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    out: list[str] = []
    origin: list[int] = []  # source line of each output line, to report errors there
    cursor = 0
    for region in regions:
        out += lines[cursor:region.begin - 1]
        origin += range(cursor + 1, region.begin)
        name = enclosing_function(names, region.begin) or module
        message = f"{name}: {region.todo} (your TODO in {module})"
        block = banner(region.indent, region.todo, message)
        out += [line + newline if line else newline for line in block]
        origin += [region.begin] * len(block)
        cursor = region.end
    out += lines[cursor:]
    origin += range(cursor + 1, len(lines) + 1)
    result = "".join(out)
    try:
        compile(result, label, "exec")
    except SyntaxError as error:
        line = origin[min(max((error.lineno or 1) - 1, 0), len(origin) - 1)]
        _fail(label, line, f"the released file would not compile ({error.msg}); "
              "check that each region holds whole statements")
    return result


def banner(indent: str, todo: str, message: str) -> list[str]:
    """The CS231n TODO box around a stub raising NotImplementedError(message)."""
    width = max(MIN_BOX, RIGHT_EDGE - len(indent))
    inner = width - 4
    rule = indent + "#" * width
    boxed = [f"{indent}# {text.ljust(inner)} #"
             for text in textwrap.wrap("TODO: " + todo, inner, break_on_hyphens=False)]
    chunks = textwrap.wrap(message, max(20, width - 8), drop_whitespace=False,
                           break_on_hyphens=False)
    # Quote like a person would: single quotes when the message holds double ones.
    quote = "'" if '"' in message and "'" not in message else '"'
    literal = [f"{indent}    {quote}{_escape(chunk, quote)}{quote}" for chunk in chunks]
    return [rule, *boxed, rule, indent + START_LINE, "",
            f"{indent}raise NotImplementedError(", *literal, f"{indent})", "",
            indent + END_LINE, rule, f"{indent}# {'END OF YOUR CODE'.center(inner)} #", rule]


def _escape(chunk: str, quote: str) -> str:
    return chunk.replace("\\", "\\\\").replace(quote, "\\" + quote)


def function_names(text: str, *, label: str) -> list[tuple[int, int, str]]:
    """(first line, last line, qualified name) of every function in ``text``."""
    try:
        tree = ast.parse(text, filename=label)
    except SyntaxError as error:
        _fail(label, error.lineno or 0, f"the reference file does not parse ({error.msg})")
    spans: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans


def enclosing_function(spans: list[tuple[int, int, str]], line: int) -> str | None:
    inside = [span for span in spans if span[0] <= line <= span[1]]
    # The innermost function is the one that starts last.
    return max(inside)[2] if inside else None


def _fail(label: str, line: int, message: str):
    raise InputFileError(message, path=f"{label}:{line}")
