"""Late penalty rules: a percentage per started hour or day up to a cap, or zero.

Lateness is real elapsed time from the due date, so a daylight-saving change in between
neither adds nor removes an hour. Every *started* hour or day counts in full: 1 second late is
one hour (or one day) late, 24 h 0 min 1 s is two days. The percentage is taken from the
student's score, so 10 % of 8 points is 0.8 points.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

UNITS = {"hour": 3600, "day": 86400}


@dataclass(frozen=True)
class Penalty:
    per: str = "day"  # "hour" | "day"
    percent: float = 0.0  # deducted per started unit
    cap: float = 100.0  # the most ever deducted, in percent
    zero: bool = False  # late work scores zero

    def units(self, late: timedelta) -> int:
        """Started hours or days in ``late``."""
        return max(0, math.ceil(late.total_seconds() / UNITS[self.per] - 1e-9))

    def deduction(self, late: timedelta) -> float:
        """Percent of the score taken for being ``late`` (after the grace period)."""
        if late <= timedelta(0):
            return 0.0
        if self.zero:
            return 100.0
        return min(self.units(late) * self.percent, self.cap)

    def penalised(self, score: float, late: timedelta) -> float:
        return round(score * (1.0 - self.deduction(late) / 100.0), 4)

    def describe(self) -> str:
        if self.zero:
            return "late work scores zero"
        text = f"{self.percent:g} % per started {self.per}"
        return text + (f", cap {self.cap:g} %" if self.cap < 100 else "")


def parse_penalty(raw, *, fail) -> Penalty:
    """``"zero"``, ``"none"`` or ``{per = "day"|"hour", percent = 10, cap = 50}``."""
    if raw is None or raw == "none":
        return Penalty(percent=0.0)
    if raw == "zero":
        return Penalty(zero=True)
    if not isinstance(raw, dict):
        fail(f'{raw!r} is not a penalty (expected "zero", "none" or '
             '{ per = "day", percent = 10, cap = 50 })')
    unknown = sorted(set(raw) - {"per", "percent", "cap"})
    if unknown:
        fail(f"unknown key {unknown[0]!r} (expected per, percent and cap)")
    per = raw.get("per")
    if per not in UNITS:
        fail(f'per = {per!r}: expected "hour" or "day"')
    percent = _percent(raw.get("percent"), "percent", fail, required=True)
    cap = _percent(raw.get("cap", 100), "cap", fail, required=False)
    if percent == 0:
        fail('percent = 0 deducts nothing; write penalty = "none" if that is meant')
    return Penalty(per=per, percent=percent, cap=cap)


def _percent(raw, key, fail, *, required: bool) -> float:
    if raw is None and required:
        fail(f"{key} is missing (expected a number of percent, e.g. {key} = 10)")
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        fail(f"{key} = {raw!r}: expected a number of percent between 0 and 100")
    if not 0 <= raw <= 100:
        fail(f"{key} = {raw!r}: expected a number of percent between 0 and 100")
    return float(raw)
