"""The one frozen configuration object.

Values come from command-line flags or environment variables; each is validated
here and a bad one is reported with its source named, e.g.
``invalid memory 'lots' from GRADER_MEMORY_MB: expected a whole number of MB``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from .errors import ConfigError

SANDBOX_LEVELS = ("auto", "bwrap", "landlock", "process")


@dataclass(frozen=True)
class Limits:
    """Resource limits applied to every submission's worker."""

    call_timeout: float = 20.0  # wall seconds for one call into student code
    submission_timeout: float = 120.0  # wall seconds for the whole submission
    cpu_seconds: int = 120  # RLIMIT_CPU of the worker
    memory_mb: int = 2048  # RLIMIT_AS of the worker
    max_processes: int = 64  # RLIMIT_NPROC (processes the worker may have)
    max_open_files: int = 256  # RLIMIT_NOFILE
    max_file_bytes: int = 64 * 2**20  # RLIMIT_FSIZE: largest file it may write
    max_output_bytes: int = 256 * 2**10  # captured stdout+stderr kept per submission
    max_reply_bytes: int = 32 * 2**20  # the largest value one call may return to the judge
    max_returned_bytes: int = 256 * 2**20  # all values one submission may return in total


@dataclass(frozen=True)
class Config:
    """Settings of one grader invocation. Built once, never mutated."""

    limits: Limits = field(default_factory=Limits)
    sandbox: str = "auto"
    require_sandbox: str | None = None  # the weakest level acceptable (None: any)
    jobs: int = field(default_factory=lambda: os.cpu_count() or 1)
    assignment: str = ""  # a manifest's name (grader.course); "" until resolved
    out_dir: Path = Path("grades")
    force: bool = False
    only: tuple[str, ...] = ()
    executor: str = "local"
    scheduler: str | None = None
    # The deadline policy (a grader.deadlines.Policy) from --deadline FILE; None: no
    # late penalties. Loaded and validated when the configuration is built.
    deadline: object | None = None

    def with_(self, **changes) -> Config:
        return replace(self, **changes)


def _number(raw: str, *, name: str, source: str, kind: type, minimum: float):
    try:
        value = kind(raw)
    except (TypeError, ValueError):
        unit = "a whole number" if kind is int else "a number"
        raise ConfigError(f"invalid {name} {raw!r} from {source}: expected {unit}") from None
    if value < minimum:
        raise ConfigError(f"invalid {name} {raw!r} from {source}: must be at least {minimum}")
    return value


_ENV_LIMITS = {
    # field: (environment variable, human name, type, minimum)
    "call_timeout": ("GRADER_CALL_TIMEOUT", "call timeout", float, 0.1),
    "submission_timeout": ("GRADER_TIMEOUT", "timeout", float, 0.1),
    "cpu_seconds": ("GRADER_CPU_SECONDS", "CPU limit", int, 1),
    "memory_mb": ("GRADER_MEMORY_MB", "memory limit", int, 64),
    "max_processes": ("GRADER_MAX_PROCESSES", "process limit", int, 1),
    "max_open_files": ("GRADER_MAX_OPEN_FILES", "open-file limit", int, 16),
    "max_file_bytes": ("GRADER_MAX_FILE_BYTES", "file-size limit", int, 1024),
    "max_output_bytes": ("GRADER_MAX_OUTPUT_BYTES", "output limit", int, 1024),
    "max_reply_bytes": ("GRADER_MAX_REPLY_BYTES", "reply-size limit", int, 2**20),
    "max_returned_bytes": ("GRADER_MAX_RETURNED_BYTES", "returned-data limit", int, 2**20),
}


def load_limits(flags: dict[str, object] | None = None, environ=None) -> Limits:
    """Limits from defaults, then environment variables, then flags (highest wins).

    ``flags`` maps Limits field names to raw values given on the command line
    (None means "not given").
    """
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for name, (var, human, kind, minimum) in _ENV_LIMITS.items():
        if environ.get(var) not in (None, ""):
            values[name] = _number(environ[var], name=human, source=var, kind=kind,
                                   minimum=minimum)
    for name, raw in (flags or {}).items():
        if raw is None:
            continue
        var, human, kind, minimum = _ENV_LIMITS[name]
        flag = "--" + {"submission_timeout": "timeout", "memory_mb": "memory"}.get(
            name, name.replace("_", "-"))
        values[name] = _number(raw, name=human, source=flag, kind=kind, minimum=minimum)
    return Limits(**values)


def check_sandbox_level(level: str, *, source: str = "--sandbox") -> str:
    if level not in SANDBOX_LEVELS:
        raise ConfigError(
            f"invalid sandbox level {level!r} from {source}: choose one of "
            + ", ".join(SANDBOX_LEVELS))
    return level


def load_deadline(path, *, source: str = "--deadline"):
    """The deadline policy in the TOML file ``path`` (None when not given)."""
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"invalid deadline policy {str(path)!r} from {source}: "
                          + ("it is a folder, not a TOML file" if path.is_dir()
                             else "the file does not exist"))
    from .deadlines import load_policy_file
    return load_policy_file(path)
