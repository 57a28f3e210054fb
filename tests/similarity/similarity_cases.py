"""Constructed classes for the similarity tests: the released skeleton with the three
dropout TODOs filled in by hand-written student code (helpers, imported by the tests)."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKELETON = (ROOT / "assignment" / "cs231n" / "layers.py").read_text()
_STUB = re.compile(r"^( *)raise NotImplementedError\(\n(?:.*\n)*?\1\)\n", re.MULTILINE)

# An original solution with code of its own: a helper, input checks, comments.
ORIGINAL_HELPER = '''

def _keep_mask(shape, p, seed=None):
    """Boolean mask: True where a unit is kept (probability p)."""
    if not 0.0 < p <= 1.0:
        raise ValueError("p is the keep probability, in (0, 1]")
    generator = np.random.default_rng(seed)
    draws = generator.uniform(0.0, 1.0, size=shape)
    return draws < p
'''
ORIGINAL = [
    """# keep with probability p, rescale now so test time needs nothing
seed = dropout_param.get("seed")
mask = _keep_mask(x.shape, p, seed).astype(x.dtype) / p
out = x * mask
kept = int(mask.astype(bool).sum())
dropout_param["kept_fraction"] = kept / max(1, mask.size)""",
    """# test time: the identity
out = x.copy()""",
    """# same mask as forward, already divided by p
dx = np.multiply(dout, mask)
if dx.shape != dout.shape:
    raise ValueError("gradient shape mismatch")""",
]

# Two independent correct solutions, written differently.
INDEPENDENT_ONE = [
    """probs = np.random.rand(*x.shape)
mask = (probs < p) / p
out = x * mask""",
    "out = x",
    "dx = dout * mask",
]
INDEPENDENT_TWO_HELPER = '''

def scaled_bernoulli(size, keep_prob):
    return np.random.binomial(n=1, p=keep_prob, size=size) / keep_prob
'''
INDEPENDENT_TWO = [
    """mask = scaled_bernoulli(x.shape, p)
out = mask * x
assert out.shape == x.shape""",
    "out = np.array(x, copy=True)",
    """dx = mask * dout""",
]


def filled(codes: list[str], helper: str = "") -> str:
    """The skeleton layers.py with stub i replaced by ``codes[i]`` and ``helper`` after the
    imports."""
    parts = []
    stubs = [m for m in _STUB.finditer(SKELETON) if "dropout_" in m.group()]
    assert len(stubs) == len(codes), "the skeleton's dropout TODOs changed"
    cursor = 0
    for stub, code in zip(stubs, codes):
        parts.append(SKELETON[cursor:stub.start()])
        parts.append(textwrap.indent(code, stub.group(1)) + "\n")
        cursor = stub.end()
    text = "".join(parts) + SKELETON[cursor:]
    if helper:
        first_def = text.index("\ndef ")
        text = text[:first_def] + helper + text[first_def:]
    return text


def functions_of(text: str) -> tuple[str, dict[str, str]]:
    """(what precedes the first top-level def, {name: the def's text}) in file order."""
    starts = [m.start() for m in re.finditer(r"^def ", text, re.MULTILINE)]
    bounds = zip(starts, starts[1:] + [len(text)])
    return text[:starts[0]], {re.match(r"def (\w+)", text[b:]).group(1): text[b:e]
                              for b, e in bounds}


def disguise(text: str, renames: dict[str, str], comments: dict[str, str],
             order: list[str]) -> str:
    """A copier's work: functions moved, names renamed, comments rewritten."""
    head, functions = functions_of(text)
    body = "".join(functions[name] for name in order)
    for old, new in comments.items():
        body = body.replace(old, new)
    for old, new in renames.items():
        body = re.sub(rf"\b{re.escape(old)}\b", new, body)
    return head + body


def disguised_original() -> str:
    original = filled(ORIGINAL, ORIGINAL_HELPER)
    _, functions = functions_of(original)
    names = list(functions)
    # dropout_backward before dropout_forward, and the helper moved to the end
    order = [n for n in names if n not in ("_keep_mask", "dropout_backward")]
    order.insert(order.index("dropout_forward"), "dropout_backward")
    order.append("_keep_mask")
    return disguise(original,
                    {"mask": "m", "kept": "n_alive", "generator": "gen", "draws": "u",
                     "_keep_mask": "make_mask", "seed": "rs", "out": "y", "dx": "grad"},
                    {"# keep with probability p, rescale now so test time needs nothing":
                     "# inverted dropout",
                     "# same mask as forward, already divided by p": "# chain rule",
                     "# test time: the identity": ""},
                    order)


def write_class(root: Path, files: dict[str, str | bytes]) -> Path:
    """``files``: "student/relative/path" -> text or bytes."""
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


def read_csv(path: Path) -> list[dict[str, str]]:
    import csv
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pair_rows(rows: list[dict[str, str]]) -> dict[frozenset, dict[str, str]]:
    return {frozenset((r["student_a"], r["student_b"])): r for r in rows}


def constructed_files() -> dict[str, str]:
    """An original, its disguised copy, two independent solutions and the skeleton."""
    return {
        "olga/layers.py": filled(ORIGINAL, ORIGINAL_HELPER),
        "chris/layers.py": disguised_original(),
        "indy/layers.py": filled(INDEPENDENT_ONE),
        "pat/cs231n/layers.py": filled(INDEPENDENT_TWO, INDEPENDENT_TWO_HELPER),
        "sam/layers.py": SKELETON,
    }


def run_similarity(submissions: Path, out: Path, **options):
    from rich.console import Console

    from grader.similarity import main

    options.setdefault("threshold", 0.0)
    console = Console(file=open(out.parent / "console.txt", "w"), width=120)  # noqa: SIM115
    try:
        code = main(submissions=submissions, out=out, console=console, **options)
    finally:
        console.file.close()
    return code, read_csv(out / "similarity.csv"), (out / "similarity.html").read_text()
