"""The worker's placeholder finder, in a fresh interpreter (it changes sys.meta_path):
it answers only for the student's own imports of modules that do not exist."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from grader import paths
from grader.run.worker_notes import SUBMITTED

WORKER = paths.project_root() / "grader" / "run"

PROGRAM = textwrap.dedent("""
    import sys
    root = sys.argv[1]
    sys.path[:0] = [sys.argv[2], root]
    import worker_main
    worker = worker_main.Worker(None, root)
    import cs231n.layers as layers
    try:
        import no_such_module_here  # not a student file: a real ImportError
    except ImportError:
        print("RESULT real error outside student files")
    print("RESULT json is real:", layers.json.dumps([1]))
    print("RESULT fallback:", layers.fallback)
    try:
        layers.use()
    except ModuleNotFoundError as error:
        print("RESULT used:", error)
    print("RESULT star-skipped:", worker.placeholders.star_skipped)
""")

LAYERS = textwrap.dedent("""
    import json
    import torch
    from somepkg.sub import *
    try:
        import missing_with_fallback
    except ImportError:
        missing_with_fallback = None
    fallback = missing_with_fallback
    def use():
        return torch.zeros(3)
""")


def test_placeholders_only_for_the_students_missing_imports(tmp_path):
    (tmp_path / "cs231n").mkdir()
    (tmp_path / "cs231n" / "__init__.py").write_text("")
    (tmp_path / "cs231n" / "layers.py").write_text(LAYERS)
    # Staging lists the submission's own files for the worker (see stage.write_staged).
    (tmp_path / SUBMITTED).write_text("cs231n/layers.py\tlayers.py\n")
    done = subprocess.run([sys.executable, "-I", "-c", PROGRAM, str(tmp_path) + "/",
                           str(WORKER)], check=False, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "RESULT real error outside student files" in out
    assert "RESULT json is real: [1]" in out
    assert "RESULT fallback: None" in out
    assert ("RESULT used: your code used torch.zeros, but torch is not available to the "
            "grader (`import torch`, layers.py line 3)") in out
    assert "RESULT star-skipped: ['from somepkg.sub import *']" in out
    notes = [line for line in out.splitlines() if line.startswith("[grader note] ")]
    assert len(notes) == 3, notes  # torch, somepkg (its .sub is inside it), and the use
