"""Bounds on a figure record before anything draws it.

A record is untrusted data sent by the plotting shim in the sandbox (``plotshim.py``). What
matplotlib costs to draw depends on more than the number of values: ``hist(bins=100000)``
or 20,000 ticks are one number or one list, yet took minutes. So every call, keyword and
value is checked against a whitelist with a bound (points per call and per figure, bins,
ticks, text length, image size, marker and line sizes, subplots and calls per figure), and
:func:`check_figure` returns a fresh record holding only what passed. A call over a bound
is skipped with a note saying which bound; a figure that cannot be read is skipped whole.
A real course figure (2 subplots, 6 calls each, 26 points per call) is far inside all of
them. The bounds keep the cost of a figure down; ``replaybox`` also gives the drawing a
time budget, for whatever cost no bound foresaw.
"""

from __future__ import annotations

import math
import re

CALLS = {"plot", "scatter", "bar", "barh", "hist", "errorbar", "fill_between", "axhline",
         "axvline", "semilogx", "semilogy", "loglog", "imshow", "text", "set_title",
         "set_xlabel", "set_ylabel", "set_xlim", "set_ylim", "legend", "grid", "set_xticks",
         "set_yticks", "set_xscale", "set_yscale", "axis"}
MAX_FIGURES_PER_CELL = 4
MAX_FIGURES = 12  # per notebook
MAX_AXES = 16  # subplots per figure, on a grid of at most 8 x 8
MAX_CALLS_PER_AXES = 40
MAX_CALLS = 120  # per figure
MAX_ARGS = 8
MAX_CALL_POINTS = 50_000  # numbers in one call's arguments
MAX_FIGURE_POINTS = 300_000
MAX_NOTEBOOK_POINTS = 1_000_000
MAX_IMAGE_SIDE = 512  # pixels of an imshow array per side (its pixels count as points)
MAX_BINS = 500
MAX_TICKS = 50
MAX_LABELS = 50  # legend labels
MAX_TEXT = 300  # characters of a title, label or text (the shim cuts longer ones)
MAX_WORD = 40  # characters of a colour, style or option name
MAX_INCHES = 20
_DEPTH = 3  # lists in lists: an RGB image is rows of pixels of channels
_RANGES = {"linewidth": (0, 10), "lw": (0, 10), "markersize": (0, 30), "ms": (0, 30),
           "alpha": (0, 1), "ncol": (1, 10), "capsize": (0, 20), "zorder": (-100, 100),
           "base": (1.5, 100)}
_WORDS = {"linestyle", "ls", "fmt", "cmap", "interpolation", "align", "histtype", "ha", "va",
          "which", "axis", "origin"}
_DATA = {"width", "height", "bottom", "left", "right", "top", "yerr", "xerr", "color", "c",
         "edgecolor", "facecolor"}
_BOUNDS = {"bins": (1, MAX_BINS), "s": (0, 1000), "fontsize": (1, 48), "rotation": (-360, 360),
           "loc": (0, 10), "aspect": (0.01, 100)}
KEYWORDS = set(_RANGES) | _WORDS | _DATA | {
    "label", "title", "labels", "fontsize", "rotation", "loc", "s", "marker", "aspect",
    "density", "visible", "frameon", "bins", "vmin", "vmax", "extent"}
SCALES = {"linear", "log", "symlog", "logit"}


class Over(ValueError):
    """A value outside what is drawn when grading; the message names the bound."""


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        (isinstance(value, float) or abs(value) <= 2**63)


def _finite(value, low=-1e300, high=1e300) -> bool:
    return _number(value) and math.isfinite(value) and low <= value <= high


def _word(value, limit=MAX_WORD) -> bool:
    return isinstance(value, str) and len(value) <= limit


def data(value, limit: int = MAX_CALL_POINTS) -> int:
    """Numbers, short strings, booleans and lists of them, nested at most three deep;
    returns how many values and lists it holds, or Over past ``limit`` (checked as it
    counts, so a huge list is never walked to its end)."""
    counter = [0]
    _walk(value, 0, counter, limit)
    return counter[0]


def _walk(value, depth: int, counter: list[int], limit: int) -> None:
    counter[0] += 1
    if counter[0] > limit:
        raise Over(f"more than {limit:,} values (the limit per call)")
    if value is None or isinstance(value, bool) or _number(value):
        return
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise Over(f"a text of {len(value):,} characters (the limit is {MAX_TEXT})")
        return
    if isinstance(value, list) and depth < _DEPTH:
        for item in value:
            _walk(item, depth + 1, counter, limit)
        return
    raise Over("an argument that is not numbers or text")


