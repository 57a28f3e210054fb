"""Costs of the sandbox layer, per level: slot start, session open, call round trips.

    python bench/bench_sandbox.py [--level process|landlock|bwrap|all] [--repeat N]

Prints one line per measurement: median wall milliseconds (and the grader-side CPU
milliseconds, i.e. what the trusted process itself spends).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from grader.config import Limits
from grader.run.levels import prerequisite
from grader.run.sandbox import SandboxSlot

MODULE = """
import numpy as np


def echo(x):
    return x


def add(a, b):
    return a + b


def dropout_forward(x, p, seed):
    rng = np.random.default_rng(seed)
    mask = (rng.random(x.shape) < p) / p
    return x * mask, mask
"""


def sandbox_cpu(slot) -> float:
    """CPU seconds of the zygote and every worker it has reaped."""
    pid = slot.zygote_host_pid()
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def measure(label: str, action, repeat: int, slot=None) -> float:
    walls, cpus = [], []
    sandbox_before = sandbox_cpu(slot) if slot else 0.0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall_ms = 1e3 * statistics.median(walls)
    text = f"  {label:<44} {wall_ms:8.2f} ms wall, grader CPU {1e3 * statistics.median(cpus):.2f} ms"
    if slot:
        text += f", sandbox CPU {1e3 * (sandbox_cpu(slot) - sandbox_before) / repeat:.1f} ms"
    print(text)
    return wall_ms


def bench_level(level: str, repeat: int, root: Path) -> None:
    staged = root / "staged"
    (staged / "cs231n").mkdir(parents=True, exist_ok=True)
    (staged / "cs231n" / "__init__.py").write_text("")
    (staged / "cs231n" / "layers.py").write_text(MODULE)
    print(f"{level}:")
    slots = []

    def start():
        slot = SandboxSlot(level=level, limits=Limits(), workdir=root / f"slot{len(slots)}")
        slot.start()
        slots.append(slot)
    measure("slot start (zygote with numpy)", start, max(3, repeat // 10))
    slot = slots.pop()
    for other in slots:
        other.close()

    def submission():
        with slot.open(staged) as session:
            session.import_module("cs231n.layers")
    measure("session: open + fork + import + close", submission, repeat, slot)

    session = slot.open(staged)
    session.import_module("cs231n.layers")
    big = np.random.default_rng(0).random((500, 500))
    x = np.random.default_rng(1).random((10, 20))
    measure("call round trip, small args", lambda: session.call("cs231n.layers:add", 1, 2),
            repeat)
    measure("call round trip, 500x500 float64 each way",
            lambda: session.call("cs231n.layers:echo", big), repeat)
    measure("dropout_forward(10x20) x 20, one call each",
            lambda: [session.call("cs231n.layers:dropout_forward", x, 0.5, s)
                     for s in range(20)], max(3, repeat // 5))
    measure("dropout_forward(10x20) x 20, one batch (many)",
            lambda: session.many([("call", ("cs231n.layers:dropout_forward", x, 0.5, s), {})
                                  for s in range(20)]), max(3, repeat // 5))
    session.close()
    slot.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--level", default="all",
                        choices=["all", "both", "process", "landlock", "bwrap"])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    levels = (["process", "landlock", "bwrap"] if args.level in ("all", "both")
              else [args.level])
    for level in list(levels):
        if (why := prerequisite(level)) is not None:
            print(f"{level}: skipped ({why})")
            levels.remove(level)
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        for level in levels:
            bench_level(level, args.repeat, Path(tmp) / level)


if __name__ == "__main__":
    main()
