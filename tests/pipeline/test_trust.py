"""The grading process never loads the hidden suites, the judge or any student's code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from grader.paths import project_root

SCRIPT = """
import json, sys
from pathlib import Path
from grader.run import pipeline

if __name__ == "__main__":
    code = pipeline.main(submissions=Path(sys.argv[1]), out=Path(sys.argv[2]), jobs=1,
                         slot_factory="grader.run.local_session:LocalSlot")
    loaded = [m for m in sys.modules if m.startswith(("grader.suites", "grader.run.judge",
                                                      "grader.run.proxy", "cs231n", "pytest"))]
    print(json.dumps({"code": code, "loaded": loaded}))
"""


def test_the_grading_process_imports_no_suite_judge_or_student_code(tmp_path):
    # The real judge in its own process; LocalSlot runs the reference solution in-process
    # there, which is fine for our own code and keeps this test fast.
    (tmp_path / "subs" / "ref").mkdir(parents=True)
    shutil.copy(project_root() / "solutions" / "cs231n" / "layers.py", tmp_path / "subs" / "ref")
    script = tmp_path / "grade.py"
    script.write_text(SCRIPT)
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "subs"),
                           str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=300, check=False)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"code": 0, "loaded": []}, done.stderr
    gradebook = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()
    assert gradebook[1].split(",")[:4] == ["ref", "100", "100", "graded"]
