"""grader release --assignment: one assignment's own skeleton, with nothing of the others."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from grader.errors import UsageError
from grader.release import main
from grader.release.scope import drop_functions


def functions(path) -> set[str]:
    return {n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.FunctionDef)}


def imports_cleanly(root, module: str) -> bool:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=root,
                          capture_output=True, text=True, timeout=120, check=False)
    return done.returncode == 0


def test_each_assignment_gets_only_its_own_todos(tmp_path, capsys):
    main(check=False, out=tmp_path / "conv", assignment="conv")
    main(check=False, out=tmp_path / "dropout", assignment="dropout")
    conv, dropout = tmp_path / "conv", tmp_path / "dropout"

    conv_layers = functions(conv / "cs231n" / "layers.py")
    assert {"conv_forward_naive", "max_pool_backward_naive", "affine_forward"} <= conv_layers
    assert not {"dropout_forward", "dropout_backward"} & conv_layers
    assert not (conv / "cs231n" / "classifiers" / "fc_net.py").exists()  # the net's TODOs
    assert (conv / "ConvolutionalNetworks.ipynb").is_file()
    assert not (conv / "Dropout.ipynb").exists()
    assert sorted(p.name for p in (conv / "tests").iterdir()) == ["conftest.py"]
    readme = (conv / "README.md").read_text()
    assert "`conv_forward_naive`" in readme and "dropout_forward" not in readme
    assert imports_cleanly(conv, "cs231n.classifiers") and imports_cleanly(conv, "cs231n.layers")

    dropout_layers = functions(dropout / "cs231n" / "layers.py")
    assert {"dropout_forward", "dropout_backward"} <= dropout_layers
    assert not {"conv_forward_naive", "max_pool_forward_naive"} & dropout_layers
    assert (dropout / "cs231n" / "classifiers" / "fc_net.py").is_file()
    assert (dropout / "Dropout.ipynb").is_file()
    assert "conv_forward_naive" not in (dropout / "README.md").read_text()
    # Stubbed, never the solution.
    assert "NotImplementedError" in (dropout / "cs231n" / "layers.py").read_text()
    assert "np.random.rand(*x.shape) < p" not in (dropout / "cs231n" / "layers.py").read_text()
    capsys.readouterr()


def test_one_assignment_needs_a_folder_of_its_own():
    with pytest.raises(UsageError, match="--out"):
        main(check=False, out=None, assignment="conv")


def test_drop_functions_removes_whole_definitions_only():
    text = ("import numpy as np\n\n\n@staticmethod\ndef a(x):\n    return x\n\n\n"
            "def b(x):\n    def a():\n        pass\n    return a\n\n\nA = 1\n")
    kept = drop_functions(text, {"a"}, label="t.py")
    assert "def b(x):" in kept and "    def a():" in kept and "A = 1" in kept
    assert "@staticmethod" not in kept and "return x" not in kept
    compile(kept, "t.py", "exec")
