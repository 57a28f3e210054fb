"""Staging's shared rule: an fc_net.py still exactly as released is graded as not submitted
(the same rule for `grader run`, `grader ci` and `grader check`)."""

from __future__ import annotations

from grader import paths
from grader.run.model import Submission
from grader.run.stage import prepare, untouched_skeleton

SKELETON = (paths.assignment_dir() / "cs231n" / "classifiers" / "fc_net.py").read_bytes()
REFERENCE = (paths.solutions_dir() / "cs231n" / "classifiers" / "fc_net.py").read_bytes()


def test_the_released_skeleton_is_untouched_and_the_reference_is_not():
    assert untouched_skeleton(SKELETON, "cs231n/classifiers/fc_net.py")
    assert not untouched_skeleton(REFERENCE, "cs231n/classifiers/fc_net.py")
    assert not untouched_skeleton(SKELETON, "cs231n/layers.py")  # layers.py is always graded


def test_a_net_with_one_todo_done_is_the_students_work():
    text = SKELETON.decode()
    start = text.index("raise NotImplementedError(")
    end = text.index(")\n", text.index("(your TODO in", start)) + 2
    started = text[:start] + "self.dropout_param = {}\n" + text[end:]
    assert not untouched_skeleton(started.encode(), "cs231n/classifiers/fc_net.py")


def test_a_broken_file_is_never_called_untouched():
    assert not untouched_skeleton(SKELETON + b"\ndef broken(:\n", "cs231n/classifiers/fc_net.py")


def test_prepare_leaves_an_untouched_net_out_and_says_why(tmp_path):
    (tmp_path / "layers.py").write_bytes(b"x = 1\n")
    (tmp_path / "fc_net.py").write_bytes(SKELETON)
    prepared = prepare(Submission("ana", {"layers.py": tmp_path / "layers.py",
                                          "fc_net.py": tmp_path / "fc_net.py"}))
    assert set(prepared.texts) == {"layers.py"}
    assert any("fc_net.py is still the released skeleton" in p for p in prepared.problems)
