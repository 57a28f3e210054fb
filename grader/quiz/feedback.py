"""Every message a student (or a reviewer) reads, in one place.

:func:`message` maps a mistake key to its text: the question's ``[questions.messages]``,
else its domain's ``[messages]`` (merged into the question when the quiz is loaded),
else the generic default here, which names no subject. :func:`diagnose` names what is wrong with a formula
that matched no listed form, from the structure of its reading.
"""

from __future__ import annotations

import sympy as sp

from .model import Question
from .normalize import GAUSS, GAUSS_LT
from .symbols import BERN, MATMUL

DEFAULTS: dict[str, str] = {
    # reading
    "missing": "No answer was found for this question.",
    "parse_error": "The checker could not read part of your answer: {error}",
    "no_formula": "No formula was found in your answer.",
    "only_test": "Only a test-time formula was found; the question asks for the "
                 "training-time pass.",
    "unknown_names": "Your formula uses names the checker does not know: {names}. Say "
                     "what they are.",
    "several": "Your answer gives several different formulas ({forms}); give one.",
    "undecided": "The checker could not decide whether your formula equals the expected "
                 "one.",
    "too_big": "The answer is too large or too deeply nested to check automatically "
               "({detail}); a person will grade it.",
    "too_slow": "The answer is too large to check automatically: checking it took more "
                "than {seconds:g} s; a person will grade it.",
    "checker_stopped": "The answer is too large or too deep to check automatically (the "
                       "checker ran out of memory or stopped on it); a person will grade it.",
    "checker_failed": "The checker failed on this answer ({detail}); a person will grade it.",
    "implicit": "Write the element-wise product explicitly (⊙): two arrays written side "
                "by side read as a matrix product.",
    "renamed": "Read {lhs} as the output and {rhs} as the input of the layer.",
    # words that change the meaning
    "convention_ok": "You defined the probability the other way round; your formula is "
                     "read with your definition.",
    "convention_contradiction": "Your definition of the probability and your formula "
                                "disagree: the formula is only right with the quiz's.",
    "elementwise_matmul": "Your text says element-wise, but the formula writes a matrix "
                          "product (@ / dot); the words and the formula disagree.",
    "conditional": "Your formula is given only under a condition in words ({condition}); "
                   "a person will check what it says for the other entries.",
    "index_convention": "The output and entry indices mix 0-based and 1-based numbering; a "
                        "person will check which convention you meant.",
    "contradiction": "Your words and your formula disagree; a person will grade it.",
    # mistakes a formula's structure shows
    "redrawn": "Your answer draws a new random mask; it must reuse the earlier one.",
    "gaussian": "The mask is Gaussian; it should be Bernoulli: 1 with probability p, else 0.",
    "randn": "`randn` draws normal values, so `randn(...) < p` is 1 with probability Φ(p), "
             "not p: use `rand` (uniform on [0, 1)).",
    "mask_probability": "The mask is 1 with the wrong probability.",
    "matmul": "This is a matrix product; the expected result multiplies element-wise (⊙, "
              "or * in numpy).",
    "transposed": "An array appears transposed; the expected result uses the same indices "
                  "on both sides.",
    "indices": "The indices do not match: every entry-wise term must use the same "
               "indices as the left side.",
    "no_mask": "The mask is missing.",
    "no_upstream": "The upstream gradient is missing: by the chain rule it multiplies "
                   "the local derivative.",
    "wrong": "Your formula reads as {reading}, which is not the expected result{expected}.",
    "test_time": "At test time this form needs {expected}; you wrote {got}.",
    "consistency": "This answer is the {got} form but your earlier answer is the "
                   "{expected} form: they must match ({hint}).",
    # named entries, sets, statements
    "positions_missing": "These entries are missing: {names}.",
    "positions_extra": "These entries do not belong: {names}.",
    "positions_ok": "Every entry is right.",
    "positions_none": "No entries were found in your answer; write them like X12, X_{{1,2}}, "
                      "X[0][1] or (1, 2).",
    "claims_none": "The checker could not recognise what your answer says about {part}; a "
                   "person will grade it.",
    "claims_both": "Your answer says both what is expected and a known mistake about "
                   "{part}; a person will grade it.",
    "claims_missing": "Nothing was found about {part}.",
    "claims_ok": "{part}: right.",
    "claims_right": "Right.",
    # outputs
    "output_missing": "{name} is missing.",
    "output_missing_term": "{name}: the term {term} is missing.",
    "output_extra_term": "{name}: the term {term} does not belong here.",
    "output_wrong_term": "{name}: {got} should be {expected}.",
    "output_wrong": "{name}: {got} is not right; expected {expected}.",
    "output_ok": "{name} is right.",
    "outputs_by_order": "Your outputs had no names; they were read in order as "
                        "{names}.",
    # code
    "code_missing": "No code block was found (put your code between ``` fences).",
    "sandbox_unavailable": "Your code could not be run in the sandbox; a person will "
                           "grade it.",
    "code_syntax": "Your code does not compile: {error}",
    "code_error": "Your code raised {error} ({config}).",
    "code_limit": "Your code was stopped: {error}.",
    "code_shape": "The output has shape {got}; expected {expected} ({config}).",
    "code_wrong": "The output differs from the reference ({config}); largest difference "
                  "{diff:.3g}.",
    "code_ok": "Right for every input tried.",
}


def message(key: str, question: Question | None = None, **details) -> str:
    """The text for ``key``: the quiz's override if any, else the default."""
    template = (question.messages.get(key) if question is not None else None) or \
        DEFAULTS.get(key, key)
    try:
        return template.format(**details)
    except (KeyError, IndexError, ValueError):
        return template


def show(expr: sp.Expr) -> str:
    """A reading for people: symbols by name, products element-wise."""
    text = sp.sstr(expr, order="none")  # ordering terms is most of the printing time
    return text.replace("gauss_lt", "[randn<p]").replace("gauss", "N").replace("?", "")


def diagnose(expr: sp.Expr, question: Question) -> list[str]:
    """Mistake keys that the structure of an unmatched reading shows."""
    keys: list[str] = []
    names = {s.name for s in expr.free_symbols}
    mask = next((s.name for s in question.symbols if s.kind == "mask"), None)
    if expr.has(MATMUL):
        keys.append("matmul")
    if any(n.endswith("ᵀ") for n in names):
        keys.append("transposed")
    if any("[" in n for n in names):
        keys.append("indices")
    if GAUSS in expr.free_symbols:
        keys.append("gaussian")
    if GAUSS_LT in expr.free_symbols:
        keys.append("randn")
    if expr.has(BERN):
        keys.append("mask_probability")
    has_mask = any(n.rstrip("ᵀ").split("[")[0] == mask for n in names)
    if mask and not has_mask and not keys:
        keys.append("no_mask")
    source = question.source
    if source and question.symbol(source) and source.startswith("d") and not any(
            n.rstrip("ᵀ").split("[")[0] == source for n in names):
        keys.append("no_upstream")
    return keys
