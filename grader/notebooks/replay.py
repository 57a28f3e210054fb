"""Draw, on the trusted side, the figures a sandboxed notebook described as data.

A record comes from ``plotshim.py`` in the worker and is untrusted: every size, grid
position, call name and keyword is checked against a whitelist, numbers and strings are
bounded, and a call matplotlib rejects is skipped with a note. Nothing in a record is
evaluated; the figure is built with matplotlib's object API on a private Agg canvas, so no
pyplot state is shared between students.
"""

from __future__ import annotations

import io
import math
import threading

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CALLS = {"plot", "scatter", "bar", "barh", "hist", "errorbar", "fill_between", "axhline",
         "axvline", "semilogx", "semilogy", "loglog", "imshow", "text", "set_title",
         "set_xlabel", "set_ylabel", "set_xlim", "set_ylim", "legend", "grid", "set_xticks",
         "set_yticks", "set_xscale", "set_yscale", "axis"}
KEYWORDS = {"label", "color", "c", "marker", "linestyle", "ls", "linewidth", "lw",
            "markersize", "ms", "alpha", "ncol", "loc", "fontsize", "bins", "width", "height",
            "align", "s", "cmap", "interpolation", "aspect", "vmin", "vmax", "fmt", "yerr",
            "xerr", "density", "histtype", "rotation", "ha", "va", "which", "axis", "visible",
            "edgecolor", "facecolor", "frameon", "bottom", "left", "right", "top", "capsize",
            "zorder", "base", "title", "labels", "origin", "extent"}
MAX_CALLS = 200
MAX_POINTS = 500_000
DPI = 72
# matplotlib's font and text caches are shared; classwide.py draws from several threads.
_LOCK = threading.Lock()


def _number(value, low, high):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and \
        math.isfinite(value) and low <= value <= high


def _points(value) -> int:
    if isinstance(value, list):
        return sum(_points(v) for v in value)
    return 1


def _size(record) -> tuple[float, float]:
    size = record.get("size")
    if isinstance(size, list) and len(size) == 2 and all(_number(v, 1, 30) for v in size):
        return float(size[0]), float(size[1])
    return 6.4, 4.8


def _grid(spec) -> tuple[int, int, int] | None:
    if isinstance(spec, list) and len(spec) == 3 and all(_number(v, 1, 64) for v in spec):
        rows, cols, index = (int(v) for v in spec)
        if rows <= 8 and cols <= 8 and index <= rows * cols:
            return rows, cols, index
    return None


def _draw_axes(axes, calls, notes: list[str], budget: list[int]) -> None:
    for call in calls[:MAX_CALLS]:
        if not (isinstance(call, list) and len(call) == 3 and call[0] in CALLS
                and isinstance(call[1], list) and isinstance(call[2], dict)):
            notes.append("a plotting call was not understood and was skipped")
            continue
        name, args, kwargs = call
        budget[0] -= _points(args) + _points(list(kwargs.values()))
        if budget[0] < 0:
            notes.append("the figure holds too many points; the rest was not drawn")
            return
        if any(isinstance(a, dict) for a in args):
            notes.append(f"{name}(): an argument was not numbers or text; skipped")
            continue
        dropped = sorted(k for k in kwargs if k not in KEYWORDS)
        kwargs = {k: v for k, v in kwargs.items() if k in KEYWORDS and not isinstance(v, dict)}
        if dropped:
            notes.append(f"{name}(): ignored keyword(s) {', '.join(dropped)[:100]}")
        try:
            getattr(axes, name)(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - matplotlib validating the student's values
            notes.append(f"{name}() could not be drawn: {str(error).splitlines()[0][:120]}")


def render(record) -> tuple[bytes | None, list[str]]:
    """(PNG bytes or None, notes) for one figure record."""
    with _LOCK:
        return _render(record)


def _render(record) -> tuple[bytes | None, list[str]]:
    notes: list[str] = []
    if not isinstance(record, dict) or not isinstance(record.get("axes"), list):
        return None, ["a figure could not be read"]
    figure = Figure(figsize=_size(record), dpi=DPI)
    FigureCanvasAgg(figure)
    budget = [MAX_POINTS]
    for axes_record in record["axes"][:64]:
        grid = _grid(axes_record.get("grid")) if isinstance(axes_record, dict) else None
        if grid is None:
            notes.append("a subplot position was not understood; it was skipped")
            continue
        calls = axes_record.get("calls")
        _draw_axes(figure.add_subplot(*grid), calls if isinstance(calls, list) else [],
                   notes, budget)
    title = record.get("title")
    if isinstance(title, str) and title:
        figure.suptitle(title[:300])
    buffer = io.BytesIO()
    try:
        figure.savefig(buffer, format="png", dpi=DPI)
    except Exception as error:  # noqa: BLE001 - e.g. a mathtext label it cannot parse
        return None, notes + [f"the figure could not be drawn: {str(error).splitlines()[0][:120]}"]
    return buffer.getvalue(), notes


def saved_names(record) -> list[str]:
    """The file names the notebook passed to savefig, as safe .png base names."""
    import re
    names = record.get("saved") if isinstance(record, dict) else None
    safe = []
    for name in names if isinstance(names, list) else []:
        if isinstance(name, str):
            base = re.sub(r"[^A-Za-z0-9._-]", "_", name.replace("\\", "/").rsplit("/", 1)[-1])
            stem = base.rsplit(".", 1)[0].lstrip(".") or "figure"
            safe.append(f"{stem[:80]}.png")
    return safe[:4]
