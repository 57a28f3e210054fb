"""Student-controlled strings on their way out, for every report: CSV cells and text.

* :func:`printable`: control characters (C0 but newline and tab, DEL, C1), bidi
  overrides and undecodable bytes are shown as ``\\x1b``-style escapes, so no id, answer
  or message can drive a terminal or reorder what a TA reads;
* :func:`csv_cell`: a cell that a spreadsheet would run as a formula (``=``, ``+``,
  ``-``, ``@``, also after leading spaces, tabs or invisible characters, and their
  full-width forms) is prefixed with ``'``, the spreadsheet convention for "this is text".
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e"
                      r"\u2066-\u2069\ufeff\ud800-\udfff]")
_CONTROL_LINE = re.compile(_CONTROL.pattern[:-1] + r"\t\n]")
_FORMULA = re.compile(r"^[\s\u200b-\u200f\u2060-\u2069\ufeff'\"]*[=+\-@\uff1d\uff0b\uff0d\uff20]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, multiline: bool = True) -> str:
    """``text`` with every control character visible as an escape; newlines and tabs
    kept when ``multiline``."""
    return (_CONTROL if multiline else _CONTROL_LINE).sub(_escape, str(text))


def csv_cell(text: object) -> str:
    text = printable(str(text), multiline=False)
    return "'" + text if _FORMULA.match(text) else text
