"""grader audit: exit 0 on the real catalogue, 1 when the suite lets something through."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from grader import audit
from grader.audit import catalogue
from grader.audit.grade import LOCAL_SLOT
from grader.errors import InternalError

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "solutions" / "assignments" / "dropout" / "suite"


def run_audit(suite_dir: Path, tmp_path: Path) -> tuple[int, str]:
    buffer = io.StringIO()
    code = audit.main(jobs=2, sandbox="auto", out=tmp_path / "audit", suite_dir=suite_dir,
                      slot_factory=LOCAL_SLOT, console=Console(file=buffer, width=100))
    return code, buffer.getvalue()


def suite_with(tmp_path: Path, *files: str, extra: str = "") -> Path:
    """The hidden suite with only the test modules ``files`` (its helpers all kept)."""
    suite = tmp_path / "suite"
    shutil.copytree(SUITE, suite, ignore=lambda _, names: [
        n for n in names if (n.startswith("test_") and n not in files) or n == "__pycache__"])
    if extra:
        (suite / "test_extra.py").write_text(extra)
    return suite


def test_grader_audit_passes_on_the_real_catalogue():
    done = subprocess.run([sys.executable, "-m", "grader.cli", "audit", "--jobs", "2"],
                          capture_output=True, text=True, timeout=900, cwd=ROOT,
                          check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    mutants = sum(v.kind == "mutant" for v in catalogue.load())
    assert f"{mutants}/{mutants} mutants killed" in done.stdout
    assert "Kill matrix" in done.stdout and "SURVIVED" not in done.stdout


def test_a_weakened_suite_lets_mutants_survive(tmp_path):
    code, text = run_audit(suite_with(tmp_path, "test_3_net.py"), tmp_path)
    assert code == 1
    assert "SURVIVED: mutant randn" in text and "SURVIVED: mutant dtype_change" in text
    assert "SURVIVED: mutant net_never_drops" not in text  # the net tests still catch it


def test_a_suite_that_fails_correct_code_is_reported(tmp_path):
    always = ("import pytest\n\n@pytest.mark.points(1)\ndef test_impossible(student):\n"
              "    '''asks for the impossible'''\n    assert False, 'never'\n")
    code, text = run_audit(suite_with(tmp_path, "test_2_backward.py", extra=always), tmp_path)
    assert code == 1
    assert "BELOW FULL MARKS: correct variant reference " in text
    assert "asks for the impossible" in text


def test_every_variant_builds_into_code_that_compiles(tmp_path):
    reference = (ROOT / "solutions" / "cs231n" / "layers.py").read_text()
    net = (ROOT / "solutions" / "cs231n" / "classifiers" / "fc_net.py").read_text()
    for variant in catalogue.load():
        folder = catalogue.build(variant, tmp_path)
        layers = (folder / "layers.py").read_text()
        compile(layers, "layers.py", "exec")
        assert (layers != reference) == ("layers.py" in dict(variant.replace)), variant.name
        patches = dict(variant.patch).get("fc_net.py")
        if patches is not None:
            text = (folder / "fc_net.py").read_text()
            compile(text, "fc_net.py", "exec")
            assert (text != net) == bool(patches), variant.name
        else:
            assert not (folder / "fc_net.py").exists()


def test_patches_and_replacements_refuse_what_they_cannot_place():
    with pytest.raises(InternalError, match="no function"):
        catalogue.replace_functions("def a():\n    pass\n", "def b():\n    pass\n")
    twice = "x = 1\nx = 1\n"
    with pytest.raises(InternalError, match="occurs 2 times"):
        catalogue.apply_patches(twice, (catalogue.Patch("x = 1", ("y = 2",)),), what="t")
    patched = catalogue.apply_patches("if a:\n    x = 1\n", (
        catalogue.Patch("x = 1", ("if b:", "    y = 2")),), what="t")
    assert patched == "if a:\n    if b:\n        y = 2\n"
