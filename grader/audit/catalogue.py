"""The audit catalogue: known-wrong and known-correct implementations as submission folders.

A variant is the reference solution with some functions of layers.py replaced (sources in
``variants/``) and, optionally, fc_net.py submitted with line patches. Building from the
reference keeps every variant one mistake away from a correct solution, so a surviving
mutant measures a gap in the suite, not noise from unrelated bugs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import tomllib

from ..errors import InternalError
from ..paths import solutions_dir

HERE = Path(__file__).resolve().parent
CATALOGUE = HERE / "catalogue.toml"
VARIANTS = HERE / "variants"
KINDS = ("mutant", "correct")


@dataclass(frozen=True)
class Patch:
    line: str  # one source line of the reference, stripped
    replacement: tuple[str, ...]  # lines relative to that line's indentation


@dataclass(frozen=True)
class Variant:
    name: str
    kind: str  # "mutant" or "correct"
    mistake: str
    layers: str | None = None  # file in variants/ replacing reference functions
    fc_net: tuple[Patch, ...] | None = None  # None: no fc_net.py is submitted
    kills: tuple[str, ...] = ()
    says: str = ""

    @property
    def submitted(self) -> tuple[str, ...]:
        return ("layers.py",) + (("fc_net.py",) if self.fc_net is not None else ())


def load(path: Path = CATALOGUE, variants_dir: Path | None = None) -> list[Variant]:
    """The catalogue at ``path``; each variant's source file is looked up in
    ``variants_dir`` (by default the folder ``variants`` beside the catalogue)."""
    variants_dir = Path(variants_dir or Path(path).parent / "variants")
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("variant", [])
    variants = []
    for entry in entries:
        name = entry.get("name", "?")
        if entry.get("kind") not in KINDS:
            raise InternalError(f"variant {name}: kind must be one of {KINDS}", path=path)
        patches = entry.get("fc_net")
        variants.append(Variant(
            name=name, kind=entry["kind"], mistake=entry.get("mistake", ""),
            layers=str(variants_dir / entry["layers"]) if entry.get("layers") else None,
            fc_net=None if patches is None else tuple(
                Patch(p["line"].strip(), tuple(p.get("with", ()))) for p in patches),
            kills=tuple(entry.get("kills", ())), says=entry.get("says", "")))
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise InternalError("variant names must be unique", path=path)
    return variants


def replace_functions(source: str, replacements: str) -> str:
    """``source`` with each top-level function defined in ``replacements`` swapped in."""
    new = {node.name: node for node in ast.parse(replacements).body
           if isinstance(node, ast.FunctionDef)}
    lines, donor = source.splitlines(keepends=True), replacements.splitlines(keepends=True)
    targets = [node for node in ast.parse(source).body
               if isinstance(node, ast.FunctionDef) and node.name in new]
    missing = set(new) - {node.name for node in targets}
    if missing:
        raise InternalError(f"the reference has no function {', '.join(sorted(missing))}")
    for node in sorted(targets, key=lambda n: n.lineno, reverse=True):
        start = node.lineno - 1 - len(node.decorator_list)
        body = new[node.name]
        lines[start:node.end_lineno] = donor[body.lineno - 1:body.end_lineno]
    return "".join(lines)


def apply_patches(source: str, patches: tuple[Patch, ...], *, what: str) -> str:
    """Apply every patch to the ORIGINAL lines, so patches never see each other's output."""
    lines = source.splitlines()
    replaced: dict[int, list[str]] = {}
    for patch in patches:
        found = [i for i, line in enumerate(lines) if line.strip() == patch.line]
        if len(found) != 1:
            raise InternalError(f"{what}: the line {patch.line!r} occurs {len(found)} times "
                                "in the reference fc_net.py (it must occur once)")
        indent = lines[found[0]][:len(lines[found[0]]) - len(lines[found[0]].lstrip())]
        replaced[found[0]] = [indent + text if text else "" for text in patch.replacement]
    out = []
    for i, line in enumerate(lines):
        out.extend(replaced.get(i, [line]))
    return "\n".join(out) + "\n"


def build(variant: Variant, dest: Path) -> Path:
    """Write the variant as a submission folder ``dest/<name>/`` and return it."""
    reference = solutions_dir() / "cs231n"
    folder = Path(dest) / variant.name
    folder.mkdir(parents=True, exist_ok=True)
    layers = (reference / "layers.py").read_text(encoding="utf-8")
    if variant.layers:
        layers = replace_functions(layers, (VARIANTS / variant.layers).read_text("utf-8"))
    (folder / "layers.py").write_text(layers, encoding="utf-8")
    if variant.fc_net is not None:
        net = (reference / "classifiers" / "fc_net.py").read_text(encoding="utf-8")
        net = apply_patches(net, variant.fc_net, what=f"variant {variant.name}")
        (folder / "fc_net.py").write_text(net, encoding="utf-8")
    return folder


def build_all(dest: Path, variants: list[Variant] | None = None) -> dict[str, Variant]:
    variants = load() if variants is None else variants
    for variant in variants:
        build(variant, dest)
    return {v.name: v for v in variants}


def suite_tests(suite_dir: Path) -> dict[str, str]:
    """Test function name -> the name students see (its docstring's first line)."""
    names = {}
    for path in sorted(Path(suite_dir).glob("test_*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                doc = (ast.get_docstring(node) or node.name).strip().splitlines()[0]
                names[node.name] = doc
    return names
