"""Where a run's temporary folders go, and the removal of those a killed run left."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

OWNER = "owner.pid"


def sweep_stale_scratch(root: Path) -> None:
    """Remove the scratch folders of earlier runs that were killed before cleaning up."""
    for folder in root.glob("grader-run-*"):
        try:
            pid = int((folder / OWNER).read_text())
            os.kill(pid, 0)
        except ProcessLookupError:  # its run is gone
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):  # not ours to judge: another user's, or still starting
            continue


def scratch_root() -> str | None:
    """Where this run's temporary folders go: $TMPDIR when set, else /dev/shm when it is a
    roomy memory filesystem, else the system default.

    Staging and the sandbox create and delete thousands of small files; on a
    disk-backed filesystem each of those can cost milliseconds.
    """
    if os.environ.get("TMPDIR"):
        return None
    try:
        info = os.statvfs("/dev/shm")
    except OSError:
        return None
    roomy = info.f_bavail * info.f_frsize >= 512 * 2**20
    return "/dev/shm" if roomy and os.access("/dev/shm", os.W_OK | os.X_OK) else None
