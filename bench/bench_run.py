"""End-to-end benchmark of ``grader run``: throughput, cost per submission, memory, scaling.

For each size it generates a fresh class (bench/generate.py: correct, buggy, ~1 % hostile),
grades it with the real CLI into a fresh output folder (so the store skips nothing),
samples the memory of the grader's whole process tree, and then runs the naive baseline
(bench/naive_baseline.py) on a sample of the same class. A second run over the unchanged
class shows what the store skip costs, reported on its own line.

    python bench/bench_run.py                        # 100 and 1,000 submissions
    python bench/bench_run.py --sizes 100,1000,5000  # add the scaling point (minutes)

The per-call and per-submission time limits are lowered (--call-timeout, --timeout) so the
few never-returning submissions do not dominate: with the defaults (20 s / 120 s) each of
them would hold a sandbox slot for two minutes.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import naive_baseline
import proctree
from generate import generate

GIB = 2**30
WEAK = "not net_gradient"  # the naive suite minus its entry-by-entry net gradient check


@dataclass
class Run:
    label: str
    submissions: int
    wall: float
    peak_rss: int
    peak_pss: int
    processes: int
    statuses: dict = field(default_factory=dict)
    sandbox: str = ""
    exit_code: int = 0
    cpu_roles: dict = field(default_factory=dict)

    @property
    def ms(self) -> float:
        return 1000 * self.wall / self.submissions

    @property
    def cpu_ms(self) -> float:
        return 1000 * sum(self.cpu_roles.values()) / self.submissions


def grade(subs: Path, out: Path, args, label: str) -> Run:
    command = [sys.executable, "-c", "from grader.cli import main; main()", "run", str(subs),
               "--out", str(out), "--jobs", str(args.jobs), "--sandbox", args.sandbox,
               "--call-timeout", str(args.call_timeout), "--timeout", str(args.timeout)]
    if args.executor != "local":
        command += ["--executor", args.executor, "--scheduler", args.scheduler]
    with open(out.parent / f"{out.name}.log", "w") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        sampler = proctree.TreeSampler(process.pid, interval=args.interval)
        sampler.start()
        code = process.wait()
        wall = time.perf_counter() - started
        sampler.stop()
    statuses, levels, count = stored(out)
    if code != 0:
        tail = (out.parent / f"{out.name}.log").read_text(errors="replace").splitlines()[-3:]
        print(f"  ! grader run exited {code}: {' | '.join(tail)}")
    return Run(label=label, submissions=count, wall=wall,
               peak_rss=sampler.peak_rss, peak_pss=sampler.peak_pss,
               processes=sampler.peak_processes, statuses=statuses,
               sandbox=",".join(sorted(levels)), exit_code=code,
               cpu_roles=sampler.cpu_by_role())


def stored(out: Path):
    """Statuses and sandbox levels of the results in the store (read-only)."""
    db = sqlite3.connect(f"file:{out / 'grades.sqlite'}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT status, sandbox FROM results").fetchall()
    finally:
        db.close()
    return collections.Counter(s for s, _ in rows), {b for _, b in rows}, len(rows)


def machine() -> str:
    cpu = "unknown CPU"
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        memory = int(info.readline().split()[1]) / 2**20
    import numpy
    import pytest
    bwrap = "bwrap not installed"
    if shutil.which("bwrap"):
        bwrap = subprocess.run(["bwrap", "--version"], capture_output=True, text=True,
                               check=False).stdout.strip()
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.1f} GiB RAM; Linux {platform.release()}; "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, "
            f"pytest {pytest.__version__}; {bwrap}")


def row(run: Run) -> str:
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(run.statuses.items()))
    return (f"{run.label:<16} {run.submissions:>6} {run.wall:>8.1f} "
            f"{run.submissions / run.wall:>8.1f} {run.ms:>8.1f} {run.cpu_ms:>8.1f} "
            f"{run.peak_rss / 2**20:>8.0f} {run.peak_pss / 2**20:>8.0f} {run.processes:>5}  "
            f"{statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated class sizes")
    parser.add_argument("--baseline", type=int, default=40,
                        help="naive baseline sample size (0: no baseline)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sandbox", default="bwrap")
    parser.add_argument("--call-timeout", type=float, default=1.0)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--executor", default="local")
    parser.add_argument("--scheduler", default=None)
    parser.add_argument("--interval", type=float, default=0.2, help="memory sampling period")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--buggy", type=float, default=0.40,
                        help="share of submissions with a known mistake (e.g. 0.9: most fail)")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the classes and outputs")
    parser.add_argument("--no-hostile", dest="hostile", action="store_false",
                        help="correct submissions in the hostile ones' places (to see their cost)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    work = Path(args.workdir or tempfile.mkdtemp(prefix="grader-bench-"))
    work.mkdir(parents=True, exist_ok=True)

    print(f"machine: {machine()}")
    print(f"load average before: {proctree.load_average()}")
    print(f"grader run --jobs {args.jobs} --sandbox {args.sandbox} --call-timeout "
          f"{args.call_timeout:g} --timeout {args.timeout:g} (executor {args.executor}); "
          f"work folder {work}", flush=True)
    fixed = grade_fresh(work, 2, args, "fixed cost, 2")
    runs = [grade_fresh(work, size, args, f"grader, {size}") for size in sizes]
    main_size = 1000 if 1000 in sizes else sizes[-1]
    print(f"re-running {main_size} unchanged submissions (store skip) ...", flush=True)
    rerun = grade(work / f"class-{main_size}", work / f"out-{main_size}", args,
                  f"re-run, {main_size}")
    rerun.submissions = main_size
    naive = weak = None
    if args.baseline > 0:
        catalogue = generate(work / "catalogue", main_size, seed=args.seed, write=False,
                             buggy=args.buggy,
                             hostile=args.hostile)
        hostile = {s for s, v in catalogue.items() if v.startswith("hostile/")}
        sample = naive_baseline.choose(work / f"class-{main_size}", args.baseline,
                                       seed=args.seed, exclude=hostile)
        print(f"naive baseline on {len(sample)} of the {main_size} (none hostile) ...",
              flush=True)
        naive = naive_baseline.run(sample, jobs=args.jobs, workdir=work / "naive")
        # Without the entry-by-entry net gradient check: the cheap end of naive suites.
        weak = naive_baseline.run(sample, jobs=args.jobs, workdir=work / "naive-weak",
                                  select=WEAK)
    print(f"load average after: {proctree.load_average()}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    report(fixed, runs, rerun, naive, weak, main_size)


def grade_fresh(work: Path, size: int, args, label: str) -> Run:
    """A newly generated class graded into a new output folder: nothing to skip."""
    subs, out = work / f"class-{size}", work / f"out-{size}"
    for folder in (subs, out):
        shutil.rmtree(folder, ignore_errors=True)
    catalogue = generate(subs, size, seed=args.seed, hostile=args.hostile, buggy=args.buggy)
    kinds = collections.Counter(v.split("/")[0] for v in catalogue.values())
    print(f"grading {size} submissions ({dict(sorted(kinds.items()))}) ...", flush=True)
    run = grade(subs, out, args, label)
    print("  " + row(run), flush=True)
    return run


def report(fixed: Run, runs: list[Run], rerun: Run, naive, weak, main_size: int) -> None:
    print()
    print(f"sandbox level: {', '.join(sorted({r.sandbox for r in runs}))}")
    print(f"{'run':<16} {'subs':>6} {'wall s':>8} {'subs/s':>8} {'ms/sub':>8} {'CPU ms':>8} "
          f"{'RSS MiB':>8} {'PSS MiB':>8} {'procs':>5}  statuses")
    for run in [fixed, *runs]:
        print(row(run))
    print(row(rerun) + "  <- unchanged class: all skipped by the store")
    for label, base in (("naive baseline", naive), ("naive, weak", weak)):
        if base is not None:
            print(f"{label:<16} {base.submissions:>6} {base.wall:>8.1f} "
                  f"{base.submissions / base.wall:>8.1f} {base.ms_per_submission:>8.1f} "
                  f"{1000 * base.cpu / base.submissions:>8.1f} {'':>8} {'':>8} {'':>5}  "
                  f"tests {base.tests_passed} passed, {base.tests_failed} failed, "
                  f"{base.timeouts} timeouts")
    print("(CPU ms: user+system of the whole process tree per submission, sampled from /proc;"
          " naive: of its pytest processes)")
    print()
    main_run = next(r for r in runs if r.submissions == main_size)
    for run in runs:
        print(f"CPU per submission by process ({run.label}): " + ", ".join(
            f"{name} {1000 * seconds / run.submissions:.1f} ms"
            for name, seconds in sorted(run.cpu_roles.items(), key=lambda kv: -kv[1])
            if seconds > 0))
    ratio = None
    if naive is not None:
        ratio = naive.ms_per_submission / main_run.ms
        print(f"ratio: the grader is {ratio:.1f}x the naive baseline in ms per submission "
              f"({main_run.ms:.1f} vs {naive.ms_per_submission:.1f} ms, {main_run.label}); "
              f"{weak.ms_per_submission / main_run.ms:.1f}x the weak one without the net's "
              f"entry-by-entry gradient check ({weak.ms_per_submission:.1f} ms)")
    beyond = {r.submissions: 1000 * (r.wall - fixed.wall) / (r.submissions - fixed.submissions)
              for r in runs}
    print("scaling, ms per submission: " + ", ".join(
        f"{r.submissions}: {r.ms:.1f}" for r in runs) + f"; beyond the fixed {fixed.wall:.1f} s "
          "of a run (judges, zygotes, reports): " + ", ".join(
              f"{n}: {ms:.1f}" for n, ms in beyond.items()))
    # How cost grows: what each further submission costs between two class sizes. Fixed
    # costs and the tail of a run (one judge still on its last chunk, a looping submission
    # holding a judge for its time limits) cancel out; at 100 they are a third of the run.
    ordered = sorted(runs, key=lambda r: r.submissions)
    marginal = {f"{a.submissions}->{b.submissions}":
                1000 * (b.wall - a.wall) / (b.submissions - a.submissions)
                for a, b in itertools.pairwise(ordered)}
    if marginal:
        print("growth, ms per further submission: " + ", ".join(
            f"{span}: {ms:.1f}" for span, ms in marginal.items()))
    peak = max(runs, key=lambda r: r.peak_pss)
    print(f"peak memory of the grader's process tree: PSS {peak.peak_pss / 2**20:.0f} MiB, "
          f"RSS summed {peak.peak_rss / 2**20:.0f} MiB ({peak.label}, "
          f"up to {peak.processes} processes)")
    flat = (max(marginal.values()) / min(marginal.values()) if len(marginal) > 1
            else None)
    checks = [
        ("1,000 submissions in <= 40 s", main_run.submissions == 1000 and main_run.wall <= 40),
        (">= 5x the naive baseline", ratio is not None and ratio >= 5),
        ("peak memory (PSS) < 1 GiB", peak.peak_pss < GIB),
        ("cost per further submission flat across sizes (max/min <= 1.25)",
         flat is not None and flat <= 1.25),
    ]
    for text, ok in checks:
        print(f"target {'met    ' if ok else 'MISSED '} {text}")


if __name__ == "__main__":
    main()
