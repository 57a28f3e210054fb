"""Which keyword of the student's FullyConnectedNet means "dropout", read from its signature.

Releases of the assignment name it differently: this one (and 2018-2020) ``dropout=1``
(keep probability, 1 = off), 2021 on ``dropout_keep_ratio=1`` (the same meaning), 2016/17
``dropout=0`` (the DROP probability, 0 = off). The suite grades every submission against
this assignment's spec (p is the KEEP probability), so:

- ``dropout_keep_ratio`` is mapped from ``dropout``, with a note: an unambiguous rename;
- ``dropout`` defaulting to 0 is graded as it stands (dropout = p, p the keep probability),
  with a note naming the convention assumed;
- any other mismatch is one failure naming the signature the skeleton defines.

The signature is read in the worker through the code object of ``__init__`` (plain ints
and a tuple of names come back), never by importing anything in the judge.
"""

from __future__ import annotations

import ast

from grader.suites import Failure, shared

FC_NET = "cs231n.classifiers.fc_net"
INIT = f"{FC_NET}:FullyConnectedNet.__init__"
SKELETON = ("FullyConnectedNet(hidden_dims, input_dim=3*32*32, num_classes=10, dropout=1, "
            "normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None)")
NEEDED = ("hidden_dims", "input_dim", "num_classes", "reg", "weight_scale", "dtype", "seed")
KEEP_RATIO = "dropout_keep_ratio"
VARKEYWORDS = 0x08

KEEP_RATIO_NOTE = ("Note: your FullyConnectedNet takes dropout_keep_ratio (the name a later "
                   "release of the assignment uses); it was graded as this assignment's "
                   "dropout (the keep probability, 1 = no dropout).")
DROP_DEFAULT_NOTE = ("Note: your FullyConnectedNet's dropout defaults to 0, as in the 2016/17 "
                     "skeleton where dropout is the DROP probability. This assignment defines "
                     "dropout (and dropout_param['p']) as the KEEP probability, 1 = no dropout, "
                     "and your code was graded in that convention.")


def _read(student):
    """(names, has **kwargs, dropout's default or None): None when it cannot be read."""
    def ask(suffix, *args):
        return lambda: student.call(f"{INIT}.{suffix}", *args)
    try:
        names, argcount, kwonly, flags, count = (
            value for _, value in student.side_by_side([
                ask("__code__.co_varnames.__repr__"), ask("__code__.co_argcount.__int__"),
                ask("__code__.co_kwonlyargcount.__int__"), ask("__code__.co_flags.__int__"),
                ask("__defaults__.__len__")]))
        names = ast.literal_eval(names)
        names = tuple(names[:argcount + kwonly])
        default = None
        positional = names[:argcount]
        if "dropout" in positional and isinstance(count, int):
            index = positional.index("dropout") - (argcount - count)
            if index >= 0:
                default = student.call(f"{INIT}.__defaults__.__getitem__", index)
        return names, bool(flags & VARKEYWORDS), default
    except Exception:  # noqa: BLE001 - an odd __init__ is graded by calling it as it is
        return None


def mapping(student) -> str | None:
    """The keyword to pass the keep probability as: 'dropout' or 'dropout_keep_ratio'.

    Fails once, with the skeleton's signature, when the net takes neither. Adds the note
    (once per submission) that tells the student which convention was assumed.
    """
    if not student.has_fc_net or student.net_unavailable:
        return "dropout"
    return shared(student, ("net-api",), lambda: _decide(student))


def _decide(student) -> str:
    read = _read(student)
    if read is None or not all(isinstance(v, (tuple, bool)) for v in read[:2]):
        return "dropout"
    names, var_keywords, default = read
    if "dropout" in names:
        keyword = "dropout"
        if isinstance(default, (int, float)) and not isinstance(default, bool) and default == 0:
            _note(student, DROP_DEFAULT_NOTE)
    elif KEEP_RATIO in names:
        keyword = KEEP_RATIO
        _note(student, KEEP_RATIO_NOTE)
    elif var_keywords:
        return "dropout"
    else:
        keyword = None
    missing = [n for n in NEEDED if n not in names] if not var_keywords else []
    if keyword is None or missing:
        takes = ", ".join(n for n in names if n != "self")
        raise Failure(f"your FullyConnectedNet.__init__ takes ({takes}); the skeleton defines "
                      f"{SKELETON}. The net checks call it with those keywords: keep their "
                      "names")
    return keyword


def _note(student, text: str) -> None:
    # A "graded" event adds a line to the feedback's summary and never changes the status.
    if ("graded", text) not in student.events:
        student.events.append(("graded", text))


def net_kwargs(student, kwargs: dict) -> dict:
    keyword = mapping(student)
    if keyword == "dropout" or "dropout" not in kwargs:
        return kwargs
    renamed = dict(kwargs)
    renamed[keyword] = renamed.pop("dropout")
    return renamed
