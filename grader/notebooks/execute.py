"""Execute notebooks headless with nbconvert and report the first failing cell in one line.

The kernel is always this interpreter's own ipykernel (not whatever "python3" kernelspec a
user has installed), so the notebook sees the same numpy and matplotlib as the grader, and
a machine without any installed kernelspec still works. Plots use the inline backend,
which needs no display.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbconvert.preprocessors import ExecutePreprocessor

from ..errors import InputFileError, InternalError, UsageError

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


@dataclass(frozen=True)
class RunOutcome:
    notebook: Path
    executed: Path  # the executed copy, written even when a cell failed
    ok: bool
    seconds: float
    cell: int | None = None  # 1-based position of the failing cell among all cells
    first_line: str = ""
    error: str = ""  # "ename: evalue", or what stopped the run

    def describe(self) -> str:
        if self.ok:
            return f"{self.notebook}: ran to the end in {self.seconds:.1f} s -> {self.executed}"
        return (f"{self.notebook}: cell {self.cell} ({self.first_line!r}) failed: {self.error}"
                f" (executed copy: {self.executed})")


class _Executor(ExecutePreprocessor):
    """ExecutePreprocessor that remembers which cell it is on and pins the kernel."""

    current_index: int | None = None
    kernel_log = None  # file that receives the kernel process's own stderr

    def preprocess_cell(self, cell, resources, index):
        self.current_index = index
        return super().preprocess_cell(cell, resources, index)

    def create_kernel_manager(self):
        # kernel_dirs=[] leaves only ipykernel's built-in spec, which launches sys.executable.
        specs = KernelSpecManager(kernel_dirs=[], ensure_native_kernel=True)
        self.km = self.kernel_manager_class(kernel_name="python3", kernel_spec_manager=specs,
                                            config=self.config)
        return self.km

    def start_new_kernel(self, **kwargs):
        env = dict(os.environ)
        env["MPLBACKEND"] = INLINE_BACKEND
        # Notebook-sized matrices gain nothing from BLAS threads, and on a busy machine
        # their spin-waiting made a small training experiment 4x slower; users may override.
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
        env.pop("DISPLAY", None)  # a stray X display must not pick an interactive backend
        kwargs.setdefault("env", env)
        # The kernel's own chatter (transport warnings, shutdown tracebacks) is not the
        # notebook's output; keep it out of the terminal but at hand if the kernel dies.
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", self.kernel_log or subprocess.DEVNULL)
        return super().start_new_kernel(**kwargs)


def executed_path(notebook: Path, out: Path | None) -> Path:
    name = f"{notebook.stem}.executed.ipynb"
    return (out / name) if out is not None else notebook.with_name(name)


def _first_line(source: str) -> str:
    for line in source.splitlines():
        if line.strip():
            return line.strip()[:80]
    return ""


def _read(path: Path) -> nbformat.NotebookNode:
    try:
        return nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise UsageError("notebook not found", path=path) from None
    except (ValueError, nbformat.reader.NotJSONError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InputFileError(f"not a readable notebook: {first}", path=path) from None


def run_notebook(notebook: Path, *, timeout: float, out: Path | None = None) -> RunOutcome:
    """Execute one notebook in its own folder; never raises for a failing cell."""
    notebook = Path(notebook)
    nb = _read(notebook)
    target = executed_path(notebook, out)
    executor = _Executor(timeout=timeout, kernel_name="python3", allow_errors=False,
                         record_timing=False)
    resources = {"metadata": {"path": str(notebook.resolve().parent)}}
    started = time.monotonic()
    failure = None
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        executor.kernel_log = log
        try:
            executor.preprocess(nb, resources)
        except CellExecutionError as error:
            failure = f"{error.ename}: {_one_line(error.evalue)}"
        except CellTimeoutError:
            failure = f"timed out after {timeout:g} s (the per-cell limit; raise it with --timeout)"
        except DeadKernelError:
            log.seek(0)
            lines = [line for line in log.read().splitlines()
                     if line.strip() and not line.startswith("[IPKernelApp]")]
            failure = "the kernel died" + (f" ({_one_line(lines[-1])})" if lines else "")
        except NoSuchKernel as error:
            raise InternalError(f"no Jupyter kernel for this Python ({error}): install "
                                "ipykernel, e.g. `python -m pip install ipykernel`") from None
    seconds = time.monotonic() - started
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    if failure is None:
        return RunOutcome(notebook, target, True, seconds)
    index = executor.current_index or 0
    return RunOutcome(notebook, target, False, seconds, cell=index + 1,
                      first_line=_first_line(nb.cells[index].source), error=failure)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())[:300]


def main(*, notebooks: list[Path], timeout: float, out: Path | None = None) -> int:
    """``grader notebook run``: 0 when every notebook ran to the end, 1 otherwise."""
    if timeout <= 0:
        raise UsageError(f"--timeout must be positive, got {timeout:g}")
    paths = [Path(p) for p in notebooks]
    for path in paths:
        if not path.is_file():
            raise UsageError("notebook not found", path=path)
        if path.suffix != ".ipynb":
            raise UsageError("expected a .ipynb notebook", path=path)
    if out is not None and len({p.stem for p in paths}) < len(paths):
        raise UsageError("two notebooks share a name; their executed copies would collide in "
                         f"{out}")
    failed = 0
    for path in paths:
        outcome = run_notebook(path, timeout=timeout, out=out)
        print(outcome.describe(), flush=True)
        failed += not outcome.ok
    return 1 if failed else 0
