"""A synthetic class for the benchmark: N student folders filled in from the released skeleton.

Each student's layers.py is the released ``assignment/cs231n/layers.py`` with its three
TODO regions filled in: correct in several styles, with one of the known mistakes, or
(1 in 100) hostile. About 5 % also hand in fc_net.py. Every file carries the student's
name and a few comments of their own, so no two submissions hash alike (as in a real
class, and so the store cannot skip anyone).

    python bench/generate.py OUT_DIR -n 1000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = re.compile(r"(# \*{5}START OF YOUR CODE \(DO NOT DELETE/MODIFY THIS LINE\)\*{5}\n)"
                    r"(.*?)(\n[ \t]*# \*{5}END OF YOUR CODE)", re.DOTALL)

# (train forward, test forward, train backward) for dropout_forward / dropout_backward.
CORRECT = {
    "reference": ("mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask",
                  "out = x", "dx = dout * mask"),
    "bool_mask": ("mask = np.random.rand(*x.shape) < p\nout = x * mask / p",
                  "out = x.copy()", 'dx = dout * mask / dropout_param["p"]'),
    "binomial": ("mask = np.random.binomial(1, p, size=x.shape) / p\nout = x * mask",
                 "out = x", "dx = mask * dout"),
    "uniform": ("mask = (np.random.uniform(0, 1, size=x.shape) < p) / p\nout = np.multiply(x, mask)",
                "out = x", "dx = np.multiply(dout, mask)"),
    "where": ("mask = np.random.rand(*x.shape) < p\nout = np.where(mask, x / p, 0)",
              "out = x", 'dx = np.where(mask, dout / dropout_param["p"], 0)'),
    "explicit_shape": (("keep = np.random.rand(x.shape[0], *x.shape[1:])\n"
                        "mask = (keep < p).astype(x.dtype) / p\nout = x * mask"),
                       "out = x", "dx = dout * mask"),
}
BUGGY = {
    "randn": ("mask = (np.random.randn(*x.shape) < p) / p\nout = x * mask",
              "out = x", "dx = dout * mask"),
    "p_is_drop": ("mask = (np.random.rand(*x.shape) >= p) / (1 - p)\nout = x * mask",
                  "out = x", "dx = dout * mask"),
    "no_rescale": ("mask = np.random.rand(*x.shape) < p\nout = x * mask",
                   "out = x", "dx = dout * mask"),
    "vanilla_test_scaling": ("mask = np.random.rand(*x.shape) < p\nout = x * mask",
                             "out = x * p", "dx = dout * mask"),
    "shared_row_mask": ("mask = (np.random.rand(*x.shape[1:]) < p) / p\nout = x * mask",
                        "out = x", "dx = dout * mask"),
    "backward_ignores_mask": ("mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask",
                              "out = x", "dx = dout"),
    "backward_new_mask": ("mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask",
                          "out = x", "dx = dout * (np.random.rand(*dout.shape) < p) / p"),
    "drops_at_test": ("mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask",
                      "out = x * (np.random.rand(*x.shape) < p) / p", "dx = dout * mask"),
    "mutates_input": ("mask = (np.random.rand(*x.shape) < p) / p\nx *= mask\nout = x",
                      "out = x", "dx = dout * mask"),
}
HOSTILE = {
    # Never returns: every call runs into the per-call time limit.
    "infinite_loop": ("while True:\n    pass", "out = x", "dx = dout * mask"),
    # Leaves before any failure could be recorded, the classic way to fake a pass.
    "os_exit": ("import os\nos._exit(0)", "out = x", "dx = dout * mask"),
    "syntax_error": ("mask = (np.random.rand(*x.shape) < p / p\nout = x * mask",
                     "out = x", "dx = dout * mask"),
}
# The net's TODOs: (dropout_param set-up, forward after the ReLU, backward).
NET_CORRECT = (('self.dropout_param = {"mode": "train", "p": dropout}\n'
                'if seed is not None:\n    self.dropout_param["seed"] = seed'),
               "out, dropout_cache = dropout_forward(out, self.dropout_param)",
               "dout = dropout_backward(dout, dropout_cache)")
NET_BUGGY = (NET_CORRECT[0], NET_CORRECT[1], "pass  # forgot the dropout backward")

COMMENTS = ("# inverted dropout: scale at train time so test time is a no-op",
            "# p is the keep probability",
            "# TODO(me): check the mean of the output",
            "# mask is reused in the backward pass")


def fill(template: str, parts: tuple[str, ...], rnd: random.Random) -> str:
    """The template with its TODO regions replaced by ``parts``, indented to fit."""
    pieces = iter(parts)

    def replace(match: re.Match) -> str:
        indent = re.search(r"[ \t]*$", template[:match.start()]).group(0)
        code = next(pieces)
        if rnd.random() < 0.3:
            code = rnd.choice(COMMENTS) + "\n" + code
        body = "\n".join(indent + line if line else line for line in code.splitlines())
        return match.group(1) + "\n" + body + "\n" + match.group(3)

    text = REGION.sub(replace, template)
    if next(pieces, None) is not None:
        raise SystemExit("the skeleton has fewer TODO regions than the variants fill")
    return text


def choose(rnd: random.Random, index: int, hostile: bool = True,
           buggy: float = 0.40) -> tuple[str, str, tuple[str, ...]]:
    """(kind, variant, parts): exactly 1 in 100 hostile (in turn: a loop, an exit, a syntax
    error), so every class size holds the same share of them; ``buggy`` of them (40 % by
    default) with a known mistake, the rest correct. Without ``hostile`` those places get
    a correct submission instead."""
    if index % 100 == 50 and hostile:
        name = sorted(HOSTILE)[(index // 100) % len(HOSTILE)]
        return "hostile", name, HOSTILE[name]
    roll = rnd.random()
    if roll < buggy:
        name = rnd.choice(sorted(BUGGY))
        return "buggy", name, BUGGY[name]
    name = rnd.choice(sorted(CORRECT))
    return "correct", name, CORRECT[name]


def generate(out: Path, n: int, *, seed: int = 0, assignment: Path | None = None,
             write: bool = True, hostile: bool = True, buggy: float = 0.40) -> dict:
    """Write ``n`` student folders into ``out``; returns {student: "kind/variant"}.

    With ``write=False`` only the catalogue is returned (the same one, for the same seed).
    """
    package = Path(assignment or ROOT / "assignment") / "cs231n"
    layers = (package / "layers.py").read_text(encoding="utf-8")
    fc_net = (package / "classifiers" / "fc_net.py").read_text(encoding="utf-8")
    rnd = random.Random(seed)
    if write:
        out.mkdir(parents=True, exist_ok=True)
    catalogue = {}
    for i in range(n):
        student = f"s{i:05d}"
        kind, name, parts = choose(rnd, i, hostile, buggy)
        header = f"# {student}: dropout assignment\n"
        if kind == "correct" and rnd.random() < 0.05:  # leftover debugging output
            parts = (parts[0] + '\nprint("dropout_forward", x.shape, p)',) + parts[1:]
            name += "+print"
        folder = out / student
        text = header + fill(layers, parts, rnd)
        net = None
        if kind != "hostile" and rnd.random() < 0.05:
            net_ok = rnd.random() < 0.7
            net = header + fill(fc_net, NET_CORRECT if net_ok else NET_BUGGY, rnd)
            name += "+fc_net" if net_ok else "+fc_net_no_backward"
        if write:
            folder.mkdir(exist_ok=True)
            (folder / "layers.py").write_text(text, encoding="utf-8")
            if net is not None:
                (folder / "fc_net.py").write_text(net, encoding="utf-8")
        catalogue[student] = f"{kind}/{name}"
    return catalogue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("-n", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    catalogue = generate(args.out, args.n, seed=args.seed)
    kinds: dict[str, int] = {}
    for label in catalogue.values():
        kinds[label.split("/")[0]] = kinds.get(label.split("/")[0], 0) + 1
    print(f"{len(catalogue)} submissions in {args.out}: {kinds}")


if __name__ == "__main__":
    main()