def _count(value, limit: int, what: str) -> None:
    if not isinstance(value, list) or len(value) > limit:
        size = f"{len(value):,} " if isinstance(value, list) else ""
        raise Over(f"{size}{what} (the limit is {limit})")


def _keyword(name: str, key: str, value) -> int:
    """Points ``key=value`` adds, or Over."""
    if value is None:
        return 0
    if key in _RANGES:
        low, high = _RANGES[key]
        ok = _finite(value, low, high)
    elif key in _WORDS:
        ok = _word(value)
    elif key in ("label", "title"):
        ok = _word(value, MAX_TEXT) or _finite(value)
    elif key in ("fontsize", "rotation"):
        ok = _word(value, 20) or _finite(value, 1 if key == "fontsize" else -360,
                                         48 if key == "fontsize" else 360)
    elif key == "loc":
        ok = _word(value) or (isinstance(value, int) and _finite(value, 0, 10))
    elif key == "marker":
        ok = (_word(value, 4) and "$" not in value) or (isinstance(value, int)
                                                        and _finite(value, 0, 11))
    elif key == "aspect":
        ok = _word(value, 20) or _finite(value, 0.01, 100)
    elif key in ("density", "visible", "frameon"):
        ok = isinstance(value, bool)
    elif key in ("vmin", "vmax"):
        ok = _finite(value)
    elif key == "extent":
        ok = isinstance(value, list) and len(value) == 4 and all(_finite(v) for v in value)
    elif key == "labels":
        _count(value, MAX_LABELS if name == "legend" else MAX_TICKS, "labels")
        return data(value)
    elif key == "bins":
        if isinstance(value, list):
            _count(value, MAX_BINS + 1, "bin edges")
            return data(value)
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_BINS
    elif key == "s":
        sizes = value if isinstance(value, list) else [value]
        ok = len(sizes) <= MAX_CALL_POINTS and all(_finite(v, 0, 1000) for v in sizes)
        return len(sizes) if ok else _refuse(key, value)
    else:  # _DATA: numbers, colour names, lists of either
        return data(value)
    return 1 if ok else _refuse(key, value)


def _refuse(key, value) -> int:
    long = isinstance(value, (list, dict)) or (isinstance(value, str) and len(value) > 20)
    shown = f"{type(value).__name__} of {len(value):,}" if long else repr(value)
    low, high = _RANGES.get(key) or _BOUNDS.get(key, (None, None))
    hint = f" (allowed: {low:g} to {high:g})" if low is not None else ""
    raise Over(f"{key}={shown[:60]} is outside what is drawn when grading{hint}")


def _image(value) -> int:
    if not (isinstance(value, list) and value and isinstance(value[0], list)):
        raise Over("an image that is not rows of pixels")
    rows, cols = len(value), len(value[0])
    if rows > MAX_IMAGE_SIDE or cols > MAX_IMAGE_SIDE:
        raise Over(f"an image of {rows} x {cols} pixels (the limit is "
                   f"{MAX_IMAGE_SIDE} x {MAX_IMAGE_SIDE})")
    data(value, limit=1 + rows * (1 + cols * 5))  # rows of pixels of at most 4 channels
    return rows * cols


def _name(call) -> str | None:
    name = call[0] if isinstance(call, list) and call else None
    return name if isinstance(name, str) and name in CALLS else None


def check_call(call) -> tuple[list, int]:
    """(the call as a fresh [name, args, kwargs] list, points), or Over / TypeError."""
    if not (isinstance(call, list) and len(call) == 3 and _name(call) is not None
            and isinstance(call[1], list) and isinstance(call[2], dict)):
        raise TypeError("a plotting call was not understood and was skipped")
    name, args, kwargs = call
    if len(args) > MAX_ARGS or len(kwargs) > 2 * len(KEYWORDS):
        raise Over("too many arguments")
    if name in ("set_xticks", "set_yticks"):
        for arg in args[:2]:
            _count(arg, MAX_TICKS, "ticks")
    if name in ("set_xscale", "set_yscale") and (not args or args[0] not in SCALES):
        raise Over(f"scale must be one of {', '.join(sorted(SCALES))}")
    points = _image(args[0]) if name == "imshow" and args else 0
    points += sum(data(a) for a in (args[1:] if name == "imshow" else args))
    kept = {}
    for key, value in kwargs.items():
        if key in KEYWORDS:
            points += _keyword(name, key, value)
            kept[key] = value
    if points > MAX_CALL_POINTS and name != "imshow":
        raise Over(f"{points:,} values (the limit is {MAX_CALL_POINTS:,} per call)")
    return [name, list(args), kept], points


