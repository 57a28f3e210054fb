"""Trusted-side halves of running a submitted notebook without Jupyter in the sandbox.

Before: IPython syntax (magics, shell escapes) becomes plain Python, because the worker
has no IPython and must not run shell commands. After: the runner's reply, which is
untrusted data, is checked field by field and becomes nbformat outputs.
"""

from __future__ import annotations

import base64
import re

from nbformat import v4

# Magics with no effect outside IPython that every CS231n notebook carries: dropped silently.
_HARMLESS = {"matplotlib", "load_ext", "reload_ext", "autoreload", "config", "aimport"}
_TIMING = {"time", "timeit", "prun"}
# No leading \s*: the class holds spaces already, and two repeats over the same spaces
# would backtrack quadratically on a long line of them.
_CAPTURE = re.compile(r"^([\w.,\[\]\s]+?=\s*)[%!]")
MAX_CELL_NOTES = 10
MAX_TEXT_CHARS = 2_000_000  # text outputs kept per notebook (streams, results, tracebacks)


def to_python(source: str) -> tuple[str, list[str]]:
    """(plain Python, notes about what will not run) for one code cell's source."""
    lines = source.splitlines()
    notes: list[str] = []
    if lines and lines[0].lstrip().startswith("%%"):
        name = lines[0].strip()[2:].split()[0] if lines[0].strip()[2:] else ""
        if name in _TIMING or name == "capture":
            lines = lines[1:]
        else:
            return "pass", [f"cell magic %%{name} is not run when grading"]
    out = []
    for line in lines:
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        capture = _CAPTURE.match(line)
        if capture and not stripped.startswith(("%", "!")) and "==" not in capture.group(1):
            out.append(capture.group(1) + "None")
            notes.append(f"`{stripped[:60]}` is not run when grading")
        elif stripped.startswith("%"):
            name, _, rest = stripped[1:].partition(" ")
            if name in _TIMING and rest.strip():
                out.append(indent + rest.strip())
            else:
                out.append(indent + "pass")
                if name not in _HARMLESS:
                    notes.append(f"magic %{name} is not run when grading")
        elif stripped.startswith("!"):
            out.append(indent + "pass")
            notes.append(f"shell command `{stripped[:60]}` is not run when grading")
        else:
            out.append(line)
    if len(notes) > MAX_CELL_NOTES:
        more = len(notes) - MAX_CELL_NOTES
        notes = [*notes[:MAX_CELL_NOTES], f"... and {more} more lines that are not run when grading"]
    return "\n".join(out), notes


def _text(reply: dict, key: str, limit: int = 200_000) -> str:
    value = reply.get(key)
    return value[:limit] if isinstance(value, str) else ""


def worker_notes(reply: dict) -> list[str]:
    """What the plotting shim could not record, as short plain strings."""
    notes = reply.get("notes")
    return [n[:200] for n in notes[:20] if isinstance(n, str)] if isinstance(notes, list) else []


def _kept(text: str, budget: list[int] | None) -> str:
    """``text`` within what is left of the notebook's text budget (``budget[0]`` characters)."""
    if budget is None:
        return text
    if len(text) > budget[0]:
        text = text[:max(budget[0], 0)] + (
            f"\n[grader] output cut: the notebook's outputs passed {MAX_TEXT_CHARS:,} characters\n")
    budget[0] = max(budget[0] - len(text), 0)
    return text


def outputs(reply: dict, count: int, notes: list[str], images: list[bytes],
            budget: list[int] | None = None) -> list:
    """nbformat outputs for one executed cell, built only from checked plain data.

    ``images`` are PNGs the trusted side drew from the cell's figure records; ``budget``
    (``[characters]``) is what the notebook's text outputs may still hold.
    """
    cell_outputs = []
    if notes:
        cell_outputs.append(v4.new_output("stream", name="stderr",
                                          text="".join(f"[grader] {n}\n" for n in notes)))
    for name in ("stdout", "stderr"):
        text = _kept(_text(reply, name), budget)
        if text:
            cell_outputs.append(v4.new_output("stream", name=name, text=text))
    for image in images:
        cell_outputs.append(v4.new_output(
            "display_data", data={"image/png": base64.b64encode(image).decode("ascii"),
                                  "text/plain": "<Figure>"}))
    result = reply.get("result")
    if isinstance(result, str) and (result := _kept(result[:100_000], budget)):
        cell_outputs.append(v4.new_output("execute_result", data={"text/plain": result},
                                          execution_count=count))
    if reply.get("status") in ("error", "timeout"):
        trace = _kept(_text(reply, "traceback"), budget)
        cell_outputs.append(v4.new_output(
            "error", ename=_text(reply, "ename", 200) or "Error",
            evalue=_text(reply, "evalue", 2000), traceback=trace.splitlines()))
    return cell_outputs
