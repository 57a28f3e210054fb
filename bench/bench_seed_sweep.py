"""Seed sweep of the hidden dropout suite: how often does correct code lose points by chance?

Grades the reference solution (with and without fc_net.py) and, with --variants, the other
correct variants of the audit catalogue, once per seed; prints the number of false
failures (target: 0) and the tests they came from.

    python bench/bench_seed_sweep.py                  # 2000 seeds, reference only
    python bench/bench_seed_sweep.py --seeds 500 --variants all
"""

from __future__ import annotations

import argparse
import sys
import time

from grader import paths

sys.path.append(str(paths.solutions_dir()))  # the assignments' own modules
from assignments.dropout.audit.sweep import correct_variants, sweep


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2000, help="sweep indices (default 2000)")
    parser.add_argument("--start", type=int, default=0, help="first sweep index")
    parser.add_argument("--variants", default="reference,reference_layers_only",
                        help="comma-separated correct variants, or 'all'")
    args = parser.parse_args(argv)
    names = None if args.variants == "all" else args.variants.split(",")
    variants = correct_variants(names)
    if not variants:
        parser.error(f"no correct variant named {args.variants!r}")
    started, cpu = time.perf_counter(), time.process_time()

    def progress(report) -> None:
        if report.runs % 500 == 0:
            print(f"  {report.runs} graded, {report.failures} false failures", flush=True)

    report = sweep(range(args.start, args.start + args.seeds), variants=variants,
                   progress=progress)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"seed sweep: {report.runs} gradings of correct code "
          f"({args.seeds} seeds x {len(variants)} variants: "
          f"{', '.join(v.name for v in variants)})")
    print(f"false failures: {report.failures}")
    for name, count in report.lost.most_common():
        print(f"  {count:5d}  {name}")
    for example in report.examples:
        print(f"  e.g. {example}")
    print(f"{wall:.0f} s wall, {cpu / max(report.runs, 1) * 1000:.1f} ms CPU per grading "
          "(in-process, no sandbox)")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
