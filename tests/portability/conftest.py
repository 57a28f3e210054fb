"""Fixtures of the portability tests (helpers in portability_helpers.py).

Session-wide, in one temporary folder every user can reach (under /tmp, mode 0755):

- ``project``: a copy of this checkout: what a fresh clone would hold (tracked files, plus
  new files git does not ignore, so uncommitted work is tested too);
- ``envs``: per Python layout a venv (that Python's ``-m venv``) with the project installed
  by ``pip install --no-index --find-links WHEELHOUSE -e PROJECT``; the wheelhouse is made
  once per session with ``pip download`` (pip's cache serves what it had already fetched),
  and the venvs are built in parallel as soon as the session starts;
- ``identities``: root (the tests themselves) and a fresh unprivileged user, removed again
  at the end whatever happens;
- ``class_runs``: the ``grader run`` of the example class for every (layout, identity,
  sandbox) cell the session's tests ask for, started in the background as soon as the
  session starts so that runs overlap each other and the quicker tests.

PORTABILITY_KEEP=1 keeps the temporary folder (the test user is removed all the same);
PORTABILITY_FULL_MATRIX=1 grades the class in every cell (see portability_env.py).

Layouts: ``own`` is the Python the tests run on (the installation their venv was made from,
e.g. pyenv's under /root); a user who cannot reach it (/root is mode 0700) gets a copy of
it relocated into the temporary folder, a python.org-style build in its own prefix.
``debian`` is /usr/bin/python3 with a venv made by its own venv module.
"""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest
from portability_env import CLASS_TEST, REFERENCE, ClassRuns, Environments
from portability_helpers import (
    LEVELS,
    REPO,
    TIMINGS,
    Identity,
    Unavailable,
    copy_project,
    create_user,
    current_identity,
    delete_user,
    open_temp_base,
    record,
)


def pytest_terminal_summary(terminalreporter):
    if TIMINGS:
        terminalreporter.section("portability: seconds per step")
        for name, seconds in sorted(TIMINGS.items()):
            terminalreporter.write_line(f"{seconds:7.1f}  {name}")
    if LEVELS:
        terminalreporter.section("portability: the sandbox level results.json names")
        for name, level in sorted(LEVELS.items()):
            terminalreporter.write_line(f"{level:>8}  {name}")


@pytest.fixture(scope="session")
def workroot():
    """The session's temporary folder: 0755, every ancestor world-traversable."""
    try:
        base = open_temp_base()
    except Unavailable as exc:
        pytest.skip(str(exc))
    root = Path(tempfile.mkdtemp(prefix="grader-portability-", dir=base))
    os.chmod(root, 0o755)
    yield root
    if os.environ.get("PORTABILITY_KEEP") == "1":  # to look at the runs' files afterwards
        sys.stderr.write(f"\nportability tests: kept {root}\n")
        return
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(8) as pool:  # the disk is faster in parallel
        for child in [*(root / "venvs").glob("*"), *root.glob("[!v]*")]:
            pool.submit(shutil.rmtree, child, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)
    record("remove the temporary folder", time.monotonic() - start)


@pytest.fixture(scope="session")
def project(workroot) -> Path:
    start = time.monotonic()
    try:
        copy = copy_project(REPO, workroot / "project")
    except Unavailable as exc:
        pytest.skip(str(exc))
    record("copy the project", time.monotonic() - start)
    return copy


@pytest.fixture(scope="session")
def identities(workroot):
    """label -> Identity, or the Unavailable saying why this machine has no such identity."""
    found: dict[str, Identity | Unavailable] = {"root": current_identity(workroot / "home-root")}
    try:
        found["user"] = create_user(workroot)
    except Unavailable as exc:
        found["user"] = exc
    try:
        yield found
    finally:
        user = found["user"]
        if isinstance(user, Identity):
            problem = delete_user(user.name)
            if problem:
                sys.stderr.write(f"portability tests: {problem}\n")


@pytest.fixture(scope="session")
def envs(workroot, project) -> Environments:
    return Environments(workroot, project)


@pytest.fixture(scope="session")
def class_runs(request, envs, identities):
    """Starts, in the background, the venvs every selected test needs and the class runs
    of the selected class tests (and, when there are any, the reference)."""
    cells, venvs = [], set()
    for item in request.session.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if "layout" in params and "who" in params:
            venvs.update({(params["layout"], params["who"]), REFERENCE[:2]})
            if getattr(item, "originalname", None) == CLASS_TEST:
                cells.append((params["layout"], params["who"], params["sandbox"]))
    if cells:
        cells.append(REFERENCE)
    envs.prepare(identities, venvs)
    runs = ClassRuns(envs, identities, cells)
    yield runs
    runs.close()
