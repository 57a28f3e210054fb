"""A stand-in judge and sandbox slot for pipeline tests.

It follows the real judge's contract (``judge(staged, *, slot, suite_dir, on_result)``)
and derives verdicts from ``# fake:`` lines in the staged layers.py, so a test can
script a pass, a failure, a slow submission or a judge process that dies.

    # fake: pass=2        the first two tests pass
    # fake: sleep=0.2     take this long
    # fake: die           the judge process exits abruptly (every time)
    # fake: die-once PATH exit abruptly unless PATH exists (and create it)
    # fake: raise         the judge raises
    # fake: skip          the judge returns without a result for this submission
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from grader.results import SubmissionResult, TestResult

TESTS = [("dropout_forward: zero fraction", 4.0, "visible"),
         ("dropout_backward: mask reused", 3.0, "visible"),
         ("fc_net: matches the reference", 3.0, "hidden")]
SLOTS_OPENED = []


class FakeSlot:
    def __init__(self, *, level, limits, workdir):
        self.level = "process" if level == "auto" else level
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "opened").write_text(str(os.getpid()))

    def close(self):
        (self.workdir / "closed").write_text(str(os.getpid()))


class UnavailableSlot:
    def __init__(self, *, level, limits, workdir):
        from grader.errors import SandboxUnavailable
        raise SandboxUnavailable("bwrap is not installed: use --sandbox process")


def directives(text: str) -> dict[str, str]:
    found = {}
    for line in text.splitlines():
        if line.startswith("# fake:"):
            key, _, value = line[len("# fake:"):].strip().partition("=")
            if " " in key:
                key, value = key.split(" ", 1)
            found[key] = value
    return found


def judge(staged, *, slot, suite_dir, on_result):
    for sub in staged:
        started = time.monotonic()
        if "layers.py" not in sub.files:
            on_result(SubmissionResult(
                student=sub.student, status="missing", score=0, max_score=10,
                tests=tuple(TestResult(n, 0, m, "no layers.py", v, "failed") for n, m, v in TESTS),
                content_hash=sub.content_hash, output=" ".join(sub.problems)))
            continue
        text = (sub.root / "cs231n" / "layers.py").read_text(encoding="utf-8")
        do = directives(text)
        if "sleep" in do:
            time.sleep(float(do["sleep"]))
        if "die" in do:
            os._exit(7)
        if "die-once" in do:
            flag = Path(do["die-once"])
            if not flag.exists():
                flag.write_text("died")
                os._exit(7)
        if "raise" in do:
            raise RuntimeError("judge bug")
        if "skip" in do:
            continue
        passing = int(do.get("pass", len(TESTS)))
        tests = tuple(
            TestResult(name, points if i < passing else 0.0, points,
                       "" if i < passing else f"{name} failed: <b>expected</b> 0.5",
                       visibility, "passed" if i < passing else "failed", 0.01)
            for i, (name, points, visibility) in enumerate(TESTS))
        on_result(SubmissionResult(
            student=sub.student, status="graded", score=sum(t.score for t in tests),
            max_score=sum(t.max_score for t in tests), tests=tests,
            execution_time=time.monotonic() - started, content_hash=sub.content_hash,
            output=" ".join(sub.problems), files=sub.files))
