"""Every message a student (or a reviewer) reads, in one place.

:func:`message` maps a mistake key to its text; a quiz can override any of them per
question in ``[questions.messages]``. :func:`diagnose` names what is wrong with a formula
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
                     "what they are (e.g. 'where m is the dropout mask').",
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
    "implicit": "Write the element-wise product explicitly (D ⊙ Y): written side by side, "
                "DY reads as a matrix product.",
    "renamed": "Read {lhs} as the output and {rhs} as the input of the layer.",
    # prose that changes the meaning
    "drop_convention_ok": "You defined p as the drop probability; your formula is read "
                          "with that definition (the quiz uses p as the keep probability).",
    "drop_convention_contradiction": "You say p is the drop probability, but your formula "
                                     "is only right if p is the keep probability.",
    "inverted_without_p": "You call it inverted dropout, but the formula has no 1/p "
                          "scaling: inverted dropout is H = D ⊙ Y / p.",
    "gaussian_prose": "Your text describes a Gaussian mask; dropout's mask is "
                      "Bernoulli(p): each unit is kept (1) with probability p or dropped (0).",
    "vanilla_with_p": "You call it vanilla (standard) dropout, but the formula divides by "
                      "p, which is inverted dropout; the words and the formula disagree.",
    "matmul_prose": "Your text calls the product a matrix product, but dropout multiplies "
                    "element-wise (⊙); the words and the formula disagree.",
    "elementwise_matmul": "Your text says element-wise, but the formula writes a matrix "
                          "product (@ / dot); the words and the formula disagree.",
    "conditional": "Your formula is given only under a condition in words ({condition}); "
                   "a person will check what it says for the other units.",
    "index_convention": "The output and entry indices mix 0-based and 1-based numbering; a "
                        "person will check which convention you meant.",
    "redraw_prose": "Your text says a new mask is drawn in the backward pass; the backward "
                    "pass must reuse the forward pass's mask.",
    # mistakes
    "redrawn": "The backward pass draws a new random mask. It must reuse the mask of the "
               "forward pass (cache it), otherwise the gradient belongs to a different "
               "network than the one that produced the output.",
    "gaussian": "The mask is Gaussian; dropout's mask is Bernoulli(p): D_ij = 1 with "
                "probability p, else 0.",
    "randn": "`randn` draws normal values, so `randn(...) < p` keeps a unit with "
             "probability Φ(p), not p: use `rand` (uniform on [0, 1)).",
    "mask_probability": "The mask keeps a unit with the wrong probability: it should be "
                        "Bernoulli(p), p being the keep probability.",
    "matmul": "This is a matrix product; dropout multiplies element-wise (⊙, or * in "
              "numpy).",
    "transposed": "An array appears transposed; dropout acts entry by entry, with the "
                  "same indices on both sides (H_ij = D_ij Y_ij).",
    "indices": "The indices do not match: every entry-wise term must use the same "
               "indices as the left side.",
    "no_mask": "The mask is missing: dropout multiplies by a Bernoulli(p) mask D.",
    "no_upstream": "The upstream gradient (dL/dH, dout) is missing: by the chain rule "
                   "it multiplies ∂H/∂Y.",
    "wrong": "Your formula reads as {reading}, which is not the expected result{expected}.",
    "test_time": "At test time this form needs {expected}; you wrote {got}.",
    "consistency": "Your backward pass is the {got} form but your forward pass (Q1) is "
                   "the {expected} form: they must match ({hint}).",
    # Q3
    "output_missing": "{name} is missing.",
    "output_missing_term": "{name}: the term {term} is missing.",
    "output_extra_term": "{name}: the term {term} does not belong here.",
    "output_wrong_term": "{name}: {got} should be {expected}.",
    "output_wrong": "{name}: {got} is not right; expected {expected}.",
    "output_ok": "{name} is right.",
    "outputs_by_order": "Your outputs had no names; they were read in order as "
                        "O11, O12, O21, O22.",
    # Q4
    "code_missing": "No code block was found (put your code between ``` fences).",
    "sandbox_unavailable": "Your code could not be run in the sandbox; a person will "
                           "grade it.",
    "code_syntax": "Your code does not compile: {error}",
    "code_error": "Your code raised {error} (pad={pad}, stride={stride}).",
    "code_limit": "Your code was stopped: {error}.",
    "code_shape": "The output has shape {got}; expected {expected} (pad={pad}, "
                  "stride={stride}). Check Hout = 1 + (H + 2*pad - HH) // stride.",
    "code_flipped": "Your code flips the filter (true convolution); the layer computes a "
                    "cross-correlation.",
    "code_no_bias": "The bias b[f] is not added.",
    "code_stride": "The result is right for stride 1 but not for stride {stride}: the "
                   "window of out[..., i, j] starts at row i*stride, column j*stride.",
    "code_pad": "The result is right without padding but not with pad={pad}: pad the "
                "input with zeros on all four sides first.",
    "code_wrong": "The output differs from a reference convolution (pad={pad}, "
                  "stride={stride}); largest difference {diff:.3g}.",
    "code_ok": "Right for every (pad, stride) tried.",
}


def message(key: str, question: Question | None = None, **details) -> str:
    """The text for ``key``: the quiz's override if any, else the default."""
    template = (question.messages.get(key) if question is not None else None) or DEFAULTS[key]
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
    mask = next((s.name for s in question.symbols if s.kind == "mask"), "D")
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
    if not has_mask and not keys:
        keys.append("no_mask")
    source = question.source
    if source and question.symbol(source) and source.startswith("d") and not any(
            n.rstrip("ᵀ").split("[")[0] == source for n in names):
        keys.append("no_upstream")
    return keys
