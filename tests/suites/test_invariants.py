"""Properties of the suite as a whole: points, names, code that does nothing earns nothing."""

from __future__ import annotations

import re
import shutil

from suite_helpers import ROOT, SUITE, grade

from grader.results import VISIBILITIES


def markers(path):
    text = path.read_text(encoding="utf-8")
    return re.findall(r"@pytest\.mark\.points\((\d+)\)\n@pytest\.mark\.visibility\(\"(\w+)\"\)\n"
                      r"def (test_\w+)", text)


def test_points_sum_to_100_and_match_the_readme_table():
    found = [m for path in sorted(SUITE.glob("test_*.py")) for m in markers(path)]
    assert sum(int(points) for points, _, _ in found) == 100
    assert all(visibility in VISIBILITIES for _, visibility, _ in found)
    table = re.findall(r"^\| \d+ \| `(test_\w+)` \| .* \| (\d+) \| (\w+) \|$",
                       (SUITE / "README.md").read_text(encoding="utf-8"), re.MULTILINE)
    assert sorted((name, points, vis) for name, points, vis in table) == sorted(
        (name, points, vis) for points, vis, name in found)


def test_every_test_has_a_student_facing_name(test_names):
    assert len(test_names) == 19
    assert all(shown != name and len(shown) < 90 for name, shown in test_names.items())
    assert len(set(test_names.values())) == len(test_names)


def test_the_released_skeleton_earns_nothing(tmp_path):
    # Stubs raise NotImplementedError everywhere: no test may pass on the reference alone.
    folders = []
    for name, files in {"stubs": ["layers.py"], "stubs_with_net": ["layers.py", "fc_net.py"]}.items():
        folder = tmp_path / "submissions" / name
        folder.mkdir(parents=True)
        for file in files:
            source = ROOT / "assignment" / "cs231n" / (
                "classifiers/fc_net.py" if file == "fc_net.py" else file)
            shutil.copy(source, folder / file)
        folders.append(folder)
    results = grade(folders, tmp_path / "staged")
    for result in results.values():
        passed = [t.name for t in result.tests if t.passed]
        assert result.score == 0 and not passed, (result.student, passed)
        assert "NotImplementedError" in result.tests[0].output
