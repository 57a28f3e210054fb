"""Runs a notebook's code cells inside the sandbox worker. Staged as ``_grader_nbrunner.py``.

This file is copied next to the student's code and imported by the untrusted worker, so
it imports only the standard library and, lazily, matplotlib; it must never import
``grader``. It keeps one namespace across calls, the way a kernel does, and answers each
call with plain data (strings, bytes, numbers) that the trusted side turns into an
executed notebook. The trusted side has already replaced IPython magics by plain Python.
"""

import ast
import builtins
import io
import os
import signal
import sys
import threading
import traceback

MAX_STREAM_CHARS = 100_000  # per cell: a print loop must not flood the report
MAX_FIGURES = 8  # per cell
MAX_FILE_BYTES = 5 * 2**20
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg", ".pdf")

_state = {"ns": None, "figures": [], "files": {}}


class CellTimeout(BaseException):
    """Raised in the cell by the alarm; BaseException so `except Exception` cannot eat it."""


class _Capped(io.StringIO):
    def write(self, text):
        room = MAX_STREAM_CHARS - self.tell()
        if room > 0:
            super().write(text[:room])
        return len(text)


def _snapshot():
    files = {}
    for entry in os.scandir("."):
        if entry.name.lower().endswith(IMAGE_SUFFIXES) and entry.is_file(follow_symlinks=False):
            stat = entry.stat(follow_symlinks=False)
            files[entry.name] = (stat.st_mtime_ns, stat.st_size)
    return files


def _grab_figures():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return
    for number in plt.get_fignums():
        if len(_state["figures"]) < MAX_FIGURES:
            buffer = io.BytesIO()
            try:
                plt.figure(number).savefig(buffer, format="png", dpi=72, bbox_inches="tight")
                _state["figures"].append(buffer.getvalue())
            except Exception:  # a broken figure is the student's problem, not the run's
                pass
    plt.close("all")


def _show(*args, **kwargs):
    _grab_figures()


def start():
    """Fresh namespace; matplotlib draws off-screen and `plt.show()` hands figures to us."""
    os.environ["MPLBACKEND"] = "Agg"
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        plt.show = _show
    except ImportError:
        pass
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    namespace["display"] = lambda *values, **kw: [print(repr(v)) for v in values] and None
    _state["ns"] = namespace
    _state["files"] = _snapshot()
    return {"cwd": os.path.basename(os.getcwd()), "python": sys.version.split()[0]}


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
    tree = ast.parse(source, filename=f"<cell {number}>")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    exec(compile(tree, f"<cell {number}>", "exec"), namespace)
    if last is not None:
        value = eval(compile(last, f"<cell {number}>", "eval"), namespace)
        if value is not None:
            return repr(value)[:MAX_STREAM_CHARS]
    return None


def _new_files():
    before, found = _state["files"], []
    now = _snapshot()
    for name, signature in sorted(now.items()):
        if before.get(name) != signature and signature[1] <= MAX_FILE_BYTES:
            with open(name, "rb") as handle:
                found.append((name, handle.read(MAX_FILE_BYTES)))
    _state["files"] = now
    return found


def run_cell(source, number, seconds=0):
    """Execute one cell; returns {status, stdout, result, figures, files, ename, evalue, traceback}."""
    if _state["ns"] is None:
        start()
    out, err = _Capped(), _Capped()
    saved = sys.stdout, sys.stderr
    reply = {"status": "ok", "result": None, "ename": "", "evalue": "", "traceback": ""}
    armed = False
    try:
        sys.stdout, sys.stderr = out, err
        armed = _alarm(seconds)
        reply["result"] = _execute(source, number, _state["ns"])
        _grab_figures()
    except CellTimeout:
        reply.update(status="timeout", ename="TimeoutError",
                     evalue=f"the cell ran longer than {seconds:g} s")
    except BaseException as error:  # SystemExit and KeyboardInterrupt end the cell too
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
    figures, _state["figures"] = _state["figures"], []
    reply.update(stdout=out.getvalue(), stderr=err.getvalue(), figures=figures,
                 files=[list(pair) for pair in _new_files()])
    return reply
