"""Helpers for judge tests: reference sources and a slot that records and injects faults."""

from __future__ import annotations

from pathlib import Path

from grader.run.errors import LimitExceeded, WorkerCrashed
from grader.run.local_session import LocalSlot, many_in_turn

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "solutions" / "assignments" / "dropout" / "suite"
REFERENCE = ROOT / "solutions" / "cs231n"
REFERENCE_LAYERS = (REFERENCE / "layers.py").read_text(encoding="utf-8")
REFERENCE_NET = (REFERENCE / "classifiers" / "fc_net.py").read_text(encoding="utf-8")
_FORWARD = "def dropout_forward(x, dropout_param):\n"


def layers_with_prelude(prelude: str) -> str:
    """The reference layers.py whose dropout_forward first runs ``prelude`` (indented)."""
    assert REFERENCE_LAYERS.count(_FORWARD) == 1
    body = "".join(f"    {line}\n" for line in prelude.splitlines())
    return REFERENCE_LAYERS.replace(_FORWARD, _FORWARD + body)


class FaultySession:
    """A LocalSession that raises what ``fault(op, target)`` returns, and logs its life."""

    def __init__(self, inner, name: str, fault, log: list) -> None:
        self.inner, self.name, self.fault, self.log = inner, name, fault, log

    def _check(self, op: str, target: str) -> None:
        error = self.fault(op, target) if self.fault else None
        if error is not None:
            raise error

    def import_module(self, name):
        self._check("import", name)
        return self.inner.import_module(name)

    def call(self, target, *args, **kwargs):
        self._check("call", target)
        return self.inner.call(target, *args, **kwargs)

    def call_holding(self, target, positions, *args, **kwargs):
        self._check("call", target)
        return self.inner.call_holding(target, positions, *args, **kwargs)

    def new(self, target, *args, **kwargs):
        self._check("new", target)
        return self.inner.new(target, *args, **kwargs)

    def call_method(self, handle, name, *args, **kwargs):
        self._check("method", name)
        return self.inner.call_method(handle, name, *args, **kwargs)

    def get_attr(self, handle, name):
        return self.inner.get_attr(handle, name)

    def set_attr(self, handle, name, value):
        return self.inner.set_attr(handle, name, value)

    def set_item(self, handle, attr, key, value):
        return self.inner.set_item(handle, attr, key, value)

    def many(self, operations):
        return many_in_turn(self, operations)

    def output(self):
        return self.inner.output()

    def close(self):
        self.log.append(("close", self.name))
        self.inner.close()


class RecordingSlot(LocalSlot):
    """Logs every open and close; ``faults`` maps a student to fault(op, target)."""

    level = "recording"

    def __init__(self, faults: dict | None = None, broken: set | None = None) -> None:
        super().__init__()
        self.faults = faults or {}
        self.broken = broken or set()
        self.log: list[tuple[str, str]] = []

    def open(self, staged: Path):
        name = Path(staged).name
        self.log.append(("open", name))
        if name in self.broken:
            raise RuntimeError("the slot itself failed")
        return FaultySession(super().open(staged), name, self.faults.get(name), self.log)


def wall_limit(op, target):
    if target.endswith("dropout_backward"):
        return LimitExceeded("wall time per call (20 s)", "dropout_backward did not return")
    return None


def memory_limit(op, target):
    if target.endswith("dropout_backward"):
        return LimitExceeded("memory (2048 MB)", "allocation failed")
    return None


def crash_once(state: dict):
    def fault(op, target):
        if target.endswith("dropout_backward") and not state.get("crashed"):
            state["crashed"] = True
            return WorkerCrashed("killed by signal 11 (segmentation fault)")
        return None
    return fault