def _size(record, notes: list[str]) -> list[float]:
    size = record.get("size")
    if size is None or (isinstance(size, list) and len(size) == 2
                        and all(_finite(v, 1, MAX_INCHES) for v in size)):
        return [float(v) for v in size] if size else [6.4, 4.8]
    notes.append(f"the figure size is outside 1 to {MAX_INCHES} inches; it was drawn at "
                 "the default size")
    return [6.4, 4.8]


def _grid(spec) -> list[int] | None:
    if isinstance(spec, list) and len(spec) == 3 and all(
            isinstance(v, int) and not isinstance(v, bool) for v in spec):
        rows, cols, index = spec
        if 1 <= rows <= 8 and 1 <= cols <= 8 and 1 <= index <= rows * cols:
            return [rows, cols, index]
    return None


def _axes(calls, notes: list[str], budget: list[int]) -> list:
    kept = []
    for call in calls[:MAX_CALLS_PER_AXES]:
        if budget[1] <= 0:
            notes.append(f"the figure holds more than {MAX_CALLS} plotting calls; the rest "
                         "was not drawn")
            break
        budget[1] -= 1
        try:
            clean, points = check_call(call)
        except (Over, TypeError) as error:
            label = f"{_name(call)}(): " if _name(call) else ""
            notes.append(f"{label}{error}; the call was skipped" if isinstance(error, Over)
                         else str(error))
            continue
        if points > budget[0]:
            notes.append("the figure holds too many points; the rest was not drawn "
                         f"(the limit is {MAX_FIGURE_POINTS:,} per figure, "
                         f"{MAX_NOTEBOOK_POINTS:,} per notebook)")
            budget[0] = 0
            break
        budget[0] -= points
        dropped = sorted(str(k)[:40] for k in call[2] if k not in KEYWORDS)
        if dropped:
            notes.append(f"{call[0]}(): ignored keyword(s) {', '.join(dropped)[:100]}")
        kept.append(clean)
    if len(calls) > MAX_CALLS_PER_AXES:
        notes.append(f"a subplot holds {len(calls):,} plotting calls; only the first "
                     f"{MAX_CALLS_PER_AXES} were drawn")
    return kept


def check_figure(record, points_left: int = MAX_FIGURE_POINTS) -> tuple[dict | None, list[str], int]:
    """(fresh bounded record or None, notes, points it holds) for one untrusted record."""
    if not isinstance(record, dict) or not isinstance(record.get("axes"), list):
        return None, ["a figure could not be read"], 0
    notes: list[str] = []
    budget = [min(points_left, MAX_FIGURE_POINTS), MAX_CALLS]
    start = budget[0]
    axes, seen = [], set()
    for axes_record in record["axes"][:MAX_AXES]:
        grid = _grid(axes_record.get("grid")) if isinstance(axes_record, dict) else None
        if grid is None or tuple(grid) in seen:
            notes.append("a subplot position was not understood; it was skipped")
            continue
        seen.add(tuple(grid))
        calls = axes_record.get("calls")
        axes.append({"grid": grid,
                     "calls": _axes(calls if isinstance(calls, list) else [], notes, budget)})
    if len(record["axes"]) > MAX_AXES:
        notes.append(f"the figure has {len(record['axes']):,} subplots; only the first "
                     f"{MAX_AXES} were drawn")
    title = record.get("title")
    saved = record.get("saved")
    clean = {"size": _size(record, notes),
             "title": title[:MAX_TEXT] if isinstance(title, str) else None,
             "saved": [s for s in saved[:4] if _word(s, 300)] if isinstance(saved, list) else [],
             "axes": axes}
    return clean, list(dict.fromkeys(notes)), start - budget[0]


def saved_names(record) -> list[str]:
    """The file names the notebook passed to savefig, as safe .png base names."""
    names = record.get("saved") if isinstance(record, dict) else None
    safe = []
    for name in names[:4] if isinstance(names, list) else []:
        if isinstance(name, str) and len(name) <= 300:
            base = re.sub(r"[^A-Za-z0-9._-]", "_", name.replace("\\", "/").rsplit("/", 1)[-1])
            stem = base.rsplit(".", 1)[0].lstrip(".") or "figure"
            safe.append(f"{stem[:80]}.png")
    return safe
