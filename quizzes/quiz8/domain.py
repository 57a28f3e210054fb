"""The dropout domain of Quiz 8: what the words around a formula mean.

Quiz content, loaded by the quiz engine by path (``[domain] module = "domain.py"`` in
quiz.toml). Prose can change what a correct-looking formula means: "p is the dropout
rate" makes ``H = D ⊙ Y / p`` divide by the drop probability, "D is Gaussian" makes it
Gaussian dropout, "a new mask is sampled" in the backward pass breaks it, "inverted
dropout" claimed over ``H = D ⊙ Y`` contradicts it. :func:`read_prose` only reports what
the prose says, sentence by sentence, with negations honoured ("we do NOT resample the
mask"); the engine's verdict decides what follows (``domain.toml``'s
``[[accepted_review]]``), and sends contradictions to a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from grader.quiz.prose import affirmed as _affirmed
from grader.quiz.prose import claimed
from grader.quiz.prose import sentences as _sentences

_CLAUSE = re.compile(r",|，|\bwhile\b|\bwhereas\b|\bbut\b|\band\b|、")
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


_FLAGS = {"complement": "drop_convention", "inverted": "inverted_claim",
          "vanilla": "vanilla_claim", "matmul": "matmul_claim",
          "elementwise": "elementwise_claim"}


@dataclass(frozen=True)
class DropoutFacts:
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

    def says(self, flag: str) -> bool:
        """What the engine asks: ``complement`` (p defined as the drop probability,
        so the formula is read with 1 - p), ``scaled_mask``, ``matmul``,
        ``elementwise``, and the flags domain.toml's rules name."""
        return bool(getattr(self, _FLAGS.get(flag, flag), False))

    def inherit(self, earlier: DropoutFacts) -> DropoutFacts:
        """Facts of a later answer (Q2) default to those of an earlier one (Q1)."""
        said = self.drop_convention or self.keep_convention
        return DropoutFacts(
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


def read_prose(prose: str) -> DropoutFacts:
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
                m = claimed(sentence, rule)
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
    return DropoutFacts(
        drop_convention=drop and not keep, keep_convention=keep and not drop,
        gaussian=found["gaussian"] and not found["bernoulli"],
        bernoulli=found["bernoulli"], inverted_claim=found["inverted"],
        vanilla_claim=found["vanilla"], redraw=found["redraw"],
        scaled_mask=bool(_SCALED.search(prose)), matmul_claim=found["matmul"],
        elementwise_claim=found["elementwise"], aliases=aliases, quotes=quotes)


# ---------------------------------------------------------------- Q4, the code question
# The engine runs the student's function in the sandbox on code_inputs(...) for every
# (pad, stride) of the question's configs and compares with code_reference(...).
def code_inputs(settings: dict, seed: int, k: int) -> tuple:
    """Seeded x, w, b of shapes (N, C, H, W), (F, C, HH, WW), (F,) for run ``k``."""
    import numpy as np

    rng = np.random.default_rng(seed * 1000 + k)
    x = rng.standard_normal(tuple(settings.get("x_shape", (2, 3, 7, 8))))
    w = rng.standard_normal(tuple(settings.get("w_shape", (4, 3, 3, 2))))
    b = rng.standard_normal(w.shape[0])
    return x, w, b


def reference_conv(x, w, b, pad: int, stride: int, *, flip: bool = False,
                   bias: bool = True):
    """The naive convolution layer forward (cross-correlation unless ``flip``).

    It is the conv assignment's reference, ``conv_forward_naive`` of the reference
    ``cs231n`` package (solutions/), so the quiz and the assignment can never disagree on
    what a convolution is. ``flip`` and ``bias=False`` feed it the two classic near misses
    (a flipped kernel, a forgotten bias) for the feedback.
    """
    import numpy as np

    from grader.run.proxy import reference_package  # solutions/ only when needed

    x, w, b = (np.asarray(a, dtype=np.float64) for a in (x, w, b))
    if flip:
        w = w[:, :, ::-1, ::-1]
    if not bias:
        b = np.zeros_like(b)
    out, _ = reference_package().layers.conv_forward_naive(
        x, w, b, {"stride": stride, "pad": pad})
    return out


def code_reference(settings: dict, args: tuple, config: tuple, *, variant: str = ""):
    """The right output, or a named near miss's (``settings.near_misses``)."""
    x, w, b = args
    pad, stride = config
    return reference_conv(x, w, b, pad, stride, flip=variant == "code_flipped",
                          bias=variant != "code_no_bias")


def code_diagnose(settings: dict, config: tuple):
    """A wrong output that no near miss explains: what the (pad, stride) points at."""
    pad, stride = config
    if stride > 1:
        return "code_stride", {"stride": stride}
    if pad > 0:
        return "code_pad", {"pad": pad}
    return None
