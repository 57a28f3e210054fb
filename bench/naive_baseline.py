"""The naive baseline: one ``python -m pytest`` process per submission, two at a time.

Each submission gets a folder holding the released cs231n package with the student's
files on top (the reference fc_net.py when the student sent none, as the notebook would
need) and ``naive/test_naive_dropout.py`` beside it; pytest imports the student's code
straight into its own process. The folders are made before the clock starts, so the
figure is the baseline's grading alone, which favours it.

    python bench/naive_baseline.py SUBMISSIONS [--sample 40] [--jobs 2]
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_FILE = Path(__file__).resolve().parent / "naive" / "test_naive_dropout.py"
TIMEOUT = 120.0
_COUNTS = re.compile(r"(\d+) (passed|failed|error)")


@dataclass
class Baseline:
    submissions: int
    wall: float
    cpu: float  # user + system seconds of the pytest processes
    tests_passed: int
    tests_failed: int
    timeouts: int

    @property
    def ms_per_submission(self) -> float:
        return 1000 * self.wall / self.submissions


def stage(folder: Path, dest: Path) -> None:
    """The released package, the reference net, then the student's files on top."""
    shutil.copytree(ROOT / "assignment" / "cs231n", dest / "cs231n",
                    ignore=shutil.ignore_patterns("__pycache__", "datasets"))
    shutil.copyfile(ROOT / "solutions" / "cs231n" / "classifiers" / "fc_net.py",
                    dest / "cs231n" / "classifiers" / "fc_net.py")
    shutil.copyfile(folder / "layers.py", dest / "cs231n" / "layers.py")
    if (folder / "fc_net.py").is_file():
        shutil.copyfile(folder / "fc_net.py", dest / "cs231n" / "classifiers" / "fc_net.py")
    shutil.copyfile(TEST_FILE, dest / TEST_FILE.name)


def run_one(folder: Path, select: str | None = None) -> tuple[int, int, bool]:
    """(tests passed, tests failed, timed out) of one pytest process."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "--rootdir", str(folder), TEST_FILE.name]
    if select:
        command += ["-k", select]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = process.communicate(timeout=TIMEOUT)
        timed_out = False
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
        timed_out = True
    passed = failed = 0
    for number, word in _COUNTS.findall(out.splitlines()[-1] if out.strip() else ""):
        if word == "passed":
            passed += int(number)
        else:
            failed += int(number)
    return passed, failed, timed_out


def choose(submissions: Path, sample: int, *, seed: int = 0,
           exclude: set[str] = frozenset()) -> list[Path]:
    folders = sorted(p for p in submissions.iterdir() if p.is_dir() and p.name not in exclude)
    return random.Random(seed).sample(folders, min(sample, len(folders)))


def run(folders: list[Path], *, jobs: int = 2, workdir: Path | None = None,
        select: str | None = None) -> Baseline:
    """Grade ``folders`` the naive way; ``select`` is a pytest -k expression (None: all)."""
    import os

    workdir = Path(workdir or tempfile.mkdtemp(prefix="grader-naive-"))
    staged = []
    for folder in folders:
        dest = workdir / folder.name
        stage(folder, dest)
        staged.append(dest)
    before = os.times()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = list(pool.map(lambda folder: run_one(folder, select), staged))
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user + after.children_system
           - before.children_user - before.children_system)
    shutil.rmtree(workdir, ignore_errors=True)
    return Baseline(submissions=len(folders), wall=wall, cpu=cpu,
                    tests_passed=sum(o[0] for o in outcomes),
                    tests_failed=sum(o[1] for o in outcomes),
                    timeouts=sum(o[2] for o in outcomes))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--sample", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("-k", dest="select", default=None, help="pytest -k expression")
    args = parser.parse_args()
    result = run(choose(args.submissions, args.sample), jobs=args.jobs, select=args.select)
    print(f"naive baseline: {result.submissions} submissions in {result.wall:.1f} s = "
          f"{result.ms_per_submission:.0f} ms per submission (CPU {result.cpu:.1f} s); "
          f"tests {result.tests_passed} passed, {result.tests_failed} failed, "
          f"{result.timeouts} timeouts")


if __name__ == "__main__":
    main()
