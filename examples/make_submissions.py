"""Generate examples/submissions/: a bundled class of realistic student submissions.

Every student file is the released skeleton file (TODO banners and START/END
lines included) with each TODO filled in the way that student did it, so the
files stay consistent with solutions/ whenever the reference changes. The list
below is the single description of the class; examples/README.md describes the
same students for people.

    python examples/make_submissions.py           # rewrite examples/submissions/
    python examples/make_submissions.py --check   # exit 1 if the committed files differ
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

from grader.release.markers import (
    END_LINE,
    START_LINE,
    banner,
    enclosing_function,
    find_regions,
    function_names,
    stub_regions,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deadline_files import class_files  # noqa: E402 - beside this script, not a package

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS, ASSIGNMENT = ROOT / "solutions" / "cs231n", ROOT / "assignment" / "cs231n"
OUT = ROOT / "examples" / "submissions"
LAYERS, FC_NET = "layers.py", "classifiers/fc_net.py"

# Region order in layers.py: train forward, test forward, train backward.
TEXTBOOK = ["mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask", "out = x",
            "dx = dout * mask"]
# Region order in fc_net.py: __init__, forward in loss(), backward in loss().
NET = ['self.dropout_param = {"mode": "train", "p": dropout}\n'
       'if seed is not None:\n    self.dropout_param["seed"] = seed',
       "out, dropout_cache = dropout_forward(out, self.dropout_param)",
       "dout = dropout_backward(dout, dropout_cache)"]


def layers(*changes: tuple[int, str]) -> list[str]:
    filled = list(TEXTBOOK)
    for index, code in changes:
        filled[index] = code
    return filled


# student id: (folder layout, {file: code for each region, or "skeleton" for untouched})
STUDENTS = {
    "alice_nguyen": ("package", {LAYERS: layers(), FC_NET: NET}),
    "bo_chen": ("flat", {LAYERS: layers(
        (0, "# binomial(1, p) is 1 with probability p: a keep mask\n"
            "mask = np.random.binomial(1, p, size=x.shape) / p\nout = x * mask"))}),
    "carmen_diaz": ("flat", {LAYERS: layers(
        (0, 'rng = np.random.default_rng(dropout_param.get("seed"))\n'
            "mask = rng.random(x.shape) < p  # boolean keep mask\nout = x * mask / p"),
        (2, 'dx = dout * mask / dropout_param["p"]')), FC_NET: NET}),
    "dmitri_volkov": ("flat", {LAYERS: layers(
        (0, "mask = (np.random.randn(*x.shape) < p) / p\nout = x * mask"))}),
    "emma_schmidt": ("flat", {LAYERS: layers(
        (0, "mask = np.random.rand(*x.shape) < p\nout = x * mask"),
        (1, "# scale at test time so the expected activation matches training\nout = x * p"))}),
    "farah_khan": ("flat", {LAYERS: layers(
        (0, "# drop each unit with probability p, rescale the survivors\n"
            "mask = (np.random.rand(*x.shape) >= p) / (1 - p)\nout = x * mask"))}),
    "george_okafor": ("flat", {LAYERS: layers(
        (0, "mask = (np.random.rand(*x.shape) > p) / p\nout = x * mask"))}),
    "hana_sato": ("flat", {LAYERS: layers(
        (0, "mask = (np.random.rand(*x.shape) < p / p\nout = x * mask"))}),
    "ivan_petrov": ("package", {LAYERS: "skeleton"}),
    "julia_santos": ("package", {LAYERS: layers(), FC_NET: [NET[0], "pass", "pass"]}),
    "kwame_mensah": ("flat", {LAYERS: layers(
        (0, "# one mask for the whole minibatch, broadcast over the rows\n"
            "mask = (np.random.rand(*x.shape[1:]) < p) / p\nout = x * mask"))}),
    "lena_mueller": ("flat", {LAYERS: layers((2, "dx = dout * (mask > 0)"))}),
    "mateo_rossi": ("flat", {LAYERS: layers(
        (1, "mask = (np.random.rand(*x.shape) < p) / p\nout = x * mask"))}),
    "nadia_haddad": ("package", {LAYERS: layers(), FC_NET: [NET[0], NET[1], "pass"]}),
}


def filled_file(name: str, codes: list[str]) -> str:
    """The skeleton of solutions' ``name`` with region i holding ``codes[i]``.

    Regions after the given fillings (other assignments' functions in the same file) are
    left as the release stubs them.
    """
    text = (SOLUTIONS / name).read_text()
    regions = find_regions(text, label=name)
    if len(regions) < len(codes):
        raise SystemExit(f"{name} has {len(regions)} regions, {len(codes)} fillings given")
    lines = text.splitlines(keepends=True)
    out, cursor = [], 0
    for region, code in zip(regions, codes):
        out += lines[cursor:region.begin - 1]
        block = banner(region.indent, region.todo, "")
        start, end = block.index(region.indent + START_LINE), block.index(region.indent + END_LINE)
        body = textwrap.indent(code, region.indent).splitlines()
        for line in block[:start + 1] + ["", *body, ""] + block[end:]:
            out.append(line + "\n" if line else "\n")
        cursor = region.end
    names = function_names(text, label=name)
    for region in regions[len(codes):]:  # as released: the banner and its stub
        out += lines[cursor:region.begin - 1]
        function = enclosing_function(names, region.begin) or name
        message = f"{function}: {region.todo} (your TODO in cs231n/{name})"
        out += [line + "\n" if line else "\n" for line in banner(region.indent, region.todo,
                                                                   message)]
        cursor = region.end
    return "".join(out + lines[cursor:])


# Students who also hand in the notebook with their inline answers (what a TA reads).
NOTEBOOK_ANSWERS = {
    "alice_nguyen": {
        "Inline Question 1": "Without dividing by p the expected output at train time is p times "
                             "the input, so at test time (no dropout) the activations would be "
                             "larger than what the next layer saw during training. We would have "
                             "to multiply by p at test time instead.",
        "Inline Question 2": "Without dropout the training accuracy goes close to 1 while the "
                             "validation accuracy stays low: overfitting. With p = 0.25 training "
                             "accuracy is lower but validation accuracy is a bit higher, so "
                             "dropout acts as a regularizer.",
        "Inline Question 3": "Smaller hidden layers already have less capacity, so we should "
                             "keep more units: increase p (drop less).",
    },
    "emma_schmidt": {
        "Inline Question 1": "Then it is vanilla dropout and you scale by p at test time.",
        "Inline Question 2": "dropout is better on validation",
        "Inline Question 3": "",
    },
}


def notebook_text(answers: dict[str, str]) -> str:
    """The released student notebook with this student's answers in the answer cells."""
    import nbformat

    notebook = nbformat.read(ROOT / "assignment" / "Dropout.ipynb", as_version=4)
    for cell in notebook.cells:
        question = cell.metadata.get("question")
        if "inline-answer" in cell.metadata.get("tags", []) and answers.get(question):
            cell.source = answers[question]
    return nbformat.writes(notebook) + "\n"


# A disguised copy for `grader similarity`: another student's layers.py with the two dropout
# functions swapped, the variables renamed and the comments rewritten. It behaves exactly like
# the original (full marks), and is the pair the similarity report should rank first.
DISGUISED_COPIES = {"oscar_lindqvist": "carmen_diaz"}
RENAMES = {"mask": "keep", "rng": "generator", "out": "result", "dx": "grad_x"}
COMMENTS = {"  # boolean keep mask": "  # True where the unit survives"}


def disguised(text: str) -> str:
    """``text`` with dropout_backward moved above dropout_forward, their variables renamed
    and the student's comments changed."""
    import re

    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("def ")]
    bounds = list(zip(starts, starts[1:] + [len(lines)]))
    chunks = {re.match(r"def (\w+)", lines[b]).group(1): "".join(lines[b:e]) for b, e in bounds}
    for name in ("dropout_forward", "dropout_backward"):
        body = chunks[name]
        for old, new in COMMENTS.items():
            body = body.replace(old, new)
        for old, new in RENAMES.items():
            body = re.sub(rf"\b{old}\b", new, body)
        chunks[name] = body.replace("        " + RENAMES["out"] + " = x\n",
                                    "        # nothing is dropped at test time\n"
                                    "        " + RENAMES["out"] + " = x\n")
    order = [name for name in chunks if name != "dropout_backward"]
    order.insert(order.index("dropout_forward"), "dropout_backward")
    return "".join(lines[:starts[0]]) + "".join(chunks[name] for name in order)


