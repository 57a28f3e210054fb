"""``grader release``: generate the student skeleton ``assignment/`` from ``solutions/``.

The release is the list of steps in :mod:`grader.release.steps` run in order
(package with its solution regions stubbed, public tests, support files, the
student README; other rooms append theirs). It is deterministic and idempotent:
files are written only when their bytes change, and a manifest of what was
written lets the next release remove files no step produces any more without
ever touching files it did not write. ``--check`` releases into a temporary
folder and compares it with the committed skeleton byte for byte.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import GraderError, InternalError, UsageError
from ..paths import project_root
from .steps import SKIPPED_DIRS, STEPS, Step, read_text, write_text

MANIFEST = ".release-files"
SHOWN_DRIFTS = 8

__all__ = ["MANIFEST", "STEPS", "ReleaseDrift", "check_release", "main", "release"]


class ReleaseDrift(GraderError):
    """The committed skeleton is not what a fresh release would write."""

    exit_code = 1


def release(src_root: Path, dest_root: Path, *, steps: Iterable[Step] = STEPS) -> list[str]:
    """Run every step from ``src_root`` into ``dest_root``; return the written files.

    Paths are returned relative to ``dest_root``, POSIX-style and sorted.
    """
    dest_root = Path(dest_root)
    resolved, source = dest_root.resolve(), Path(src_root).resolve()
    if resolved == source or source in resolved.parents:
        raise UsageError(f"cannot release into {dest_root}: it is inside the sources {src_root}")
    dest_root.mkdir(parents=True, exist_ok=True)
    written: set[str] = set()
    for step in steps:
        for path in step(Path(src_root), dest_root):
            try:
                relative = Path(path).resolve().relative_to(resolved)
            except ValueError:
                raise InternalError(f"release step {step.__name__} wrote {path}, "
                                    f"outside {dest_root}") from None
            written.add(relative.as_posix())
    _remove_stale(dest_root, written)
    names = sorted(written)
    write_text(dest_root / MANIFEST, "".join(name + "\n" for name in names))
    return names


def _remove_stale(dest_root: Path, written: set[str]) -> None:
    # Only files a previous release listed are ever deleted: --out may point at a
    # folder that holds other things.
    manifest = dest_root / MANIFEST
    if not manifest.is_file():
        return
    for name in read_text(manifest).splitlines():
        if name and name not in written and ".." not in Path(name).parts:
            stale = dest_root / name
            if stale.is_file():
                stale.unlink()
            parent = stale.parent
            while parent != dest_root and parent.is_dir() and not any(parent.iterdir()):
                parent.rmdir()
                parent = parent.parent


def tree_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` except caches and data, by relative POSIX path."""
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
        for name in names:
            if name.endswith(".pyc"):
                continue
            path = Path(folder, name)
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def drifts(fresh: Path, committed: Path) -> list[str]:
    """How ``committed`` differs from the ``fresh`` release, one phrase per file."""
    new, old = tree_files(fresh), tree_files(committed) if committed.is_dir() else {}
    problems = []
    for name in sorted(set(new) | set(old)):
        if name not in old:
            problems.append(f"{name} is missing")
        elif name not in new:
            problems.append(f"{name} should not be there")
        elif new[name] != old[name]:
            problems.append(f"{name} differs")
    return problems


def release_one(src_root: Path, dest: Path, name: str) -> list[str]:
    """Release assignment ``name``'s own skeleton (see :mod:`grader.release.scope`)."""
    from .. import course
    from .scope import scoped_sources
    manifest = course.find(name)
    with tempfile.TemporaryDirectory(prefix="grader-release-scope-") as scratch:
        scoped = scoped_sources(src_root, Path(scratch) / "solutions", manifest,
                                course.assignments())
        names = release(scoped, dest)
    print(f"released {len(names)} files of assignment {manifest.name} to {dest}")
    return names


def check_release(src_root: Path, committed: Path, *, steps: Iterable[Step] = STEPS) -> int:
    """Raise :class:`ReleaseDrift` unless ``committed`` equals a fresh release.

    Returns the number of files compared.
    """
    with tempfile.TemporaryDirectory(prefix="grader-release-") as scratch:
        fresh = Path(scratch) / "assignment"
        count = len(release(src_root, fresh, steps=steps))
        problems = drifts(fresh, committed)
    if problems:
        shown = "; ".join(problems[:SHOWN_DRIFTS])
        more = len(problems) - SHOWN_DRIFTS
        shown += f"; and {more} more" if more > 0 else ""
        raise ReleaseDrift(f"{committed} differs from a fresh release of {src_root}: {shown}. "
                           "Run `grader release` and commit the result.")
    return count


def main(*, check: bool, out: Path | None, assignment: str | None = None) -> None:
    """``grader release [--check] [--out DIR] [--assignment NAME --out DIR]``."""
    root = project_root()
    src, dest = root / "solutions", Path(out) if out is not None else root / "assignment"
    if assignment:
        if check or out is None:
            raise UsageError("--assignment releases one assignment's own skeleton into the "
                             "folder --out names (the committed assignment/ is the course's)")
        release_one(src, dest, assignment)
        return
    if check:
        count = check_release(src, dest)
        print(f"{dest} matches a fresh release of {src} ({count} files)")
    else:
        count = len(release(src, dest))
        print(f"released {count} files from {src} to {dest}")
