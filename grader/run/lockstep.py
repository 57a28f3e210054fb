"""Independent pieces of a check run side by side, their calls into the worker batched.

A round trip to the worker costs far more than the numpy a hidden test does around it, and
most checks make several calls that do not depend on each other: the three losses of a
directional gradient check, the four keep probabilities of a statistics check. Written one
after the other they cost one round trip each.

:func:`side_by_side` runs each function in its own greenlet. A function that calls the
student's code is parked at that call; once every unfinished function is parked, all their
calls go to the worker as one batch (:meth:`WorkerSession.many`), in the order the functions
were given, and each function resumes with its own result or its own failure raised at its
call. The code of a function reads as if it ran alone, and the order of calls, hence any
random stream the student's code draws from, is the same on every run.

Greenlets, not threads: one function runs at a time and switches only at those calls, so
the suites' shared state needs no locks and nothing depends on a scheduler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import greenlet


class _Lane:
    """What a function running side by side sees as the worker session."""

    def __init__(self, session, hub: greenlet.greenlet) -> None:
        self.session, self._hub = session, hub

    def _park(self, name: str, args: tuple, kwargs: dict):
        return self._hub.switch(("call", (name, args, kwargs)))

    def call(self, target, *args, **kwargs):
        return self._park("call", (target, *args), kwargs)

    def call_holding(self, target, positions, *args, **kwargs):
        return self._park("call_holding", (target, positions, *args), kwargs)

    def new(self, target, *args, **kwargs):
        return self._park("new", (target, *args), kwargs)

    def call_method(self, handle, name, *args, **kwargs):
        return self._park("call_method", (handle, name, *args), kwargs)

    def get_attr(self, handle, name):
        return self._park("get_attr", (handle, name), {})

    def set_attr(self, handle, name, value):
        return self._park("set_attr", (handle, name, value), {})

    def set_item(self, handle, attr, key, value):
        return self._park("set_item", (handle, attr, key, value), {})


def session_for(session):
    """The session code should use here: a lane's stand-in inside :func:`side_by_side`."""
    lane = getattr(greenlet.getcurrent(), "lane", None)
    return lane if lane is not None and lane.session is session else session


def side_by_side(session, functions: Sequence[Callable[[], object]]) -> list[tuple[bool, object]]:
    """Run ``functions`` with their calls on ``session`` batched; ``(True, value)`` or
    ``(False, exception)`` for each, in order. A failure of one never stops the others.

    Nested inside another side-by-side run, or for a single function, they simply run in
    turn: the batching then belongs to the outer run.
    """
    if len(functions) <= 1 or getattr(greenlet.getcurrent(), "lane", None) is not None:
        return [_outcome(function) for function in functions]
    hub = greenlet.getcurrent()
    lanes = []
    for function in functions:
        lane = greenlet.greenlet(_finished(function), parent=hub)
        lane.lane = _Lane(session, hub)
        lanes.append(lane)
    outcomes: list = [None] * len(lanes)
    parked: dict[int, tuple] = {}

    def resume(index: int, value=None, error: BaseException | None = None) -> None:
        lane = lanes[index]
        kind, payload = lane.throw(error) if error is not None else lane.switch(value)
        if kind == "done":
            outcomes[index] = payload
        else:
            parked[index] = payload

    try:
        for index in range(len(lanes)):
            resume(index)  # its first switch starts it: run() gets the value, None
        while parked:
            order = sorted(parked)
            results = session.many([parked.pop(index) for index in order])
            for index, result in zip(order, results):
                if isinstance(result, BaseException):
                    resume(index, error=result)
                else:
                    resume(index, result)
    finally:
        for lane in lanes:  # only after an error of our own: end them where they are parked
            if not lane.dead:
                lane.throw(greenlet.GreenletExit)
    return outcomes


def _finished(function):
    def run(_=None):
        return "done", _outcome(function)
    return run


def _outcome(function) -> tuple[bool, object]:
    try:
        return True, function()
    except Exception as error:  # noqa: BLE001 - each function's failure is its own result
        return False, error