def student_files() -> dict[str, str]:
    """Relative path under examples/submissions -> file text, for the whole class."""
    files = {}
    for student, (layout, fills) in STUDENTS.items():
        for name, codes in fills.items():
            if codes == "skeleton":
                text = stub_regions((SOLUTIONS / name).read_text(), label=name,
                                    module=f"cs231n/{name}")
            else:
                text = filled_file(name, codes)
            where = f"cs231n/{name}" if layout == "package" else Path(name).name
            files[f"{student}/{where}"] = text
    for student, answers in NOTEBOOK_ANSWERS.items():
        files[f"{student}/Dropout.ipynb"] = notebook_text(answers)
    for student, original in DISGUISED_COPIES.items():
        [source] = [n for n in files if n.startswith(f"{original}/") and n.endswith(LAYERS)]
        files[f"{student}/{LAYERS}"] = disguised(files[source])
    return files


def main(argv: list[str]) -> int:
    files = student_files()
    # Submission times, an extension, the deadline policy and a Canvas roster for the class.
    extra = class_files(sorted({name.split("/")[0] for name in files}))
    if "--check" in argv:
        for name, text in sorted(extra.items()):
            path = OUT.parent / name
            if not path.is_file() or path.read_text() != text:
                print(f"examples/{name} differs from what make_submissions.py writes")
                return 1
        committed = {p.relative_to(OUT).as_posix(): p.read_text()
                     for p in sorted(OUT.rglob("*"))
                     if p.suffix in (".py", ".ipynb")} if OUT.is_dir() else {}
        drifted = sorted(n for n in set(files) | set(committed) if files.get(n) != committed.get(n))
        for name in drifted:
            print(f"examples/submissions/{name} differs from what make_submissions.py writes")
        return 1 if drifted else 0
    for student in [*STUDENTS, *DISGUISED_COPIES]:
        shutil.rmtree(OUT / student, ignore_errors=True)
    for name, text in sorted(files.items()):
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    for name, text in sorted(extra.items()):
        (OUT.parent / name).write_text(text)
    print(f"wrote {len(files)} files for {len(STUDENTS) + len(DISGUISED_COPIES)} students "
          f"to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
