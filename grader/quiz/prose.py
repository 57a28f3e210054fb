"""Facts read from the prose around the formulas, and the generic tools to read them.

Prose can change what a correct-looking formula means ("p is the drop rate", "a new
mask is sampled", "this is the transposed form"). Which words mean what belongs to a
subject, so the reading itself is a domain's hook (``read_prose(text)`` in the quiz's
domain module, :mod:`grader.quiz.domain`); this module holds what every such reader
needs: sentences, negations ("we do NOT resample"), a form named only to compare ("the
same as vanilla") told from a claim, and the facts' contract. A quiz without a prose
reader reads no facts: its formulas mean what they say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SENTENCE = re.compile(r"(?<=[.;!?。；！？])\s+|\n+|(?<=[。；])")
NEGATION = re.compile(r"\b(not|no|never|n't|without|instead of|rather than|unlike)\b|不|没有|无需",
                      re.IGNORECASE)
# "the same as the first form", "unlike the other form": named to compare, not claimed.
COMPARED = re.compile(r"(?:\bunlike|\bthan|\bas|\blike|\bvs\.?|\bversus|\bcompared\s+(?:to|with)|"
                      r"\binstead\s+of|\brather\s+than|\bfrom|\bwith|\bto)\s+(?:the\s+|a\s+|in\s+|"
                      r"for\s+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class ProseFacts:
    """Facts of an answer's words. A domain's reader returns its own class with the
    same three members: ``says(flag)``, ``aliases`` (name -> mask | upstream | keep),
    ``quotes`` (flag -> the sentence it came from), and ``inherit(earlier)``. Flags the
    engine itself asks about: ``complement`` (the probability is defined as its
    complement), ``scaled_mask``, ``matmul``, ``elementwise``, ``redraw``."""

    flags: frozenset[str] = frozenset()
    aliases: dict[str, str] = field(default_factory=dict)
    quotes: dict[str, str] = field(default_factory=dict)

    def says(self, flag: str) -> bool:
        return flag in self.flags

    def inherit(self, earlier) -> ProseFacts:
        return ProseFacts(self.flags, {**earlier.aliases, **self.aliases}, self.quotes)


def read_prose(question, prose: str):
    """The facts ``prose`` states, read by the question's domain (none without one)."""
    reader = question.domain.hook("read_prose")
    return reader(prose) if reader is not None else ProseFacts()


def empty_facts(question):
    """The facts of an answer that says nothing, in the domain's own class."""
    return read_prose(question, "")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE.split(text) if s and s.strip()]


def affirmed(sentence: str, match: re.Match) -> bool:
    """True unless a negation comes shortly before the match in its sentence."""
    before = sentence[max(0, match.start() - 40):match.start()]
    return not NEGATION.search(before)


def claimed(sentence: str, rule: re.Pattern) -> re.Match | None:
    """The first mention that claims the form: affirmed and not only named to compare
    ("this is form A, so the result is the same as form B" claims A only)."""
    for m in rule.finditer(sentence):
        if affirmed(sentence, m) and not COMPARED.search(sentence[max(0, m.start() - 30):
                                                                  m.start()]):
            return m
    return None
