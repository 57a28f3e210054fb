"""grader run on a Dask LocalCluster: the same verdicts as the local executor, a worker killed
mid-run costs nothing, and a missing or unreachable scheduler is a one-line error."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

from grader import course, paths
from grader.errors import GraderError, UsageError
from grader.run import pipeline
from grader.run.progress import PlainProgress

distributed = pytest.importorskip("distributed")

EXAMPLES = paths.project_root() / "examples" / "submissions"
SLOW = "a0_slow"  # sorts first, so its chunk's task key starts with its name
SLOW_SECONDS = 4
# Some mistakes pass a statistical check by chance in a fraction of runs (reading p as the
# drop probability keeps the mean, noisily), so their scores follow the student's random
# stream. Seeding that stream when layers.py is imported makes every verdict reproducible,
# whichever executor runs it; a worker restarted after a crash imports, so reseeds, too.
SEED_LINE = "import numpy as _np; _np.random.seed(231)  # reproducible for this test\n"


class Recorder(PlainProgress):
    def __init__(self):
        import io

        from rich.console import Console
        super().__init__(Console(file=io.StringIO(), width=200))
        self.results = []

    def advance(self, result):
        self.results.append(result)
        super().advance(result)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster:
        yield cluster


@pytest.fixture(scope="module")
def example_class(tmp_path_factory) -> Path:
    """The bundled example class, each layers.py seeding numpy's global stream on import."""
    root = tmp_path_factory.mktemp("examples") / "submissions"
    shutil.copytree(EXAMPLES, root)
    for path in root.rglob("layers.py"):
        path.write_text(seeded(path.read_text(encoding="utf-8")), encoding="utf-8")
    return root


def seeded(source: str) -> str:
    lines = source.splitlines(keepends=True)
    at = max((i + 1 for i, line in enumerate(lines) if line.startswith("from __future__")),
             default=0)
    return "".join(lines[:at] + [SEED_LINE] + lines[at:])


@pytest.fixture(scope="module")
def local_verdicts(example_class, tmp_path_factory):
    """The class graded by the local executor: what the cluster must reproduce."""
    out = tmp_path_factory.mktemp("local")
    code = pipeline.main(submissions=example_class, out=out, jobs=2, progress=Recorder())
    assert code == 0
    return verdicts(out)


def verdicts(out: Path) -> dict:
    """student -> (status, max score, each test's (name, score)) from the store."""
    import json
    db = sqlite3.connect(out / "grades.sqlite")
    try:
        rows = db.execute("SELECT student, status, max_score, result FROM results").fetchall()
    finally:
        db.close()
    return {student: (status, max_score,
                      tuple((t["name"], t["score"]) for t in json.loads(result)["tests"]))
            for student, status, max_score, result in rows}


def test_cluster_grades_the_example_class_like_the_local_executor(cluster, example_class,
                                                                  local_verdicts, tmp_path):
    out = tmp_path / "grades"
    progress = Recorder()
    code = pipeline.main(submissions=example_class, out=out, executor="dask",
                         scheduler=cluster.scheduler_address, progress=progress)
    assert code == 0
    assert verdicts(out) == local_verdicts
    assert sorted(r.student for r in progress.results) == sorted(local_verdicts)
    assert (out / "gradebook.csv").is_file() and (out / "report.html").is_file()
    assert {r.sandbox for r in progress.results} <= {"bwrap", "process"}


def test_a_worker_killed_mid_submission_loses_and_doubles_nothing(cluster, example_class,
                                                                  local_verdicts, tmp_path):
    class_dir = tmp_path / "class"
    shutil.copytree(example_class, class_dir)
    reference = (paths.solutions_dir() / "cs231n" / "layers.py").read_text()
    (class_dir / SLOW).mkdir()
    (class_dir / SLOW / "layers.py").write_text(
        f"import time\ntime.sleep({SLOW_SECONDS})  # slow to import: killed meanwhile\n"
        + reference)
    killed = []
    killer = threading.Thread(target=kill_worker_running, daemon=True,
                              args=(cluster.scheduler_address, SLOW, killed))
    killer.start()
    out = tmp_path / "grades"
    progress = Recorder()
    code = pipeline.main(submissions=class_dir, out=out, executor="dask",
                         scheduler=cluster.scheduler_address, progress=progress)
    killer.join(timeout=5)
    assert killed, "no worker was killed: the test did not exercise a lost task"
    assert code == 0
    students = [r.student for r in progress.results]
    assert sorted(students) == sorted([*local_verdicts, SLOW])  # each exactly once
    got = verdicts(out)
    status, max_score, tests = got[SLOW]
    assert status == "graded" and sum(score for _, score in tests) == max_score  # correct
    del got[SLOW]
    assert got == local_verdicts
    wait_until_gone(killed[0])
    cluster.wait_for_workers(2, timeout=60)  # the nanny replaced the killed worker


def kill_worker_running(scheduler: str, student: str, killed: list) -> None:
    """SIGKILL the worker process whose current task grades ``student``."""
    with distributed.Client(scheduler, set_as_default=False) as client:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                if any(str(k).startswith(f"grade-{student}-") for k in keys):
                    time.sleep(1.0)  # inside the slow import by now
                    pid = client.run(os.getpid, workers=[worker])[worker]
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    return
            time.sleep(0.05)


def wait_until_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        time.sleep(0.05)


def test_an_unreachable_scheduler_is_one_line_naming_it(tmp_path, monkeypatch):
    from grader.run import dask_executor
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT", 2.0)
    with pytest.raises(UsageError) as caught:
        pipeline.main(submissions=EXAMPLES, out=tmp_path / "grades", executor="dask",
                      scheduler="tcp://127.0.0.1:9", progress=Recorder())
    message = str(caught.value)
    assert "tcp://127.0.0.1:9" in message and "\n" not in message


def test_dask_without_a_scheduler_says_how_to_give_one(tmp_path):
    import dask
    with dask.config.set({"scheduler-address": None}), \
            pytest.raises(UsageError, match="--scheduler"):
        pipeline.main(submissions=EXAMPLES, out=tmp_path / "grades", executor="dask",
                      progress=Recorder())


def test_dask_not_installed_is_a_grader_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask.distributed", None)  # makes the import fail
    with pytest.raises(GraderError, match="dask"):
        pipeline.main(submissions=EXAMPLES, out=tmp_path / "grades", executor="dask",
                      scheduler="tcp://127.0.0.1:9", progress=Recorder())


def test_a_worker_with_another_suite_refuses_to_grade(tmp_path):
    from grader.config import Config
    from grader.run.dask_executor import TaskSpec, grade_task
    from grader.run.executors import GradingSpec
    from grader.run.stage import SupportPackage

    spec = GradingSpec(config=Config(), support=SupportPackage(()),
                       suite_dir=course.find("dropout").suite, scratch=tmp_path)
    outcome = grade_task(TaskSpec(spec, fingerprint="0" * 16), [])
    code, message = outcome["fatal"]
    assert code == 3 and "same grader version" in message and outcome["results"] == []
