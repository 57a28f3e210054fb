"""Which keyword of the student's FullyConnectedNet means "dropout", read from its signature.

Releases of the assignment name it differently: this one (and 2018-2020) ``dropout=1``
(keep probability, 1 = off), 2021 on ``dropout_keep_ratio=1`` (the same meaning), 2016/17
``dropout=0`` (the DROP probability, 0 = off). The suite grades every submission against
this assignment's spec (p is the KEEP probability), so:

- ``dropout_keep_ratio`` is mapped from ``dropout``, with a note: an unambiguous rename;
- ``dropout`` defaulting to 0 is the 2016/17 API, where dropout is the DROP probability
  and 0 means off: it is given 1 - p (so "no dropout" is dropout = 0), with a note;
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
                     "skeleton where dropout is the DROP probability (0 = no dropout). It was "
                     "graded in that convention: your net was built with dropout = 1 - the "
                     "keep probability, and every dropout value in the messages below is the "
                     "keep probability (1 = no dropout).")


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


def mapping(student) -> tuple[str, bool]:
    """(the keyword to pass dropout as, whether the net takes the DROP probability).

    The keyword is 'dropout' or 'dropout_keep_ratio'. Fails once, with the skeleton's
    signature, when the net takes neither. Adds the note (once per submission) that tells
    the student which convention was assumed.
    """
    if not student.has_fc_net or student.net_unavailable:
        return "dropout", False
    return shared(student, ("net-api",), lambda: _decide(student))


def given(student, keep: float) -> float:
    """What the student's net was given for keep probability ``keep``."""
    return 1.0 - keep if mapping(student)[1] else keep


def _decide(student) -> tuple[str, bool]:
    read = _read(student)
    if read is None or not all(isinstance(v, (tuple, bool)) for v in read[:2]):
        return "dropout", False
    names, var_keywords, default = read
    drop_api = False
    if "dropout" in names:
        keyword = "dropout"
        if isinstance(default, (int, float)) and not isinstance(default, bool) and default == 0:
            drop_api = True
            note(student, DROP_DEFAULT_NOTE)
    elif KEEP_RATIO in names:
        keyword = KEEP_RATIO
        note(student, KEEP_RATIO_NOTE)
    elif var_keywords:
        return "dropout", False
    else:
        keyword = None
    missing = [n for n in NEEDED if n not in names] if not var_keywords else []
    if keyword is None or missing:
        takes = ", ".join(n for n in names if n != "self")
        raise Failure(f"your FullyConnectedNet.__init__ takes ({takes}); the skeleton defines "
                      f"{SKELETON}. The net checks call it with those keywords: keep their "
                      "names")
    return keyword, drop_api


def note(student, text: str) -> None:
    # A "graded" event adds a line to the feedback's summary and never changes the status.
    if ("graded", text) not in student.events:
        student.events.append(("graded", text))


def net_kwargs(student, kwargs: dict) -> dict:
    keyword, drop_api = mapping(student)
    if "dropout" not in kwargs:
        return kwargs
    renamed = dict(kwargs)
    value = renamed.pop("dropout")
    renamed[keyword] = 1.0 - value if drop_api else value
    return renamed
