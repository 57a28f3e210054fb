"""Definitions read from the prose around the formulas.

Prose can change what a correct-looking formula means: "p is the dropout rate" makes
``H = D ⊙ Y / p`` divide by the drop probability, "D is Gaussian" makes it Gaussian
dropout, "a new mask is sampled" in the backward pass breaks it, "inverted dropout"
claimed over ``H = D ⊙ Y`` contradicts it. This module only reports what the prose says,
sentence by sentence, with negations honoured ("we do NOT resample the mask"); the
verdict decides what follows, and sends contradictions to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SENTENCE = re.compile(r"(?<=[.;!?。；！？])\s+|\n+|(?<=[。；])")
_CLAUSE = re.compile(r",|，|\bwhile\b|\bwhereas\b|\bbut\b|\band\b|、")
_NEGATION = re.compile(r"\b(not|no|never|n't|without|instead of|rather than|unlike)\b|不|没有|无需",
                       re.IGNORECASE)
_P = re.compile(r"(?<![\w\-−/])(?<!1 - )(?<!1- )(?<!1 −)\$?\bp\b(?!\s*[-−]\s*1)(?![\w(_])")
_DROP = re.compile(r"\bdrop(?:ped|ping|s)?\b|\bdropout\s+(?:rate|prob\w*|ratio)|"
                   r"\bzero(?:ed|ing)?\b|\bdeactivat\w*|\bturn(?:ed)? off|\bremov\w*|"
                   r"\bkill\w*|丢弃|失活|置零", re.IGNORECASE)
_KEEP = re.compile(r"\bkeep\w*|\bkept\b|\bretain\w*|\bretention\b|\bsurviv\w*|\bpreserv\w*|"
                   r"\bactive\b|保留|保持", re.IGNORECASE)
_GAUSS = re.compile(r"\bgaussian\b|\bnormal(?:ly)?\s+distribut\w*|\bnormal\s+noise|"
                    r"\bN\(\s*[01]|\\mathcal\{N\}|\brandn\b|高斯|正态", re.IGNORECASE)
_BERN = re.compile(r"\bbern\w*|\bbinomial\b|伯努利", re.IGNORECASE)
_INVERTED = re.compile(r"\binvert(?:ed)?\b|\binverse\s+dropout\b|反向\s*dropout", re.IGNORECASE)
_VANILLA = re.compile(r"\bvanilla\b|\bstandard dropout\b|\boriginal dropout\b|"
                      r"\bnon-inverted\b|\bnot inverted\b|\bplain dropout\b", re.IGNORECASE)
_REDRAW = re.compile(r"\b(?:new|another|fresh|different|independent|second|separate)\s+"
                     r"(?:\S+\s+){0,2}?(?:mask|sample|draw)|\bre-?(?:sampl|draw|"
                     r"generat|roll)\w*|\bsample\w*\s+(?:a\s+)?(?:new|again)|"
                     r"\b(?:sampl|drawn?\b|generat)\w*\s+(?:\w+\s+){0,3}?(?:in|during|for)\s+"
                     r"(?:the\s+)?backward|重新(?:采样|生成)|新的\s*mask", re.IGNORECASE)
_SAME_MASK = re.compile(r"\bsame\s+(?:\w+\s+)?mask\b|\b(?:cached|saved|stored)\s+(?:\w+\s+)?mask|"
                        r"\bmask\s+(?:from|of)\s+(?:the\s+)?forward", re.IGNORECASE)
# "the same as vanilla", "unlike inverted dropout": a form named to compare, not claimed.
_COMPARED = re.compile(r"(?:\bunlike|\bthan|\bas|\blike|\bvs\.?|\bversus|\bcompared\s+(?:to|with)|"
                       r"\binstead\s+of|\brather\s+than|\bfrom|\bwith|\bto)\s+(?:the\s+|a\s+|in\s+|"
                       r"for\s+)?$", re.IGNORECASE)
_MATMUL_WORDS = re.compile(r"\bmatrix\s+(?:product|multiplication|multiply)|\bdot\s+product|"
                           r"\bmatmul\b|矩阵乘", re.IGNORECASE)
_ELEMENTWISE = re.compile(r"\b(?:element|entry|point)[- ]?wise\b|\bhadamard\b|逐元素",
                          re.IGNORECASE)
_NAME = r"\$?\\?(?:mathbf\{)?([A-Za-z][A-Za-z0-9_]{0,14})\}?\$?"
_COPULA = r"\s+(?:is|denotes|represents|means|stands for|=|:|为|是)\s+(?:the\s+|a\s+|an\s+|our\s+)?"
_ALIAS_RULES = (
    (re.compile(_NAME + _COPULA + r"(?:[\w-]+\s+){0,3}?mask\b", re.IGNORECASE), "mask"),
    (re.compile(_NAME + _COPULA + r"(?:\w+\s+){0,2}?(?:upstream|incoming|output|"
                r"back-?propagated)\s+(?:gradient|derivative)", re.IGNORECASE), "upstream"),
    (re.compile(_NAME + _COPULA + r"(?:gradient|derivative)\s+(?:of|from|w\.?r\.?t\.?)\s+"
                r"(?:the\s+)?(?:output|next layer|upper layer|loss with respect to the output)",
                re.IGNORECASE), "upstream"),
    (re.compile(_NAME + _COPULA + r"(?:keep|retain)\w*\s+prob", re.IGNORECASE), "keep"),
)
_NOT_NAMES = {"it", "this", "that", "which", "there", "here", "what", "where", "and", "is",
              "the", "a", "an", "mask", "p", "we", "i", "output", "input", "gradient"}
_SCALED = re.compile(r"1\s*/\s*p\s+with\s+prob", re.IGNORECASE)


@dataclass(frozen=True)
class ProseFacts:
    drop_convention: bool = False
    keep_convention: bool = False
    gaussian: bool = False
    bernoulli: bool = False
    inverted_claim: bool = False
    vanilla_claim: bool = False
    redraw: bool = False
    scaled_mask: bool = False
    matmul_claim: bool = False  # the words call the product a matrix product
    elementwise_claim: bool = False
    aliases: dict[str, str] = field(default_factory=dict)  # name -> mask | upstream | keep
    quotes: dict[str, str] = field(default_factory=dict)  # fact -> the sentence it came from

    def inherit(self, earlier: ProseFacts) -> ProseFacts:
        """Facts of a later answer (Q2) default to those of an earlier one (Q1)."""
        said = self.drop_convention or self.keep_convention
        return ProseFacts(
            drop_convention=self.drop_convention if said else earlier.drop_convention,
            keep_convention=self.keep_convention if said else earlier.keep_convention,
            gaussian=self.gaussian or (earlier.gaussian and not self.bernoulli),
            bernoulli=self.bernoulli or earlier.bernoulli,
            inverted_claim=self.inverted_claim, vanilla_claim=self.vanilla_claim,
            redraw=self.redraw, scaled_mask=self.scaled_mask or earlier.scaled_mask,
            matmul_claim=self.matmul_claim, elementwise_claim=self.elementwise_claim,
            aliases={**earlier.aliases, **self.aliases},
            quotes={**{k: v for k, v in earlier.quotes.items() if k in (
                "drop_convention", "keep_convention", "gaussian")}, **self.quotes})


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _affirmed(sentence: str, match: re.Match) -> bool:
    """True unless a negation comes shortly before the match in its sentence."""
    before = sentence[max(0, match.start() - 40):match.start()]
    return not _NEGATION.search(before)


def _claimed(sentence: str, rule: re.Pattern) -> re.Match | None:
    """The first mention that claims the form: affirmed and not only named to compare
    ("this is inverted dropout, so the gradient is the same as vanilla" claims inverted)."""
    for m in rule.finditer(sentence):
        if _affirmed(sentence, m) and not _COMPARED.search(sentence[max(0, m.start() - 30):
                                                                     m.start()]):
            return m
    return None


def _convention(sentences: list[str]) -> tuple[bool, bool, str, str]:
    drop_quote = keep_quote = ""
    for sentence in sentences:
        for clause in _CLAUSE.split(sentence):
            if not _P.search(clause):
                continue
            drop, keep = _DROP.search(clause), _KEEP.search(clause)
            if drop and not keep and _affirmed(clause, drop):
                drop_quote = drop_quote or sentence
            elif keep and not drop and _affirmed(clause, keep):
                keep_quote = keep_quote or sentence
    return bool(drop_quote), bool(keep_quote), drop_quote, keep_quote


def read_prose(prose: str) -> ProseFacts:
    """What the prose of one answer section says about the formula's meaning."""
    sentences = _sentences(prose)
    drop, keep, drop_q, keep_q = _convention(sentences)
    quotes: dict[str, str] = {}
    if drop:
        quotes["drop_convention"] = drop_q
    if keep:
        quotes["keep_convention"] = keep_q
    found = {"gaussian": False, "inverted": False, "vanilla": False, "redraw": False,
             "bernoulli": False, "matmul": False, "elementwise": False}
    rules = (("gaussian", _GAUSS), ("inverted", _INVERTED), ("vanilla", _VANILLA),
             ("redraw", _REDRAW), ("bernoulli", _BERN), ("matmul", _MATMUL_WORDS),
             ("elementwise", _ELEMENTWISE))
    for sentence in sentences:
        same = _SAME_MASK.search(sentence)
        if same and not _affirmed(sentence, same):
            # "D is not the same mask as in the forward pass": a different mask.
            if not found["redraw"]:
                quotes["redraw"] = sentence
            found["redraw"] = True
        for key, rule in rules:
            if key in ("inverted", "vanilla"):
                m = _claimed(sentence, rule)
            else:
                m = rule.search(sentence)
            if m and _affirmed(sentence, m):
                if key == "redraw" and same:
                    continue
                if not found[key]:
                    quotes[key] = sentence
                found[key] = True
    if found["inverted"] and found["vanilla"]:
        # "vanilla or inverted dropout" claims both: claims neither. (A form only named
        # to compare, "unlike vanilla dropout", is no claim; see _claimed.)
        found["inverted"] = found["vanilla"] = False
    aliases: dict[str, str] = {}
    for rule, meaning in _ALIAS_RULES:
        for m in rule.finditer(prose):
            name = m.group(1)
            if name.lower() not in _NOT_NAMES:
                aliases.setdefault(name, meaning)
    return ProseFacts(
        drop_convention=drop and not keep, keep_convention=keep and not drop,
        gaussian=found["gaussian"] and not found["bernoulli"],
        bernoulli=found["bernoulli"], inverted_claim=found["inverted"],
        vanilla_claim=found["vanilla"], redraw=found["redraw"],
        scaled_mask=bool(_SCALED.search(prose)), matmul_claim=found["matmul"],
        elementwise_claim=found["elementwise"], aliases=aliases, quotes=quotes)
