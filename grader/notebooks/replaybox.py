"""Draw one notebook's figures in a child process, with a time budget.

:mod:`plotcheck` bounds what a figure may hold, but what matplotlib makes of a bounded
record is still its own business (mathtext, tick locators, huge markers), and it runs in
the trusted process's interpreter. So the drawing happens in a child process of our own
code (``python -m grader.notebooks.replaybox``) that is killed when a figure takes longer
than ``figure_seconds`` or the notebook's figures together take longer than ``seconds``;
the figure is then skipped with a note, never a stall. The child gets only records that
passed :func:`plotcheck.check_figure`, through files in a private folder; it answers with
the PNG and notes. It caps its own memory, draws with the Agg backend, and is started
lazily, at most once per notebook unless a timeout killed the previous one.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .plotcheck import MAX_FIGURES, MAX_NOTEBOOK_POINTS, check_figure

FIGURE_SECONDS = 20.0  # a course figure takes about a second, the child's start included
NOTEBOOK_SECONDS = 60.0
MAX_PNG_BYTES = 4 * 2**20
MAX_NOTEBOOK_PNG_BYTES = 16 * 2**20
CHILD_MEMORY = 3 * 2**30  # address space of the drawing process
_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds the grader package


class Replayer:
    """Draws the figures of one notebook; ``render`` never raises and never stalls."""

    def __init__(self, *, seconds: float = NOTEBOOK_SECONDS,
                 figure_seconds: float = FIGURE_SECONDS) -> None:
        self.seconds, self.left, self.figure_seconds = seconds, seconds, figure_seconds
        self.figures, self.points, self.png_left = 0, MAX_NOTEBOOK_POINTS, MAX_NOTEBOOK_PNG_BYTES
        self.timings: list[float] = []  # seconds each drawn figure took (for tests, logs)
        self._child: subprocess.Popen | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="grader-replay-"))
        self._count = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def render(self, record) -> tuple[bytes | None, list[str]]:
        """(PNG or None, notes) for one untrusted figure record of this notebook."""
        if self.figures >= MAX_FIGURES:
            return None, [(f"the notebook drew more than {MAX_FIGURES} figures; the rest "
                           "were not drawn")]
        self.figures += 1
        clean, notes, points = check_figure(record, self.points)
        if clean is None:
            return None, notes
        self.points -= points
        if self.left <= 0:
            return None, [*notes, (f"the {self.seconds:g} s this notebook's figures may take "
                                   "to draw are used up; the figure was not drawn")]
        started = time.monotonic()
        try:
            png, notes = self._draw(clean, notes, min(self.figure_seconds, self.left))
        finally:
            self.left -= time.monotonic() - started
        self.timings.append(time.monotonic() - started)
        if png is not None and len(png) > min(MAX_PNG_BYTES, self.png_left):
            return None, [*notes, (f"the drawn figure is {len(png) / 2**20:.1f} MB; the limit "
                                   f"is {MAX_PNG_BYTES // 2**20} MB per figure and "
                                   f"{MAX_NOTEBOOK_PNG_BYTES // 2**20} MB per notebook")]
        self.png_left -= len(png or b"")
        return png, notes

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join(
            [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
        with open(self._folder / "child.log", "ab") as log:
            return subprocess.Popen(
                [sys.executable, "-m", "grader.notebooks.replaybox", str(self._folder)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, cwd=self._folder,
                env=env, bufsize=0)

    def _draw(self, clean: dict, notes: list[str], seconds: float):
        self._count += 1
        name = f"figure{self._count}"
        (self._folder / f"{name}.json").write_text(json.dumps({"record": clean, "notes": notes}))
        deadline = time.monotonic() + seconds
        try:
            if self._child is None:
                self._child = self._start()
            self._child.stdin.write(name.encode() + b"\n")
            outcome = self._wait(self._child.stdout.fileno(), deadline)
        except OSError:
            outcome = "ended"
        if outcome != "answered":
            self._stop()
            why = ("the drawing process ended" if outcome == "ended" else
                   f"drawing it took longer than {seconds:g} s")
            return None, [*notes, f"the figure was not drawn: {why}"]
        try:
            reply = json.loads((self._folder / f"{name}.reply.json").read_text())
            png = base64.b64decode(reply["png"]) if reply.get("png") else None
            return png, [str(n) for n in reply.get("notes", [])]
        except (OSError, ValueError, KeyError, TypeError):
            return None, notes + ["the figure was not drawn: the drawing process sent no picture"]
        finally:
            for suffix in (".json", ".reply.json"):
                (self._folder / f"{name}{suffix}").unlink(missing_ok=True)

    @staticmethod
    def _wait(fd: int, deadline: float) -> str:
        """"answered" once the child wrote its answer line, "ended" when it closed its
        output first, "timeout" at ``deadline``."""
        received = b""
        while not received.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return "timeout"
            chunk = os.read(fd, 256)
            if not chunk:
                return "ended"
            received += chunk
        return "answered"

    def _stop(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            if child.poll() is None:
                child.kill()  # our own child, by its handle
            child.wait()
            for stream in (child.stdin, child.stdout):
                stream.close()

    def close(self) -> None:
        self._stop()
        shutil.rmtree(self._folder, ignore_errors=True)


def _child(folder: Path) -> None:
    """The drawing process: one file name per line on stdin, one line back per figure."""
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))
    from .replay import draw
    for line in sys.stdin:
        name = line.strip()
        request = json.loads((folder / f"{name}.json").read_text())
        try:
            png, notes = draw(request["record"], request["notes"])
        except MemoryError:
            png, notes = None, [*request["notes"], "the figure needs too much memory to draw"]
        reply = {"png": base64.b64encode(png).decode() if png else None, "notes": notes}
        (folder / f"{name}.reply.json").write_text(json.dumps(reply))
        sys.stdout.write(name + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _child(Path(sys.argv[1]))
