"""Killing `grader run` for real (SIGKILL, Ctrl-C) loses and duplicates nothing."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from classbuilder import make_class

from grader.store import FILENAME

SCRIPT = Path(__file__).with_name("grade_with_fake_judge.py")


def rows(out: Path) -> dict[str, tuple]:
    path = out / FILENAME
    if not path.exists():
        return {}
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        found = db.execute("SELECT student, content_hash, graded_at FROM results").fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        return {}
    finally:
        db.close()
    assert len(found) == len({s for s, _, _ in found}), "a student stored twice"
    return {s: (h, t) for s, h, t in found}


def start(subs, out, assignment, suite):
    return subprocess.Popen([sys.executable, str(SCRIPT), subs, out, assignment, suite],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(out, count, process, limit=60):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if len(rows(out)) >= count:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("no progress")


def scratch_folders() -> list[Path]:
    from grader.run.scratch import scratch_root
    root = Path(scratch_root() or tempfile.gettempdir())
    return [d for d in root.glob("grader-run-*") if (d / "owner.pid").exists()]


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigkill_midway_then_rerun_completes_the_class(tmp_path, assignment, suite):
    subs = make_class(tmp_path / "subs", {f"s{i:02d}": "# fake: sleep=0.05\n" for i in range(40)})
    out = tmp_path / "grades"
    process = start(subs, out, assignment, suite)
    wait_for(out, 8, process)
    judges = children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = rows(out)
    assert 8 <= len(before) < 40
    # the judge processes follow their parent instead of grading on as orphans
    deadline = time.monotonic() + 10
    while any(alive(p) for p in judges) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(p) for p in judges)
    assert rows(out) == before  # nothing more arrived after the kill

    killed = [d for d in scratch_folders() if (d / "owner.pid").read_text() == str(process.pid)]
    assert killed  # a SIGKILLed run cannot clean up after itself...

    process = start(subs, out, assignment, suite)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert not any(d.exists() for d in killed)  # ...so the next run does
    after = rows(out)
    assert sorted(after) == [f"s{i:02d}" for i in range(40)]
    assert {s: after[s] for s in before} == before  # stored results were not regraded
    assert f"{len(before)} unchanged" in stdout
    assert f"grading {40 - len(before)} submissions" in stdout


def test_ctrl_c_stops_cleanly_with_a_resume_message(tmp_path, assignment, suite):
    subs = make_class(tmp_path / "subs", {f"s{i:02d}": "# fake: sleep=0.05\n" for i in range(40)})
    out = tmp_path / "grades"
    process = start(subs, out, assignment, suite)
    wait_for(out, 4, process)
    os.kill(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "Traceback" not in stdout
    assert "run the same command again" in stdout
    assert 4 <= len(rows(out)) < 40
