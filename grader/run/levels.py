"""Sandbox levels: what each protects, and which one this machine can really give.

Strongest first: ``bwrap`` (namespaces), ``landlock`` (the kernel's unprivileged
Landlock and seccomp, for machines where bubblewrap is missing or may not make
namespaces), ``process`` (rlimits, a scrubbed environment and seccomp only).
``auto`` does not trust that a binary exists or a syscall answers: it starts each level
in turn and lets a probe submission try to escape (see :mod:`grader.run.probe`), and
takes the strongest level whose probe found nothing.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass

from ..errors import SandboxUnavailable

LEVELS = ("bwrap", "landlock", "process")  # strongest first
ISOLATING = ("bwrap", "landlock")

SUMMARY = {
    "bwrap": "bubblewrap: full isolation",
    "landlock": "Landlock + seccomp: files and network isolated, no namespaces",
    "process": "process only: NOT isolated",
}

DESCRIPTIONS = {
    "bwrap": (
        "bwrap: each submission runs in a bubblewrap sandbox as an unprivileged user with "
        "no capabilities, no network, its own PID/IPC/mount namespaces, a read-only view "
        "of only /usr, the Python standard library and numpy, a private size-limited /tmp "
        "and its own copy of the submission; a seccomp filter refuses sockets, tracing, "
        "keyrings, shared memory and memfd; rlimits on memory, CPU time, processes, open "
        "files and file size; every process it started is SIGKILLed after it."),
    "landlock": (
        "landlock: each submission runs in a separate process that the kernel's Landlock "
        "lets read only the Python runtime, numpy and its own folder and write only its "
        "own folder, with no TCP connections and no signals to processes outside it; a "
        "seccomp filter refuses sockets, tracing, keyrings, SysV/POSIX shared memory and "
        "memfd; rlimits on memory, CPU time, processes, open files and file size; a "
        "scrubbed environment and, when the grader runs as root, a user of its slot's own; "
        "every process it started is SIGKILLed after it; where the grader may make a memory "
        "cgroup, everything it holds, files in memory included, counts against its memory "
        "limit. NOT protected at this level: it shares the host's process and mount "
        "namespaces (it can see that other processes exist and list folders of the Python "
        "runtime)."),
    "process": (
        "process: each submission runs in a separate process with rlimits on memory, CPU "
        "time, processes, open files and file size, a scrubbed environment and its own "
        "scratch directory, a seccomp filter where the kernel has one (no sockets, "
        "tracing, keyrings or shared memory), and, when the grader runs as root, as an "
        "unprivileged user of its slot's own; every process it started is SIGKILLed after "
        "it. NOT protected at this level: reading any host file that user may read "
        "(possibly the hidden tests and solutions), filling the disk or writing to "
        "world-writable places such as /tmp, and, when the grader does not run as root, "
        "signalling the grader's processes or reading that user's files."),
}

WEAKER = {  # the terminal's warning below full isolation
    "landlock": ("sandbox level 'landlock': files and network are isolated, but submissions "
                 "share the host's process namespace"),
    "process": ("sandbox level 'process': submissions are NOT isolated: they can read any "
                "file this user can (possibly the hidden tests and solutions) and write to "
                "world-writable places; run `grader doctor` to see how to get a stronger "
                "level"),
}


def describe_level(level: str) -> str:
    """One paragraph for reports: what the level protects and what it does not."""
    return DESCRIPTIONS[level]


def rank(level: str) -> int:
    return len(LEVELS) - LEVELS.index(level)


@dataclass(frozen=True)
class Choice:
    """The level in force, and why the stronger ones are not."""

    level: str
    requested: str
    passed_over: tuple[tuple[str, str], ...] = ()  # (level, why not)

    @property
    def isolating(self) -> bool:
        return self.level in ISOLATING

    def banner(self) -> str:
        return f"sandbox: {self.level} ({SUMMARY[self.level]})"

    def warning(self) -> str | None:
        if self.level == "bwrap":
            return None
        from .cgroups import available
        why = "; ".join(f"{level}: {reason}" for level, reason in self.passed_over)
        text = WEAKER[self.level]
        if available() is None:
            text += ("; no memory cgroup can be made here, so files a submission keeps in "
                     "memory count only against the file-size limit, each")
        return f"warning: {text}" + (f" (not available here: {why})" if why else "")


def prerequisite(level: str) -> str | None:
    """A quick reason why ``level`` cannot work here at all (None: try it live)."""
    from . import confine
    from .limits import probe_bwrap
    if level == "bwrap":
        return probe_bwrap()
    if level == "landlock":
        abi = confine.landlock_abi()
        if abi < 1:
            return ("the kernel has no Landlock (Linux 5.13 or later with landlock in the "
                    "lsm= boot list)")
        if not confine.seccomp_supported():
            return "the kernel has no seccomp filter"
    return None


@functools.cache
def choose(requested: str = "auto", required: str | None = None) -> Choice:
    """The level to grade at, proven by a live probe; SandboxUnavailable if none fits.

    ``requested`` is a level or "auto"; ``required`` the weakest level acceptable.
    """
    from .probe import probe
    candidates = LEVELS if requested == "auto" else (requested,)
    passed_over: list[tuple[str, str]] = []
    for level in candidates:
        reason = prerequisite(level) or probe(level).problem()
        if reason is None:
            choice = Choice(level, requested, tuple(passed_over))
            break
        if requested != "auto":
            others = ", ".join(f"--sandbox {other}" for other in LEVELS if other != level)
            raise SandboxUnavailable(f"--sandbox {level} is not usable: {reason}; run "
                                     f"`grader doctor` for the fix, or use {others}")
        passed_over.append((level, reason))
    else:
        raise SandboxUnavailable("no sandbox level works here: " + "; ".join(
            f"{level}: {reason}" for level, reason in passed_over))
    if required and rank(choice.level) < rank(required):
        why = "; ".join(f"{level}: {reason}" for level, reason in passed_over
                        if rank(level) >= rank(required))
        raise SandboxUnavailable(
            f"the required sandbox level is {required} but the strongest that works here "
            f"is {choice.level}" + (f" ({why})" if why else "")
            + "; run `grader doctor` for the fix")
    return choice


def announce(requested: str, required: str | None, say, *, where: str = "") -> Choice:
    """Choose the level and tell the terminal: its banner first, then the warning below
    full isolation. ``say`` prints one line; ``where`` qualifies the banner."""
    choice = choose(requested, required)
    say(choice.banner() + where)
    if choice.warning():
        say(choice.warning())
    return choice


def settle_sandbox(config, slot_factory, progress) -> tuple[object, str]:
    """The config with its sandbox level proven here, and that level in words; the
    terminal hears it first, with a warning below full isolation. A caller's own slot
    factory (tests, the Dask executor's workers) is taken as it is."""
    from .executors import DEFAULT_SLOT
    if slot_factory != DEFAULT_SLOT:
        return config, ""
    dask = config.executor == "dask"
    choice = announce(config.sandbox, config.require_sandbox, progress.note,
                      where=" on this machine; each Dask worker probes its own" if dask else "")
    if config.executor == "dask":  # workers are other machines: auto means theirs
        return config, ""
    return config.with_(sandbox=choice.level), choice.banner().removeprefix("sandbox: ")


def required_level(flag: str | None) -> str | None:
    """The weakest acceptable level: --require-sandbox, else GRADER_REQUIRE_SANDBOX."""
    from ..errors import ConfigError
    for value, source in ((flag, "--require-sandbox"),
                          (os.environ.get("GRADER_REQUIRE_SANDBOX"), "GRADER_REQUIRE_SANDBOX")):
        if value:
            if value not in LEVELS:
                raise ConfigError(f"invalid sandbox level {value!r} from {source}: choose one "
                                  "of " + ", ".join(LEVELS))
            return value
    return None
