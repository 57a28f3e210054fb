"""Fenced code blocks and display math found in one pass over the text.

Same blocks as the regular expressions ``^\\s*(```|~~~)[^\\n]*\\n(.*?)^\\s*\\1\\s*$`` and
``\\$\\$(.+?)\\$\\$|\\\\\\[(.+?)\\\\\\]`` would find, but in linear time: with many
unclosed openers those patterns rescan the rest of the text from every opener, and a
hostile answer is made of nothing else.
"""

from __future__ import annotations

import re

_MARKERS = ("```", "~~~")


def fenced_blocks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, body) of every fenced block: an opening line starting (after spaces)
    with ``` or ~~~, up to the nearest later line holding only the same marker."""
    lines, starts, pos = text.split("\n"), [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    closer = [line.strip() if line.strip() in _MARKERS else "" for line in lines]
    # nearest[m][i]: the first line after i that closes marker m (-1: none).
    nearest: dict[str, list[int]] = {}
    for marker in _MARKERS:
        after, found = [-1] * len(lines), -1
        for i in range(len(lines) - 1, -1, -1):
            after[i] = found
            if closer[i] == marker:
                found = i
        nearest[marker] = after
    blocks, i = [], 0
    while i < len(lines) - 1:  # an opener needs a newline after it
        head = lines[i].lstrip()
        marker = head[:3]
        j = nearest[marker][i] if marker in _MARKERS else -1
        if j < 0:
            i += 1
            continue
        end = starts[j] + len(lines[j])
        blocks.append((starts[i], end, text[starts[i + 1]:starts[j]]))
        i = j + 1
    return blocks


_OPENERS = re.compile(r"(?=\$\$|\\\[)")
_CLOSERS = {"$$": "$$", "\\[": "\\]"}


def display_blocks(text: str) -> list[tuple[int, int, str]]:
    """(start, end, body) of every ``$$...$$`` and ``\\[...\\]`` block, leftmost first."""
    blocks: list[tuple[int, int, str]] = []
    cursor, dead = 0, set()
    for m in _OPENERS.finditer(text):
        pos = m.start()
        opener = text[pos:pos + 2]
        if pos < cursor or opener in dead:
            continue
        close = text.find(_CLOSERS[opener], pos + 3)  # the body has at least one character
        if close < 0:
            dead.add(opener)  # no later opener of this kind can be closed either
            continue
        blocks.append((pos, close + 2, text[pos + 2:close]))
        cursor = close + 2
    return blocks
