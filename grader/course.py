"""The course's assignments, each declared by a manifest: a folder of data plus its suites.

An assignment lives in ``solutions/assignments/<name>/`` beside the reference course package
(``solutions/cs231n``) it grades. Its ``assignment.toml`` says which files a student submits
and where they go in the package, which of them are required, where its hidden suite,
public checks, audit catalogue, notebook source and example submissions are, and which
reference functions its release stubs. The engine reads these fields and names no
assignment; everything an assignment needs in code is in its own folder.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError, InternalError, UsageError
from .paths import solutions_dir
from .run.model import Layout

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

MANIFEST = "assignment.toml"
SHIPPED = "_course"  # inside the student edition's package
IN_PACKAGE = "grader:"  # a manifest path inside the installed grader package
PACKAGE_DIR = Path(__file__).resolve().parent
ASSIGNMENTS = "assignments"
ENV = "GRADER_ASSIGNMENT"


@dataclass(frozen=True)
class Assignment:
    """One assignment as its manifest declares it (paths resolved, nothing imported)."""

    name: str
    title: str
    folder: Path
    files: dict[str, str]  # submitted name -> path in the course package
    required: tuple[str, ...]
    # An optional file still exactly as released (every TODO raising its stub) is not
    # the student's work: it is graded as not submitted.
    optional_unless_started: tuple[str, ...] = ()
    when_absent: dict[str, str] = field(default_factory=dict)
    suite: Path | None = None
    public: Path | None = None
    functions: tuple[str, ...] = ()  # module:qualname the judge may call
    catalogue: Path | None = None
    variants: Path | None = None
    release_functions: tuple[str, ...] = ()
    release_tests: tuple[str, ...] = ()  # public tests its own skeleton ships
    release_readme: Path | None = None  # its own skeleton's README template
    notebook: Path | None = None
    examples: Path | None = None
    extra: dict = field(default_factory=dict)  # tables the engine does not read itself

    def where(self, name: str) -> str:
        return self.files[name]

    @property
    def layout(self) -> Layout:
        return Layout(files=tuple(self.files.items()), required=self.required,
                      optional_unless_started=self.optional_unless_started,
                      when_absent=tuple(self.when_absent.items()))


def root() -> Path:
    """Where the assignments are: the course's ``solutions/assignments``, or in the student
    edition (which has no solutions/) the public part of one assignment shipped with it."""
    try:
        return solutions_dir() / ASSIGNMENTS
    except InternalError:
        return PACKAGE_DIR / SHIPPED / ASSIGNMENTS


def load(path: Path) -> Assignment:
    """The manifest at ``path``; a clear error naming the file and the field otherwise."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    return _parse(data, path.parent, str(path))


