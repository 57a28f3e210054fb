"""Passes of a FullyConnectedNet, run side by side: what the net tests gather before checking.

A pass is a function of a net: a training loss with its gradients, the test-time scores,
a look at ``dropout_param``. :func:`on_nets` runs groups of passes, each group on nets from
its own ``make_net``, with their calls into the student's code batched (see
``grader.run.lockstep``).
"""

from __future__ import annotations

from grader.suites import about

from . import data, netapi


def make_net(student, case, *, dropout, seed):
    """The student's net (or the reference net wired to their layers) with the case's
    parameters."""
    net = student.make_net(**netapi.net_kwargs(student, case.kwargs(dropout=dropout, seed=seed)))
    data.set_params(net, case.params)
    return net


def train_pass(case, params=None):
    """A pass: (loss, grads) at ``params`` (the case's by default), gradients checked."""
    def step(net):
        if params is not None:
            data.set_params(net, params)
        loss, grads = data.train_loss(net, case.X, case.y)
        return loss, data.check_grads_match_params(grads, case.params)
    return step


def scores_pass(case):
    """A pass: the test-time scores, loss(X)."""
    return lambda net: data.scores(net, case.X, case.num_classes)


def shifted(params: dict, direction: dict, step: float) -> dict:
    return {k: v + step * direction[k] for k, v in params.items()}


def on_nets(student, *groups) -> list:
    """Run each group ``(context, make, passes)``: the passes (functions of a net) in order.

    One outcome per group (see ``value_of``): the list of what its passes returned, or its
    first failure, prefixed with its context. All groups go to the worker side by side. A
    student's own net may keep state between passes (the notebook checks one model), so its
    passes share one net, in order. The reference net keeps none (what the student's layers
    do to dropout_param stays in the worker), so there each pass gets a fresh net and goes
    to the worker alongside the others: 4 round trips for any number of training passes.
    """
    def lane(context, make, passes):
        def run():
            with about(context):
                net = make()
                return [step(net) for step in passes]
        return run

    spans, lanes = [], []
    for context, make, passes in groups:
        split = [passes] if student.has_fc_net else [[step] for step in passes]
        spans.append((len(lanes), len(split)))
        lanes += [lane(context, make, part) for part in split]
    outcomes = student.side_by_side(lanes)
    joined = []
    for start, count in spans:
        mine = outcomes[start:start + count]
        failed = next((outcome for outcome in mine if not outcome[0]), None)
        joined.append(failed or (True, [value for _, values in mine for value in values]))
    return joined
