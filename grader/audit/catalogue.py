"""The audit catalogue: known-wrong and known-correct implementations as submission folders.

A variant is the reference solution with, in some submitted files, functions replaced
(``replace."file.py" = "source.py"``, the source in the catalogue's ``variants/``) or lines
patched (``patch."file.py" = [{ line = ..., with = [...] }]``). It submits the assignment's
required files and every file it changes. Building from the reference keeps every variant
one mistake away from a correct solution, so a surviving mutant measures a gap in the
suite, not noise from unrelated bugs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import tomllib

from ..errors import InternalError
from ..paths import solutions_dir
from ..run.model import Layout

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
    # (submitted file, path of the source whose functions replace the reference's)
    replace: tuple[tuple[str, str], ...] = ()
    patch: tuple[tuple[str, tuple[Patch, ...]], ...] = ()  # (submitted file, its patches)
    kills: tuple[str, ...] = ()
    says: str = ""

    def submitted(self, required: tuple[str, ...] = ()) -> tuple[str, ...]:
        """The files this variant hands in: the required ones and every one it changes."""
        changed = [name for name, _ in self.replace] + [name for name, _ in self.patch]
        return tuple(dict.fromkeys([*required, *changed]))


def load(path: Path | None = None, variants_dir: Path | None = None) -> list[Variant]:
    """The catalogue at ``path`` (by default the one of the assignment GRADER_ASSIGNMENT or
    the course's only one names); each variant's source file is looked up in
    ``variants_dir`` (by default the folder ``variants`` beside the catalogue)."""
    if path is None:
        from .. import course
        manifest = course.find(course.resolve(None))
        path, variants_dir = manifest.catalogue, variants_dir or manifest.variants
    variants_dir = Path(variants_dir or Path(path).parent / "variants")
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("variant", [])
    variants = []
    for entry in entries:
        name = entry.get("name", "?")
        if entry.get("kind") not in KINDS:
            raise InternalError(f"variant {name}: kind must be one of {KINDS}", path=path)
        unknown = set(entry) - {"name", "kind", "mistake", "replace", "patch", "kills", "says"}
        if unknown:
            raise InternalError(f"variant {name}: unknown keys {sorted(unknown)}", path=path)
        variants.append(Variant(
            name=name, kind=entry["kind"], mistake=entry.get("mistake", ""),
            replace=tuple((file, str(variants_dir / source))
                          for file, source in entry.get("replace", {}).items()),
            patch=tuple((file, tuple(Patch(p["line"].strip(), tuple(p.get("with", ())))
                                     for p in patches))
                        for file, patches in entry.get("patch", {}).items()),
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
                                "in the reference file (it must occur once)")
        indent = lines[found[0]][:len(lines[found[0]]) - len(lines[found[0]].lstrip())]
        replaced[found[0]] = [indent + text if text else "" for text in patch.replacement]
    out = []
    for i, line in enumerate(lines):
        out.extend(replaced.get(i, [line]))
    return "\n".join(out) + "\n"


def build(variant: Variant, dest: Path, layout: Layout | None = None) -> Path:
    """Write the variant as a submission folder ``dest/<name>/`` and return it; ``layout``
    (the assignment's files) says where each file's reference is."""
    if layout is None:
        from .. import course
        layout = course.layout("")
    replaced, patched = dict(variant.replace), dict(variant.patch)
    folder = Path(dest) / variant.name
    folder.mkdir(parents=True, exist_ok=True)
    for name in variant.submitted(layout.required):
        text = (solutions_dir() / layout.paths[name]).read_text(encoding="utf-8")
        if name in replaced:
            text = replace_functions(text, Path(replaced[name]).read_text("utf-8"))
        if name in patched:
            text = apply_patches(text, patched[name], what=f"variant {variant.name}")
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def build_all(dest: Path, variants: list[Variant] | None = None,
              layout: Layout | None = None) -> dict[str, Variant]:
    variants = load() if variants is None else variants
    for variant in variants:
        build(variant, dest, layout)
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
