"""``grader export gradescope``: the autograder.zip an instructor uploads to Gradescope.

Layout (Gradescope unpacks it into /autograder/source)::

    setup.sh            installs Python, bubblewrap and the bundled package (run once)
    run_autograder      runs ``grader ci`` on /autograder/submission (run per submission)
    package/            the grader package with its hidden suites, pyproject.toml, README.md
    home/solutions/     the reference package (the oracle the hidden suites compare with)
    home/assignment/    the released skeleton's package (support files staged with each
                        submission)
    home/BUNDLE.txt     what was bundled: grader version and the suite version

``GRADER_HOME=home`` makes :func:`grader.paths.project_root` find ``solutions/`` and
``assignment/`` there. This zip holds the hidden tests and the solution: it is for the
instructor's Gradescope account only, never for students.
"""

from __future__ import annotations

from pathlib import Path

from .. import __version__, course, paths
from ..errors import InternalError
from ..run.stage import SupportPackage, suite_version
from .bundle import package_dir, read_entries, tree, write_zip

TEMPLATES = Path(__file__).resolve().parent / "templates"
SCRIPTS = {"setup.sh": "setup.sh", "run_autograder": "run_autograder.sh"}
PROJECT_FILES = ("pyproject.toml", "README.md")  # what pip needs to install package/


def contents(root: Path | None = None,
             assignment: str | None = None) -> tuple[dict[str, Path], str]:
    """The files of the bundle by archive name, and the suite version they grade with.

    A bundle grades one assignment: its folder is the only one under
    home/solutions/assignments, so the bundled grader needs no --assignment.
    """
    root = Path(root or paths.project_root())
    manifest = course.find(course.resolve(assignment))
    assignment = root / "assignment"
    SupportPackage.load(assignment)  # a clear error when the skeleton was never released
    files = {name: TEMPLATES / template for name, template in SCRIPTS.items()}
    for name in PROJECT_FILES:  # the grader's own project, wherever the course lives
        files[f"package/{name}"] = _required(package_dir().parent / name)
    files.update(tree(package_dir(), "package/grader"))
    files.update(tree(root / "solutions" / "cs231n", "home/solutions/cs231n"))
    files.update(tree(assignment / "cs231n", "home/assignment/cs231n"))
    course_root = f"home/solutions/{course.ASSIGNMENTS}"
    files[f"{course_root}/__init__.py"] = course.root() / "__init__.py"
    files.update(tree(manifest.folder, f"{course_root}/{manifest.name}"))
    version = suite_version(manifest.suite, root / "solutions" / "cs231n",
                            assignment / "cs231n")
    return files, version


def build(out: Path, *, root: Path | None = None,
          assignment: str | None = None) -> tuple[int, str]:
    """Write the zip to ``out``; returns (number of files, suite version)."""
    files, version = contents(root, assignment)
    entries = read_entries(files, executable=SCRIPTS)
    facts = (f"grader {__version__}\nsuite {version}\n"
             "Upload this zip in Gradescope > Configure Autograder. It contains the hidden "
             "tests and the reference solution: keep it away from students.\n")
    entries.append(("home/BUNDLE.txt", facts.encode(), False))
    return write_zip(out, entries), version


def _required(path: Path) -> Path:
    if not path.is_file():
        raise InternalError("is needed to install the bundled package but is missing",
                            path=path)
    return path
