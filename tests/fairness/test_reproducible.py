"""Item 8: the same files give the same feedback.md, byte for byte, whatever the folder,
the run and the time (paths, timings and random names never reach it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fairness_cases import FC_NET, LAYERS, MASK


def write_class(root: Path) -> None:
    student = root / "ana"
    student.mkdir(parents=True)
    layers = ("import torch\nfrom numpy.lib.function_base import select\n"
              + LAYERS.replace(MASK, "mask = (np.random.rand(*x.shape) >= p) / (1 - p)")
              .replace("def dropout_backward(dout, cache):\n",
                       "def dropout_backward(dout, cache):\n    print('here', __file__)\n"))
    (student / "layers.py").write_text(layers, encoding="utf-8")
    (student / "fc_net.py").write_text(
        FC_NET.replace("self.use_dropout = dropout != 1", "self.use_dropout = dropout > 0"),
        encoding="utf-8")


def test_the_same_submission_gives_the_same_feedback_twice(tmp_path, level):
    outputs = []
    for run in ("first", "second-run-elsewhere"):
        classes = tmp_path / run / "class"
        write_class(classes)
        out = tmp_path / run / "grades"
        command = [str(Path(sys.executable).with_name("grader")), "run", str(classes),
                   "--out", str(out), "--jobs", "1", "--sandbox", level]
        done = subprocess.run(command, check=False, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append((out / "ana" / "feedback.md").read_bytes())
    assert outputs[0] == outputs[1]
    text = outputs[0].decode()
    assert str(tmp_path) not in text and "pytest-of" not in text
    assert "torch is not available to the grader" in text
