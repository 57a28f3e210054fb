"""Draw, on the trusted side, the figures a sandboxed notebook described as data.

A record comes from ``plotshim.py`` in the worker and is untrusted: :func:`render` first
passes it through :func:`plotcheck.check_figure` (a whitelist of calls and keywords, and a
bound on every size that makes drawing costly), then draws only the fresh record that
check returns. A call matplotlib rejects is skipped with a note. Nothing in a record is
evaluated; the figure is built with matplotlib's object API on a private Agg canvas, so no
pyplot state is shared between students. :mod:`replaybox` runs this in a child process with
a time budget, which is how submitted notebooks use it.
"""

from __future__ import annotations

import io
import threading

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .plotcheck import CALLS, KEYWORDS, MAX_FIGURE_POINTS, check_figure, saved_names  # noqa: F401

DPI = 72
# matplotlib's font and text caches are shared; draw one figure at a time per process.
_LOCK = threading.Lock()


def _draw_axes(axes, calls, notes: list[str]) -> None:
    for name, args, kwargs in calls:
        try:
            getattr(axes, name)(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - matplotlib validating the student's values
            first = (str(error).splitlines() or [type(error).__name__])[0]
            notes.append(f"{name}() could not be drawn: {first[:120]}")


def render(record, points_left: int = MAX_FIGURE_POINTS) -> tuple[bytes | None, list[str]]:
    """(PNG bytes or None, notes) for one figure record; checked here before drawing."""
    clean, notes, _ = check_figure(record, points_left)
    if clean is None:
        return None, notes
    with _LOCK:
        return draw(clean, notes)


def draw(clean: dict, notes: list[str]) -> tuple[bytes | None, list[str]]:
    """Draw a record that :func:`plotcheck.check_figure` returned."""
    notes = list(notes)
    figure = Figure(figsize=tuple(clean["size"]), dpi=DPI)
    FigureCanvasAgg(figure)
    try:
        for axes_record in clean["axes"]:
            _draw_axes(figure.add_subplot(*axes_record["grid"]), axes_record["calls"], notes)
        if clean.get("title"):
            figure.suptitle(clean["title"])
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
    except Exception as error:  # noqa: BLE001 - e.g. a mathtext label it cannot parse
        first = (str(error).splitlines() or [type(error).__name__])[0]
        return None, notes + [f"the figure could not be drawn: {first[:120]}"]
    return buffer.getvalue(), notes