def _parse(data: dict, folder: Path, source: str) -> Assignment:
    def need(table: dict, key: str, kind, where: str):
        value = table.get(key)
        if not isinstance(value, kind):
            raise ConfigError(f"{source}: {where}{key} must be "
                              f"{'a string' if kind is str else 'a table'}, got {value!r}")
        return value

    def path_of(table: dict, key: str, where: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{source}: {where}{key} must be a path, got {value!r}")
        if value.startswith(IN_PACKAGE):
            # Content installed with the grader (the student edition and the Gradescope
            # bundle carry the package, not the course folder).
            return PACKAGE_DIR / value[len(IN_PACKAGE):]
        return (folder / value).resolve()

    def names(table: dict, key: str, where: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{source}: {where}{key} must be a list of strings")
        return tuple(value)

    name = need(data, "name", str, "")
    if name != folder.name:
        raise ConfigError(f"{source}: name = {name!r} must be its folder's name, "
                          f"{folder.name!r}")
    files = need(data, "files", dict, "")
    if not files or not all(isinstance(v, str) for v in files.values()):
        raise ConfigError(f"{source}: [files] must map each submitted file to its path in "
                          "the course package")
    required = names(data.get("files_required", {}), "names", "files_required.")
    optional = names(data.get("files_required", {}), "optional_unless_started",
                     "files_required.")
    absent = data.get("files_required", {}).get("when_absent", {})
    if not isinstance(absent, dict) or not all(isinstance(v, str) for v in absent.values()):
        raise ConfigError(f"{source}: files_required.when_absent must map a file to what the "
                          "grader uses in its place")
    for listed in required + optional + tuple(absent):
        if listed not in files:
            raise ConfigError(f"{source}: {listed!r} is not one of [files]")
    grading = data.get("grading", {})
    audit = data.get("audit", {})
    known = {"name", "title", "files", "files_required", "grading", "audit", "release",
             "notebook", "examples"}
    return Assignment(
        name=name, title=str(data.get("title", name)), folder=folder, files=dict(files),
        required=required, optional_unless_started=optional, when_absent=dict(absent),
        suite=path_of(grading, "suite", "grading."),
        public=path_of(grading, "public", "grading."),
        functions=names(grading, "functions", "grading."),
        catalogue=path_of(audit, "catalogue", "audit."),
        variants=path_of(audit, "variants", "audit."),
        release_functions=names(data.get("release", {}), "functions", "release."),
        release_tests=names(data.get("release", {}), "tests", "release."),
        release_readme=path_of(data.get("release", {}), "readme", "release."),
        notebook=path_of(data.get("notebook", {}), "source", "notebook."),
        examples=path_of(data.get("examples", {}), "submissions", "examples."),
        extra={k: v for k, v in data.items() if k not in known})


@lru_cache(maxsize=4)
def _all(folder: Path) -> dict[str, Assignment]:
    found = {}
    if folder.is_dir():
        for manifest in sorted(folder.glob(f"*/{MANIFEST}")):
            assignment = load(manifest)
            found[assignment.name] = assignment
    return found


def assignments() -> dict[str, Assignment]:
    """Every assignment of the course, by name."""
    return dict(_all(root()))


def module_of(package_path: str) -> str:
    """package/sub/module.py -> package.sub.module"""
    return package_path.removesuffix(".py").replace("/", ".")


def modules() -> list[str]:
    """Every module of the course package the manifests name, in a stable order."""
    found: dict[str, None] = {}
    for assignment in assignments().values():
        for path in assignment.files.values():
            found.setdefault(module_of(path), None)
        for function in assignment.functions:
            found.setdefault(function.partition(":")[0], None)
    return list(found)


def resolve(name: str | None, *, suite_given: bool = False) -> str:
    """The assignment's name from --assignment, else GRADER_ASSIGNMENT, else the only one.

    A caller that names its own suite folder needs no assignment: then "" is fine.
    """
    import os
    if name:
        return find(name).name
    from_env = os.environ.get(ENV, "").strip()
    if from_env:
        return find(from_env, source=ENV).name
    if suite_given:
        return ""
    return find(None).name


def notebook_name(name: str = "") -> str:
    """The file a student submits the assignment's notebook as (``<source name>.ipynb``),
    or "" when the assignment has no notebook (or, in the student edition, no source)."""
    manifest = find(name or resolve(None))
    if manifest.notebook is None or not manifest.notebook.is_file():
        return ""
    try:
        stem = tomllib.loads(manifest.notebook.read_text(encoding="utf-8")).get("name")
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read the notebook source {manifest.notebook}: {error}") \
            from None
    return f"{stem}.ipynb" if isinstance(stem, str) and stem else ""


def layout(name: str = "") -> Layout:
    """The submitted files of assignment ``name`` ("" = the one GRADER_ASSIGNMENT or the
    course's only one names)."""
    return find(name or resolve(None)).layout


def find(name: str | None = None, *, source: str = "--assignment") -> Assignment:
    """The assignment called ``name``; with no name, the course's only one.

    A course with several and no name given, or an unknown name, is a one-line error that
    lists the names there are.
    """
    known = assignments()
    listed = ", ".join(sorted(known)) or "none"
    if not name:
        if len(known) == 1:
            return next(iter(known.values()))
        if not known:
            raise UsageError(f"no assignment manifest was found under {root()}")
        raise UsageError(f"this course has several assignments ({listed}): choose one with "
                         f"{source} NAME")
    if name not in known:
        raise UsageError(f"unknown assignment {name!r} from {source}; the course has: {listed}")
    return known[name]
