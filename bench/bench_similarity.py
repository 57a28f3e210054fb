"""Benchmark `grader similarity` on a synthetic class, against a naive all-pairs baseline.

Generates N submissions (default 1,000): the reference ``solutions/cs231n/layers.py`` with
its dropout code written in one of several styles, the variables renamed, and one to three
helper functions of the student's own (random statements, so no two students share them),
plus P planted disguised copies (helpers and dropout code copied, functions reordered,
everything renamed, comments rewritten). Then it times the whole command (reading,
fingerprinting on --jobs processes, ranking, both reports), checks that the planted pairs
are the top P, and times the naive baseline - difflib's SequenceMatcher over the lines of
every pair - on a sample, extrapolated to the whole class.

    python bench/bench_similarity.py [-n 1000] [--planted 5] [--jobs 2] [--sample 60]
"""

from __future__ import annotations

import argparse
import difflib
import itertools
import random
import re
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTION = (ROOT / "solutions" / "cs231n" / "layers.py").read_text()
_REGION = re.compile(r"(# BEGIN SOLUTION[^\n]*\n)(.*?)(\n[ \t]*# END SOLUTION)", re.DOTALL)
STYLES = [
    ("mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask", "out = x", "dx = dout * mask"),
    ("mask = np.random.rand(*x.shape) < p\nout = x * mask / p", "out = x.copy()",
     'dx = dout * mask / dropout_param["p"]'),
    ("mask = np.random.binomial(1, p, size=x.shape) / p\nout = x * mask", "out = x",
     "dx = mask * dout"),
    (('rng = np.random.default_rng(dropout_param.get("seed"))\nmask = rng.random(x.shape) < p\n'
     "out = np.where(mask, x / p, 0.0)"), "out = np.array(x)",
     'dx = np.where(mask, dout / dropout_param["p"], 0.0)'),
]
FUNCS = ["np.sum", "np.mean", "np.maximum", "np.abs", "np.sqrt", "np.exp", "np.log1p",
         "np.clip", "np.tanh", "len", "float", "np.dot", "np.square"]
OPS = ["+", "-", "*", "/", "**"]
WORDS = ["alpha", "beta", "acc", "tmp", "val", "scale", "grad", "step", "total", "ratio", "w",
         "z", "mu", "sigma", "delta", "count", "score", "buf", "norm", "eps"]


def helper(rng: random.Random, name: str) -> str:
    """A helper of the student's own: random statements over random names."""
    params = rng.sample(WORDS, 2)
    local = list(params)
    lines = [f"def {name}({', '.join(params)}):", f'    """{rng.choice(WORDS)} helper."""']
    for _ in range(rng.randint(5, 11)):
        target = rng.choice(WORDS)
        a, b = rng.choice(local), rng.choice(local + [str(rng.randint(1, 9))])
        expr = f"{rng.choice(FUNCS)}({a} {rng.choice(OPS)} {b})"
        kind = rng.random()
        if kind < 0.2:
            lines += [f"    if {a} > {rng.randint(0, 5)}:", f"        {target} = {expr}"]
        elif kind < 0.35:
            lines += [f"    for i in range({rng.randint(2, 6)}):",
                      (f"        {target} = {target if target in local else a} "
                      f"{rng.choice(OPS)} {expr}")]
        else:
            lines.append(f"    {target} = {expr}")
        local.append(target)
    lines.append(f"    return {rng.choice(local)}")
    return "\n".join(lines) + "\n"


def student(rng: random.Random, number: int) -> dict:
    style = rng.choice(STYLES)
    helpers = [helper(rng, f"{rng.choice(WORDS)}_{rng.choice(WORDS)}_{k}")
               for k in range(rng.randint(1, 3))]
    return {"style": style, "helpers": helpers, "comment": f"# student {number}: my notes",
            "renames": {"mask": rng.choice(["mask", "m", "keep"])}}


def render(spec: dict, *, swap: bool = False) -> str:
    regions = iter(spec["style"])
    text = _REGION.sub(lambda m: m.group(1) + _indent(next(regions), m.group(2)) + m.group(3)
                       if "dropout" in m.group(1) else m.group(), SOLUTION)
    text = text.replace("# BEGIN SOLUTION", spec["comment"])
    for old, new in spec["renames"].items():
        text = re.sub(rf"\b{old}\b", new, text)
    starts = [m.start() for m in re.finditer(r"^def ", text, re.MULTILINE)]
    head, defs = text[:starts[0]], [text[b:e] for b, e in zip(starts, starts[1:] + [len(text)])]
    if swap:  # a copier reorders functions
        defs = defs[::-1]
    return head + "\n\n".join(spec["helpers"]) + "\n\n" + "".join(defs)


