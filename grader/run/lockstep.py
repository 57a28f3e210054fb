"""Independent pieces of a check run side by side, their calls into the worker batched.

A round trip to the worker costs far more than the numpy a hidden test does around it, and
most checks make several calls that do not depend on each other: the three losses of a
directional gradient check, the four keep probabilities of a statistics check. Written one
after the other they cost one round trip each.

:func:`side_by_side` runs each function in its own greenlet (a lane). A lane that calls the
student's code is parked at that call; once every unfinished lane is parked, all their
calls go to the worker as one batch (:meth:`WorkerSession.many`, which gives each call the
verdict it would get alone), in a fixed order, and each lane resumes with its own result or
its own failure raised at its call. The code of a lane reads as if it ran alone, and the
order of calls, hence any random stream the student's code draws from, is the same on every
run. A lane may itself run functions side by side: they join the same batches.

Greenlets, not threads: one lane runs at a time and switches only at those calls, so the
suites' shared state needs no locks and nothing depends on a scheduler.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import greenlet


class _Lane:
    """What a function running side by side sees as the worker session."""

    def __init__(self, run: _Run, path: tuple[int, ...]) -> None:
        self.run, self.path, self.session = run, path, run.session

    def _park(self, name: str, args: tuple, kwargs: dict):
        return self.run.hub.switch(("call", (name, args, kwargs)))

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


class _Run:
    """The hub: starts lanes, batches their parked calls, resumes them."""

    def __init__(self, session) -> None:
        self.session = session
        self.hub = greenlet.getcurrent()
        self.parked: dict[tuple[int, ...], tuple[greenlet.greenlet, tuple]] = {}
        self.lanes: list[greenlet.greenlet] = []

    def spawn(self, functions, path: tuple[int, ...], done: Callable[[list], None]) -> None:
        """Start one lane per function; ``done(outcomes)`` once all of them have ended."""
        outcomes: list = [None] * len(functions)
        left = [len(functions)]
        if not functions:
            done(outcomes)
            return

        def finished(index: int, outcome) -> None:
            outcomes[index] = outcome
            left[0] -= 1
            if not left[0]:
                done(outcomes)

        for index, function in enumerate(functions):
            lane = greenlet.greenlet(_finished(function), parent=self.hub)
            lane.lane = _Lane(self, (*path, index))
            lane.finished = lambda outcome, index=index: finished(index, outcome)
            self.lanes.append(lane)
            self.step(lane)  # its first switch starts it: run() gets the value, None

    def step(self, lane, value=None, error: BaseException | None = None) -> None:
        """Let ``lane`` run until it parks at a call, starts lanes of its own, or ends."""
        kind, payload = lane.throw(error) if error is not None else lane.switch(value)
        if kind == "call":
            self.parked[lane.lane.path] = (lane, payload)
        elif kind == "nest":
            self.spawn(payload, lane.lane.path, lambda outcomes: self.step(lane, outcomes))
        else:
            lane.finished(payload)

    def batches(self) -> None:
        while self.parked:
            order = sorted(self.parked)  # depth first, in the order the functions were given
            waiting = [self.parked.pop(path) for path in order]
            results = self.session.many([operation for _, operation in waiting])
            for (lane, _), result in zip(waiting, results):
                if isinstance(result, BaseException):
                    self.step(lane, error=result)
                else:
                    self.step(lane, result)


def session_for(session):
    """The session code should use here: a lane's stand-in inside :func:`side_by_side`."""
    lane = getattr(greenlet.getcurrent(), "lane", None)
    return lane if lane is not None and lane.session is session else session


def side_by_side(session, functions: Sequence[Callable[[], object]]) -> list[tuple[bool, object]]:
    """Run ``functions`` with their calls on ``session`` batched; ``(True, value)`` or
    ``(False, exception)`` for each, in order. A failure of one never stops the others.

    Inside a lane the functions become lanes of the same run, so their calls join its
    batches; a single function outside any run simply runs.
    """
    lane = getattr(greenlet.getcurrent(), "lane", None)
    if lane is not None and lane.session is session:
        return lane.run.hub.switch(("nest", list(functions)))
    if len(functions) <= 1:
        return [_outcome(function) for function in functions]
    run = _Run(session)
    result: list = []
    try:
        run.spawn(list(functions), (), result.extend)
        run.batches()
    finally:
        for each in run.lanes:  # only after an error of our own: end them where they are parked
            if not each.dead:
                each.throw(greenlet.GreenletExit)
    return result


def _finished(function):
    def run(_=None):
        return "done", _outcome(function)
    return run


def _outcome(function) -> tuple[bool, object]:
    try:
        return True, function()
    except Exception as error:  # noqa: BLE001 - each function's failure is its own result
        return False, error
