"""Stage submissions: the released support package plus the student's files, in a scratch folder.

Split in two so the expensive part runs once and the per-submission part is a handful
of small writes (~0.1 ms):

* :func:`prepare` (grading process): reads the student's files without following links,
  normalises their encoding and computes the content hash the store is keyed by.
* :func:`write_staged` (judge process): writes the support package, held in memory,
  and the prepared student files into a fresh folder.

Support files are written, never hard-linked: a hard link would let a submission that
writes to ``cs231n/layer_utils.py`` change the released skeleton and every later
submission staged from it.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import os
import re
import shutil
import stat
import tokenize
from dataclasses import dataclass
from pathlib import Path

from ..errors import InternalError
from .discover import MAX_FILE_BYTES
from .model import Layout, StagedSubmission, Submission, default_layout
from .worker_notes import SUBMITTED, submitted_text

_COOKIE = re.compile(rb"^([ \t\f]*#.*?coding[:=][ \t]*)([-\w.]+)")
_SKIP = ("__pycache__",)


# An optional file still exactly as released (every TODO still raises the stub) is graded as
# not submitted (the manifest's ``optional_unless_started``), the rule `grader run`, `grader
# ci` and `grader check` share: a student who only did the required file scores the same
# whether the untouched optional one was uploaded or not.
UNTOUCHED = ("{name} is still the released skeleton (every TODO in it still raises "
             "NotImplementedError), so it was not graded: you were graded as for a "
             "submission without {name}.")
_TODO_MARKER = b"START OF YOUR CODE"


def as_released(source: bytes, package_path: str) -> bool:
    """True when ``source`` parses to the released file's syntax tree (comments and layout
    aside): an optional file the package already holds, submitted as released (a student
    who uploads the whole package folder) holds nothing of the student's."""
    released = _released_tree(package_path)
    try:
        return released is not None and ast.dump(ast.parse(source)) == released
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


@functools.lru_cache(maxsize=8)
def _released_tree(package_path: str) -> str | None:
    from ..paths import assignment_dir
    try:
        return ast.dump(ast.parse((assignment_dir() / package_path).read_bytes()))
    except (OSError, SyntaxError, ValueError, InternalError):
        return None


def untouched_skeleton(source: bytes, package_path: str) -> bool:
    """True when every TODO region of the file at ``package_path`` still only raises the
    released stub (parsed, never run: this is the trusted side)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    stubs = 0
    for node in ast.walk(tree):
        if (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
                and isinstance(node.exc.func, ast.Name)
                and node.exc.func.id == "NotImplementedError" and node.exc.args
                and isinstance(node.exc.args[0], ast.Constant)
                and f"your TODO in {package_path}" in str(node.exc.args[0].value)):
            stubs += 1
    return stubs > 0 and stubs >= source.count(_TODO_MARKER)


@dataclass(frozen=True)
class PreparedSubmission:
    """A submission's files read into memory: what travels to a judge process."""

    student: str
    texts: dict[str, bytes]  # submitted name -> normalised UTF-8 source
    problems: tuple[str, ...]
    content_hash: str
    layout: Layout | None = None  # where each file goes in the package


@dataclass(frozen=True)
class SupportPackage:
    """The released skeleton package, read once and written into every staged folder."""

    files: tuple[tuple[str, bytes], ...]  # ("cs231n/layer_utils.py", b"...")

    @classmethod
    def load(cls, assignment_dir: Path) -> SupportPackage:
        package = Path(assignment_dir) / "cs231n"
        if not package.is_dir():
            raise InternalError(
                "the released skeleton is missing (no cs231n/ package): run `grader release`",
                path=assignment_dir)
        files = _tree(package, "cs231n", python_only=True)
        return cls(tuple((rel, path.read_bytes()) for rel, path in files))


def _tree(folder: Path, prefix: str, *, python_only: bool = False):
    """(relative name, path) of the files below ``folder``, sorted, caches left out.

    A worker needs only the package's modules: data sets or notebooks that may sit in
    the package folder would only make every staging slower.
    """
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.endswith(".pyc") or path.is_symlink():
                continue
            if python_only and not name.endswith(".py"):
                continue
            yield prefix + "/" + path.relative_to(folder).as_posix(), path


