"""Where one judge process spends its time: a chunk judged in this process under cProfile.

Generates a small class, stages it the way a judge process does, and judges it in one
sandbox slot, twice (the first chunk pays the zygote's start and pytest's collection),
printing the wall time per submission of the second chunk and the top functions by
cumulative and by own time. With ``--worker`` the zygote's workers are profiled too:
nothing of the grader runs there, so this only times the worker loop around numpy.

    python bench/profile_judge.py [-n 24] [--sandbox bwrap] [--top 25]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate

from grader import course, paths
from grader.config import (
    Config,
    Limits,
)
from grader.run.discover import discover
from grader.run.executors import GradingSpec, grade_chunk, resolve
from grader.run.scratch import scratch_root
from grader.run.stage import SupportPackage, prepare


def judge_chunks(folder: Path, *, sandbox: str, chunk: int, profile: cProfile.Profile | None):
    subs = discover(folder, "dropout")
    prepared = [prepare(s, suite="bench") for s in subs]
    scratch = Path(tempfile.mkdtemp(prefix="grader-profile-", dir=scratch_root()))
    spec = GradingSpec(config=Config(sandbox=sandbox, limits=Limits(call_timeout=2.0,
                                                                     submission_timeout=10)),
                       support=SupportPackage.load(paths.assignment_dir()),
                       suite_dir=course.find("dropout").suite, scratch=scratch)
    slot = resolve(spec.slot_factory)(level=sandbox, limits=spec.config.limits,
                                      workdir=scratch / "slot")
    judge = resolve(spec.judge)
    timings = []
    try:
        for number, start in enumerate(range(0, len(prepared), chunk)):
            items = prepared[start:start + chunk]
            results = []
            machine = machine_cpu()
            began, cpu = time.perf_counter(), time.process_time()
            if profile is not None and number > 0:
                profile.enable()
            grade_chunk(spec, items, slot=slot, judge=judge, stage_root=scratch / "stage",
                        on_result=results.append)
            if profile is not None:
                profile.disable()
            used = [after - before for before, after in zip(machine, machine_cpu())]
            timings.append((len(items), time.perf_counter() - began, time.process_time() - cpu,
                            sorted({r.status for r in results}), used))
    finally:
        slot.close()
        shutil.rmtree(scratch, ignore_errors=True)
    return timings, getattr(slot, "level", sandbox)


def machine_cpu() -> tuple[float, float]:
    """(user, system) CPU seconds of the whole machine so far, from /proc/stat: the only
    count that sees every short-lived worker and the kernel's work for it."""
    with open("/proc/stat", encoding="ascii") as f:
        user, nice, system, _idle, _iowait, irq, softirq = (int(v) for v in
                                                            f.readline().split()[1:8])
    tick = os.sysconf("SC_CLK_TCK")
    return (user + nice) / tick, (system + irq + softirq) / tick


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=24, help="submissions per chunk")
    parser.add_argument("--chunks", type=int, default=3)
    parser.add_argument("--sandbox", default="bwrap")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="only time the chunks (cProfile itself costs several times more)")
    parser.add_argument("--wall", dest="cpu", action="store_false",
                        help="profile wall time instead of the judge's CPU time")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="grader-profile-class-"))
    try:
        generate(folder, args.n * args.chunks, seed=args.seed)
        # CPU time, not wall time: waits for the worker drop out, and so does most of the
        # noise of a machine shared with other work.
        profile = cProfile.Profile(time.process_time) if args.cpu else cProfile.Profile()
        timings, level = judge_chunks(folder, sandbox=args.sandbox, chunk=args.n,
                                      profile=profile if args.profile else None)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"sandbox level: {level}")
    for i, (n, seconds, cpu, statuses, (user, system)) in enumerate(timings):
        note = " (first chunk: zygote start, collection)" if i == 0 else ""
        print(f"chunk {i}: {n} submissions in {seconds:.2f} s = {1000 * seconds / n:.0f} ms "
              f"per submission wall, judge CPU {1000 * cpu / n:.0f} ms, machine CPU user "
              f"{1000 * user / n:.0f} + system {1000 * system / n:.0f} ms, statuses "
              f"{statuses}{note}")
    clock = "CPU" if args.cpu else "wall"
    for key in ("cumulative", "tottime") if args.profile else ():
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(key).print_stats(args.top)
        print(f"--- judge process {clock} time, later chunks, by {key} ---")
        print("\n".join(out.getvalue().splitlines()[4:]))


if __name__ == "__main__":
    main()
