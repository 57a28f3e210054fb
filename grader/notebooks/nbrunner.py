"""Runs a notebook's code cells inside the sandbox worker. Staged as ``_grader_nbrunner.py``.

This file is copied next to the student's code and imported by the untrusted worker, so
it imports only the standard library and its sibling ``_grader_plotshim`` (matplotlib is
not visible in the sandbox; the shim records figures as data); it must never import
``grader``. It keeps one namespace across calls, the way a kernel does, and answers each
call with plain data that the trusted side turns into an executed notebook. The trusted
side has already replaced IPython magics by plain Python.
"""

import ast
import builtins
import io
import signal
import sys
import threading
import traceback

MAX_STREAM_CHARS = 100_000  # per cell: a print loop must not flood the report
MAX_FIGURES = 4  # per cell; the trusted side holds the same bound (plotcheck.py)

_state = {"ns": None}


class CellTimeout(BaseException):
    """Raised in the cell by the alarm; BaseException so `except Exception` cannot eat it."""


class _Capped(io.StringIO):
    def write(self, text):
        room = MAX_STREAM_CHARS - self.tell()
        if room > 0:
            super().write(str(text)[:room])
        return len(text)


def start():
    """A fresh namespace, with the plotting shim standing in for matplotlib."""
    import _grader_plotshim
    _grader_plotshim.install()
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    namespace["display"] = lambda *values, **kw: print(*(repr(v) for v in values))
    _state["ns"] = namespace
    return {"python": sys.version.split()[0]}


def _alarm(seconds):
    # Signals only reach the main thread; elsewhere the sandbox's per-call limit still holds.
    if seconds and threading.current_thread() is threading.main_thread():
        def fire(signum, frame):
            raise CellTimeout()
        signal.signal(signal.SIGALRM, fire)
        signal.setitimer(signal.ITIMER_REAL, float(seconds))
        return True
    return False


def _execute(source, number, namespace):
    """Run the cell; like IPython, a final bare expression's repr is the cell's result."""
    tree = ast.parse(source, filename=f"<cell {number}>")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, f"<cell {number}>", "exec"), namespace)  # noqa: S102 - the point
    if last is not None:
        value = eval(compile(last, f"<cell {number}>", "eval"), namespace)
        if value is not None:
            return repr(value)[:MAX_STREAM_CHARS]
    return None


def run_cell(source, number, seconds=0):
    """Execute one cell; returns {status, stdout, stderr, result, figures, notes, ename,
    evalue, traceback} with figures as the shim's plain-data records."""
    if _state["ns"] is None:
        start()
    import _grader_plotshim
    out, err = _Capped(), _Capped()
    saved = sys.stdout, sys.stderr
    reply = {"status": "ok", "result": None, "ename": "", "evalue": "", "traceback": ""}
    armed = False
    try:
        sys.stdout, sys.stderr = out, err
        armed = _alarm(seconds)
        reply["result"] = _execute(source, number, _state["ns"])
    except CellTimeout:
        reply.update(status="timeout", ename="TimeoutError",
                     evalue=f"the cell ran longer than {seconds:g} s")
    except BaseException as error:  # noqa: BLE001 - SystemExit too ends the cell
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next  # the student needs their frames, not the runner's
        frames = traceback.format_exception(type(error), error, tb)
        reply.update(status="error", ename=type(error).__name__, evalue=str(error)[:2000],
                     traceback="".join(frames)[-MAX_STREAM_CHARS:])
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
        sys.stdout, sys.stderr = saved
    figures, notes = _grader_plotshim.take()
    if len(figures) > MAX_FIGURES:
        notes = [(f"the cell drew {len(figures)} figures; only the first {MAX_FIGURES} are "
                  "shown"), *notes]
    reply.update(stdout=out.getvalue(), stderr=err.getvalue(), figures=figures[:MAX_FIGURES],
                 notes=notes[:20])
    return reply