def suite_version(*folders: Path) -> str:
    """Hash of every file that decides a verdict: changing any of them regrades everyone."""
    digest = hashlib.sha256()
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            continue
        for rel, path in _tree(folder, folder.name):
            digest.update(rel.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def prepare(sub: Submission, *, suite: str = "") -> PreparedSubmission:
    """Read and normalise the student's files; problems found here join discovery's."""
    layout = sub.layout or default_layout()
    texts: dict[str, bytes] = {}
    problems = list(sub.problems)
    digest = hashlib.sha256()
    for name in sorted(sub.files):
        try:
            raw = read_student_file(sub.files[name])
        except OSError as error:
            problems.append(f"{name} could not be read ({error.strerror or error}).")
            continue
        except ValueError as error:
            problems.append(f"{name} {error}.")
            continue
        digest.update(name.encode() + b"\0" + str(len(raw)).encode() + b"\0" + raw)
        texts[name], note = normalise_source(raw, name)
        if note:
            problems.append(note)
        path = layout.paths[name]
        if name in layout.optional_unless_started:
            if untouched_skeleton(texts[name], path):
                del texts[name]
                problems.append(UNTOUCHED.format(name=name))
        elif name not in layout.required and as_released(texts[name], path):
            del texts[name]  # the package has this very file: nothing of the student's in it
    for problem in problems:
        digest.update(b"problem\0" + problem.encode("utf-8", "backslashreplace"))
    digest.update(b"suite\0" + suite.encode())
    return PreparedSubmission(sub.student, texts, tuple(problems), digest.hexdigest(), layout)


def read_student_file(path: Path) -> bytes:
    """The bytes of a regular file, refusing links, FIFOs and devices, and capped in size."""
    # O_NONBLOCK: a FIFO put where discovery saw a file must not hang the grader.
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise ValueError(f"is larger than {MAX_FILE_BYTES / 1e6:.0f} MB, so it was not graded")
    return raw


def normalise_source(raw: bytes, shown: str) -> tuple[bytes, str | None]:
    """UTF-8 with LF line ends; a BOM is dropped, a declared encoding honoured.

    Bytes that are not valid in the file's encoding are read as Latin-1 (it decodes
    anything) and the student is told, rather than failing on a SyntaxError the
    student cannot see on their own machine.
    """
    note = None
    try:
        # SyntaxError: an unknown codec in a coding cookie, or undecodable first lines.
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        text = raw.decode(encoding)  # utf-8-sig drops a BOM
    except (SyntaxError, UnicodeDecodeError, LookupError):
        text = raw.removeprefix(b"\xef\xbb\xbf").decode("latin-1")
        note = (f"{shown} is not valid UTF-8; it was read as Latin-1. Save it as UTF-8 so "
                "that accented letters in it are read as you wrote them.")
    data = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    # The text is UTF-8 now, so a cookie naming another encoding would garble it again.
    lines = data.split(b"\n", 2)
    for i in range(min(2, len(lines))):
        lines[i] = _COOKIE.sub(rb"\1utf-8", lines[i], count=1)
    return b"\n".join(lines), note


def write_staged(prepared: PreparedSubmission, dest: Path,
                 support: SupportPackage) -> StagedSubmission:
    """Make ``dest`` hold exactly cs231n/ (support files, then the student's on top).

    ``dest`` may be reused from an earlier submission: every file is rewritten and
    anything else in it is removed, which is much cheaper than deleting and recreating
    folders on a disk-backed filesystem. Links are never followed, so a folder tampered
    with by an earlier worker cannot redirect a write.
    """
    dest = Path(dest)
    layout = prepared.layout or default_layout()
    files = {rel: data for rel, data in support.files}
    for name, text in prepared.texts.items():
        files[layout.paths[name]] = text
    # Which staged files are the student's, for the worker's messages and import notes.
    files[SUBMITTED] = submitted_text((layout.paths[name], name) for name in layout.names
                                      if name in prepared.texts).encode()
    folders = {os.path.dirname(rel) for rel in files}
    folders |= {os.path.dirname(f) for f in folders if f}
    _remove_unexpected(dest, "", set(files), folders)
    for folder in sorted(folders, key=len):
        os.makedirs(dest / folder, exist_ok=True)
    for rel, data in files.items():
        fd = os.open(dest / rel, _WRITE, 0o644)
        try:
            _write_all(fd, data)
        finally:
            os.close(fd)
    return StagedSubmission(
        student=prepared.student, root=dest,
        files=tuple(name for name in layout.names if name in prepared.texts),
        problems=prepared.problems, content_hash=prepared.content_hash,
        sources=tuple(sorted(prepared.texts.items())), layout=layout)


_WRITE = (os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
          | getattr(os, "O_CLOEXEC", 0))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _remove_unexpected(dest: Path, rel: str, files: set[str], folders: set[str]) -> None:
    try:
        entries = list(os.scandir(dest / rel if rel else dest))
    except FileNotFoundError:
        return
    for entry in entries:
        path = f"{rel}/{entry.name}" if rel else entry.name
        if entry.is_dir(follow_symlinks=False) and path in folders:
            _remove_unexpected(dest, path, files, folders)
        elif entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        elif not (path in files and entry.is_file(follow_symlinks=False)):
            os.unlink(entry.path)  # a stray file, or a link where one of ours belongs


def stage(sub: Submission, dest: Path, assignment_dir: Path, *,
          suite: str = "") -> StagedSubmission:
    """Prepare and write one submission (convenient for single-submission tools)."""
    return write_staged(prepare(sub, suite=suite), dest, SupportPackage.load(assignment_dir))
