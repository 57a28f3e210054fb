"""Peak memory of a process and all its descendants, sampled from /proc while it runs.

RSS summed over a tree counts every page shared after a fork (numpy in the zygote and
its workers) once per process, so it overstates; PSS divides each shared page among
the processes that map it and sums to what the tree really holds. Both are reported.
Sandboxed workers live in their own PID namespace but stay in the host's /proc under
their host PIDs, as children of bwrap, so the walk from the root PID finds them.
"""

from __future__ import annotations

import os
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")


def children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def tree(root: int) -> list[int]:
    return [pid for pid, _ in tree_with_parents(root)]


def tree_with_parents(root: int) -> list[tuple[int, int]]:
    """(pid, parent pid) of ``root`` and every descendant, parents before children."""
    kids = children_map()
    found, frontier = [(root, 0)], [root]
    while frontier:
        step = [(c, p) for p in frontier for c in kids.get(p, ())]
        found += step
        frontier = [c for c, _ in step]
    return found


def role(pid: int, root: int, parent_role: str = "") -> str:
    """What a process of the grader's tree is, from its command line and its parent's.

    A worker is forked from the zygote, so it shows the zygote's command line; it is told
    apart by its parent (and its own children, forked by student code, are workers too).
    """
    if pid == root:
        return "grading process"
    if parent_role in ("zygote", "worker"):
        return "worker"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return "other"
    text = b" ".join(argv)
    if argv and argv[0].endswith(b"bwrap"):  # bwrap and the PID-namespace init it forks
        return "bwrap"
    if b"zygote.py" in text:
        return "zygote"
    if b"multiprocessing" in text:
        return "judge"
    return "other"


def cpu_ticks(pid: int) -> tuple[int, int]:
    """(own, reaped children's) user + system clock ticks of a process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return 0, 0
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def pss(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


class TreeSampler(threading.Thread):
    """Samples the tree under ``root`` every ``interval`` seconds until ``stop()``."""

    def __init__(self, root: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root, self.interval = root, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_processes = 0
        self.samples = 0
        self.pss_available = True
        self.cpu: dict[int, tuple[str, int, int]] = {}  # pid -> (role, own, children) ticks
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(self.interval)

    def sample(self) -> None:
        pairs = tree_with_parents(self.root)
        pids = [pid for pid, _ in pairs]
        roles: dict[int, str] = {}
        for pid, parent in pairs:
            own, reaped = cpu_ticks(pid)
            known = self.cpu.get(pid)
            name = known[0] if known else role(pid, self.root, roles.get(parent, ""))
            roles[pid] = name
            self.cpu[pid] = (name, max(own, known[1] if known else 0),
                             max(reaped, known[2] if known else 0))
        self.peak_processes = max(self.peak_processes, len(pids))
        self.peak_rss = max(self.peak_rss, sum(rss(p) for p in pids))
        if self.pss_available:
            values = [pss(p) for p in pids]
            if values and values[0] is None and os.path.exists(f"/proc/{self.root}"):
                self.pss_available = False  # no smaps_rollup here (old kernel, no rights)
            self.peak_pss = max(self.peak_pss, sum(v or 0 for v in values))
        self.samples += 1

    def cpu_by_role(self) -> dict[str, float]:
        """CPU seconds seen per role; the zygotes' reaped children are the student workers.

        Sampled, so the last interval of each process is missing: a lower bound.
        """
        tick = os.sysconf("SC_CLK_TCK")
        totals: dict[str, float] = {}
        for name, own, reaped in self.cpu.values():
            if name == "worker":
                continue  # counted once, when its zygote reaps it
            totals[name] = totals.get(name, 0.0) + own / tick
            if name == "zygote":
                totals["workers"] = totals.get("workers", 0.0) + reaped / tick
        return totals

    def stop(self) -> None:
        self._done.set()
        self.join()


def cpu_seconds_of_children() -> float:
    """User + system CPU of every reaped descendant of this process so far."""
    usage = os.times()
    return usage.children_user + usage.children_system


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def now() -> float:
    return time.perf_counter()
