"""A stand-in for matplotlib inside the sandbox. Staged as ``_grader_plotshim.py``.

The sandbox shows a worker only the standard library and numpy, and it should stay that
way, so a notebook's ``import matplotlib.pyplot as plt`` gets this module instead. It draws
nothing: every figure becomes plain data (figure size, subplot grid, and the list of
plotting calls with their numbers and strings), which the trusted side replays with the
real matplotlib (``replay.py``). Calls it does not know are accepted and reported, so a
notebook never fails because of an unusual plotting call.
"""

import sys
import types

MAX_ITEMS = 200_000  # numbers kept per figure; more is a plot nobody can read anyway
MAX_TEXT = 300

_state = {"figures": [], "current": None, "shown": [], "notes": [], "next": 1}
rcParams = {"figure.figsize": [6.4, 4.8]}


def _plain(value, budget):
    """Numbers, strings and nested lists only; anything else becomes its short repr."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value[:MAX_TEXT] if isinstance(value, str) else value
    if isinstance(value, (Figure, Axes)):
        return None
    try:
        import numpy as np
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, (np.ndarray, list, tuple, range)):
            array = np.asarray(value)
            if array.dtype.kind in "biuf" and array.size <= budget[0]:
                budget[0] -= array.size
                return array.astype(float if array.dtype.kind == "f" else int).tolist()
    except Exception:  # noqa: BLE001, S110 - ragged lists and odd objects: the generic case below
        pass
    if isinstance(value, (list, tuple)) and len(value) <= 1000:
        return [_plain(v, budget) for v in value]
    if isinstance(value, dict):
        return {str(k)[:MAX_TEXT]: _plain(v, budget) for k, v in list(value.items())[:50]}
    return {"unsupported": repr(value)[:80]}


class _Anything:
    """Returned for calls the shim does not record: absorbs any further use."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attr):
        return _Anything(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        note = f"{self._name}() is not drawn when grading"
        if note not in _state["notes"]:
            _state["notes"].append(note)
        return _Anything(self._name)

    def __iter__(self):
        return iter(())

    def __getitem__(self, key):
        return self

    def __setitem__(self, key, value):
        pass

    def __repr__(self):
        return f"<{self._name}>"


class Axes:
    DRAWN = frozenset({
        "plot", "scatter", "bar", "barh", "hist", "errorbar", "fill_between", "axhline",
        "axvline", "semilogx", "semilogy", "loglog", "imshow", "text", "set_title",
        "set_xlabel", "set_ylabel", "set_xlim", "set_ylim", "legend", "grid", "set_xticks",
        "set_yticks", "set_xscale", "set_yscale", "axis"})

    def __init__(self, figure, grid):
        self.figure, self.grid, self.calls = figure, grid, []

    def __getattr__(self, name):
        if name in Axes.DRAWN:
            def record(*args, **kwargs):
                self.calls.append([name, _plain(list(args), self.figure.budget),
                                   _plain(kwargs, self.figure.budget)])
                return _Anything(f"Axes.{name}")
            return record
        return getattr(_Anything("Axes"), name)

    def __repr__(self):
        return "<Axes>"


class Figure:
    def __init__(self, size=None):
        self.number = _state["next"]
        _state["next"] += 1
        self.size = list(size) if size is not None else list(rcParams["figure.figsize"])
        self.axes, self.saved, self.title, self.budget = [], [], None, [MAX_ITEMS]

    def add_subplot(self, *args):
        if len(args) == 1 and isinstance(args[0], int) and 111 <= args[0] <= 999:
            args = tuple(int(d) for d in str(args[0]))
        grid = [int(a) for a in args[:3]] if len(args) >= 3 else [1, 1, 1]
        for axes in self.axes:
            if axes.grid == grid:
                return axes
        axes = Axes(self, grid)
        self.axes.append(axes)
        return axes

    def gca(self):
        return self.axes[-1] if self.axes else self.add_subplot(1, 1, 1)

    def set_size_inches(self, w, h=None, **kwargs):
        self.size = [float(w[0]), float(w[1])] if h is None else [float(w), float(h)]

    def savefig(self, fname, **kwargs):
        self.saved.append(str(fname)[:MAX_TEXT])

    def suptitle(self, text, **kwargs):
        self.title = str(text)[:MAX_TEXT]

    def tight_layout(self, *args, **kwargs):
        pass

    def __getattr__(self, name):
        return getattr(_Anything("Figure"), name)

    def record(self):
        return {"size": self.size, "title": self.title, "saved": self.saved,
                "axes": [{"grid": a.grid, "calls": a.calls} for a in self.axes]}

    def __repr__(self):
        return f"<Figure {self.number}>"


def figure(num=None, figsize=None, **kwargs):
    _state["current"] = Figure(figsize)
    _state["figures"].append(_state["current"])
    return _state["current"]


def gcf():
    return _state["current"] or figure()


def gca():
    return gcf().gca()


def subplot(*args, **kwargs):
    return gcf().add_subplot(*args)


def subplots(nrows=1, ncols=1, figsize=None, squeeze=True, **kwargs):
    import numpy as np
    fig = figure(figsize=figsize)
    grid = np.empty((nrows, ncols), dtype=object)
    for r in range(nrows):
        for c in range(ncols):
            grid[r, c] = fig.add_subplot(nrows, ncols, r * ncols + c + 1)
    if squeeze:
        grid = grid.item() if grid.size == 1 else grid.ravel() if 1 in (nrows, ncols) else grid
    return fig, grid


def savefig(fname, **kwargs):
    gcf().savefig(fname)


def show(*args, **kwargs):
    _state["shown"] += [f.record() for f in _state["figures"]]
    close("all")


def close(which=None):
    _state["figures"], _state["current"] = [], None


def get_fignums():
    return [f.number for f in _state["figures"]]


def take():
    """Figures shown (or still open) during the last cell, and notes; resets both."""
    show()
    shown, notes = _state["shown"], _state["notes"]
    _state["shown"], _state["notes"] = [], []
    return shown, notes


def _on_axes(name):
    return lambda *args, **kwargs: getattr(gca(), name)(*args, **kwargs)


def install():
    """Make ``import matplotlib`` and ``import matplotlib.pyplot`` return this shim."""
    pyplot = types.ModuleType("matplotlib.pyplot")
    for name in ("figure", "gcf", "gca", "subplot", "subplots", "savefig", "show", "close",
                 "get_fignums", "rcParams"):
        setattr(pyplot, name, globals()[name])
    for name in Axes.DRAWN:
        setattr(pyplot, name.removeprefix("set_"), _on_axes(name))
    pyplot.suptitle = lambda text, **kw: gcf().suptitle(text)
    pyplot.tight_layout = lambda *a, **kw: None
    pyplot.clf = pyplot.cla = lambda *a, **kw: None
    pyplot.__getattr__ = lambda name: _Anything(f"plt.{name}")
    package = types.ModuleType("matplotlib")
    package.__path__ = []  # a package, so `import matplotlib.pyplot` resolves from sys.modules
    package.pyplot, package.rcParams, package.__version__ = pyplot, rcParams, "grader-shim"
    package.use = lambda *a, **kw: None
    package.__getattr__ = lambda name: _Anything(f"matplotlib.{name}")
    sys.modules["matplotlib"], sys.modules["matplotlib.pyplot"] = package, pyplot
