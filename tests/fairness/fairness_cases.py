"""Submissions of the fairness tests, rebuilt from the reference solution and the released
skeleton so they track both."""

from __future__ import annotations

from grader import paths

SOLUTIONS = paths.solutions_dir() / "cs231n"
LAYERS = (SOLUTIONS / "layers.py").read_text(encoding="utf-8")
FC_NET = (SOLUTIONS / "classifiers" / "fc_net.py").read_text(encoding="utf-8")
SKELETON_FC_NET = (paths.assignment_dir() / "cs231n" / "classifiers" / "fc_net.py").read_text(
    encoding="utf-8")
MASK = "mask = (np.random.rand(*x.shape) < p) / p"
assert MASK in LAYERS, "the reference changed how it draws the mask; update these tests"
