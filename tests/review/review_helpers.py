"""Helpers of the review app's tests: output folders (synthetic and real), a live server."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from grader.reports import write_reports
from grader.results import SubmissionResult, TestResult
from grader.store import FILENAME, Store

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<script>alert('id')</script>"
SCRIPT_ANSWER = "<script>document.title='pwned'</script> p is the keep probability"


def grader(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The real command line, in a child process."""
    done = subprocess.run([sys.executable, "-m", "grader.cli", *map(str, args)],
                          check=False, capture_output=True, text=True, cwd=ROOT,
                          timeout=600)
    if check and done.returncode != 0:
        raise AssertionError(f"grader {' '.join(map(str, args))} failed:\n{done.stdout}"
                             f"\n{done.stderr}")
    return done


def _result(student: str, content_hash: str, first: float) -> SubmissionResult:
    tests = (TestResult("dropout_forward: zero fraction", first, 10.0,
                        "" if first == 10 else "about p of the outputs are zero",
                        status="passed" if first == 10 else "failed"),
             TestResult("dropout_backward: gradient check", 5.0, 5.0, ""))
    return SubmissionResult(student, "graded", first + 5.0, 15.0, tests=tests,
                            content_hash=content_hash, sandbox="process")


def make_run_folder(out: Path, students: dict[str, float], answers: dict[str, dict]) -> Path:
    """An output folder as `grader run` leaves it: the store, the reports, notebooks'
    recorded inline answers. ``students`` maps id -> points of the first test."""
    out.mkdir(parents=True, exist_ok=True)
    results = [_result(s, f"hash-{n}", points) for n, (s, points) in enumerate(students.items())]
    with Store(out / FILENAME) as store:
        for result in results:
            store.put(result)
    write_reports(results, out_dir=out)
    rows = (out / "folders.csv").read_text(encoding="utf-8").splitlines()[1:]
    import csv
    folders = {json.loads((out / f / "results.json").read_text())["extra_data"]["student"]: f
               for _cell, f in csv.reader(rows)}
    for student, per_question in answers.items():
        folder = out / folders[student] / "notebook"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "notebook_result.json").write_text(json.dumps(
            {"answers": per_question, "images": [], "notebook": "Dropout.ipynb",
             "status": "ran", "ran_to_end": True, "executed_path": None}), encoding="utf-8")
    return out


class Live:
    """The review app served by uvicorn in a thread, on a free port."""

    def __init__(self, folders: list[Path], grader_name: str = "ta-one") -> None:
        import uvicorn

        from grader.review.app import Settings, create_app
        from grader.review.folders import open_folder

        self.settings = Settings(folders=[open_folder(f) for f in folders],
                                 grader_name=grader_name)
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(self.settings), log_level="error", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.sock]}, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the review app did not start")
            time.sleep(0.02)

    @property
    def token(self) -> str:
        return self.settings.token

    def url(self, path: str = "/") -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}{path}{sep}token={self.token}"

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)
        self.sock.close()
