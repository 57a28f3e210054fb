"""Collecting files and writing reproducible zip archives for the exported bundles.

The same sources give byte-identical archives (sorted entries, fixed timestamps and
permissions), so an instructor can tell from a checksum whether what they uploaded is
what they built.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import InternalError, UsageError
from ..reports.files import atomic_write

EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can store
SKIPPED = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", "cifar-10-batches-py"}


def package_dir() -> Path:
    """The installed ``grader`` package this process runs."""
    return Path(__file__).resolve().parent.parent


def tree(folder: Path, prefix: str) -> dict[str, Path]:
    """Every file below ``folder`` keyed ``prefix/relative/path``; caches and links left out.

    Links are left out so an archive never carries a file from outside the tree.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InternalError("is missing, so it cannot be bundled", path=folder)
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED and not d.startswith("."))
        for name in filenames:
            path = Path(dirpath, name)
            if name.endswith((".pyc", ".pyo")) or path.is_symlink():
                continue
            found[f"{prefix}/{path.relative_to(folder).as_posix()}"] = path
    return found


def write_zip(out: Path, entries: Iterable[tuple[str, bytes, bool]]) -> int:
    """Write ``(name, data, executable)`` entries to ``out`` atomically; returns the count."""
    out = Path(out)
    if out.is_dir():
        raise UsageError("--out must be a file path, but it is a folder", path=out)
    buffer = io.BytesIO()  # the bundle is a few MB: build it whole, then write it at once
    count = 0
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, executable in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so unzip honours the permission bits below
            info.external_attr = (0o100755 if executable else 0o100644) << 16
            archive.writestr(info, data)
            count += 1
    try:
        atomic_write(out, buffer.getvalue())
    except OSError as error:
        raise UsageError(f"cannot write here ({error.strerror or error})", path=out) from None
    return count


def read_entries(files: dict[str, Path], *, executable: Iterable[str] = ()):
    """``(name, bytes, executable)`` for ``write_zip`` from a name -> path mapping."""
    executable = set(executable)
    return [(name, path.read_bytes(), name in executable) for name, path in files.items()]