def _indent(code: str, old: str) -> str:
    indent = re.match(r"[ \t]*", old).group()
    return "\n".join(indent + line for line in code.split("\n"))


def disguise(spec: dict, rng: random.Random, number: int) -> dict:
    copied = dict(spec)
    names = {w: w + "_" + rng.choice(["v", "x", "k"]) for w in WORDS}
    copied["helpers"] = [re.sub(r"\b(" + "|".join(WORDS) + r")\b", lambda m: names[m.group()], h)
                         for h in reversed(spec["helpers"])]
    copied["comment"] = f"# {number}: written on my own"
    copied["renames"] = {"mask": "kept_units", "out": "result"}
    return copied


def generate(root: Path, n: int, planted: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    specs = {f"student{i:04d}": student(rng, i) for i in range(n - planted)}
    pairs = []
    for k, original in enumerate(rng.sample(sorted(specs), planted)):
        copy = f"student{n - planted + k:04d}"
        specs[copy] = disguise(specs[original], rng, n - planted + k)
        pairs.append((original, copy))
    for name, spec in specs.items():
        folder = root / name
        folder.mkdir(parents=True)
        (folder / "layers.py").write_text(render(spec, swap=name.endswith(tuple("13579"))
                                                  or any(name == c for _, c in pairs)))
    return pairs


def naive_baseline(root: Path, sample: list[str]) -> tuple[float, list[tuple[float, str, str]]]:
    texts = {s: (root / s / "layers.py").read_text().splitlines() for s in sample}
    started = time.perf_counter()
    scored = []
    for a, b in itertools.combinations(sample, 2):
        scored.append((difflib.SequenceMatcher(None, texts[a], texts[b]).ratio(), a, b))
    return time.perf_counter() - started, sorted(scored, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--planted", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sample", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from rich.console import Console

    from grader.similarity import main as similarity

    with tempfile.TemporaryDirectory(prefix="bench-similarity-") as scratch:
        root, out = Path(scratch) / "class", Path(scratch) / "out"
        planted = generate(root, args.n, args.planted, args.seed)
        started = time.perf_counter()
        similarity(submissions=root, out=out, jobs=args.jobs,
                   console=Console(file=open(Path(scratch) / "log.txt", "w")))  # noqa: SIM115
        elapsed = time.perf_counter() - started
        import csv
        rows = list(csv.DictReader(open(out / "similarity.csv")))  # noqa: SIM115
        top = {frozenset((r["student_a"], r["student_b"])) for r in rows[:len(planted)]}
        found = sum(frozenset(p) in top for p in planted)

        rng = random.Random(args.seed)
        others = sorted(p.name for p in root.iterdir() if not any(p.name in q for q in planted))
        sample = [s for p in planted for s in p] + rng.sample(others,
                                                             args.sample - 2 * len(planted))
        naive_seconds, naive_ranked = naive_baseline(root, sample)
        naive_top = {frozenset((a, b)) for _, a, b in naive_ranked[:len(planted)]}
        naive_found = sum(frozenset(p) in naive_top for p in planted)
        pairs_sample = len(sample) * (len(sample) - 1) // 2
        pairs_all = args.n * (args.n - 1) // 2
        naive_all = naive_seconds / pairs_sample * pairs_all

    print(f"{args.n} submissions ({args.planted} planted disguised copies), "
          f"{args.jobs} processes")
    print(f"{'':32}{'grader similarity':>20}{'naive difflib, all pairs':>28}")
    print(f"{'time for the class':32}{elapsed:>19.1f}s{naive_all:>26.0f} s (extrapolated "
          f"from {pairs_sample} pairs in {naive_seconds:.1f} s)")
    print(f"{'speed-up':32}{naive_all / elapsed:>19.0f}x")
    print(f"{'planted copies in the top ' + str(len(planted)):32}{found:>17}/{len(planted)}"
          f"{naive_found:>25}/{len(planted)} (within its {len(sample)}-submission sample)")
    if rows:
        print(f"top planted score {float(rows[0]['score']):.0%}; best pair that is not planted: "
              + next((f"{float(r['score']):.0%}" for r in rows
                      if frozenset((r['student_a'], r['student_b'])) not in
                      {frozenset(p) for p in planted}), "none listed"))


if __name__ == "__main__":
    main()
