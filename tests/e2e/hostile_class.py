"""A class of hostile and awkward submissions, graded once per sandbox level by `grader run`."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from grader.paths import project_root

CORPUS = Path(__file__).resolve().parent.parent / "submissions"
ONLY_WHEN_ISOLATED = ("reads_solutions", "writes_everywhere")  # the process level does not
# claim to stop these (see levels.describe_level), and at that level they would litter /tmp
ISOLATED = ("bwrap", "landlock")
FULL_MARKS = ["passes_all", "passes_all_with_net", "crlf_bom", "latin1_comment",
              "nested_package", "smithjane", "José Núñez 李雷", "<img src=x onerror=alert(1)>"]
SLEEPER = "987.654"  # the argument spawns_children's detached child sleeps with


def levels() -> list[str]:
    try:
        from grader.run.levels import LEVELS, prerequisite
    except ImportError:
        return []
    return [level for level in reversed(LEVELS) if prerequisite(level) is None]


def build_class(root: Path, level: str, out: Path) -> Path:
    solution = project_root() / "solutions" / "cs231n"
    layers = (solution / "layers.py").read_text()
    net = (solution / "classifiers" / "fc_net.py").read_text()
    for folder in CORPUS.iterdir():
        if folder.is_dir() and (level in ISOLATED or folder.name not in ONLY_WHEN_ISOLATED):
            shutil.copytree(folder, root / folder.name)

    def put(rel: str, data: str | bytes) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    # The strongest attacker knows the real paths.
    if level in ISOLATED:
        suites = Path(__file__).resolve().parents[2] / "solutions" / "assignments" / "dropout" / "suite"
        reads = (root / "reads_solutions" / "layers.py")
        reads.write_text(reads.read_text().replace("@SOLUTION@", str(solution / "layers.py"))
                         .replace("@SUITES@", str(suites)))
        writes = (root / "writes_everywhere" / "layers.py")
        targets = [str(root), str(out)]
        writes.write_text(writes.read_text().replace("@TARGETS@", repr(targets)))
    put("passes_all/layers.py", layers)
    put("passes_all_with_net/layers.py", layers)
    put("passes_all_with_net/fc_net.py", net)
    put("crlf_bom/layers.py", b"\xef\xbb\xbf" + layers.replace("\n", "\r\n").encode())
    put("latin1_comment/layers.py", ("# Écrit par Zoé, résumé des tâches\n" + layers)
        .encode("latin-1"))
    put("nested_package/hw3/cs231n/layers.py", layers)
    put("nested_package/hw3/cs231n/classifiers/fc_net.py", net)
    put("smithjane_LATE_123_456_layers.py", "def broken(:\n")
    put("smithjane_LATE_123_456_layers-1.py", layers)  # the resubmission wins
    put("José Núñez 李雷/layers.py", layers)
    put("<img src=x onerror=alert(1)>/layers.py", layers)
    put("empty_file/layers.py", "")
    (root / "symlink_outside").mkdir()
    (root / "symlink_outside" / "layers.py").symlink_to(solution / "layers.py")
    return root


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(
                os.path.join(dirpath, d))]):
            path = os.path.join(dirpath, name)
            h.update(path.encode() + b"\0")
            h.update(os.readlink(path).encode() if os.path.islink(path)
                     else Path(path).read_bytes())
    return h.hexdigest()


def sleepers() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if argv[:2] == [b"sleep", SLEEPER.encode()]:
                found.append(int(entry.name))
    return found


class Graded:
    """The outcome of one `grader run` over the class."""

    def __init__(self, level, root, out, done, before, after, stray):
        self.level, self.root, self.out = level, root, out
        self.code, self.stdout, self.stderr = done.returncode, done.stdout, done.stderr
        self.before, self.after, self.stray = before, after, stray
        folders = dict(csv.reader((out / "folders.csv").open(encoding="utf-8")))
        self.folders = {k.lstrip("'"): v for k, v in folders.items() if k != "student"}
        self.rows = {row["student"]: row for row in
                     csv.DictReader((out / "gradebook.csv").open(encoding="utf-8"))}

    def results(self, student: str) -> dict:
        return json.loads((self.out / self.folders[student] / "results.json").read_text())

    def feedback(self, student: str) -> str:
        return (self.out / self.folders[student] / "feedback.md").read_text()


@pytest.fixture(scope="module", params=levels() or [pytest.param(
    "none", marks=pytest.mark.skip("the sandbox is not installed"))])
def graded(request, tmp_path_factory) -> Graded:
    level = request.param
    base = tmp_path_factory.mktemp(f"class-{level}")
    out = base / "grades"
    out.mkdir()
    root = build_class(base / "submissions", level, out)
    before = digest(root)
    done = subprocess.run(
        [sys.executable, "-m", "grader.cli", "run", str(root), "--out", str(out),
         "--jobs", "2", "--timeout", "20", "--call-timeout", "2", "--memory", "1024",
         "--sandbox", level],
        capture_output=True, text=True, timeout=900, check=False, cwd=base)
    stray = sleepers()
    for pid in stray:  # never leave them behind, whatever the test says
        os.kill(pid, signal.SIGKILL)
    return Graded(level, root, out, done, before, digest(root), stray)
